package io.carbon254.ingest.sinks.embedded;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Column;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.BronzeRevisions;
import io.carbon254.ingest.core.sink.QualityResult;
import io.carbon254.ingest.core.sink.QuarantineAction;
import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.core.sink.RunRecord;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.core.sink.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.duckdb.ChunkAppender;
import org.duckdb.DuckDBConnection;

/**
 * The embedded warehouse: one DuckDB file, the same tables as ClickHouse. Bulk writes go through
 * the Appender, then set-based statements (Silver: replace changed rows, add new ones; staging:
 * delete + insert) inside a transaction. Timestamps are stored as UTC {@code TIMESTAMP}.
 *
 * <p>No table has a primary key: DuckDB does not merge the row groups of a table with an index, so
 * every process that appended to a keyed table left a row group of its own, at least one 256 KiB
 * block, behind (ADR 0007: 4.4 KB per Silver row after a one-day backfill, +2.2 MB per unchanged
 * re-run). Uniqueness by natural key is kept by the writes (one writer per file, each upsert in a
 * transaction); files created with keys are rebuilt without them on open. A re-run that changes
 * nothing writes (almost) nothing: a payload already current for its part is not touched, a Silver
 * row whose version and values are unchanged is not rewritten, and the staging rows of an interval
 * are deleted once its Silver load succeeded ({@link #pruneStaging}).
 *
 * <p>DuckDB allows one writing process per file: opening waits for
 * a lock held by another task run (up to {@code INGEST_DUCKDB_LOCK_WAIT}, default 120 s). The
 * writing warehouse of a stage opens on its first use ({@link #lazy}), so a fetch downloads before
 * it takes the lock; the lock is held until {@link #close} (the end of the process) or {@link
 * #release} (a backfill before it waits on a rate-limited source).
 */
public final class DuckDbWarehouse implements Warehouse {
  private final Path file;
  private final boolean readOnly;
  private final Duration lockWaitLimit;
  private String memoryLimit = DEFAULT_MEMORY_LIMIT;
  private Connection conn;
  /** Statements prepared once per connection (a backfill runs the same ones for every interval). */
  private final Map<String, PreparedStatement> prepared = new HashMap<>();
  private boolean schemaWanted;
  private Duration openTime = Duration.ZERO;
  private Duration lockWaited = Duration.ZERO;

  private DuckDbWarehouse(Path file, boolean readOnly, Duration lockWaitLimit) {
    this.file = file;
    this.readOnly = readOnly;
    this.lockWaitLimit = lockWaitLimit;
  }

  /** DuckDB's memory limit unless {@code INGEST_DUCKDB_MEMORY_LIMIT} says otherwise. */
  public static final String DEFAULT_MEMORY_LIMIT = "128MB";

  /** DuckDB's memory limit (e.g. {@code 128MB}, {@code 1GB}); set before the first use. */
  public DuckDbWarehouse memoryLimit(String limit) {
    if (!limit.matches("(?i)\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|KiB|MiB|GiB)")) {
      throw new UsageException("INGEST_DUCKDB_MEMORY_LIMIT '" + limit + "' is not a size like 128MB or 1GB");
    }
    this.memoryLimit = limit;
    return this;
  }

  /** Opens the file now (waiting up to {@code lockWait} for another process's lock). */
  public static DuckDbWarehouse open(Path file, boolean readOnly, Duration lockWait) {
    DuckDbWarehouse w = new DuckDbWarehouse(file, readOnly, lockWait);
    w.connect();
    return w;
  }

  /** A writing warehouse that opens the file, and creates the tables, on its first use. */
  public static DuckDbWarehouse lazy(Path file, Duration lockWait) {
    return new DuckDbWarehouse(file, false, lockWait);
  }

  private Connection conn() {
    if (conn == null) {
      connect();
    }
    return conn;
  }

