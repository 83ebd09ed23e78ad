package io.carbon254.ingest.core.record;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** An LMP or settlement point price for one location and interval, with its components. */
public record PriceRecord(
    String market,
    String dataset,
    String marketRun,
    String priceType,
    String locationId,
    String locationName,
    String locationType,
    Instant intervalStart,
    Instant intervalEnd,
    double price,
    Double energy,
    Double congestion,
    Double loss,
    Double ghg,
    String currency,
    String unit,
    Provenance provenance,
    Enrichment enrichment)
    implements CanonicalRecord {

  public PriceRecord {
    requireNonNull(market, "market is null");
    requireNonNull(dataset, "dataset is null");
    requireNonNull(marketRun, "marketRun is null");
    requireNonNull(priceType, "priceType is null");
    requireNonNull(locationId, "locationId is null");
    requireNonNull(locationType, "locationType is null");
    requireNonNull(intervalStart, "intervalStart is null");
    requireNonNull(intervalEnd, "intervalEnd is null");
    requireNonNull(currency, "currency is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(provenance, "provenance is null");
  }

  @Override
  public RecordKind kind() {
    return RecordKind.PRICES;
  }

  @Override
  public long version() {
    return provenance.version();
  }

  @Override
  public String subject() {
    return locationId;
  }

  @Override
  public PriceRecord withEnrichment(Enrichment e) {
    return new PriceRecord(market, dataset, marketRun, priceType, locationId, locationName, locationType,
        intervalStart, intervalEnd, price, energy, congestion, loss, ghg, currency, unit, provenance, e);
  }

  @Override
  public Object[] values() {
    return provenance.appendTo(
        new Object[] {market, dataset, marketRun, priceType, locationId, locationName, locationType,
          intervalStart, intervalEnd, price, energy, congestion, loss, ghg, currency, unit},
        enrichment);
  }

  static PriceRecord fromValues(Object[] v) {
    return new PriceRecord((String) v[0], (String) v[1], (String) v[2], (String) v[3], (String) v[4],
        (String) v[5], (String) v[6], (Instant) v[7], (Instant) v[8], ((Number) v[9]).doubleValue(),
        dbl(v[10]), dbl(v[11]), dbl(v[12]), dbl(v[13]), (String) v[14], (String) v[15],
        Provenance.readFrom(v, 16), Provenance.enrichmentFrom(v, 16));
  }

  static Double dbl(Object o) {
    return o == null ? null : ((Number) o).doubleValue();
  }
}
