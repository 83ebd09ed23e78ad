package io.carbon254.ingest.sinks.production.clickhouse;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Column;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.BronzeRevisions;
import io.carbon254.ingest.core.sink.QualityResult;
import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.core.sink.RunRecord;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.core.sink.Warehouse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The production warehouse: ClickHouse over HTTP, the tables of {@code ddl/}.
 *
 * <ul>
 *   <li>Writes are RowBinary streams (one insert per call, cut into blocks by the server); values
 *       never appear in SQL text. Reads are TabSeparated with explicit conversions
 *       ({@code toUnixTimestamp}, {@code hex}), which 18.16 and current servers print alike.
 *   <li>Silver: {@code ReplacingMergeTree(version)} keyed by the natural key; reads use
 *       {@code FINAL}, so a re-run never shows a duplicate and the greatest version wins (the last
 *       written among equal versions, as the embedded upsert does).
 *   <li>Staging: replace-by-interval-key through generations (see {@code ddl/0004_staging.sql}).
 *   <li>Bronze: one visible row per payload id, the first fetched_at kept.
 *   <li>Timestamps are {@code DateTime('UTC')}: whole seconds (18.16 has no DateTime64); a
 *       sub-second part is dropped on write, and {@link #putBronze} returns the stored instant.
 * </ul>
 */
public final class ClickHouseWarehouse implements Warehouse {
  private static final AtomicLong LAST_GENERATION = new AtomicLong();
  /** Encoded bytes per chunk handed to a streamed staging insert (about 5,000 price rows). */
  static final int CHUNK_BYTES = 1 << 20;
  private static final List<String> BRONZE_COLUMNS =
      List.of("payload_id", "market", "dataset", "interval_start_utc", "interval_end_utc", "part", "url",
          "content_type", "http_status", "size_bytes", "sha256", "body", "fetched_at", "last_fetched_at");

  private final ClickHouseConfig config;
  private final ClickHouseGateway gateway;
  private final String db;
  /** The generation each staging scan of this process read, by stage, kind and key (load upserts what its gate saw). */
  private final Map<String, Generation> scannedGenerations = new java.util.concurrent.ConcurrentHashMap<>();

  private ClickHouseWarehouse(ClickHouseConfig config, ClickHouseGateway gateway) {
    this.config = config;
    this.gateway = gateway;
    this.db = config.dsn().database();
  }

  public static ClickHouseWarehouse open(ClickHouseConfig config) {
    requireNonNull(config, "config is null");
    return new ClickHouseWarehouse(config, config.open());
  }

  @Override
  public String describe() {
    return config.dsn().toString();
  }

  @Override
  public void ensureSchema() {
    ClickHouseSchema.over(config, gateway).check(Ddl.bundled());
  }

  // ------------------------------------------------------------------------------------ Bronze

  @Override
  public List<Instant> putBronze(List<PayloadHead> payloads, java.util.function.IntFunction<byte[]> body) {
    if (payloads.isEmpty()) {
      return List.of();
    }
    Map<IntervalKey, List<PayloadHead>> byKey = new LinkedHashMap<>();
    for (PayloadHead p : payloads) {
      byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
    }
    // The revision rule (BronzeRevisions) over what Bronze holds of the batch's keys, read once per key.
    Map<IntervalKey, Map<String, Instant>> held = new HashMap<>();
    Map<IntervalKey, Map<Integer, String>> currentOfPart = new HashMap<>();
    for (IntervalKey key : byKey.keySet()) {
      Map<String, Instant> first = new HashMap<>();
      for (List<String> row :
          gateway.select(
              "read Bronze of " + key,
              "SELECT payload_id, toUnixTimestamp(fetched_at) FROM " + db + ".bronze_payloads FINAL WHERE " + where(key))) {
        first.put(row.get(0), Instant.ofEpochSecond(Long.parseLong(row.get(1))));
      }
      held.put(key, first);
      Map<Integer, String> current = new HashMap<>();
      for (List<String> row : gateway.select("read Bronze of " + key, currentPerPartSql(key))) {
        current.put(Integer.parseInt(row.get(0)), row.get(1));
      }
      currentOfPart.put(key, current);
    }
    List<BronzeRevisions.Revision> revisions = BronzeRevisions.revise(payloads, new BronzeRevisions.Stored() {
      @Override
      public java.util.Optional<Instant> fetchedAt(IntervalKey key, String payloadId) {
        return java.util.Optional.ofNullable(held.get(key).get(payloadId));
      }

      @Override
      public java.util.Optional<String> current(IntervalKey key, int part) {
        return java.util.Optional.ofNullable(currentOfPart.get(key).get(part));
      }
    }, t -> Instant.ofEpochSecond(t.getEpochSecond())); // DateTime: whole seconds
    Instant now = Instant.now();
    // Every payload is inserted, the current ones too: ReplacingMergeTree keeps one row per payload,
    // and the insert moves its last_fetched_at.
    List<PayloadHead> stored = new ArrayList<>(payloads.size());
    for (int k = 0; k < payloads.size(); k++) {
      stored.add(payloads.get(k).withFetchedAt(revisions.get(k).fetchedAt()));
    }
    gateway.insert(
        "store " + payloads.size() + " payload(s) in Bronze",
        db + ".bronze_payloads",
        BRONZE_COLUMNS,
        w -> {
          for (int k = 0; k < stored.size(); k++) {
            PayloadHead p = stored.get(k);
            // Each body is read as its row is written into the insert stream, and dropped after.
            byte[] bytes = body.apply(k);
            w.string(p.payloadId());
            w.string(p.key().market());
            w.string(p.key().dataset());
            w.dateTime(p.key().window().start());
            w.dateTime(p.key().window().end());
            w.int32(p.part());
            w.string(p.url());
            if (w.present(p.contentType())) {
              w.string(p.contentType());
            }
            w.int32(p.httpStatus());
            w.uint64(p.sizeBytes());
            w.string(p.sha256());
            w.bytes(bytes);
            w.dateTime(p.fetchedAt());
            w.dateTime(now.isBefore(p.fetchedAt()) ? p.fetchedAt() : now);
          }
        });
    return stored.stream().map(PayloadHead::fetchedAt).toList();
  }

  @Override
  public List<RawPayload> latestBronze(IntervalKey key) {
    // Per part, the most recently fetched payload (last_fetched_at, then the first fetched_at),
    // as the embedded warehouse orders them.
    String sql =
        "SELECT payload_id, part, url, content_type, http_status, sha256, toUnixTimestamp(fetched_at), hex(body) FROM "
            + db + ".bronze_payloads FINAL WHERE " + where(key) + " AND payload_id IN (SELECT current FROM ("
            + currentPerPartSql(key) + ")) ORDER BY part";
    List<RawPayload> out = new ArrayList<>();
    for (List<String> r : gateway.select("read Bronze of " + key, sql)) {
      out.add(new RawPayload(r.get(0), key, Integer.parseInt(r.get(1)), r.get(2), r.get(3), Integer.parseInt(r.get(4)),
          HexFormat.of().parseHex(r.get(7)), r.get(5), Instant.ofEpochSecond(Long.parseLong(r.get(6)))));
    }
    return out;
  }

  /** {@code part, current}: the id of the most recently fetched payload of each part (no bodies read). */
  private String currentPerPartSql(IntervalKey key) {
    return "SELECT part, argMax(payload_id, (last_fetched_at, fetched_at, payload_id)) AS current FROM " + db
        + ".bronze_payloads WHERE " + where(key) + " GROUP BY part";
  }

  // ------------------------------------------------------------------------------------ staging

  @Override
  public void replaceStaging(Stage stage, IntervalKey key, RecordKind kind, List<CanonicalRecord> rows) {
    for (CanonicalRecord r : rows) {
      Warehouse.checkStagingKey(key, r);
    }
    long generation = nextGeneration();
    if (!rows.isEmpty()) {
      gateway.insert(
          "write " + rows.size() + " row(s) to " + kind.stagingTable() + " for " + key,
          db + "." + kind.stagingTable(),
          stagingColumns(kind),
          w -> {
            long n = 0;
            for (CanonicalRecord r : rows) {
              w.string(stage.id());
              w.dateTime(key.window().start());
              w.dateTime(key.window().end());
              w.uint64(generation);
              w.uint32(n++);
              writeValues(w, kind, r);
            }
          });
    }
    publishGeneration(stage, key, kind, generation, rows.size());
  }

  @Override
  public List<CanonicalRecord> readStaging(Stage stage, IntervalKey key, RecordKind kind) {
    String keyWhere = stagingWhere(stage, key);
    String sql = "SELECT " + selectList(kind) + " FROM " + db + "." + kind.stagingTable() + " FINAL WHERE " + keyWhere
        + " AND generation = (SELECT max(generation) FROM " + db + ".stg_generations WHERE " + keyWhere + " AND kind = "
        + Sql.key(kind.id()) + ") ORDER BY row_no";
    return records(kind, gateway.select("read " + kind.stagingTable() + " for " + key, sql));
  }

  /**
   * A streamed staging write: the rows go to the server in one RowBinary insert as the batches come
   * (encoded in chunks of at most {@link #CHUNK_BYTES}, handed to a sender thread), under a new
   * generation; {@link StagingWriter#commit} ends the insert and then publishes the generation's
   * marker, which is what makes it visible. Until then readers keep seeing the previous generation;
   * closing without a commit makes the server refuse the insert (the body ends with an incomplete
   * row), so it keeps none of its rows; should a very large write already have had whole blocks
   * ({@code max_insert_block_size} rows) stored, they stay an unmarked generation nobody reads.
   * Nothing of the interval is held in memory: one chunk being encoded and at most four queued.
   */
  @Override
  public StagingWriter openStaging(Stage stage, IntervalKey key, RecordKind kind) {
    long generation = nextGeneration();
    String table = kind.stagingTable();
    String what = "write " + table + " for " + key + " (generation " + generation + ")";
    ChunkedInsert out = new ChunkedInsert(what, table, stagingColumns(kind));
    return new StagingWriter() {
      private long rows;
      private boolean closed;

      @Override
      public void write(List<CanonicalRecord> batch) {
        if (closed) {
          throw new IllegalStateException(what + ": the writer is closed");
        }
        try {
          for (CanonicalRecord r : batch) {
            Warehouse.checkStagingKey(key, r);
            out.w.string(stage.id());
            out.w.dateTime(key.window().start());
            out.w.dateTime(key.window().end());
            out.w.uint64(generation);
            out.w.uint32(rows++);
            writeValues(out.w, kind, r);
            out.rowDone();
          }
          out.batchDone();
        } catch (IOException e) {
          throw new IllegalStateException(e); // an in-memory buffer does not fail
        }
      }

      @Override
      public void commit() {
        if (closed) {
          throw new IllegalStateException(what + ": the writer is closed");
        }
        try {
          out.finish();
          publishGeneration(stage, key, kind, generation, rows);
        } finally {
          closed = true;
        }
      }

      @Override
      public void close() {
        if (closed) {
          return;
        }
        closed = true;
        out.abort();
      }
    };
  }

  /**
   * Rows encoded as RowBinary into a chunk and streamed to one INSERT, opened when the first chunk
   * is sent: nothing of an interval is held in memory but the chunk being encoded.
   */
  private final class ChunkedInsert {
    final RowBinary w;
    private final Chunk chunk = new Chunk(CHUNK_BYTES + 64 * 1024);
    private final String what;
    private final String table;
    private final List<String> columns;
    private ClickHouseGateway.StreamingInsert insert;

    ChunkedInsert(String what, String table, List<String> columns) {
      this.what = what;
      this.table = table;
      this.columns = columns;
      this.w = new RowBinary(chunk);
    }

    /** After each row: a full chunk goes out. */
    void rowDone() {
      if (chunk.size() >= CHUNK_BYTES) {
        send();
      }
    }

    /** After each batch: what is left goes out (the batch's rows are then the server's). */
    void batchDone() {
      if (chunk.size() > 0) {
        send();
      }
    }

    private void send() {
      if (insert == null) {
        insert = gateway.openInsert(what, db + "." + table, columns);
      }
      insert.write(chunk.take());
    }

    void finish() {
      if (insert != null) {
        insert.finish();
      }
    }

    /** Without a finish: the server refuses the incomplete body; true when some of it was sent. */
    boolean abort() {
      chunk.take();
      if (insert == null) {
        return false;
      }
      insert.abort();
      return true;
    }
  }

  /**
   * The stage's rows of the latest marked generation in natural-key order, streamed: one SELECT …
   * FORMAT RowBinary parsed as it arrives into batches of at most {@code batchSize}. The row count
   * is checked against the generation's marker, so a result cut short is an error, not fewer rows.
   */
  @Override
  public void scanStaging(Stage stage, IntervalKey key, RecordKind kind, int batchSize,
      io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    Generation g = latestGeneration(stage, key, kind);
    scannedGenerations.put(scanKey(stage, key, kind), g);
    if (g.rows() == 0) {
      return;
    }
    // market and dataset are fixed by the WHERE clause: sorting by the rest of the natural key is the same order
    String order = kind.naturalKey().stream().filter(c -> !c.equals("market") && !c.equals("dataset"))
        .collect(Collectors.joining(", "));
    String sql = "SELECT " + String.join(", ", kind.columns().stream().map(Column::name).toList()) + " FROM " + db + "."
        + kind.stagingTable() + g.finalClause() + " WHERE " + stagingWhere(stage, key) + " AND generation = " + g.id()
        + " ORDER BY " + order + "\nFORMAT RowBinary";
    String what = "read " + kind.stagingTable() + " for " + key;
    long read = gateway.selectStreaming(what, sql, in -> {
      RowBinaryReader r = new RowBinaryReader(in);
      List<Column> cols = kind.columns();
      String[] previous = new String[cols.size()];
      int size = Math.min(batchSize, 8192);
      List<CanonicalRecord> batch = new ArrayList<>(size);
      long n = 0;
      while (!r.atEnd()) {
        batch.add(kind.fromValues(readValues(r, cols, previous)));
        n++;
        if (batch.size() == batchSize) {
          out.accept(batch);
          batch = new ArrayList<>(size);
        }
      }
      if (!batch.isEmpty()) {
        out.accept(batch);
      }
      return n;
    });
    if (read != g.rows()) {
      throw new io.carbon254.ingest.core.UpstreamUnavailableException("ClickHouse at " + config.dsn().server() + ": " + what
          + " returned " + read + " row(s), its generation " + g.id() + " has " + g.rows() + "; a re-run is safe");
    }
  }

  /**
   * Silver from the enriched staging rows in one server-side {@code INSERT INTO silver … SELECT …
   * FROM staging} (no row passes through the JVM). The generation is the one the gate scanned in
   * this process when there was such a scan (so what is upserted is what was checked), else the
   * latest marked one. Silver's {@code ReplacingMergeTree(version)} keeps the greatest version per
   * natural key (the last inserted among equal versions), so a re-run adds no visible row and an
   * older revision never replaces a newer one. Returns the rows of the generation (its marker).
   */
  @Override
  public long upsertSilverFromStaging(IntervalKey key, RecordKind kind, int batchSize) {
    Generation g = scannedGenerations.get(scanKey(Stage.ENRICH, key, kind));
    if (g == null) {
      g = latestGeneration(Stage.ENRICH, key, kind);
    }
    if (g.rows() == 0) {
      return 0;
    }
    String cols = String.join(", ", kind.columns().stream().map(Column::name).toList());
    gateway.execute("upsert " + kind.silverTable() + " from " + kind.stagingTable() + " for " + key,
        "INSERT INTO " + db + "." + kind.silverTable() + " (" + cols + ") SELECT " + cols + " FROM " + db + "."
            + kind.stagingTable() + g.finalClause() + " WHERE " + stagingWhere(Stage.ENRICH, key) + " AND generation = "
            + g.id());
    return g.rows();
  }

  /**
   * A marked generation: its number, its rows (from the marker) and whether the table holds more
   * rows of it than that (a retried insert stored a block twice; reads then fold them with FINAL,
   * which otherwise is skipped: it costs a merge of the parts on every read).
   */
  record Generation(long id, long rows, boolean duplicates) {
    static final Generation NONE = new Generation(0, 0, false);

    String finalClause() {
      return duplicates ? " FINAL" : "";
    }
  }

  /** The latest marked generation of the stage's rows of the key, {@link Generation#NONE} when none. */
  private Generation latestGeneration(Stage stage, IntervalKey key, RecordKind kind) {
    List<List<String>> rows = gateway.select("read the staging generation of " + key,
        "SELECT generation, rows FROM " + db + ".stg_generations FINAL WHERE " + stagingWhere(stage, key) + " AND kind = "
            + Sql.key(kind.id()) + " ORDER BY generation DESC LIMIT 1");
    if (rows.isEmpty()) {
      return Generation.NONE;
    }
    long id = Long.parseLong(rows.get(0).get(0));
    long marked = Long.parseLong(rows.get(0).get(1));
    if (marked == 0) {
      return new Generation(id, 0, false);
    }
    long stored = Long.parseLong(gateway.select("count the staging generation " + id + " of " + key,
        "SELECT count() FROM " + db + "." + kind.stagingTable() + " WHERE " + stagingWhere(stage, key) + " AND generation = "
            + id).get(0).get(0));
    return new Generation(id, marked, stored > marked);
  }

  private static String scanKey(Stage stage, IntervalKey key, RecordKind kind) {
    return stage.id() + "|" + kind.id() + "|" + key;
  }

  private static String stagingWhere(Stage stage, IntervalKey key) {
    return "market = " + Sql.key(key.market()) + " AND dataset = " + Sql.key(key.dataset()) + " AND stage = "
        + Sql.key(stage.id()) + " AND key_start = " + Sql.time(key.window().start()) + " AND key_end = "
        + Sql.time(key.window().end());
  }

  private static List<String> stagingColumns(RecordKind kind) {
    List<String> cols = new ArrayList<>(List.of("stage", "key_start", "key_end", "generation", "row_no"));
    kind.columns().forEach(c -> cols.add(c.name()));
    return cols;
  }

  /** The marker makes a generation visible: readers never see a half-written one. */
  private void publishGeneration(Stage stage, IntervalKey key, RecordKind kind, long generation, long rows) {
    scannedGenerations.remove(scanKey(stage, key, kind)); // this process's own newer write is what comes next
    Instant now = Instant.now();
    gateway.insert(
        "publish generation " + generation + " of " + kind.stagingTable() + " for " + key,
        db + ".stg_generations",
        List.of("stage", "kind", "market", "dataset", "key_start", "key_end", "generation", "rows", "written_at"),
        w -> {
          w.string(stage.id());
          w.string(kind.id());
          w.string(key.market());
          w.string(key.dataset());
          w.dateTime(key.window().start());
          w.dateTime(key.window().end());
          w.uint64(generation);
          w.uint64(rows);
          w.dateTime(now);
        });
  }

  /** One row's values in {@link RecordKind#columns()} order from RowBinary (the inverse of {@link #writeValues}). */
  static Object[] readValues(RowBinaryReader r, List<Column> cols, String[] previous) throws IOException {
    Object[] v = new Object[cols.size()];
    for (int i = 0; i < v.length; i++) {
      Column c = cols.get(i);
      if (c.nullable() && !r.present()) {
        continue;
      }
      v[i] = switch (c.type()) {
        case STRING -> previous[i] = r.string(previous[i]);
        case DOUBLE -> r.float64();
        case LONG -> r.uint64();
        case BOOLEAN -> r.uint8() != 0;
        case TIMESTAMP -> Instant.ofEpochSecond(r.uint32());
      };
    }
    return v;
  }

  private static long nextGeneration() {
    long now = System.currentTimeMillis();
    return LAST_GENERATION.updateAndGet(prev -> Math.max(prev + 1, now));
  }

  // ------------------------------------------------------------------------------------ Silver

  @Override
  public void upsertSilver(RecordKind kind, List<CanonicalRecord> rows) {
    if (rows.isEmpty()) {
      return;
    }
    gateway.insert(
        "upsert " + rows.size() + " row(s) into " + kind.silverTable(),
        db + "." + kind.silverTable(),
        kind.columns().stream().map(Column::name).toList(),
        w -> {
          for (CanonicalRecord r : rows) {
            writeValues(w, kind, r);
          }
        });
  }

  // ------------------------------------------------------------------------------- quarantine

  /** A string literal: quotes and backslashes escaped (run ids from Airflow hold ':' and '+'). */
  private static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String heldWhere(IntervalKey key) {
    return "market = " + Sql.key(key.market()) + " AND dataset = " + Sql.key(key.dataset()) + " AND interval_start_utc >= "
        + Sql.time(key.window().start()) + " AND interval_start_utc < " + Sql.time(key.window().end());
  }

  /**
   * Deletes rows by a mutation and waits for it: quarantine actions are rare operator steps, and
   * the Debian server (18.16) has no lightweight DELETE. On a cluster the mutation goes to every
   * shard's local table.
   */
  private void deleteWhere(String table, String where) {
    String target = config.cluster().map(c -> db + "." + table + "_local ON CLUSTER " + Sql.identifier(c)).orElse(db + "." + table);
    gateway.execute("delete from " + table, "ALTER TABLE " + target + " DELETE WHERE " + where);
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
    String pending = "SELECT count() FROM system.mutations WHERE database = " + literal(db) + " AND table = "
        + literal(config.cluster().isPresent() ? table + "_local" : table) + " AND is_done = 0";
    while (!gateway.select("wait for the delete from " + table, pending).getFirst().getFirst().equals("0")) {
      if (System.nanoTime() > deadline) {
        throw new io.carbon254.ingest.core.UpstreamUnavailableException("ClickHouse at " + config.dsn().server()
            + ": the delete from " + table + " has not finished after 120 s (system.mutations); a re-run is safe");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a delete from " + table, e);
      }
    }
  }

  /**
   * Streams the held rows into the quarantine table as they come; commit then deletes the key's
   * rows of earlier runs (a mutation), so the key holds this run's rows only. Closing without a
   * commit aborts the insert and deletes whatever of this run's rows the server stored already.
   */
  @Override
  public QuarantineWriter openQuarantine(IntervalKey key, RecordKind kind, String runId, Instant at) {
    String table = io.carbon254.ingest.core.sink.Warehouse.quarantineTable(kind);
    String what = "write " + table + " for " + key;
    List<String> cols = new ArrayList<>(List.of("key_start_utc", "key_end_utc", "run_id", "check_name", "reason", "quarantined_at"));
    kind.columns().forEach(c -> cols.add(c.name()));
    ChunkedInsert out = new ChunkedInsert(what, table, cols);
    return new QuarantineWriter() {
      private boolean closed;

      @Override
      public void write(List<HeldRow> rows) {
        try {
          for (HeldRow h : rows) {
            out.w.dateTime(key.window().start());
            out.w.dateTime(key.window().end());
            out.w.string(runId);
            out.w.string(h.check());
            out.w.string(h.reason());
            out.w.dateTime(at);
            writeValues(out.w, kind, h.row());
            out.rowDone();
          }
          out.batchDone();
        } catch (IOException e) {
          throw new IllegalStateException(e); // an in-memory buffer does not fail
        }
      }

      @Override
      public void commit() {
        closed = true;
        out.finish();
        deleteWhere(table, heldWhere(key) + " AND run_id != " + literal(runId));
      }

      @Override
      public void close() {
        if (closed) {
          return;
        }
        closed = true;
        if (out.abort()) {
          deleteWhere(table, heldWhere(key) + " AND run_id = " + literal(runId));
        }
      }
    };
  }

  @Override
  public void scanQuarantine(IntervalKey key, RecordKind kind, int batchSize,
      io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    String table = io.carbon254.ingest.core.sink.Warehouse.quarantineTable(kind);
    String order = kind.naturalKey().stream().filter(c -> !c.equals("market") && !c.equals("dataset"))
        .collect(Collectors.joining(", "));
    String sql = "SELECT " + String.join(", ", kind.columns().stream().map(Column::name).toList()) + " FROM " + db + "." + table
        + " WHERE " + heldWhere(key) + " ORDER BY " + order + "\nFORMAT RowBinary";
    gateway.selectStreaming("read " + table + " for " + key, sql, in -> {
      RowBinaryReader r = new RowBinaryReader(in);
      List<Column> cols = kind.columns();
      String[] previous = new String[cols.size()];
      List<CanonicalRecord> batch = new ArrayList<>(Math.min(batchSize, 8192));
      while (!r.atEnd()) {
        batch.add(kind.fromValues(readValues(r, cols, previous)));
        if (batch.size() == batchSize) {
          out.accept(batch);
          batch = new ArrayList<>(Math.min(batchSize, 8192));
        }
      }
      if (!batch.isEmpty()) {
        out.accept(batch);
      }
      return null;
    });
  }

  /** Server-side {@code INSERT INTO silver … SELECT … FROM quarantine}: ReplacingMergeTree(version) keeps the greatest version. */
  @Override
  public long releaseQuarantine(IntervalKey key, RecordKind kind) {
    String table = io.carbon254.ingest.core.sink.Warehouse.quarantineTable(kind);
    String cols = String.join(", ", kind.columns().stream().map(Column::name).toList());
    gateway.execute("release " + table + " into " + kind.silverTable() + " for " + key, "INSERT INTO " + db + "." + kind.silverTable()
        + " (" + cols + ") SELECT " + cols + " FROM " + db + "." + table + " WHERE " + heldWhere(key));
    return heldRows(key, kind);
  }

  @Override
  public long dropQuarantine(IntervalKey key, RecordKind kind) {
    String table = io.carbon254.ingest.core.sink.Warehouse.quarantineTable(kind);
    long n = Long.parseLong(gateway.select("count " + table, "SELECT count() FROM " + db + "." + table + " WHERE " + heldWhere(key))
        .getFirst().getFirst());
    if (n > 0) {
      deleteWhere(table, heldWhere(key));
    }
    return n;
  }

  @Override
  public void recordQuarantineAction(io.carbon254.ingest.core.sink.QuarantineAction q) {
    gateway.insert("record quarantine action " + q.action() + " for " + q.key(), db + ".quarantine_actions",
        List.of("action", "market", "dataset", "key_start_utc", "key_end_utc", "run_id", "rows", "actor", "note", "acted_at"),
        w -> {
          w.string(q.action());
          w.string(q.key().market());
          w.string(q.key().dataset());
          w.dateTime(q.key().window().start());
          w.dateTime(q.key().window().end());
          w.string(q.runId());
          w.uint64(q.rows());
          w.string(q.actor());
          w.string(q.note());
          w.dateTime(q.at());
        });
  }

  @Override
  public List<CanonicalRecord> readSilver(IntervalKey key, RecordKind kind) {
    String sql = "SELECT " + selectList(kind) + " FROM " + db + "." + kind.silverTable() + " FINAL WHERE market = "
        + Sql.key(key.market()) + " AND dataset = " + Sql.key(key.dataset()) + " AND interval_start_utc >= "
        + Sql.time(key.window().start()) + " AND interval_start_utc < " + Sql.time(key.window().end()) + " ORDER BY "
        + String.join(", ", kind.naturalKey());
    return records(kind, gateway.select("read " + kind.silverTable() + " for " + key, sql));
  }

  // ------------------------------------------------------------------------------------ ledgers

  @Override
  public void writeQualityResults(IntervalKey key, List<QualityResult> results) {
    if (results.isEmpty()) {
      return;
    }
    long generation = nextGeneration();
    gateway.insert(
        "write " + results.size() + " quality result(s) for " + key,
        db + ".quality_results",
        List.of("market", "dataset", "interval_start_utc", "interval_end_utc", "check_name", "severity", "passed",
            "observed", "expected", "threshold", "details", "involved", "involved_count", "run_id", "checked_at", "generation"),
        w -> {
          for (QualityResult r : results) {
            w.string(key.market());
            w.string(key.dataset());
            w.dateTime(key.window().start());
            w.dateTime(key.window().end());
            w.string(r.check());
            w.string(r.severity());
            w.uint8(r.passed() ? 1 : 0);
            w.float64(r.observed());
            w.float64(r.expected());
            w.string(r.threshold());
            if (w.present(r.details())) {
              w.string(r.details());
            }
            w.strings(r.involved());
            w.uint64(r.involvedCount());
            w.string(r.runId());
            w.dateTime(r.checkedAt());
            w.uint64(generation);
          }
        });
  }

  @Override
  public void recordRun(RunRecord r) {
    long recordedAt = nextGeneration();
    gateway.insert(
        "record run " + r.runId() + " " + r.stage().id(),
        db + ".ingest_runs",
        List.of("run_id", "stage", "market", "dataset", "interval_start_utc", "interval_end_utc", "status", "exit_code",
            "rows_in", "rows_out", "events", "started_at", "finished_at", "message", "recorded_at"),
        w -> {
          w.string(r.runId());
          w.string(r.stage().id());
          w.string(r.key().market());
          w.string(r.key().dataset());
          w.dateTime(r.key().window().start());
          w.dateTime(r.key().window().end());
          w.string(r.status());
          w.int32(r.exitCode());
          w.uint64(r.rowsIn());
          w.uint64(r.rowsOut());
          w.uint64(r.events());
          w.dateTime(r.startedAt());
          if (w.present(r.finishedAt())) {
            w.dateTime(r.finishedAt());
          }
          if (w.present(r.message())) {
            w.string(r.message());
          }
          w.uint64(recordedAt);
        });
  }

  @Override
  public QueryResult query(String sql) {
    List<List<String>> rows;
    try {
      rows = gateway.selectForPeople(sql);
    } catch (ClickHouseGateway.Rejected e) {
      throw new UsageException(e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      return new QueryResult(List.of(), List.of());
    }
    return new QueryResult(rows.get(0), rows.subList(1, rows.size()));
  }

  @Override
  public void close() {
    gateway.close();
  }

  // ------------------------------------------------------------------------------------ helpers

  private static String where(IntervalKey key) {
    return "market = " + Sql.key(key.market()) + " AND dataset = " + Sql.key(key.dataset()) + " AND interval_start_utc = "
        + Sql.time(key.window().start()) + " AND interval_end_utc = " + Sql.time(key.window().end());
  }

  private static String selectList(RecordKind kind) {
    return kind.columns().stream()
        .map(c -> c.type() == io.carbon254.ingest.core.record.ColumnType.TIMESTAMP
            ? "toUnixTimestamp(" + c.name() + ")" : c.name())
        .collect(Collectors.joining(", "));
  }

  static void writeValues(RowBinary w, RecordKind kind, CanonicalRecord r) throws IOException {
    Object[] v = r.values();
    List<Column> cols = kind.columns();
    for (int i = 0; i < v.length; i++) {
      Column c = cols.get(i);
      Object o = v[i];
      if (c.nullable()) {
        if (!w.present(o)) {
          continue;
        }
      } else if (o == null) {
        throw new IllegalArgumentException(kind + " column " + c.name() + " is null in " + r.naturalKey());
      }
      switch (c.type()) {
        case STRING -> w.string((String) o);
        case DOUBLE -> w.float64(((Number) o).doubleValue());
        case LONG -> w.uint64(((Number) o).longValue());
        case BOOLEAN -> w.uint8(((Boolean) o) ? 1 : 0);
        case TIMESTAMP -> w.dateTime((Instant) o);
      }
    }
  }

  static List<CanonicalRecord> records(RecordKind kind, List<List<String>> rows) {
    List<Column> cols = kind.columns();
    List<CanonicalRecord> out = new ArrayList<>(rows.size());
    for (List<String> row : rows) {
      if (row.size() != cols.size()) {
        throw new IllegalStateException(kind + ": expected " + cols.size() + " columns from ClickHouse, got " + row.size());
      }
      Object[] v = new Object[cols.size()];
      for (int i = 0; i < v.length; i++) {
        String s = row.get(i);
        v[i] = s == null ? null : switch (cols.get(i).type()) {
          case STRING -> s;
          case DOUBLE -> parseDouble(s);
          case LONG -> Long.parseUnsignedLong(s);
          case BOOLEAN -> "1".equals(s);
          case TIMESTAMP -> Instant.ofEpochSecond(Long.parseLong(s));
        };
      }
      out.add(kind.fromValues(v));
    }
    return out;
  }

  private static double parseDouble(String s) {
    return switch (s) {
      case "nan", "-nan" -> Double.NaN;
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }
}
