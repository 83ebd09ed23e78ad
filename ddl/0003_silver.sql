-- Silver: canonical rows, latest version per natural key. ReplacingMergeTree(version) keeps, per
-- ORDER BY key (= the natural key of RecordKind), the row with the greatest version, and the last
-- inserted among equal versions; readers use FINAL so a re-run never shows a duplicate.
-- Columns are exactly RecordKind's, in its order (checked by DdlColumnsTest).
CREATE TABLE IF NOT EXISTS ${database}.silver_prices
(
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
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(interval_start_utc)
ORDER BY (market, dataset, market_run, price_type, location_id, interval_start_utc)
-- shard_key: cityHash64(market, dataset, location_id)
;

CREATE TABLE IF NOT EXISTS ${database}.silver_load
(
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
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(interval_start_utc)
ORDER BY (market, dataset, market_run, area, interval_start_utc)
-- shard_key: cityHash64(market, dataset, area)
;

CREATE TABLE IF NOT EXISTS ${database}.silver_fuel_mix
(
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
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(interval_start_utc)
ORDER BY (market, dataset, area, fuel, interval_start_utc)
-- shard_key: cityHash64(market, dataset, area)
;
