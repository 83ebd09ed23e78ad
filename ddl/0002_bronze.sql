-- Bronze: every payload ever fetched, bytes as the source sent them. One visible row per payload id
-- (the id is derived from the interval key, the part and the SHA-256 of the bytes): a refetch of
-- identical bytes re-inserts the row with the first fetched_at kept and a newer last_fetched_at,
-- and ReplacingMergeTree(last_fetched_at) folds the two (read with FINAL). Changed bytes are a new
-- payload id, so a new row: Bronze keeps every revision.
CREATE TABLE IF NOT EXISTS ${database}.bronze_payloads
(
    payload_id         String,
    market             String,
    dataset            String,
    interval_start_utc DateTime('UTC'),
    interval_end_utc   DateTime('UTC'),
    part               Int32,
    url                String,
    content_type       Nullable(String),
    http_status        Int32,
    size_bytes         UInt64,
    sha256             String,
    body               String,
    fetched_at         DateTime('UTC'),
    last_fetched_at    DateTime('UTC')
)
ENGINE = ReplacingMergeTree(last_fetched_at)
PARTITION BY toYYYYMM(interval_start_utc)
ORDER BY (market, dataset, interval_start_utc, interval_end_utc, part, payload_id)
-- shard_key: cityHash64(market, dataset, interval_start_utc)
;
