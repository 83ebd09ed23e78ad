package io.carbon254.ingest.core.record;

/** Logical column types shared by the warehouse tables and the Avro event schemas. */
public enum ColumnType {
  STRING,
  DOUBLE,
  LONG,
  BOOLEAN,
  /** A UTC instant ({@link java.time.Instant}); millisecond precision in events. */
  TIMESTAMP
}
