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
