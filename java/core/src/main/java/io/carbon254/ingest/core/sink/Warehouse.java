package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.util.List;

/**
 * The hand-off between stages and the source of truth. Same tables in every implementation
 * (DuckDB embedded, ClickHouse in production). Every write is by interval key and idempotent.
 * Failures of the warehouse itself surface as {@link io.carbon254.ingest.core.UpstreamUnavailableException}
 * naming the server.
 */
public interface Warehouse extends AutoCloseable {

  /** {@code duckdb:<file>} or {@code clickhouse://host:port/db}, for messages (never a secret). */
  String describe();

  /** Creates the tables when missing (embedded) or checks the migrations ran (ClickHouse). */
  void ensureSchema();

  /**
   * Stores every payload: identical bytes for the same key and part keep the row already there
   * (its first fetched_at, which sets the row version); new bytes add a row. Returns the payloads
   * as stored (with the first fetched_at).
   */
  default List<RawPayload> putBronze(List<RawPayload> payloads) {
    List<PayloadHead> heads = payloads.stream().map(RawPayload::head).toList();
    List<java.time.Instant> at = putBronze(heads, i -> payloads.get(i).body());
    List<RawPayload> stored = new java.util.ArrayList<>(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      stored.add(payloads.get(i).withFetchedAt(at.get(i)));
    }
    return stored;
  }

  /**
   * {@link #putBronze(List)} for payloads whose bodies wait in a spool: {@code body} is asked for
   * each body once, when it is written, and none is kept after (one in memory at a time). All of
   * them are stored in one transaction or none. Returns, per head in order, the fetched_at its rows carry.
   */
  List<java.time.Instant> putBronze(List<PayloadHead> heads, java.util.function.IntFunction<byte[]> body);

  /** For each part of the interval key, the most recently fetched payload. Empty if never fetched. */
  List<RawPayload> latestBronze(IntervalKey key);

  /**
   * {@link #latestBronze} whose bodies may be left out (empty) until {@link #withBody} reads them, so
   * a stage holds one payload's bytes at a time. This default reads them all at once.
   */
  default List<RawPayload> latestBronzeHeads(IntervalKey key) {
    return latestBronze(key);
  }

  /** A payload of {@link #latestBronzeHeads} with its body. This default: the head as it is (it has its body). */
  default RawPayload withBody(RawPayload head) {
    return head;
  }

  /** Replaces the staging rows a stage wrote for this interval key (delete + insert, atomically where the engine allows). */
  void replaceStaging(Stage stage, IntervalKey key, RecordKind kind, List<CanonicalRecord> rows);

  List<CanonicalRecord> readStaging(Stage stage, IntervalKey key, RecordKind kind);

  /**
   * A staging write in batches: {@link StagingWriter#write} takes the rows as they come, {@link
   * StagingWriter#commit} replaces the stage's rows of the interval key with them, closing without
   * a commit leaves staging as it was. This default collects the rows and calls {@link
   * #replaceStaging} on commit (a warehouse without a streaming path); the embedded warehouse
   * appends each batch as it arrives.
   */
  default StagingWriter openStaging(Stage stage, IntervalKey key, RecordKind kind) {
    Warehouse self = this;
    return new StagingWriter() {
      private final List<CanonicalRecord> rows = new java.util.ArrayList<>();

      @Override
      public void write(List<CanonicalRecord> batch) {
        rows.addAll(batch);
      }

      @Override
      public void commit() {
        self.replaceStaging(stage, key, kind, rows);
        rows.clear();
      }

      @Override
      public void close() {
        rows.clear();
      }
    };
  }

  /**
   * The staging rows of a stage in batches of at most {@code batchSize}, in no promised order (the
   * embedded warehouse hands them over as they were written, unsorted). This default reads them
   * all ({@link #readStaging}), then hands them over in batches.
   */
  default void scanStaging(Stage stage, IntervalKey key, RecordKind kind, int batchSize,
      io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out) {
    List<CanonicalRecord> all = readStaging(stage, key, kind);
    for (int from = 0; from < all.size(); from += batchSize) {
      out.accept(all.subList(from, Math.min(all.size(), from + batchSize)));
    }
  }

  /**
   * Upserts Silver from the enriched staging rows of the interval key (load, after the gate passed);
   * returns the number of rows written. This default streams them all through {@link #upsertSilver}
   * in batches; the embedded warehouse does it set-based and writes only new and changed rows.
   */
  default long upsertSilverFromStaging(IntervalKey key, RecordKind kind, int batchSize) {
    long[] n = {0};
    scanStaging(Stage.ENRICH, key, kind, batchSize, batch -> {
      upsertSilver(kind, batch);
      n[0] += batch.size();
    });
    return n[0];
  }

