package io.carbon254.ingest.sinks.production.testing;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.time.Instant;

/** Small canonical rows for the sink tests. */
public final class Rows {
  public static final Instant T0 = Instant.parse("2024-11-03T08:00:00Z");

  private Rows() {}

  public static IntervalKey key(String market, String dataset, Instant start, Instant end) {
    return new IntervalKey(market, dataset, new IntervalWindow(start, end));
  }

  public static PriceRecord price(String market, String dataset, String location, Instant start, double price, long version) {
    return new PriceRecord(market, dataset, "RT", "LMP", location, "name of " + location + " ü\t\"x\"", "node", start,
        start.plusSeconds(300), price, price - 1.25, 0.5, 0.25, null, "USD", "MWh",
        new Provenance(version, null, Instant.ofEpochSecond(1_730_620_900L), "payload-" + version), null);
  }

  public static PriceRecord hub(String market, String dataset, String location, Instant start, double price, long version) {
    return price(market, dataset, location, start, price, version)
        .withEnrichment(new Enrichment("SP15", location, "CAISO", "America/Los_Angeles", true));
  }

  public static LoadRecord load(String market, String dataset, String area, Instant start, double mw, long version) {
    return new LoadRecord(market, dataset, "ACTUAL", area, start, start.plusSeconds(3600), mw, "MW",
        new Provenance(version, start, Instant.ofEpochSecond(1_730_620_900L), "payload-" + version), null);
  }

  public static FuelMixRecord fuel(String market, String dataset, String area, String fuel, Instant start, double mw, long version) {
    return new FuelMixRecord(market, dataset, area, fuel, start, start.plusSeconds(300), mw, "MW",
        new Provenance(version, null, Instant.ofEpochSecond(1_730_620_900L), "payload-" + version),
        new Enrichment(null, null, "CAISO", "America/Los_Angeles", false));
  }
}
