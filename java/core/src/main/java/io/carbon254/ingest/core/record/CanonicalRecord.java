package io.carbon254.ingest.core.record;

import java.time.Instant;

/** A Silver row: one location (or area, or fuel) and one UTC interval. */
public sealed interface CanonicalRecord permits PriceRecord, LoadRecord, FuelMixRecord {
  RecordKind kind();

  String market();

  String dataset();

  Instant intervalStart();

  Instant intervalEnd();

  long version();

  /** Null until the enrich stage ran. */
  Enrichment enrichment();

  CanonicalRecord withEnrichment(Enrichment e);

  /** The thing being measured: location id, load area or fuel. */
  String subject();

  /** Values in the order of {@link RecordKind#columns()}. */
  Object[] values();

  /** The natural key as one stable string, e.g. {@code caiso|lmp_rt_5min|RT|LMP|TH_SP15_GEN-APND|2024-11-03T08:00:00Z}. */
  default String naturalKey() {
    return kind().naturalKeyOf(values());
  }
}
