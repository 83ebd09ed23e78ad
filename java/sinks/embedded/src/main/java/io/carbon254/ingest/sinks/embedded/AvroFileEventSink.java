package io.carbon254.ingest.sinks.embedded;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.sink.Event;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.events.AvroCodec;
import io.carbon254.ingest.events.RecordDatumWriter;
import java.io.File;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * The embedded event log: one Avro object-container file per topic and interval key,
 * {@code <home>/events/<topic>/<start>_<end>.avro}, replaced atomically by each publish. A re-run
 * therefore leaves exactly the events of one run (same ids); the run id and event keys are kept
 * in the file metadata and a {@code _key} header map. Kafka, in production, appends instead.
 */
public final class AvroFileEventSink implements EventSink {
  private static final DateTimeFormatter F = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private final Path root;

  public AvroFileEventSink(Path root) {
    this.root = root;
  }

  @Override
  public String describe() {
    return "avro-files:" + root;
  }

  /** Prefix of the file a publish writes before its atomic move; the writer's pid follows it. */
  static final String TEMP_PREFIX = ".publish-";
  /** A temp file without a pid (an older writer) counts as orphaned after this long untouched. */
  private static final java.time.Duration UNNAMED_TEMP_AGE = java.time.Duration.ofMinutes(10);

  /**
   * A new temp file in {@code dir} named after this process ({@code .publish-<pid>-….tmp}), after
   * removing the temp files of writers that no longer run (a kill -9 during a publish leaves its
   * file behind; the next publish to the same topic cleans it). A live writer's file is never touched.
   */
  static Path tempFile(Path dir) throws IOException {
    removeOrphans(dir);
    return Files.createTempFile(dir, TEMP_PREFIX + ProcessHandle.current().pid() + "-", ".tmp");
  }

  /** Deletes the temp files in {@code dir} whose writer process is gone; returns how many. */
  static int removeOrphans(Path dir) throws IOException {
    int removed = 0;
    try (var files = Files.newDirectoryStream(dir, TEMP_PREFIX + "*.tmp")) {
      for (Path f : files) {
        if (orphaned(f)) {
          removed += Files.deleteIfExists(f) ? 1 : 0;
        }
      }
    }
    return removed;
  }

  private static boolean orphaned(Path f) throws IOException {
    String name = f.getFileName().toString().substring(TEMP_PREFIX.length());
    int dash = name.indexOf('-');
    if (dash > 0) {
      try {
        long pid = Long.parseLong(name.substring(0, dash));
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
      } catch (NumberFormatException e) {
        // not a pid: an older writer's name
      }
    }
    java.time.Instant touched = Files.getLastModifiedTime(f).toInstant();
    return touched.isBefore(java.time.Instant.now().minus(UNNAMED_TEMP_AGE));
  }

  public static Path file(Path root, String topic, IntervalKey key) {
    return root.resolve(topic).resolve(F.format(key.window().start()) + "_" + F.format(key.window().end()) + ".avro");
  }

  @Override
  public void publish(String topic, IntervalKey key, List<Event> events) {
    Path target = file(root, topic, key);
    try {
      Files.createDirectories(target.getParent());
      if (events.isEmpty()) {
        Files.deleteIfExists(target);
        return;
      }
      Schema schema = AvroCodec.schema(events.get(0).schema());
      Path tmp = tempFile(target.getParent());
      try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
        Map<String, String> headers = events.get(0).headers();
        headers.forEach((k, v) -> w.setMeta("header." + k, v));
        w.setMeta("topic", topic);
        w.create(schema, tmp.toFile());
        for (Event e : events) {
          w.append(AvroCodec.toRecord(e));
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UpstreamUnavailableException("event log " + root + ": cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Streams the events into a temporary file beside the target as the batches come (the schema and
   * metadata from the first batch); commit moves it in place atomically, close without commit
   * deletes it. Nothing is held but the batch being appended.
   */
  @Override
  public EventWriter open(String topic, IntervalKey key) {
    Path target = file(root, topic, key);
    return new EventWriter() {
      private Path tmp;
      private DataFileWriter<Object> w;
      private boolean done;

      private void start(Schema schema, org.apache.avro.io.DatumWriter<Object> datum, Map<String, String> headers) throws IOException {
        Files.createDirectories(target.getParent());
        tmp = tempFile(target.getParent());
        w = new DataFileWriter<>(datum);
        headers.forEach((k, v) -> w.setMeta("header." + k, v));
        w.setMeta("topic", topic);
        w.create(schema, tmp.toFile());
      }

      @Override
      public void append(List<Event> batch) {
        if (batch.isEmpty()) {
          return;
        }
        try {
          if (w == null) {
            Schema schema = AvroCodec.schema(batch.get(0).schema());
            start(schema, new GenericDatumWriter<>(schema), batch.get(0).headers());
          }
          for (Event e : batch) {
            w.append(AvroCodec.toRecord(e));
          }
        } catch (IOException e) {
          throw new UpstreamUnavailableException("event log " + root + ": cannot write " + target + ": " + e.getMessage(), e);
        }
      }

      /** Encodes each record's event straight into the file ({@link RecordDatumWriter}: no event maps). */
      @Override
      public void appendRecords(String eventTopic, List<? extends CanonicalRecord> rows, Map<String, String> headers) {
        if (rows.isEmpty()) {
          return;
        }
        try {
          if (w == null) {
            RecordDatumWriter datum = new RecordDatumWriter(eventTopic, rows.get(0).kind());
            start(datum.schema(), datum, headers);
          }
          for (CanonicalRecord r : rows) {
            w.append(r);
          }
        } catch (IOException e) {
          throw new UpstreamUnavailableException("event log " + root + ": cannot write " + target + ": " + e.getMessage(), e);
        }
      }

      @Override
      public void commit() {
        try {
          if (w == null) {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            done = true;
            return;
          }
          w.close();
          w = null;
          try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
          }
          done = true;
        } catch (IOException e) {
          throw new UpstreamUnavailableException("event log " + root + ": cannot write " + target + ": " + e.getMessage(), e);
        }
      }

      @Override
      public void close() {
        if (done) {
          return;
        }
        done = true;
        try {
          if (w != null) {
            w.close();
          }
          if (tmp != null) {
            Files.deleteIfExists(tmp);
          }
        } catch (IOException e) {
          // a temporary file we are abandoning
        }
      }
    };
  }

  /** Every event of a topic, all interval files (for tests and the demo summary). */
  public static List<Map<String, Object>> read(Path root, String topic) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    Path dir = root.resolve(topic);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".avro")).sorted().toList()) {
        File f = p.toFile();
        try (DataFileReader<GenericRecord> r = new DataFileReader<>(f, new GenericDatumReader<>())) {
          for (GenericRecord g : r) {
            out.add(AvroCodec.fields(g));
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {}
}
