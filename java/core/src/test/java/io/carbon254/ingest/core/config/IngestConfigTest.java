package io.carbon254.ingest.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.UsageException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IngestConfigTest {
  static IngestConfig env(String... kv) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return IngestConfig.of(m);
  }

  @Test
  void numbersAndDurationsAreReadWithDefaults() {
    assertEquals(Duration.ofSeconds(120), env().duckDbLockWait());
    assertEquals(Duration.ofSeconds(5), env("INGEST_DUCKDB_LOCK_WAIT", " 5 ").duckDbLockWait());
    assertEquals(7, env("N", "7").intValue("N", 1, 1, 10));
    assertEquals(1, env().intValue("N", 1, 1, 10));
    assertEquals(Duration.ofMillis(250), env("D", "250ms").duration("D", Duration.ZERO, Duration.ZERO));
    assertEquals(Optional.empty(), env().optionalDuration("D"));
  }

  @Test
  void aMalformedNumberIsAUsageErrorNamingTheVariableAndTheValue() {
    UsageException e = assertThrows(UsageException.class, () -> env("INGEST_DUCKDB_LOCK_WAIT", "x").duckDbLockWait());
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("INGEST_DUCKDB_LOCK_WAIT") && e.getMessage().contains("'x'"), e.getMessage());
    UsageException range = assertThrows(UsageException.class, () -> env("N", "0").intValue("N", 1, 1, 10));
    assertTrue(range.getMessage().contains("N: '0'") && range.getMessage().contains("between 1 and 10"), range.getMessage());
    UsageException huge = assertThrows(UsageException.class, () -> env("N", "99999999999").intValue("N", 1, 1, 10));
    assertTrue(huge.getMessage().contains("99999999999"), huge.getMessage());
    UsageException d = assertThrows(UsageException.class, () -> env("INGEST_CAISO_REQUEST_SPACING", "fast").requestSpacingOverride("caiso"));
    assertTrue(d.getMessage().contains("INGEST_CAISO_REQUEST_SPACING") && d.getMessage().contains("'fast'"), d.getMessage());
    UsageException min = assertThrows(UsageException.class, () -> env("D", "1s").duration("D", Duration.ofSeconds(30), Duration.ofSeconds(2)));
    assertTrue(min.getMessage().contains("D: '1s'") && min.getMessage().contains("minimum 2s"), min.getMessage());
  }
}
