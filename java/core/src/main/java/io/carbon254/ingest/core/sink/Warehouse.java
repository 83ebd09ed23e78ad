package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
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
  List<RawPayload> putBronze(List<RawPayload> payloads);

  /** For each part of the interval key, the most recently fetched payload. Empty if never fetched. */
  List<RawPayload> latestBronze(IntervalKey key);

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
   * returns the number of rows. This default streams them through {@link #upsertSilver} in batches;
   * the embedded warehouse does it in one set-based statement.
   */
  default long upsertSilverFromStaging(IntervalKey key, RecordKind kind, int batchSize) {
    long[] n = {0};
    scanStaging(Stage.ENRICH, key, kind, batchSize, batch -> {
      upsertSilver(kind, batch);
      n[0] += batch.size();
    });
    return n[0];
  }

  /** A staging write in progress (see {@link #openStaging}). */
  interface StagingWriter extends AutoCloseable {
    void write(List<CanonicalRecord> batch);

    void commit();

    /** Discards what was written unless committed. */
    @Override
    void close();
  }

  /** Upserts Silver by natural key: a row replaces the stored one when its version is greater or equal. */
  void upsertSilver(RecordKind kind, List<CanonicalRecord> rows);

  /** Silver rows of the interval key, latest version per natural key. */
  List<CanonicalRecord> readSilver(IntervalKey key, RecordKind kind);

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
