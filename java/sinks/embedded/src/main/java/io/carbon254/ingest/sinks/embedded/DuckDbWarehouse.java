package io.carbon254.ingest.sinks.embedded;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Column;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.QualityResult;
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
import java.util.Properties;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The embedded warehouse: one DuckDB file, the same tables as ClickHouse. Bulk writes go through
 * the Appender into a scratch table, then one set-based statement (upsert by natural key keeping
 * the highest version, or delete + insert for staging) inside a transaction. Timestamps are
 * stored as UTC {@code TIMESTAMP}. DuckDB allows one writing process per file: opening waits for
 * a lock held by another task run (up to {@code INGEST_DUCKDB_LOCK_WAIT}, default 120 s). The
 * writing warehouse of a stage opens on its first use ({@link #lazy}), so a fetch downloads before
 * it takes the lock; the lock is held until {@link #close} (the end of the process).
 */
public final class DuckDbWarehouse implements Warehouse {
  private final Path file;
  private final boolean readOnly;
  private final Duration lockWaitLimit;
  private String memoryLimit = DEFAULT_MEMORY_LIMIT;
  private Connection conn;
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
        // Results are handed over chunk by chunk instead of materialized whole (a stage's scan of a
        // 10,000-node day would otherwise sit in native memory).
        p.setProperty(org.duckdb.DuckDBDriver.JDBC_STREAM_RESULTS, "true");
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
      lockWaited = Duration.ofNanos(System.nanoTime() - firstLocked);
    }
    if (schemaWanted) {
      createTables();
    }
    openTime = Duration.ofNanos(System.nanoTime() - t0);
  }

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

  private void createTables() {
    List<String> ddl = new ArrayList<>();
    ddl.add("""
        CREATE TABLE IF NOT EXISTS bronze_payloads (
          payload_id VARCHAR PRIMARY KEY, market VARCHAR NOT NULL, dataset VARCHAR NOT NULL,
          interval_start_utc TIMESTAMP NOT NULL, interval_end_utc TIMESTAMP NOT NULL, part INTEGER NOT NULL,
          url VARCHAR NOT NULL, content_type VARCHAR, http_status INTEGER NOT NULL, size_bytes BIGINT NOT NULL,
          sha256 VARCHAR NOT NULL, fetched_at TIMESTAMP NOT NULL, last_fetched_at TIMESTAMP NOT NULL, body BLOB NOT NULL)""");
    for (RecordKind k : RecordKind.values()) {
      String nk = String.join(", ", k.naturalKey());
      ddl.add("CREATE TABLE IF NOT EXISTS " + k.silverTable() + " (" + columnsDdl(k) + ", PRIMARY KEY (" + nk + "))");
      // No primary key on staging: normalize de-duplicates by natural key before writing, and DuckDB
      // keeps a key's ART index in memory, growing with every staged row (ADR 0007). Files created
      // before keep theirs; both behave the same.
      ddl.add("CREATE TABLE IF NOT EXISTS " + k.stagingTable() + " (stage VARCHAR NOT NULL, " + columnsDdl(k) + ")");
    }
    ddl.add("""
        CREATE TABLE IF NOT EXISTS quality_results (
          market VARCHAR NOT NULL, dataset VARCHAR NOT NULL, interval_start_utc TIMESTAMP NOT NULL,
          interval_end_utc TIMESTAMP NOT NULL, check_name VARCHAR NOT NULL, severity VARCHAR NOT NULL,
          passed BOOLEAN NOT NULL, observed DOUBLE, expected DOUBLE, details VARCHAR, run_id VARCHAR NOT NULL,
          checked_at TIMESTAMP NOT NULL,
          PRIMARY KEY (market, dataset, interval_start_utc, interval_end_utc, check_name))""");
    ddl.add("""
        CREATE TABLE IF NOT EXISTS ingest_runs (
          run_id VARCHAR NOT NULL, stage VARCHAR NOT NULL, market VARCHAR NOT NULL, dataset VARCHAR NOT NULL,
          interval_start_utc TIMESTAMP NOT NULL, interval_end_utc TIMESTAMP NOT NULL, status VARCHAR NOT NULL,
          exit_code INTEGER NOT NULL, rows_in BIGINT NOT NULL, rows_out BIGINT NOT NULL, events BIGINT NOT NULL,
          started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, message VARCHAR,
          PRIMARY KEY (run_id, stage, market, dataset, interval_start_utc, interval_end_utc))""");
    try (Statement s = conn().createStatement()) {
      for (String d : ddl) {
        s.execute(d);
      }
    } catch (SQLException e) {
      throw fail("create tables", e);
    }
  }

  /**
   * A payload's fetched_at (its rows' version) is the instant its bytes became the current content
   * of their part: identical bytes fetched again keep it; bytes that were replaced by others and
   * come back (a reverted revision) get the new fetch instant, so they win over the revision.
   */
  @Override
  public List<RawPayload> putBronze(List<RawPayload> payloads) {
    List<RawPayload> stored = new ArrayList<>(payloads.size());
    return inTransaction("store payloads", () -> {
      try (PreparedStatement ins = conn().prepareStatement("INSERT INTO bronze_payloads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
          PreparedStatement first = conn().prepareStatement("SELECT fetched_at FROM bronze_payloads WHERE payload_id = ?");
          PreparedStatement touch = conn().prepareStatement("UPDATE bronze_payloads SET last_fetched_at = ? WHERE payload_id = ?");
          PreparedStatement revive = conn().prepareStatement(
              "UPDATE bronze_payloads SET fetched_at = ?, last_fetched_at = ? WHERE payload_id = ?")) {
        Map<IntervalKey, Map<Integer, String>> current = new HashMap<>();
        for (RawPayload p : payloads) {
          String latest = current.computeIfAbsent(p.key(), this::latestIds).get(p.part());
          first.setString(1, p.payloadId());
          Instant firstFetched = null;
          try (ResultSet rs = first.executeQuery()) {
            if (rs.next()) {
              firstFetched = instant(rs.getObject(1));
            }
          }
          if (firstFetched == null) {
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
            ins.setLong(i++, p.body().length);
            ins.setString(i++, p.sha256());
            ins.setObject(i++, ts(p.fetchedAt()));
            ins.setObject(i++, ts(p.fetchedAt()));
            ins.setBytes(i, p.body());
            ins.executeUpdate();
            stored.add(p);
          } else if (p.payloadId().equals(latest)) {
            touch.setObject(1, ts(p.fetchedAt()));
            touch.setString(2, p.payloadId());
            touch.executeUpdate();
            stored.add(p.withFetchedAt(firstFetched));
          } else {
            revive.setObject(1, ts(p.fetchedAt()));
            revive.setObject(2, ts(p.fetchedAt()));
            revive.setString(3, p.payloadId());
            revive.executeUpdate();
            stored.add(p);
          }
          current.get(p.key()).put(p.part(), p.payloadId());
        }
      }
      return stored;
    });
  }

  /** Payload id of the current payload of each part of a key (ids only: no payload bodies read). */
  private Map<Integer, String> latestIds(IntervalKey key) {
    Map<Integer, String> ids = new HashMap<>();
    try (PreparedStatement ps = conn().prepareStatement("SELECT part, payload_id FROM (" + LATEST_PER_PART + ") WHERE rn = 1")) {
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
    String sql = "SELECT payload_id, part, url, content_type, http_status, sha256, fetched_at, body FROM ("
        + LATEST_PER_PART + ") WHERE rn = 1 ORDER BY part";
    try (PreparedStatement ps = conn().prepareStatement(sql)) {
      bindKey(ps, key, 1);
      List<RawPayload> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new RawPayload(rs.getString(1), key, rs.getInt(2), rs.getString(3), rs.getString(4), rs.getInt(5),
              rs.getBytes(8), rs.getString(6), instant(rs.getObject(7))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw fail("read Bronze", e);
    }
  }

  @Override
  public void replaceStaging(Stage stage, IntervalKey key, RecordKind kind, List<CanonicalRecord> rows) {
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
      Connection c = conn();
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM " + kind.stagingTable()
          + " WHERE stage = ? AND market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?")) {
        del.setString(1, stage.id());
        bindKey(del, key, 2);
        del.executeUpdate();
      } catch (SQLException e) {
        c.rollback();
        c.setAutoCommit(true);
        throw e;
      }
      DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, kind.stagingTable());
      String stageId = stage.id();
      return new StagingWriter() {
        private boolean open = true;

        @Override
        public void write(List<CanonicalRecord> batch) {
          try {
            for (CanonicalRecord r : batch) {
              a.beginRow();
              a.append(stageId);
              appendRecord(a, r);
              a.endRow();
            }
            a.flush();
          } catch (SQLException e) {
            throw fail(what, e);
          }
        }

        @Override
        public void commit() {
          try {
            a.close();
            c.commit();
            c.setAutoCommit(true);
            open = false;
          } catch (SQLException e) {
            close();
            throw fail(what, e);
          }
        }

        @Override
        public void close() {
          if (!open) {
            return;
          }
          open = false;
          try {
            a.close();
          } catch (SQLException | RuntimeException e) {
            // discarded anyway by the rollback
          }
          try {
            c.rollback();
            c.setAutoCommit(true);
          } catch (SQLException e) {
            throw fail(what + " (rollback)", e);
          }
        }
      };
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  @Override
  public void scanStaging(Stage stage, IntervalKey key, RecordKind kind, int batchSize,
      io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    scan(kind, kind.stagingTable(), "stage = ? AND ", stage.id(), key, batchSize, false, out);
  }

  /** Set-based: one INSERT … SELECT from the enriched staging rows, upsert by natural key keeping the highest version. */
  @Override
  public long upsertSilverFromStaging(IntervalKey key, RecordKind kind, int batchSize) {
    String cols = kind.columns().stream().map(Column::name).collect(Collectors.joining(", "));
    String updates = kind.columns().stream().filter(c -> !kind.naturalKey().contains(c.name()))
        .map(c -> c.name() + " = excluded." + c.name()).collect(Collectors.joining(", "));
    return inTransaction("upsert " + kind.silverTable(), () -> {
      try (PreparedStatement ps = conn().prepareStatement("INSERT INTO " + kind.silverTable() + " (" + cols + ") SELECT " + cols
          + " FROM " + kind.stagingTable() + " WHERE stage = ? AND market = ? AND dataset = ? AND interval_start_utc >= ?"
          + " AND interval_start_utc < ? ON CONFLICT (" + String.join(", ", kind.naturalKey()) + ") DO UPDATE SET " + updates
          + " WHERE excluded.version >= " + kind.silverTable() + ".version")) {
        ps.setString(1, Stage.ENRICH.id());
        bindKey(ps, key, 2);
        return (long) ps.executeUpdate();
      }
    });
  }

  @Override
  public void upsertSilver(RecordKind kind, List<CanonicalRecord> rows) {
    if (rows.isEmpty()) {
      return;
    }
    String scratch = "scratch_" + kind.silverTable();
    String cols = kind.columns().stream().map(Column::name).collect(Collectors.joining(", "));
    String updates = kind.columns().stream().filter(c -> !kind.naturalKey().contains(c.name()))
        .map(c -> c.name() + " = excluded." + c.name()).collect(Collectors.joining(", "));
    inTransaction("upsert " + kind.silverTable(), () -> {
      try (Statement s = conn().createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + scratch + " AS SELECT * FROM " + kind.silverTable() + " LIMIT 0");
        s.execute("DELETE FROM " + scratch);
      }
      append(scratch, null, rows);
      try (Statement s = conn().createStatement()) {
        s.execute("INSERT INTO " + kind.silverTable() + " (" + cols + ") SELECT " + cols + " FROM " + scratch
            + " ON CONFLICT (" + String.join(", ", kind.naturalKey()) + ") DO UPDATE SET " + updates
            + " WHERE excluded.version >= " + kind.silverTable() + ".version");
        s.execute("DELETE FROM " + scratch);
      }
      return null;
    });
  }

  @Override
  public List<CanonicalRecord> readSilver(IntervalKey key, RecordKind kind) {
    List<CanonicalRecord> out = new ArrayList<>();
    scan(kind, kind.silverTable(), "", null, key, Integer.MAX_VALUE, true, out::addAll);
    return out;
  }

  @Override
  public void writeQualityResults(IntervalKey key, List<QualityResult> results) {
    inTransaction("write quality_results", () -> {
      try (PreparedStatement del = conn().prepareStatement(
          "DELETE FROM quality_results WHERE market = ? AND dataset = ? AND interval_start_utc = ? AND interval_end_utc = ?");
          PreparedStatement ins = conn().prepareStatement("INSERT INTO quality_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bindKey(del, key, 1);
        del.executeUpdate();
        for (QualityResult r : results) {
          bindKey(ins, key, 1);
          ins.setString(5, r.check());
          ins.setString(6, r.severity());
          ins.setBoolean(7, r.passed());
          ins.setDouble(8, r.observed());
          ins.setDouble(9, r.expected());
          ins.setString(10, r.details());
          ins.setString(11, r.runId());
          ins.setObject(12, ts(r.checkedAt()));
          ins.addBatch();
        }
        ins.executeBatch();
      }
      return null;
    });
  }

  @Override
  public void recordRun(RunRecord r) {
    String sql = """
        INSERT OR REPLACE INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    try (PreparedStatement ps = conn().prepareStatement(sql)) {
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
      ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("record the run", e);
    }
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
    try {
      if (reader != null) {
        reader.close();
      }
    } catch (SQLException e) {
      // the reader only reads
    }
    try {
      conn.close();
    } catch (SQLException e) {
      // closing a connection we are done with; nothing to recover
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
    try (DuckDBAppender a = conn().unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
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
  static void appendRecord(DuckDBAppender a, CanonicalRecord r) throws SQLException {
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

  private static void str(DuckDBAppender a, String s) throws SQLException {
    if (s == null) {
      a.appendNull();
    } else {
      a.append(s);
    }
  }

  private static void dbl(DuckDBAppender a, Double d) throws SQLException {
    if (d == null) {
      a.appendNull();
    } else {
      a.append(d.doubleValue());
    }
  }

  private static void ts(DuckDBAppender a, Instant t) throws SQLException {
    if (t == null) {
      a.appendNull();
    } else {
      a.appendEpochMicros(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000));
    }
  }

  /**
   * Rows of a table for the key, handed over in batches of at most {@code batchSize}: in
   * natural-key order when {@code ordered} (reads for people and tests), else in the order they were
   * written (a stage's scan of staging: a sort of the interval would cost more than the stage). The read streams (DuckDB hands the result over chunk by chunk, not materialized)
   * on a second connection to the same database, so a stage can append its output through the
   * first one while it reads; cells are read with typed getters, timestamps as epoch microseconds.
   */
  private void scan(RecordKind kind, String table, String extraWhere, String extraParam, IntervalKey key, int batchSize,
      boolean ordered, io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    List<Column> c = kind.columns();
    String cols = c.stream().map(col -> col.type() == io.carbon254.ingest.core.record.ColumnType.TIMESTAMP ? "epoch_us(" + col.name() + ")" : col.name())
        .collect(Collectors.joining(", "));
    String sql = "SELECT " + cols + " FROM " + table + " WHERE " + extraWhere
        + "market = ? AND dataset = ? AND interval_start_utc >= ? AND interval_start_utc < ?"
        + (ordered ? " ORDER BY " + String.join(", ", kind.naturalKey()) : "");
    io.carbon254.ingest.core.record.ColumnType[] types = c.stream().map(Column::type).toArray(io.carbon254.ingest.core.record.ColumnType[]::new);
    try (PreparedStatement ps = reader().prepareStatement(sql)) {
      int i = 1;
      if (extraParam != null) {
        ps.setString(i++, extraParam);
      }
      bindKey(ps, key, i);
      List<CanonicalRecord> batch = new ArrayList<>(Math.min(batchSize, 8192));
      Map<String, String> strings = new HashMap<>();
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
    } catch (SQLException e) {
      throw fail("read " + table, e);
    }
  }

  private Connection reader;

  /** A second connection to the same database, streaming its results (see {@link #scan}). */
  private Connection reader() throws SQLException {
    if (reader == null) {
      reader = conn().unwrap(DuckDBConnection.class).duplicate(); // same database, same settings (streaming results)
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
