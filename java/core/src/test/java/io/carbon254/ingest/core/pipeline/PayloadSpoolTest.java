package io.carbon254.ingest.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadSpoolTest {
  static final Instant T0 = Instant.parse("2024-11-04T08:00:00Z");
  static final IntervalKey KEY = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0, T0.plusSeconds(3600)));

  static RawPayload payload(int part, String body) {
    return RawPayload.of(KEY, part, "http://127.0.0.1/p" + part, "application/zip", 200, body.getBytes(StandardCharsets.UTF_8),
        T0.plusSeconds(7200 + part));
  }

  @Test
  void bodiesComeBackFromDiskAndOnlyHeadsStayInMemory(@TempDir Path tmp) {
    RawPayload a = payload(0, "first body");
    RawPayload b = payload(1, "the second, longer body " + "x".repeat(100_000));
    Path dir;
    try (PayloadSpool s = PayloadSpool.open(tmp)) {
      s.add(a);
      s.add(b);
      dir = s.dir();
      assertTrue(Files.isDirectory(dir));
      assertTrue(dir.getFileName().toString().startsWith("ingest-fetch-" + ProcessHandle.current().pid() + "-"));
      assertEquals(List.of(a.head(), b.head()), s.heads());
      assertEquals(a.body().length + b.body().length, s.bytes());
      assertArrayEquals(b.body(), s.body(1));
      assertArrayEquals(a.body(), s.body(0));
      PayloadHead h = s.heads().get(1);
      assertEquals(b.head(), h);
      assertEquals(b.body().length, h.sizeBytes());
    }
    assertFalse(Files.exists(dir), "closing deletes the spool");
  }

  @Test
  void aSpoolOfAProcessThatIsGoneIsRemovedAndOthersAreKept(@TempDir Path tmp) throws Exception {
    // A pid that cannot be running: the largest Linux pid_max is 4,194,304.
    Path dead = Files.createDirectories(tmp.resolve("ingest-fetch-99999999-123"));
    Files.write(dead.resolve("0.body"), new byte[1000]);
    Path mine = Files.createDirectories(tmp.resolve("ingest-fetch-" + ProcessHandle.current().pid() + "-456"));
    Path alive = Files.createDirectories(tmp.resolve("ingest-fetch-" + ProcessHandle.current().parent().orElseThrow().pid() + "-789"));
    Path other = Files.createDirectories(tmp.resolve("ingest-fetch-notapid"));
    try (PayloadSpool s = PayloadSpool.open(tmp)) {
      assertFalse(Files.exists(dead), "the orphan of a killed fetch is removed");
      assertTrue(Files.exists(mine));
      assertTrue(Files.exists(alive), "a running process's spool is left alone");
      assertTrue(Files.exists(other), "not one of ours");
    }
  }

  @Test
  void aBodyChangedOnDiskIsAnError(@TempDir Path tmp) throws Exception {
    try (PayloadSpool s = PayloadSpool.open(tmp)) {
      s.add(payload(0, "twelve bytes"));
      Files.write(s.dir().resolve("0.body"), "short".getBytes(StandardCharsets.UTF_8));
      assertThrows(IllegalStateException.class, () -> s.body(0));
    }
  }
}
