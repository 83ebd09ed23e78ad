package io.carbon254.ingest.core.record;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** Actual or forecast load (MW) of one area and interval; {@code marketRun} tells which forecast. */
public record LoadRecord(
    String market,
    String dataset,
    String marketRun,
    String area,
    Instant intervalStart,
    Instant intervalEnd,
    double mw,
    String unit,
    Provenance provenance,
    Enrichment enrichment)
    implements CanonicalRecord {

  public LoadRecord {
    requireNonNull(market, "market is null");
    requireNonNull(dataset, "dataset is null");
    requireNonNull(marketRun, "marketRun is null");
    requireNonNull(area, "area is null");
    requireNonNull(intervalStart, "intervalStart is null");
    requireNonNull(intervalEnd, "intervalEnd is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(provenance, "provenance is null");
  }

  @Override
  public RecordKind kind() {
    return RecordKind.LOAD;
  }

  @Override
  public long version() {
    return provenance.version();
  }

  @Override
  public String subject() {
    return area;
  }

  @Override
  public LoadRecord withEnrichment(Enrichment e) {
    return new LoadRecord(market, dataset, marketRun, area, intervalStart, intervalEnd, mw, unit, provenance, e);
  }

  @Override
  public Object[] values() {
    return provenance.appendTo(
        new Object[] {market, dataset, marketRun, area, intervalStart, intervalEnd, mw, unit}, enrichment);
  }

  static LoadRecord fromValues(Object[] v) {
    return new LoadRecord((String) v[0], (String) v[1], (String) v[2], (String) v[3], (Instant) v[4],
        (Instant) v[5], ((Number) v[6]).doubleValue(), (String) v[7], Provenance.readFrom(v, 8),
        Provenance.enrichmentFrom(v, 8));
  }
}
