-- The database of the ingestion layer. ${database} is the database of CLICKHOUSE_DSN (default `ingest`).
CREATE DATABASE IF NOT EXISTS ${database};
