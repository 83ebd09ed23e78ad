package io.carbon254.ingest.core.record;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** Generation (MW) of one fuel in one area and interval. */
public record FuelMixRecord(
    String market,
    String dataset,
    String area,
    String fuel,
    Instant intervalStart,
    Instant intervalEnd,
    double mw,
    String unit,
    Provenance provenance,
    Enrichment enrichment)
    implements CanonicalRecord {

  public FuelMixRecord {
    requireNonNull(market, "market is null");
    requireNonNull(dataset, "dataset is null");
    requireNonNull(area, "area is null");
    requireNonNull(fuel, "fuel is null");
    requireNonNull(intervalStart, "intervalStart is null");
    requireNonNull(intervalEnd, "intervalEnd is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(provenance, "provenance is null");
  }

  @Override
  public RecordKind kind() {
    return RecordKind.FUEL_MIX;
  }

  @Override
  public long version() {
    return provenance.version();
  }

  @Override
  public String subject() {
    return fuel;
  }

  @Override
  public FuelMixRecord withEnrichment(Enrichment e) {
    return new FuelMixRecord(market, dataset, area, fuel, intervalStart, intervalEnd, mw, unit, provenance, e);
  }

  @Override
  public Object[] values() {
    return provenance.appendTo(
        new Object[] {market, dataset, area, fuel, intervalStart, intervalEnd, mw, unit}, enrichment);
  }

  static FuelMixRecord fromValues(Object[] v) {
    return new FuelMixRecord((String) v[0], (String) v[1], (String) v[2], (String) v[3], (Instant) v[4],
        (Instant) v[5], ((Number) v[6]).doubleValue(), (String) v[7], Provenance.readFrom(v, 8),
        Provenance.enrichmentFrom(v, 8));
  }
}
