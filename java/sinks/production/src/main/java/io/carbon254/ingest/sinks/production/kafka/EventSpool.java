package io.carbon254.ingest.sinks.production.kafka;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The encoded records of one stage's events, spooled to a temporary file as the batches come, so
 * nothing is sent before the warehouse committed and nothing of the interval is held in memory.
 * A record is its key, its value (Confluent wire-format bytes) and its headers, each a
 * length-prefixed byte string. The file is named {@code spool-<pid>-<random>.tmp}: creating a
 * spool first deletes the files of writers that are gone (their pid is not alive, or is now a
 * process started after the file was last written, i.e. the pid was reused), never a live writer's.
 */
final class EventSpool implements AutoCloseable {
  static final String PREFIX = "spool-";
  /** A file without a pid in its name is left alone until it is this old. */
  private static final Duration UNNAMED_AGE = Duration.ofHours(1);

  /** One spooled record. */
  record Entry(byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers) {}

  /** Receives the spooled records in the order they were appended. */
  interface Replay {
    void accept(Entry e) throws IOException;
  }

  private final Path file;
  private DataOutputStream out;
  private long count;

  private EventSpool(Path file) throws IOException {
    this.file = file;
    this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 256 * 1024));
  }

  static EventSpool create(Path dir) throws IOException {
    Files.createDirectories(dir);
    removeOrphans(dir);
    return new EventSpool(Files.createTempFile(dir, PREFIX + ProcessHandle.current().pid() + "-", ".tmp"));
  }

  Path file() {
    return file;
  }

  long count() {
    return count;
  }

  void append(byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers) throws IOException {
    bytes(key);
    bytes(value);
    out.writeInt(headers.size());
    for (Map.Entry<String, byte[]> h : headers) {
      bytes(h.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      bytes(h.getValue());
    }
    count++;
  }

  private void bytes(byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  /** Ends the writing and reads every record back, in order. */
  void replay(Replay to) throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 256 * 1024))) {
      for (long i = 0; i < count; i++) {
        byte[] key = read(in);
        byte[] value = read(in);
        int n = in.readInt();
        List<Map.Entry<String, byte[]>> headers = new ArrayList<>(n);
        for (int h = 0; h < n; h++) {
          headers.add(Map.entry(new String(read(in), java.nio.charset.StandardCharsets.UTF_8), read(in)));
        }
        to.accept(new Entry(key, value, headers));
      }
    }
  }

  private static byte[] read(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** Deletes the spool file (idempotent). */
  @Override
  public void close() {
    try {
      if (out != null) {
        out.close();
        out = null;
      }
    } catch (IOException e) {
      // deleted below anyway
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a later spool in the same directory removes it once this process is gone
    }
  }

  /** Deletes the spool files in {@code dir} whose writer is gone; returns how many. */
  static int removeOrphans(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (var files = Files.newDirectoryStream(dir, PREFIX + "*.tmp")) {
      for (Path f : files) {
        try {
          if (orphaned(f)) {
            removed += Files.deleteIfExists(f) ? 1 : 0;
          }
        } catch (IOException e) {
          // gone meanwhile, or not ours to delete
        }
      }
    }
    return removed;
  }

  private static boolean orphaned(Path f) throws IOException {
    String name = f.getFileName().toString().substring(PREFIX.length());
    int dash = name.indexOf('-');
    Instant touched = Files.getLastModifiedTime(f).toInstant();
    if (dash > 0) {
      try {
        long pid = Long.parseLong(name.substring(0, dash));
        var handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
          return true;
        }
        // A live process that started after the file was last written cannot have written it.
        return handle.get().info().startInstant().map(started -> started.isAfter(touched.plusSeconds(1))).orElse(false);
      } catch (NumberFormatException e) {
        // not a pid
      }
    }
    return touched.isBefore(Instant.now().minus(UNNAMED_AGE));
  }
}
