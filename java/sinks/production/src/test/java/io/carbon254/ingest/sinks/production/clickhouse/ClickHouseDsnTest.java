package io.carbon254.ingest.sinks.production.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClickHouseDsnTest {
  @Test
  void parsesHostPortDatabaseAndCredentialsAndNeverShowsThePassword() {
    ClickHouseDsn d = ClickHouseDsn.parse("clickhouse://ingest:s%40cret@ch.internal:8123/market", Optional.empty(), Optional.empty());
    assertEquals("ch.internal:8123", d.server());
    assertEquals("market", d.database());
    assertEquals("ingest", d.user());
    assertEquals("s@cret", d.password());
    assertEquals("http://ch.internal:8123", d.endpoint());
    assertFalse(d.toString().contains("cret"), d.toString());
  }

  @Test
  void defaultsAndTls() {
    ClickHouseDsn d = ClickHouseDsn.parse("clickhouse://127.0.0.1", Optional.empty(), Optional.empty());
    assertEquals("127.0.0.1:8123", d.server());
    assertEquals("ingest", d.database());
    assertEquals("default", d.user());
    ClickHouseDsn s = ClickHouseDsn.parse("https://ch:8443/x", Optional.of("u"), Optional.of("p"));
    assertTrue(s.secure());
    assertEquals("u", s.user());
    assertEquals("https://ch:8443", s.endpoint());
    assertTrue(ClickHouseDsn.parse("clickhouse://ch/x?secure=true", Optional.empty(), Optional.empty()).secure());
  }

  @Test
  void badDsnsAreUsageErrors() {
    assertThrows(UsageException.class, () -> ClickHouseDsn.parse("mysql://h/x", Optional.empty(), Optional.empty()));
    assertThrows(UsageException.class, () -> ClickHouseDsn.parse("clickhouse:///x", Optional.empty(), Optional.empty()));
    assertThrows(UsageException.class, () -> ClickHouseDsn.parse("clickhouse://h/x-y", Optional.empty(), Optional.empty()));
  }
}