  /**
   * The one check of what may be staged under a key: a row of the key's market and dataset. The
   * pipeline applies it to every parsed row (so a connector that labels a row wrong fails before
   * anything is written, whichever the warehouse) and every warehouse's staging writer applies it
   * again (the contract holds for any caller).
   *
   * @throws IllegalArgumentException naming the row and the key (exit 1: a bug, not the payload)
   */
  static void checkStagingKey(IntervalKey key, CanonicalRecord r) {
    if (!r.market().equals(key.market()) || !r.dataset().equals(key.dataset())) {
      throw new IllegalArgumentException("a staging row of " + r.market() + "/" + r.dataset() + " (" + r.naturalKey()
          + ") cannot be written under the key " + key);
    }
  }

  /** A staging write in progress (see {@link #openStaging}). */
  interface StagingWriter extends AutoCloseable {
    void write(List<CanonicalRecord> batch);

    void commit();

    /** Discards what was written unless committed. */
    @Override
    void close();
  }

  /**
   * Upserts Silver by natural key: a row replaces the stored one when its version is greater, or
   * equal with different values (a replay after a parser fix); a lower version never does. A row
   * equal to the stored one (same version, same values) may be skipped.
   */
  void upsertSilver(RecordKind kind, List<CanonicalRecord> rows);

  /**
   * Deletes the staging rows of both stages (normalize, enrich) of the interval key; load calls it
   * once Silver took them. Afterwards enrich and load of that key need a normalize first (their
   * usage error says so). This default keeps staging (a warehouse without pruning).
   */
  default void pruneStaging(IntervalKey key, RecordKind kind) {}

  /**
   * The windows of {@code market}/{@code dataset} within {@code range} with an ok {@code load} row
   * in ingest_runs (their Silver load succeeded), which a backfill skips. This default knows none:
   * every window runs.
   */
  default java.util.Set<io.carbon254.ingest.core.IntervalWindow> loadedWindows(String market, String dataset,
      io.carbon254.ingest.core.IntervalWindow range) {
    return java.util.Set.of();
  }

  /**
   * Lets go, until the next use, of what blocks other processes (the embedded DuckDB file's lock):
   * a long-lived process calls it before it waits on the network. This default does nothing.
   */
  default void release() {}

  /** Silver rows of the interval key, latest version per natural key. */
  List<CanonicalRecord> readSilver(IntervalKey key, RecordKind kind);

  /** UTC timestamps as text, compared with the timestamp columns by the same SQL on every warehouse here. */
  java.time.format.DateTimeFormatter SQL_TIME = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(java.time.ZoneOffset.UTC);

  /** Market and dataset ids go into that SQL as literals: plain identifiers only. */
  private static void identifiers(String market, String dataset) {
    if (!market.matches("[a-z0-9_]+") || !dataset.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("not an identifier: " + market + "/" + dataset);
    }
  }

  /** A row a failed gate held back: the check that names it (else the interval's first failed error check) and why. */
  record HeldRow(CanonicalRecord row, String check, String reason) {}

  /** The quarantine write of one failed run of an interval key, in batches. */
  interface QuarantineWriter extends AutoCloseable {
    void write(List<HeldRow> rows);

    /** Replaces the rows of the interval key held before (an earlier failed run's) with those written. */
    void commit();

    /** Without a commit: nothing of this write is kept. */
    @Override
    void close();
  }

  /** The quarantine table of a kind of record: {@code quarantine_prices}, {@code quarantine_load}, {@code quarantine_fuel_mix}. */
  static String quarantineTable(RecordKind kind) {
    return "quarantine_" + kind.id();
  }

  /** Opens the quarantine write of run {@code runId}'s rows of {@code key}, held at {@code at}. */
  QuarantineWriter openQuarantine(IntervalKey key, RecordKind kind, String runId, java.time.Instant at);

  /** The held rows of the interval key, as canonical records in batches (their events and cache entries on release). */
  void scanQuarantine(IntervalKey key, RecordKind kind, int batchSize, io.carbon254.ingest.core.connector.RowSink<List<CanonicalRecord>> out);

  /**
   * Upserts Silver from the held rows of the key at their versions, as load does from staging (a
   * Silver row of a greater version stays); returns the rows held. The rows stay held until
   * {@link #dropQuarantine}: a release interrupted part-way is repeated safely.
   */
  long releaseQuarantine(IntervalKey key, RecordKind kind);

  /** Removes the held rows of the key (all of them, whichever run); returns how many there were. */
  long dropQuarantine(IntervalKey key, RecordKind kind);