  private void connect() {
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(file.getParent());
    } catch (java.io.IOException e) {
      throw new UsageException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
    }
    if (readOnly && !Files.exists(file)) {
      throw new UsageException("no embedded warehouse at " + file + " yet: run a stage first (or set INGEST_HOME)");
    }
    Instant deadline = Instant.now().plus(lockWaitLimit);
    long firstLocked = 0;
    while (conn == null) {
      try {
        Properties p = new Properties();
        if (readOnly) {
          p.setProperty("duckdb.read_only", "true");
        }
        // DuckDB's own memory (buffer pool, sort and insert buffers) is bounded; beyond it DuckDB
        // spills to a temp directory beside the file. Part of the task's memory budget (ADR 0007).
        p.setProperty("memory_limit", memoryLimit);
        conn = DriverManager.getConnection("jdbc:duckdb:" + file, p);
      } catch (SQLException e) {
        boolean locked = String.valueOf(e.getMessage()).contains("lock");
        if (!locked || Instant.now().isAfter(deadline)) {
          throw new UpstreamUnavailableException("embedded warehouse " + file + " cannot be opened: " + e.getMessage()
              + (locked ? " (waited " + lockWaitLimit.toSeconds() + " s, INGEST_DUCKDB_LOCK_WAIT)" : ""), e);
        }
        if (firstLocked == 0) {
          firstLocked = System.nanoTime();
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new UpstreamUnavailableException("interrupted while waiting for " + file, ie);
        }
      }
    }
    if (firstLocked != 0) {
      lockWaited = lockWaited.plusNanos(System.nanoTime() - firstLocked);
    }
    if (schemaWanted) {
      createTables();
    }
    openTime = openTime.plusNanos(System.nanoTime() - t0);
  }

  /**
   * Whether {@code sql} (a {@code SELECT 1 … LIMIT 1} with the key bound from {@code at}) finds a row: a
   * read, so a write that has nothing to replace can be one statement (DuckDB commits a statement of
   * its own in a fraction of a multi-statement transaction's time).
   */
  private boolean exists(String sql, IntervalKey key, String first) throws SQLException {
    PreparedStatement ps = ps(sql);
    int i = 1;
    if (first != null) {
      ps.setString(i++, first);
    }
    bindKey(ps, key, i);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** The statement for {@code sql} on the current connection, prepared on first use. */
  private PreparedStatement ps(String sql) throws SQLException {
    PreparedStatement p = prepared.get(sql);
    if (p == null) {
      p = conn().prepareStatement(sql);
      prepared.put(sql, p);
    }
    return p;
  }

  /** Time spent opening the file so far, summed over every (re)open. */
  @Override
  public Duration openTime() {
    return openTime;
  }

  @Override
  public Duration lockWait() {
    return lockWaited;
  }

  @Override
  public String describe() {
    return "duckdb:" + file;
  }

  static String sqlType(Column c) {
    return switch (c.type()) {
      case STRING -> "VARCHAR";
      case DOUBLE -> "DOUBLE";
      case LONG -> "BIGINT";
      case BOOLEAN -> "BOOLEAN";
      case TIMESTAMP -> "TIMESTAMP";
    };
  }

  private static String columnsDdl(RecordKind k) {
    return k.columns().stream().map(c -> c.name() + " " + sqlType(c) + (c.nullable() ? "" : " NOT NULL"))
        .collect(Collectors.joining(", "));
  }

  @Override
  public void ensureSchema() {
    if (conn == null) {
      schemaWanted = true; // created when the file is opened
      return;
    }
    createTables();
  }

  /** Column definitions of every table, by table name (no keys: see the class comment). */
  private static Map<String, String> tableColumns() {
    Map<String, String> t = new java.util.LinkedHashMap<>();
    t.put("bronze_payloads", """
        payload_id VARCHAR NOT NULL, market VARCHAR NOT NULL, dataset VARCHAR NOT NULL,
          interval_start_utc TIMESTAMP NOT NULL, interval_end_utc TIMESTAMP NOT NULL, part INTEGER NOT NULL,
          url VARCHAR NOT NULL, content_type VARCHAR, http_status INTEGER NOT NULL, size_bytes BIGINT NOT NULL,
          sha256 VARCHAR NOT NULL, fetched_at TIMESTAMP NOT NULL, last_fetched_at TIMESTAMP NOT NULL, body BLOB NOT NULL""");
    for (RecordKind k : RecordKind.values()) {
      t.put(k.silverTable(), columnsDdl(k));
      // Normalize de-duplicates by natural key before writing; DuckDB keeps a key's ART index in
      // memory, growing with every staged row (ADR 0007).
      t.put(k.stagingTable(), "stage VARCHAR NOT NULL, " + columnsDdl(k));
    }
    for (RecordKind k : RecordKind.values()) {
      t.put(Warehouse.quarantineTable(k), "key_start_utc TIMESTAMP NOT NULL, key_end_utc TIMESTAMP NOT NULL, run_id VARCHAR NOT NULL,"
          + " check_name VARCHAR NOT NULL, reason VARCHAR NOT NULL, quarantined_at TIMESTAMP NOT NULL, " + columnsDdl(k));
    }
    t.put("quarantine_actions", """
        action VARCHAR NOT NULL, market VARCHAR NOT NULL, dataset VARCHAR NOT NULL, key_start_utc TIMESTAMP NOT NULL,
          key_end_utc TIMESTAMP NOT NULL, run_id VARCHAR NOT NULL, rows BIGINT NOT NULL, actor VARCHAR NOT NULL,
          note VARCHAR NOT NULL, acted_at TIMESTAMP NOT NULL""");
    t.put("quality_results", """
        market VARCHAR NOT NULL, dataset VARCHAR NOT NULL, interval_start_utc TIMESTAMP NOT NULL,
          interval_end_utc TIMESTAMP NOT NULL, check_name VARCHAR NOT NULL, severity VARCHAR NOT NULL,
          passed BOOLEAN NOT NULL, observed DOUBLE, expected DOUBLE, details VARCHAR, run_id VARCHAR NOT NULL,
          checked_at TIMESTAMP NOT NULL, threshold VARCHAR, involved VARCHAR[], involved_count BIGINT""");
    t.put("ingest_runs", """
        run_id VARCHAR NOT NULL, stage VARCHAR NOT NULL, market VARCHAR NOT NULL, dataset VARCHAR NOT NULL,
          interval_start_utc TIMESTAMP NOT NULL, interval_end_utc TIMESTAMP NOT NULL, status VARCHAR NOT NULL,
          exit_code INTEGER NOT NULL, rows_in BIGINT NOT NULL, rows_out BIGINT NOT NULL, events BIGINT NOT NULL,
          started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, message VARCHAR""");
    return t;
  }

  private void createTables() {
    Map<String, String> tables = tableColumns();
    try (Statement s = conn().createStatement()) {
      for (Map.Entry<String, String> t : tables.entrySet()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + t.getKey() + " (" + t.getValue() + ")");
      }
      // columns added since a file was created (as ddl/0006 does on ClickHouse)
      s.execute("ALTER TABLE quality_results ADD COLUMN IF NOT EXISTS threshold VARCHAR");
      s.execute("ALTER TABLE quality_results ADD COLUMN IF NOT EXISTS involved VARCHAR[]");
      s.execute("ALTER TABLE quality_results ADD COLUMN IF NOT EXISTS involved_count BIGINT");
    } catch (SQLException e) {
      throw fail("create tables", e);
    }
    dropKeys(tables);
  }

  /**
   * Rebuilds, once, the tables of a file created with primary keys (bronze_payloads, Silver,
   * quality_results, ingest_runs, and staging of the first files) without them, rows kept: the
   * writes here keep the keys unique, and a keyed table grows by a block per writing process.
   */
  private void dropKeys(Map<String, String> tables) {
    List<String> keyed = new ArrayList<>();
    try (Statement s = conn().createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT table_name FROM duckdb_constraints()"
        + " WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND schema_name = 'main' ORDER BY 1")) {
      while (rs.next()) {
        if (tables.containsKey(rs.getString(1))) {
          keyed.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw fail("read the table constraints", e);
    }
    if (keyed.isEmpty()) {
      return;
    }
    inTransaction("rebuild " + keyed + " without keys", () -> {
      try (Statement s = conn().createStatement()) {
        for (String t : keyed) {
          s.execute("CREATE TABLE " + t + "__unkeyed (" + tables.get(t) + ")");
          s.execute("INSERT INTO " + t + "__unkeyed BY NAME SELECT * FROM " + t);
          s.execute("DROP TABLE " + t);
          s.execute("ALTER TABLE " + t + "__unkeyed RENAME TO " + t);
        }
      }
      return null;
    });
    try (Statement s = conn().createStatement()) {
      s.execute("CHECKPOINT"); // the keyed tables' blocks are free for reuse from here on
    } catch (SQLException e) {
      throw fail("checkpoint", e);
    }
  }

  /**
   * A payload's fetched_at (its rows' version) is the instant its bytes became the current content
   * of their part: identical bytes fetched again keep it; bytes that were replaced by others and
   * come back (a reverted revision) get the new fetch instant, so they win over the revision.
   * A payload that is already the current one of its part is not written at all (an unchanged
   * re-run writes nothing to Bronze), so {@code last_fetched_at}, which orders the payloads of a
   * part, is the instant the bytes last became current: their first fetch, or their return.
   */
  @Override
  public List<Instant> putBronze(List<PayloadHead> payloads, java.util.function.IntFunction<byte[]> body) {
    List<SqlWork<Void>> writes = new ArrayList<>();
    List<BronzeRevisions.Revision> revisions;
    try {
      PreparedStatement first = ps("SELECT fetched_at FROM bronze_payloads WHERE market = ? AND dataset = ?"
          + " AND interval_start_utc = ? AND interval_end_utc = ? AND payload_id = ?");
      Map<IntervalKey, Map<Integer, String>> current = new HashMap<>();
      revisions = BronzeRevisions.revise(payloads, new BronzeRevisions.Stored() {
        @Override
        public Optional<Instant> fetchedAt(IntervalKey key, String payloadId) {
          try {
            bindKey(first, key, 1);
            first.setString(5, payloadId);
            try (ResultSet rs = first.executeQuery()) {
              return rs.next() ? Optional.of(instant(rs.getObject(1))) : Optional.empty();
            }
          } catch (SQLException e) {
            throw fail("read Bronze", e);
          }
        }

        @Override
        public Optional<String> current(IntervalKey key, int part) {
          return Optional.ofNullable(current.computeIfAbsent(key, k -> latestIds(k)).get(part));
        }
      }, t -> t);
    } catch (SQLException e) {
      throw fail("store payloads", e);
    }
    for (int k = 0; k < payloads.size(); k++) {
      PayloadHead p = payloads.get(k);
      int index = k;
      switch (revisions.get(k).kind()) {
        case NEW -> writes.add(() -> {
          // The body is read here, when its row is written, and dropped after (one at a time).
          byte[] bytes = body.apply(index);
          PreparedStatement ins = ps("INSERT INTO bronze_payloads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
          int i = 1;
          ins.setString(i++, p.payloadId());
          ins.setString(i++, p.key().market());
          ins.setString(i++, p.key().dataset());
          ins.setObject(i++, ts(p.key().window().start()));
          ins.setObject(i++, ts(p.key().window().end()));
          ins.setInt(i++, p.part());
          ins.setString(i++, p.url());
          ins.setString(i++, p.contentType());
          ins.setInt(i++, p.httpStatus());
          ins.setLong(i++, p.sizeBytes());
          ins.setString(i++, p.sha256());
          ins.setObject(i++, ts(p.fetchedAt()));
          ins.setObject(i++, ts(p.fetchedAt()));
          ins.setBytes(i, bytes);
          ins.executeUpdate();
          ins.clearParameters();
          return null;
        });
        case CURRENT -> { } // already current: nothing to write (an unchanged re-run grows nothing)
        case RETURNED -> writes.add(() -> {
          PreparedStatement revive = ps("UPDATE bronze_payloads SET fetched_at = ?, last_fetched_at = ? WHERE market = ? AND dataset = ?"
              + " AND interval_start_utc = ? AND interval_end_utc = ? AND payload_id = ?");
          revive.setObject(1, ts(p.fetchedAt()));
          revive.setObject(2, ts(p.fetchedAt()));
          bindKey(revive, p.key(), 3);
          revive.setString(7, p.payloadId());
          revive.executeUpdate();
          return null;
        });
      }
    }
    if (writes.size() == 1) {
      try {
        writes.get(0).run(); // one statement: its own transaction
      } catch (SQLException e) {
        throw fail("store payloads", e);
      }
    } else if (writes.size() > 1) {
      inTransaction("store payloads", () -> {
        for (SqlWork<Void> w : writes) {
          w.run();
        }
        return null;
      });
    }
    return revisions.stream().map(BronzeRevisions.Revision::fetchedAt).toList();
  }

  /** Payload id of the current payload of each part of a key (ids only: no payload bodies read). */
  private Map<Integer, String> latestIds(IntervalKey key) {
    Map<Integer, String> ids = new HashMap<>();
    try {
      PreparedStatement ps = ps("SELECT part, payload_id FROM (" + LATEST_PER_PART + ") WHERE rn = 1");
      bindKey(ps, key, 1);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.put(rs.getInt(1), rs.getString(2));
        }
      }
      return ids;
    } catch (SQLException e) {
      throw fail("read Bronze", e);
    }
  }

  /** Bronze rows of one interval key ranked per part, most recently fetched first ({@code rn = 1}). */
  private static final String LATEST_PER_PART = """
      SELECT *, row_number() OVER (PARTITION BY part ORDER BY last_fetched_at DESC, fetched_at DESC) AS rn
      FROM bronze_payloads WHERE market = ? AND dataset = ? AND interval_start_utc = ? AND interval_end_utc = ?""";

  @Override
  public List<RawPayload> latestBronze(IntervalKey key) {
    return latestBronzeHeads(key).stream().map(this::withBody).toList();
  }

  /** The latest payload of each part without its body: the bodies are read one at a time ({@link #withBody}). */
  @Override
  public List<RawPayload> latestBronzeHeads(IntervalKey key) {
    String sql = "SELECT payload_id, part, url, content_type, http_status, sha256, fetched_at FROM ("
        + "SELECT payload_id, part, url, content_type, http_status, sha256, fetched_at, row_number() OVER (PARTITION BY part"
        + " ORDER BY last_fetched_at DESC, fetched_at DESC) AS rn FROM bronze_payloads"
        + " WHERE market = ? AND dataset = ? AND interval_start_utc = ? AND interval_end_utc = ?) WHERE rn = 1 ORDER BY part";
    try {
      PreparedStatement ps = ps(sql);
      bindKey(ps, key, 1);
      List<RawPayload> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new RawPayload(rs.getString(1), key, rs.getInt(2), rs.getString(3), rs.getString(4), rs.getInt(5),
              new byte[0], rs.getString(6), instant(rs.getObject(7))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw fail("read Bronze", e);
    }
  }

  @Override
  public RawPayload withBody(RawPayload head) {
    // through the reader connection: normalize reads the next body while its writer thread appends on the other
    try (PreparedStatement ps = reader().prepareStatement("SELECT body FROM bronze_payloads WHERE payload_id = ? AND market = ?"
        + " AND dataset = ? AND interval_start_utc = ? AND interval_end_utc = ? LIMIT 1")) {
      ps.setString(1, head.payloadId());
      bindKey(ps, head.key(), 2);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("Bronze payload " + head.payloadId() + " vanished while it was read");
        }
        return new RawPayload(head.payloadId(), head.key(), head.part(), head.url(), head.contentType(), head.httpStatus(),
            rs.getBytes(1), head.sha256(), head.fetchedAt());
      }
    } catch (SQLException e) {
      throw fail("read Bronze", e);
    }
  }

  @Override
  public void replaceStaging(Stage stage, IntervalKey key, RecordKind kind, List<CanonicalRecord> rows) {
    for (CanonicalRecord r : rows) {
      Warehouse.checkStagingKey(key, r);
    }
    inTransaction("write " + kind.stagingTable(), () -> {
      try (PreparedStatement del = conn().prepareStatement("DELETE FROM " + kind.stagingTable()
          + " WHERE stage = ? AND market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?")) {
        del.setString(1, stage.id());
        bindKey(del, key, 2);
        del.executeUpdate();
      }
      append(kind.stagingTable(), stage.id(), rows);
      return null;
    });
  }

  @Override
  public List<CanonicalRecord> readStaging(Stage stage, IntervalKey key, RecordKind kind) {
    List<CanonicalRecord> out = new ArrayList<>();
    scan(kind, kind.stagingTable(), "stage = ? AND ", stage.id(), key, Integer.MAX_VALUE, true, out::addAll);
    return out;
  }

  /**
   * Streams a stage's staging write: one transaction deletes the stage's rows of the key, then each
   * batch is appended through the Appender with typed appends as it arrives (no row held after its
   * batch); commit flushes and commits, close without commit rolls back.
   */
  @Override
  public StagingWriter openStaging(Stage stage, IntervalKey key, RecordKind kind) {
    String what = "write " + kind.stagingTable();
    try {
      String where = " WHERE stage = ? AND market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?";
      boolean stale = exists("SELECT 1 FROM " + kind.stagingTable() + where + " LIMIT 1", key, stage.id());
      AppendTransaction tx = new AppendTransaction(kind.stagingTable(), what, () -> {
        if (stale) {
          PreparedStatement del = ps("DELETE FROM " + kind.stagingTable() + where);
          del.setString(1, stage.id());
          bindKey(del, key, 2);
          del.executeUpdate();
        }
      });
      String stageId = stage.id();
      return new StagingWriter() {
        @Override
        public void write(List<CanonicalRecord> batch) {
          try {
            for (CanonicalRecord r : batch) {
              Warehouse.checkStagingKey(key, r);
              tx.a.beginRow();
              tx.a.append(stageId);
              appendRecord(tx.a, r);
              tx.a.endRow();
            }
          } catch (SQLException e) {
            throw fail(what, e);
          }
        }

        @Override
        public void commit() {
          tx.commit();
        }

        @Override
        public void close() {
          tx.close();
        }
      };
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  /** What runs first inside an {@link AppendTransaction} (its deletes). */
  private interface SqlStep {
    void run() throws SQLException;
  }

  /**
   * One transaction on the writing connection: {@code first} (the rows it replaces deleted), then
   * rows appended through one Appender as they come; commit flushes and commits, close without a
   * commit rolls back (nothing of the write is kept).
   */
  private final class AppendTransaction {
    final ChunkAppender a;
    private final Connection c;
    private final String what;
    private boolean open = true;

    AppendTransaction(String table, String what, SqlStep first) throws SQLException {
      this.c = conn();
      this.what = what;
      c.setAutoCommit(false);
      try {
        first.run();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        c.setAutoCommit(true);
        throw e;
      }
      this.a = ChunkAppender.open(c, table);
    }

    void commit() {
      try {
        a.flush();
        a.close();
        c.commit();
        c.setAutoCommit(true);
        open = false;
      } catch (SQLException e) {
        close();
        throw fail(what, e);
      }
    }

    void close() {
      if (!open) {
        return;
      }
      open = false;
      try {
        a.close();
      } catch (RuntimeException e) {
        // discarded anyway by the rollback
      }
      try {
        c.rollback();
        c.setAutoCommit(true);
      } catch (SQLException e) {
        throw fail(what + " (rollback)", e);
      }
    }
  }

  @Override
  public void scanStaging(Stage stage, IntervalKey key, RecordKind kind, int batchSize,
      io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    scan(kind, kind.stagingTable(), "stage = ? AND ", stage.id(), key, batchSize, false, out);
  }

  /**
   * Set-based, from the enriched staging rows of the key, in one transaction: Silver rows of the
   * key's window with the same natural key are replaced when the staged row has a greater version,
   * or the same version and different values (a replay after a parser or taxonomy fix); staged rows
   * without a Silver row are added. A row with a lower version, or the same version and values,
   * is left alone: an unchanged re-run writes nothing to Silver. Returns the rows written.
   */
  @Override
  public long upsertSilverFromStaging(IntervalKey key, RecordKind kind, int batchSize) {
    String src = "e.stage = ? AND e.market = ? AND e.dataset = ? AND e.interval_start_utc >= ? AND e.interval_start_utc < ?";
    String dst = "s.market = ? AND s.dataset = ? AND s.interval_start_utc >= ? AND s.interval_start_utc < ?";
    List<String> statements = upsertStatements(kind, kind.stagingTable(), src, dst);
    SqlWork<Long> upsert = () -> {
      long written = 0;
      for (String sql : statements) {
        PreparedStatement ps = ps(sql);
        ps.setString(1, Stage.ENRICH.id());
        bindKey(ps, key, 2);
        bindKey(ps, key, 6);
        written = ps.executeUpdate(); // the last statement's count: every row inserted (new or replacing)
      }
      return written;
    };
    try {
      if (!exists("SELECT 1 FROM " + kind.silverTable() + " WHERE market = ? AND dataset = ? AND interval_start_utc >= ?"
          + " AND interval_start_utc < ? LIMIT 1", key, null)) {
        // Nothing of the window in Silver yet (a backfill; this process is the file's only writer):
        // nothing to compare with or replace, a plain insert is the upsert.
        String cols = kind.columns().stream().map(Column::name).collect(Collectors.joining(", "));
        PreparedStatement ps = ps("INSERT INTO " + kind.silverTable() + " (" + cols + ") SELECT " + cols + " FROM "
            + kind.stagingTable() + " AS e WHERE " + src);
        ps.setString(1, Stage.ENRICH.id());
        bindKey(ps, key, 2);
        return ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw fail("upsert " + kind.silverTable(), e);
    }
    return inTransaction("upsert " + kind.silverTable(), upsert);
  }

  /**
   * The two statements of an upsert into Silver from {@code source} (alias {@code e}, rows
   * {@code srcWhere}), compared with the Silver rows {@code dstWhere} (alias {@code s}); the
   * parameters of {@code srcWhere} come first in both.
   */
  private static List<String> upsertStatements(RecordKind kind, String source, String srcWhere, String dstWhere) {
    String silver = kind.silverTable();
    String cols = kind.columns().stream().map(Column::name).collect(Collectors.joining(", "));
    String eCols = kind.columns().stream().map(c -> "e." + c.name()).collect(Collectors.joining(", "));
    String sameKey = kind.columns().stream().filter(c -> kind.naturalKey().contains(c.name()))
        .map(c -> "s." + c.name() + (c.nullable() ? " IS NOT DISTINCT FROM " : " = ") + "e." + c.name())
        .collect(Collectors.joining(" AND "));
    String differs = kind.columns().stream().filter(c -> !kind.naturalKey().contains(c.name()))
        .map(c -> "s." + c.name() + " IS DISTINCT FROM e." + c.name()).collect(Collectors.joining(" OR "));
    return List.of(
        "DELETE FROM " + silver + " AS s USING " + source + " AS e WHERE " + srcWhere + " AND " + dstWhere + " AND " + sameKey
            + " AND (e.version > s.version OR (e.version = s.version AND (" + differs + ")))",
        "INSERT INTO " + silver + " (" + cols + ") SELECT " + eCols + " FROM " + source + " AS e WHERE " + srcWhere
            + " AND NOT EXISTS (SELECT 1 FROM " + silver + " AS s WHERE " + dstWhere + " AND " + sameKey + ")");
  }

  @Override
  public void upsertSilver(RecordKind kind, List<CanonicalRecord> rows) {
    if (rows.isEmpty()) {
      return;
    }
    String scratch = "scratch_" + kind.silverTable();
    inTransaction("upsert " + kind.silverTable(), () -> {
      try (Statement s = conn().createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + scratch + " AS SELECT * FROM " + kind.silverTable() + " LIMIT 0");
        s.execute("DELETE FROM " + scratch);
      }
      append(scratch, null, rows);
      try (Statement s = conn().createStatement()) {
        for (String sql : upsertStatements(kind, scratch, "true", "true")) {
          s.execute(sql);
        }
        s.execute("DELETE FROM " + scratch);
      }
      return null;
    });
  }

  /** Deletes the staging rows of both stages of the key: its Silver load succeeded, staging was only the hand-off. */
  @Override
  public void pruneStaging(IntervalKey key, RecordKind kind) {
    try {
      PreparedStatement ps = ps("DELETE FROM " + kind.stagingTable()
          + " WHERE market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?");
      bindKey(ps, key, 1);
      ps.executeUpdate(); // one statement, its own transaction
    } catch (SQLException e) {
      throw fail("prune " + kind.stagingTable(), e);
    }
  }

  @Override
  public java.util.Set<io.carbon254.ingest.core.IntervalWindow> loadedWindows(String market, String dataset,
      io.carbon254.ingest.core.IntervalWindow range) {
    java.util.Set<io.carbon254.ingest.core.IntervalWindow> out = new java.util.HashSet<>();
    try {
      PreparedStatement ps = ps("SELECT DISTINCT interval_start_utc, interval_end_utc FROM ingest_runs WHERE market = ? AND dataset = ?"
          + " AND stage = 'load' AND status = 'ok' AND interval_start_utc >= ? AND interval_end_utc <= ?");
      ps.setString(1, market);
      ps.setString(2, dataset);
      ps.setObject(3, ts(range.start()));
      ps.setObject(4, ts(range.end()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new io.carbon254.ingest.core.IntervalWindow(instant(rs.getObject(1)), instant(rs.getObject(2))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw fail("read ingest_runs", e);
    }
  }

  /**
   * Closes the file, and so lets go of its lock, until the next use reopens it (a warehouse made by
   * {@link #lazy}; one opened read-only stays open).
   */
  @Override
  public void release() {
    if (!readOnly && conn != null) {
      close();
    }
  }

  // ------------------------------------------------------------------------------- quarantine

  private static final String HELD_WHERE = " WHERE market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?";

  /**
   * Appends the held rows through the Appender inside one transaction that first deletes the key's
   * rows held before: commit makes the replacement visible at once, close without commit rolls back.
   */
  @Override
  public QuarantineWriter openQuarantine(IntervalKey key, RecordKind kind, String runId, Instant at) {
    String table = Warehouse.quarantineTable(kind);
    String what = "write " + table;
    try {
      AppendTransaction tx = new AppendTransaction(table, what, () -> {
        PreparedStatement del = ps("DELETE FROM " + table + HELD_WHERE);
        bindKey(del, key, 1);
        del.executeUpdate();
      });
      return new QuarantineWriter() {
        @Override
        public void write(List<HeldRow> rows) {
          try {
            for (HeldRow h : rows) {
              tx.a.beginRow();
              ts(tx.a, key.window().start());
              ts(tx.a, key.window().end());
              tx.a.append(runId);
              tx.a.append(h.check());
              tx.a.append(h.reason());
              ts(tx.a, at);
              appendRecord(tx.a, h.row());
              tx.a.endRow();
            }
          } catch (SQLException e) {
            throw fail(what, e);
          }
        }

        @Override
        public void commit() {
          tx.commit();
        }

        @Override
        public void close() {
          tx.close();
        }
      };
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  @Override
  public void scanQuarantine(IntervalKey key, RecordKind kind, int batchSize,
      io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    scan(kind, Warehouse.quarantineTable(kind), "", null, key, batchSize, true, out);
  }

  /** Set-based, as load's upsert from staging: a held row replaces a Silver row of a lower version (or the same with other values). */
  @Override
  public long releaseQuarantine(IntervalKey key, RecordKind kind) {
    String table = Warehouse.quarantineTable(kind);
    String src = "e.market = ? AND e.dataset = ? AND e.interval_start_utc >= ? AND e.interval_start_utc < ?";
    String dst = "s.market = ? AND s.dataset = ? AND s.interval_start_utc >= ? AND s.interval_start_utc < ?";
    List<String> statements = upsertStatements(kind, table, src, dst);
    return inTransaction("release " + table + " into " + kind.silverTable(), () -> {
      for (String sql : statements) {
        PreparedStatement ps = ps(sql);
        bindKey(ps, key, 1);
        bindKey(ps, key, 5);
        ps.executeUpdate();
      }
      PreparedStatement n = ps("SELECT count(*) FROM " + table + HELD_WHERE);
      bindKey(n, key, 1);
      try (ResultSet rs = n.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  @Override
  public long dropQuarantine(IntervalKey key, RecordKind kind) {
    try {
      PreparedStatement ps = ps("DELETE FROM " + Warehouse.quarantineTable(kind) + HELD_WHERE);
      bindKey(ps, key, 1);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("drop " + Warehouse.quarantineTable(kind), e);
    }
  }

  @Override
  public void recordQuarantineAction(QuarantineAction q) {
    try {
      PreparedStatement ps = ps("INSERT INTO quarantine_actions (action, market, dataset, key_start_utc, key_end_utc, run_id, rows,"
          + " actor, note, acted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, q.action());
      bindKey(ps, q.key(), 2);
      ps.setString(6, q.runId());
      ps.setLong(7, q.rows());
      ps.setString(8, q.actor());
      ps.setString(9, q.note());
      ps.setObject(10, ts(q.at()));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("write quarantine_actions", e);
    }
  }

  @Override
  public List<CanonicalRecord> readSilver(IntervalKey key, RecordKind kind) {
    List<CanonicalRecord> out = new ArrayList<>();
    scan(kind, kind.silverTable(), "", null, key, Integer.MAX_VALUE, true, out::addAll);
    return out;
  }

  /** Replaces the quality results of the key; the first results of a key are one multi-row INSERT, no transaction around it. */
  @Override
  public void writeQualityResults(IntervalKey key, List<QualityResult> results) {
    String keyWhere = " WHERE market = ? AND dataset = ? AND interval_start_utc = ? AND interval_end_utc = ?";
    SqlWork<Void> insert = () -> {
      if (results.isEmpty()) {
        return null;
      }
      PreparedStatement ins = ps("INSERT INTO quality_results (market, dataset, interval_start_utc, interval_end_utc, check_name,"
          + " severity, passed, observed, expected, details, run_id, checked_at, threshold, involved, involved_count) VALUES "
          + String.join(", ", java.util.Collections.nCopies(results.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")));
      int at = 0;
      for (QualityResult r : results) {
        bindKey(ins, key, at + 1);
        ins.setString(at + 5, r.check());
        ins.setString(at + 6, r.severity());
        ins.setBoolean(at + 7, r.passed());
        ins.setDouble(at + 8, r.observed());
        ins.setDouble(at + 9, r.expected());
        ins.setString(at + 10, r.details());
        ins.setString(at + 11, r.runId());
        ins.setObject(at + 12, ts(r.checkedAt()));
        ins.setString(at + 13, r.threshold());
        ins.setObject(at + 14, conn().createArrayOf("VARCHAR", r.involved().toArray()));
        ins.setLong(at + 15, r.involvedCount());
        at += 15;
      }
      ins.executeUpdate();
      return null;
    };
    try {
      if (!exists("SELECT 1 FROM quality_results" + keyWhere + " LIMIT 1", key, null)) {
        insert.run();
        return;
      }
    } catch (SQLException e) {
      throw fail("write quality_results", e);
    }
    inTransaction("write quality_results", () -> {
      PreparedStatement del = ps("DELETE FROM quality_results" + keyWhere);
      bindKey(del, key, 1);
      del.executeUpdate();
      return insert.run();
    });
  }

  /**
   * Inserts or replaces the ledger row of this run, stage and key: one {@code INSERT … WHERE NOT
   * EXISTS} (its own transaction) when the row is new, the usual case; delete + insert in one
   * transaction when it is there already (a stage re-run under the same run id).
   */
  @Override
  public void recordRun(RunRecord r) {
    String same = "run_id = ? AND stage = ? AND market = ? AND dataset = ? AND interval_start_utc = ? AND interval_end_utc = ?";
    String values = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    SqlWork<Integer> insert = () -> {
      PreparedStatement ps = ps("INSERT INTO ingest_runs SELECT " + values + " WHERE NOT EXISTS (SELECT 1 FROM ingest_runs WHERE " + same + ")");
      bindRun(ps, r);
      ps.setString(15, r.runId());
      ps.setString(16, r.stage().id());
      bindKey(ps, r.key(), 17);
      return ps.executeUpdate();
    };
    try {
      if (insert.run() == 1) {
        return;
      }
    } catch (SQLException e) {
      throw fail("record the run", e);
    }
    inTransaction("record the run", () -> {
      PreparedStatement del = ps("DELETE FROM ingest_runs WHERE " + same);
      del.setString(1, r.runId());
      del.setString(2, r.stage().id());
      bindKey(del, r.key(), 3);
      del.executeUpdate();
      PreparedStatement ps = ps("INSERT INTO ingest_runs VALUES (" + values + ")");
      bindRun(ps, r);
      ps.executeUpdate();
      return null;
    });
  }

  private static void bindRun(PreparedStatement ps, RunRecord r) throws SQLException {
    ps.setString(1, r.runId());
    ps.setString(2, r.stage().id());
    bindKey(ps, r.key(), 3);
    ps.setString(7, r.status());
    ps.setInt(8, r.exitCode());
    ps.setLong(9, r.rowsIn());
    ps.setLong(10, r.rowsOut());
    ps.setLong(11, r.events());
    ps.setObject(12, ts(r.startedAt()));
    ps.setObject(13, ts(r.finishedAt()));
    ps.setString(14, r.message());
  }

  @Override
  public QueryResult query(String sql) {
    try (Statement s = conn().createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> cols = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        cols.add(md.getColumnLabel(i));
      }
      List<List<String>> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>(cols.size());
        for (int i = 1; i <= cols.size(); i++) {
          Object o = rs.getObject(i);
          row.add(o == null ? null : o instanceof LocalDateTime || o instanceof Timestamp ? instant(o).toString()
              : o instanceof byte[] b ? "<" + b.length + " bytes>" : o.toString());
        }
        rows.add(row);
      }
      return new QueryResult(cols, rows);
    } catch (SQLException e) {
      throw new UsageException("query failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (conn == null) {
      return;
    }
    for (PreparedStatement p : prepared.values()) {
      try {
        p.close();
      } catch (SQLException e) {
        // a statement of a connection we are done with
      }
    }
    prepared.clear();
    try {
      if (reader != null) {
        reader.close();
      }
    } catch (SQLException e) {
      // the reader only reads
    } finally {
      reader = null; // a reopened file (after release()) gets a reader of its own connection
    }
    try {
      conn.close();
    } catch (SQLException e) {
      // closing a connection we are done with; nothing to recover
    } finally {
      conn = null;
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private <T> T inTransaction(String what, SqlWork<T> work) {
    try {
      conn().setAutoCommit(false);
      try {
        T t = work.run();
        conn().commit();
        return t;
      } catch (SQLException | RuntimeException e) {
        conn().rollback();
        throw e;
      } finally {
        conn().setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  private void append(String table, String stage, List<CanonicalRecord> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (ChunkAppender a = ChunkAppender.open(conn(), table)) {
      for (CanonicalRecord r : rows) {
        a.beginRow();
        if (stage != null) {
          a.append(stage);
        }
        appendRecord(a, r);
        a.endRow();
      }
      a.flush();
    }
  }

  /** One row's values in {@link RecordKind#columns()} order, typed appends straight from the record (no Object[]). */
  static void appendRecord(ChunkAppender a, CanonicalRecord r) throws SQLException {
    Provenance pv;
    switch (r) {
      case PriceRecord p -> {
        str(a, p.market());
        str(a, p.dataset());
        str(a, p.marketRun());
        str(a, p.priceType());
        str(a, p.locationId());
        str(a, p.locationName());
        str(a, p.locationType());
        ts(a, p.intervalStart());
        ts(a, p.intervalEnd());
        a.append(p.price());
        dbl(a, p.energy());
        dbl(a, p.congestion());
        dbl(a, p.loss());
        dbl(a, p.ghg());
        str(a, p.currency());
        str(a, p.unit());
        pv = p.provenance();
      }
      case LoadRecord l -> {
        str(a, l.market());
        str(a, l.dataset());
        str(a, l.marketRun());
        str(a, l.area());
        ts(a, l.intervalStart());
        ts(a, l.intervalEnd());
        a.append(l.mw());
        str(a, l.unit());
        pv = l.provenance();
      }
      case FuelMixRecord f -> {
        str(a, f.market());
        str(a, f.dataset());
        str(a, f.area());
        str(a, f.fuel());
        ts(a, f.intervalStart());
        ts(a, f.intervalEnd());
        a.append(f.mw());
        str(a, f.unit());
        pv = f.provenance();
      }
    }
    a.append(pv.version());
    ts(a, pv.publishedAt());
    ts(a, pv.fetchedAt());
    str(a, pv.source());
    Enrichment e = r.enrichment();
    if (e == null) {
      a.appendNull();
      a.appendNull();
      a.appendNull();
      a.appendNull();
      a.appendNull();
    } else {
      str(a, e.zone());
      str(a, e.hub());
      str(a, e.region());
      str(a, e.timezone());
      a.append(e.tradingHub());
    }
  }

  private static void str(ChunkAppender a, String s) throws SQLException {
    if (s == null) {
      a.appendNull();
    } else {
      a.append(s);
    }
  }

  private static void dbl(ChunkAppender a, Double d) throws SQLException {
    if (d == null) {
      a.appendNull();
    } else {
      a.append(d.doubleValue());
    }
  }

  private static void ts(ChunkAppender a, Instant t) throws SQLException {
    if (t == null) {
      a.appendNull();
    } else {
      a.appendEpochMicros(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000));
    }
  }

  /**
   * Rows of a table for the key, handed over in batches of at most {@code batchSize}: in
   * natural-key order when {@code ordered} (reads for people and tests), else in the order they were
   * written (a stage's scan of staging: a sort of the interval would cost more than the stage), in
   * pages by rowid range. Reads go through a second connection to the same
   * database, so a stage can append its output through the first one while it reads; cells are read
   * with typed getters, timestamps as epoch microseconds.
   */
  private void scan(RecordKind kind, String table, String extraWhere, String extraParam, IntervalKey key, int batchSize,
      boolean ordered, io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    List<Column> c = kind.columns();
    String cols = c.stream().map(col -> col.type() == io.carbon254.ingest.core.record.ColumnType.TIMESTAMP ? "epoch_us(" + col.name() + ")" : col.name())
        .collect(Collectors.joining(", "));
    String where = " WHERE " + extraWhere + "market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?";
    io.carbon254.ingest.core.record.ColumnType[] types = c.stream().map(Column::type).toArray(io.carbon254.ingest.core.record.ColumnType[]::new);
    Map<String, String> strings = new HashMap<>();
    try {
      if (ordered) { // one query, sorted (reads for people and tests: they return a list anyway)
        try (PreparedStatement ps = reader().prepareStatement("SELECT " + cols + " FROM " + table + where + " ORDER BY "
            + String.join(", ", kind.naturalKey()))) {
          bindScan(ps, extraParam, key);
          readPage(ps, kind, types, strings, batchSize, out);
        }
        return;
      }
      // Pages by rowid range, each a query of its own: no result stays open while the stage appends
      // through the other connection (a streaming result there stalled the Appender), and no more
      // than a page is held, whatever the interval. Rows come in the order they were written.
      long lo;
      long hi;
      try (PreparedStatement ps = reader().prepareStatement("SELECT min(rowid), max(rowid) FROM " + table + where)) {
        bindScan(ps, extraParam, key);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          lo = rs.getLong(1);
          if (rs.wasNull()) {
            return; // no rows
          }
          hi = rs.getLong(2);
        }
      }
      long span = Math.max(1024, batchSize == Integer.MAX_VALUE ? 65536 : batchSize * 2L);
      try (PreparedStatement ps = reader().prepareStatement("SELECT " + cols + " FROM " + table + where
          + " AND rowid >= ? AND rowid < ?")) {
        for (long from = lo; from <= hi; from += span) {
          int at = bindScan(ps, extraParam, key);
          ps.setLong(at, from);
          ps.setLong(at + 1, from + span);
          readPage(ps, kind, types, strings, batchSize, out);
        }
      }
    } catch (SQLException e) {
      throw fail("read " + table, e);
    }
  }

  private static int bindScan(PreparedStatement ps, String extraParam, IntervalKey key) throws SQLException {
    int i = 1;
    if (extraParam != null) {
      ps.setString(i++, extraParam);
    }
    bindKey(ps, key, i);
    return i + 4;
  }

  /** Reads one result into batches of at most {@code batchSize} for {@code out}. */
  private static void readPage(PreparedStatement ps, RecordKind kind, io.carbon254.ingest.core.record.ColumnType[] types,
      Map<String, String> strings, int batchSize, io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out)
      throws SQLException {
    List<CanonicalRecord> batch = new ArrayList<>(Math.min(batchSize, 8192));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Object[] v = new Object[types.length];
        for (int j = 0; j < v.length; j++) {
          int col = j + 1;
          v[j] = switch (types[j]) {
            case STRING -> {
              String t = rs.getString(col);
              yield t == null ? null : strings.size() < 65536 ? strings.computeIfAbsent(t, x -> x) : t;
            }
            case DOUBLE -> {
              double d = rs.getDouble(col);
              yield rs.wasNull() ? null : d;
            }
            case LONG -> {
              long l = rs.getLong(col);
              yield rs.wasNull() ? null : l;
            }
            case BOOLEAN -> {
              boolean b = rs.getBoolean(col);
              yield rs.wasNull() ? null : b;
            }
            case TIMESTAMP -> {
              long us = rs.getLong(col);
              yield rs.wasNull() ? null : Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
            }
          };
        }
        batch.add(kind.fromValues(v));
        if (batch.size() >= batchSize) {
          out.accept(batch);
          batch = new ArrayList<>(Math.min(batchSize, 8192));
        }
      }
    }
    if (!batch.isEmpty()) {
      out.accept(batch);
    }
  }


  private Connection reader;

  /** A second connection to the same database, for the stages' reads while they write (see {@link #scan}). */
  private Connection reader() throws SQLException {
    if (reader == null) {
      reader = conn().unwrap(DuckDBConnection.class).duplicate(); // same database
      // duplicate() copies the writer's transaction mode (off while a staging write is open): each
      // read must be its own transaction, or a later read would not see what the writer committed since
      reader.setAutoCommit(true);
    }
    return reader;
  }

  private static void bindKey(PreparedStatement ps, IntervalKey key, int at) throws SQLException {
    ps.setString(at, key.market());
    ps.setString(at + 1, key.dataset());
    ps.setObject(at + 2, ts(key.window().start()));
    ps.setObject(at + 3, ts(key.window().end()));
  }

  static LocalDateTime ts(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  static Instant instant(Object o) {
    if (o instanceof LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC);
    }
    if (o instanceof Timestamp t) {
      return t.toLocalDateTime().toInstant(ZoneOffset.UTC);
    }
    if (o instanceof java.time.OffsetDateTime odt) {
      return odt.toInstant();
    }
    throw new IllegalStateException("unexpected timestamp type " + o.getClass());
  }

  private UpstreamUnavailableException fail(String what, SQLException e) {
    return new UpstreamUnavailableException("embedded warehouse " + file + ": cannot " + what + ": " + e.getMessage(), e);
  }
}
