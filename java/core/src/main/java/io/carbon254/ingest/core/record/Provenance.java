package io.carbon254.ingest.core.record;

import static java.util.Objects.requireNonNull;

import static io.carbon254.ingest.core.record.Column.optional;
import static io.carbon254.ingest.core.record.Column.required;
import static io.carbon254.ingest.core.record.ColumnType.BOOLEAN;
import static io.carbon254.ingest.core.record.ColumnType.LONG;
import static io.carbon254.ingest.core.record.ColumnType.STRING;
import static io.carbon254.ingest.core.record.ColumnType.TIMESTAMP;

import java.time.Instant;
import java.util.List;

/**
 * Where a row came from: the payload id (Bronze), when it was fetched, when the source says it
 * published it, and the version that decides which revision wins in Silver.
 */
public record Provenance(long version, Instant publishedAt, Instant fetchedAt, String source) {
  /** Columns every kind carries after its own: provenance, then the enrichment fields. */
  static final List<Column> COLUMNS =
      List.of(
          required("version", LONG),
          optional("published_at", TIMESTAMP),
          required("fetched_at", TIMESTAMP),
          required("source", STRING),
          optional("zone", STRING),
          optional("hub", STRING),
          optional("region", STRING),
          optional("timezone", STRING),
          optional("is_trading_hub", BOOLEAN));

  public Provenance {
    requireNonNull(fetchedAt, "fetchedAt is null");
    requireNonNull(source, "source is null");
  }

  Object[] appendTo(Object[] own, Enrichment e) {
    Object[] v = new Object[own.length + COLUMNS.size()];
    System.arraycopy(own, 0, v, 0, own.length);
    int i = own.length;
    v[i++] = version;
    v[i++] = publishedAt;
    v[i++] = fetchedAt;
    v[i++] = source;
    v[i++] = e == null ? null : e.zone();
    v[i++] = e == null ? null : e.hub();
    v[i++] = e == null ? null : e.region();
    v[i++] = e == null ? null : e.timezone();
    v[i] = e == null ? null : e.tradingHub();
    return v;
  }

  static Provenance readFrom(Object[] v, int at) {
    return new Provenance(
        ((Number) v[at]).longValue(), (Instant) v[at + 1], (Instant) v[at + 2], (String) v[at + 3]);
  }

  static Enrichment enrichmentFrom(Object[] v, int at) {
    int z = at + 4;
    if (v[z] == null && v[z + 1] == null && v[z + 2] == null && v[z + 3] == null && v[z + 4] == null) {
      return null;
    }
    return new Enrichment(
        (String) v[z], (String) v[z + 1], (String) v[z + 2], (String) v[z + 3], Boolean.TRUE.equals(v[z + 4]));
  }
}
