package io.carbon254.ingest.sinks.production.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool file on its own: records come back in order, byte for byte; close deletes it. */
class EventSpoolTest {
  @TempDir Path dir;

  @Test
  void recordsComeBackInOrderByteForByteAndCloseDeletesTheFile() throws Exception {
    List<EventSpool.Entry> replayed = new ArrayList<>();
    Path file;
    try (EventSpool spool = EventSpool.create(dir.resolve("nested"))) {
      file = spool.file();
      assertTrue(file.getFileName().toString().startsWith(EventSpool.PREFIX + ProcessHandle.current().pid() + "-"));
      for (int i = 0; i < 10_000; i++) {
        byte[] value = new byte[i % 300];
        if (value.length > 0) {
          value[value.length - 1] = (byte) i;
        }
        spool.append(i == 5 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8), value,
            List.of(Map.entry("ingest.event_id", ("id-" + i).getBytes(StandardCharsets.UTF_8)), Map.entry("empty", new byte[0])));
      }
      assertEquals(10_000, spool.count());
      spool.replay(replayed::add);
      assertTrue(Files.exists(file));
    }
    assertFalse(Files.exists(file), "deleted on close");
    assertEquals(10_000, replayed.size());
    for (int i = 0; i < replayed.size(); i++) {
      EventSpool.Entry e = replayed.get(i);
      if (i == 5) {
        assertNull(e.key());
      } else {
        assertArrayEquals(("k" + i).getBytes(StandardCharsets.UTF_8), e.key());
      }
      assertEquals(i % 300, e.value().length);
      if (e.value().length > 0) {
        assertEquals((byte) i, e.value()[e.value().length - 1]);
      }
      assertEquals("ingest.event_id", e.headers().get(0).getKey());
      assertArrayEquals(("id-" + i).getBytes(StandardCharsets.UTF_8), e.headers().get(0).getValue());
      assertEquals(0, e.headers().get(1).getValue().length);
    }
  }
}
