-- Staging: the hand-off between normalize, enrich and load, keyed by (stage, interval key).
-- "Replace the rows a stage wrote for an interval key" without mutations (ALTER DELETE is
-- asynchronous and heavy): every write gets a new generation number (the write instant in ms,
-- strictly increasing per process), inserts its rows, then one marker row in stg_generations.
-- Readers take the rows of the greatest generation that has a marker, so a write becomes visible
-- all at once, and an empty write (a marker with rows = 0) hides the previous rows too.
-- row_no keeps the order of the written rows; ReplacingMergeTree folds a block that a retry
-- inserted twice (same generation and row_no), read with FINAL. Old generations stay until their
-- month's partition is dropped (ALTER TABLE ... DROP PARTITION), see docs/production-sinks.md.

CREATE TABLE IF NOT EXISTS ${database}.stg_prices
(
    stage              String,
    key_start          DateTime('UTC'),
    key_end            DateTime('UTC'),
    generation         UInt64,
    row_no             UInt32,
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
ENGINE = ReplacingMergeTree(generation)
PARTITION BY toYYYYMM(key_start)
ORDER BY (market, dataset, stage, key_start, key_end, generation, row_no)
-- shard_key: cityHash64(market, dataset)
;

CREATE TABLE IF NOT EXISTS ${database}.stg_load
(
    stage              String,
    key_start          DateTime('UTC'),
    key_end            DateTime('UTC'),
    generation         UInt64,
    row_no             UInt32,
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
ENGINE = ReplacingMergeTree(generation)
PARTITION BY toYYYYMM(key_start)
ORDER BY (market, dataset, stage, key_start, key_end, generation, row_no)
-- shard_key: cityHash64(market, dataset)
;

CREATE TABLE IF NOT EXISTS ${database}.stg_fuel_mix
(
    stage              String,
    key_start          DateTime('UTC'),
    key_end            DateTime('UTC'),
    generation         UInt64,
    row_no             UInt32,
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
ENGINE = ReplacingMergeTree(generation)
PARTITION BY toYYYYMM(key_start)
ORDER BY (market, dataset, stage, key_start, key_end, generation, row_no)
-- shard_key: cityHash64(market, dataset)
;

CREATE TABLE IF NOT EXISTS ${database}.stg_generations
(
    stage       String,
    kind        String,
    market      String,
    dataset     String,
    key_start   DateTime('UTC'),
    key_end     DateTime('UTC'),
    generation  UInt64,
    rows        UInt64,
    written_at  DateTime('UTC')
)
ENGINE = ReplacingMergeTree(generation)
PARTITION BY toYYYYMM(key_start)
ORDER BY (market, dataset, stage, kind, key_start, key_end, generation)
-- shard_key: cityHash64(market, dataset)
;