  void recordQuarantineAction(QuarantineAction action);

  /** What is held: one line per interval key, run and check, with its row count, for {@code ingest quarantine list}. */
  default QueryResult heldIntervals(String market, java.util.Optional<String> dataset, java.util.Optional<io.carbon254.ingest.core.IntervalWindow> within) {
    identifiers(market, dataset.orElse("x"));
    List<String> columns = List.of("market", "dataset", "key_start_utc", "key_end_utc", "run_id", "check_name", "held_rows",
        "quarantined_at", "example");
    List<List<String>> rows = new java.util.ArrayList<>();
    for (RecordKind k : RecordKind.values()) {
      String where = " WHERE market = '" + market + "'" + dataset.map(d -> " AND dataset = '" + d + "'").orElse("")
          + within.map(w -> " AND key_start_utc >= '" + SQL_TIME.format(w.start()) + "' AND key_end_utc <= '" + SQL_TIME.format(w.end()) + "'").orElse("");
      QueryResult r = query("SELECT market, dataset, key_start_utc, key_end_utc, run_id, check_name, count(*) AS held_rows,"
          + " min(quarantined_at) AS quarantined_at, min(reason) AS example FROM " + quarantineTable(k) + where
          + " GROUP BY market, dataset, key_start_utc, key_end_utc, run_id, check_name");
      rows.addAll(r.rows());
    }
    rows.sort(java.util.Comparator.<List<String>, String>comparing(r -> r.get(2)).thenComparing(r -> r.get(1)).thenComparing(r -> r.get(5)));
    return new QueryResult(columns, rows);
  }

  /** The held rows of the key: those of the dataset whose interval starts in its window. */
  private static String heldWhere(IntervalKey key) {
    identifiers(key.market(), key.dataset());
    return " WHERE market = '" + key.market() + "' AND dataset = '" + key.dataset() + "' AND interval_start_utc >= '"
        + SQL_TIME.format(key.window().start()) + "' AND interval_start_utc < '" + SQL_TIME.format(key.window().end()) + "'";
  }

  /** How many rows of the key are held (0 when none). */
  default long heldRows(IntervalKey key, RecordKind kind) {
    QueryResult r = query("SELECT count(*) AS n FROM " + quarantineTable(kind) + heldWhere(key));
    return r.rows().isEmpty() ? 0 : Long.parseLong(r.rows().getFirst().getFirst());
  }

  /** The runs whose rows of the key are held. */
  default List<String> heldRunIds(IntervalKey key, RecordKind kind) {
    return query("SELECT DISTINCT run_id FROM " + quarantineTable(kind) + heldWhere(key) + " ORDER BY run_id").rows().stream()
        .map(List::getFirst).toList();
  }

  /**
   * How many distinct locations (areas, fuels: {@link RecordKind#subjectColumn}) Silver holds for
   * the dataset's intervals starting in {@code window}; empty when it holds none there. For the
   * location_set_shrink check. The SQL is the same on every warehouse here (UTC timestamps compared
   * with their text).
   */
  default java.util.OptionalLong silverSubjects(String market, String dataset, RecordKind kind,
      io.carbon254.ingest.core.IntervalWindow window) {
    identifiers(market, dataset);
    QueryResult r = query("SELECT count(DISTINCT " + kind.subjectColumn() + ") AS n FROM " + kind.silverTable()
        + " WHERE market = '" + market + "' AND dataset = '" + dataset + "' AND interval_start_utc >= '"
        + SQL_TIME.format(window.start()) + "' AND interval_start_utc < '" + SQL_TIME.format(window.end()) + "'");
    if (r.rows().isEmpty() || r.rows().getFirst().getFirst() == null) {
      return java.util.OptionalLong.empty();
    }
    long n = Long.parseLong(r.rows().getFirst().getFirst());
    return n == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(n);
  }

  /** Replaces the quality results of this interval key. */
  void writeQualityResults(IntervalKey key, List<QualityResult> results);

  /** Inserts or replaces the ledger row of this run and stage. */
  void recordRun(RunRecord run);

  /** Runs a read-only statement for people and scripts. */
  QueryResult query(String sql);

  /**
   * Time spent so far opening this warehouse on first use (connecting, waiting for a lock, creating
   * tables), for the task's timing line; zero for one opened eagerly.
   */
  default java.time.Duration openTime() {
    return java.time.Duration.ZERO;
  }

  /** The part of {@link #openTime} spent waiting for another process's lock (the embedded DuckDB file). */
  default java.time.Duration lockWait() {
    return java.time.Duration.ZERO;
  }

  @Override
  void close();
}
