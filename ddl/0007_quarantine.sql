-- Quarantine: the rows of an interval key that load's gate held back (an error-severity check
-- failed: load exited 4, Silver untouched). Per row: the interval key, the failed run, the check
-- that names the row (its series short, its value out of range...; else the interval's first failed
-- check) and why, then the Silver columns exactly (RecordKind's, with their version). A later
-- failed run of the key replaces its held rows, a later successful load supersedes them;
-- `ingest quarantine release` upserts them into Silver at their version (a newer Silver row stays),
-- `ingest quarantine drop` removes them. Both are rare operator actions: a DELETE mutation waited
-- for, then a row in quarantine_actions.

CREATE TABLE IF NOT EXISTS ${database}.quarantine_prices
(
    key_start_utc      DateTime('UTC'),
    key_end_utc        DateTime('UTC'),
    run_id             String,
    check_name         String,
    reason             String,
    quarantined_at     DateTime('UTC'),
    market             String,
    dataset            String,
    market_run         String,
    price_type         String,
    location_id        String,
    location_name      Nullable(String),
    location_type      String,
    interval_start_utc DateTime('UTC'),
    interval_end_utc   DateTime('UTC'),
    price              Float64,
    energy             Nullable(Float64),
    congestion         Nullable(Float64),
    loss               Nullable(Float64),
    ghg                Nullable(Float64),
    currency           String,
    unit               String,
    version            UInt64,
    published_at       Nullable(DateTime('UTC')),
    fetched_at         DateTime('UTC'),
    source             String,
    zone               Nullable(String),
    hub                Nullable(String),
    region             Nullable(String),
    timezone           Nullable(String),
    is_trading_hub     Nullable(UInt8)
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(key_start_utc)
ORDER BY (market, dataset, key_start_utc, key_end_utc, interval_start_utc)
-- shard_key: cityHash64(market, dataset)
;

CREATE TABLE IF NOT EXISTS ${database}.quarantine_load
(
    key_start_utc      DateTime('UTC'),
    key_end_utc        DateTime('UTC'),
    run_id             String,
    check_name         String,
    reason             String,
    quarantined_at     DateTime('UTC'),
    market             String,
    dataset            String,
    market_run         String,
    area               String,
    interval_start_utc DateTime('UTC'),
    interval_end_utc   DateTime('UTC'),
    mw                 Float64,
    unit               String,
    version            UInt64,
    published_at       Nullable(DateTime('UTC')),
    fetched_at         DateTime('UTC'),
    source             String,
    zone               Nullable(String),
    hub                Nullable(String),
    region             Nullable(String),
    timezone           Nullable(String),
    is_trading_hub     Nullable(UInt8)
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(key_start_utc)
ORDER BY (market, dataset, key_start_utc, key_end_utc, interval_start_utc)
-- shard_key: cityHash64(market, dataset)
;

CREATE TABLE IF NOT EXISTS ${database}.quarantine_fuel_mix
(
    key_start_utc      DateTime('UTC'),
    key_end_utc        DateTime('UTC'),
    run_id             String,
    check_name         String,
    reason             String,
    quarantined_at     DateTime('UTC'),
    market             String,
    dataset            String,
    area               String,
    fuel               String,
    interval_start_utc DateTime('UTC'),
    interval_end_utc   DateTime('UTC'),
    mw                 Float64,
    unit               String,
    version            UInt64,
    published_at       Nullable(DateTime('UTC')),
    fetched_at         DateTime('UTC'),
    source             String,
    zone               Nullable(String),
    hub                Nullable(String),
    region             Nullable(String),
    timezone           Nullable(String),
    is_trading_hub     Nullable(UInt8)
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(key_start_utc)
ORDER BY (market, dataset, key_start_utc, key_end_utc, interval_start_utc)
-- shard_key: cityHash64(market, dataset)
;

-- quarantine_actions: what happened to held rows, one row per action (held by a failed load,
-- released or dropped by an operator, superseded by a later run), who did it and why.
CREATE TABLE IF NOT EXISTS ${database}.quarantine_actions
(
    action             String,
    market             String,
    dataset            String,
    key_start_utc      DateTime('UTC'),
    key_end_utc        DateTime('UTC'),
    run_id             String,
    rows               UInt64,
    actor              String,
    note               String,
    acted_at           DateTime('UTC')
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(key_start_utc)
ORDER BY (market, dataset, key_start_utc, key_end_utc, acted_at)
-- shard_key: cityHash64(market, dataset)
;
