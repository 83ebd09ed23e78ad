package io.carbon254.ingest.sinks.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroFileEventSinkTest {

  @Test
  void aPublishRemovesTheTempFilesOfWritersThatAreGoneAndNoLiveWritersFile(@TempDir Path dir) throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    long deadPid = finished.pid();
    long ownPid = ProcessHandle.current().pid();
    Path dead = Files.writeString(dir.resolve(".publish-" + deadPid + "-123.tmp"), "half an event file");
    Path live = Files.writeString(dir.resolve(".publish-" + ownPid + "-456.tmp"), "being written");
    Path oldUnnamed = Files.writeString(dir.resolve(".publish-8812345.tmp"), "from an older writer");
    Files.setLastModifiedTime(oldUnnamed, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    Path freshUnnamed = Files.writeString(dir.resolve(".publish-9912345.tmp"), "from an older writer, just now");
    Path published = Files.writeString(dir.resolve("20241103T080000Z_20241103T090000Z.avro"), "a published file");

    Path created = AvroFileEventSink.tempFile(dir);

    assertFalse(Files.exists(dead), "a dead writer's temp file is removed");
    assertFalse(Files.exists(oldUnnamed), "an unnamed temp file untouched for an hour is removed");
    assertTrue(Files.exists(live), "a live writer's temp file stays");
    assertTrue(Files.exists(freshUnnamed), "a recent unnamed temp file stays");
    assertTrue(Files.exists(published), "published files are never touched");
    assertTrue(created.getFileName().toString().startsWith(".publish-" + ownPid + "-"), created.toString());
    assertEquals(0, AvroFileEventSink.removeOrphans(dir), "nothing left to remove");
  }
}
