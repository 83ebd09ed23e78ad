package io.carbon254.ingest.core.record;

/** One column of a canonical record, in the order of {@link CanonicalRecord#values()}. */
public record Column(String name, ColumnType type, boolean nullable) {
  static Column required(String name, ColumnType type) {
    return new Column(name, type, false);
  }

  static Column optional(String name, ColumnType type) {
    return new Column(name, type, true);
  }
}
