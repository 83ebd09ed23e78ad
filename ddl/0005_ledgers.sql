-- quality_results: one row per check per interval key. A re-run replaces the row of each check
-- (ReplacingMergeTree(generation), read with FINAL); `generation` is the write instant in ms.
CREATE TABLE IF NOT EXISTS ${database}.quality_results
(
    market             String,
    dataset            String,
    interval_start_utc DateTime('UTC'),
    interval_end_utc   DateTime('UTC'),
    check_name         String,
    severity           String,
    passed             UInt8,
    observed           Float64,
    expected           Float64,
    details            Nullable(String),
    run_id             String,
    checked_at         DateTime('UTC'),
    generation         UInt64
)
ENGINE = ReplacingMergeTree(generation)
PARTITION BY toYYYYMM(interval_start_utc)
ORDER BY (market, dataset, interval_start_utc, interval_end_utc, check_name)
-- shard_key: cityHash64(market, dataset)
;

-- ingest_runs: one row per task run and stage (status, counts, timings); the latest write of a
-- (run, stage, interval key) wins (ReplacingMergeTree(recorded_at), read with FINAL).
CREATE TABLE IF NOT EXISTS ${database}.ingest_runs
(
    run_id             String,
    stage              String,
    market             String,
    dataset            String,
    interval_start_utc DateTime('UTC'),
    interval_end_utc   DateTime('UTC'),
    status             String,
    exit_code          Int32,
    rows_in            UInt64,
    rows_out           UInt64,
    events             UInt64,
    started_at         DateTime('UTC'),
    finished_at        Nullable(DateTime('UTC')),
    message            Nullable(String),
    recorded_at        UInt64
)
ENGINE = ReplacingMergeTree(recorded_at)
PARTITION BY toYYYYMM(interval_start_utc)
ORDER BY (market, dataset, interval_start_utc, interval_end_utc, run_id, stage)
-- shard_key: cityHash64(market, dataset)
;
