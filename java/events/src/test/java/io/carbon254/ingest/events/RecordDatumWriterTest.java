package io.carbon254.ingest.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.sink.Event;
import io.carbon254.ingest.core.sink.EventFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** The direct encoder writes exactly what the generic path writes for the same record: same ids, same bytes. */
class RecordDatumWriterTest {
  private static final Instant T0 = Instant.parse("2024-11-03T08:00:00Z");
  private static final Instant T1 = Instant.parse("2024-11-03T08:05:00Z");
  private static final Provenance PROV = new Provenance(1730620800123L, null, Instant.parse("2024-11-03T09:00:00.123Z"), "payload-1");
  private static final Provenance PUBLISHED = new Provenance(1730620800123L, T1, Instant.parse("2024-11-03T09:00:00.123Z"), "payload-2");
  private static final Enrichment ENRICH = new Enrichment("SP15", "TH_SP15", "CAISO South", "America/Los_Angeles", true);

  static List<CanonicalRecord> records() {
    return List.of(
        new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", "TH_SP15_GEN-APND", null, "hub", T0, T1, 31.5, 30.0, 1.25, 0.25, null,
            "USD", "MWh", PROV, null),
        new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", "NODÉ_ÜTF8", "a name", "node", T0, T1, -12.75, null, null, null, 0.0,
            "USD", "MWh", PUBLISHED, ENRICH),
        new LoadRecord("caiso", "load_forecast", "DAM", "CA ISO-TAC", T0, T1, 25123.4, "MW", PROV, null),
        new LoadRecord("caiso", "load_forecast", "DAM", "CA ISO-TAC", T0, T1, 25123.4, "MW", PROV, ENRICH),
        new FuelMixRecord("caiso", "fuel_mix", "CAISO", "solar", T0, T1, 9876.0, "MW", PUBLISHED, null));
  }

  private static byte[] generic(Event e) {
    return AvroCodec.encode(AvroCodec.toRecord(e));
  }

  private static byte[] direct(String topic, CanonicalRecord r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    new RecordDatumWriter(topic, r.kind()).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  /** The id as defined: UUID of topic, natural key, version and the first 8 bytes of the SHA-256 of every value's text. */
  private static String referenceId(String topic, CanonicalRecord r) {
    StringBuilder sb = new StringBuilder();
    for (Object o : r.values()) {
      sb.append(io.carbon254.ingest.core.record.InstantText.valueOf(o)).append('\u001f');
    }
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String digest = java.util.HexFormat.of().formatHex(h, 0, 8);
      return EventFactory.deterministicId(topic, r.naturalKey() + "|" + r.version() + "|" + digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sameBytesAndIdsAsTheGenericPath() throws IOException {
    String topic = "normalized.caiso.lmp_rt_5min";
    for (CanonicalRecord r : records()) {
      Event e = EventFactory.record(topic, r, Map.of());
      assertEquals(e.id(), EventFactory.recordId(topic, r, r.values()), "id of " + r);
      assertEquals(referenceId(topic, r), e.id(), "the id's definition: " + r);
      assertArrayEquals(generic(e), direct(topic, r), "bytes of " + r);
    }
  }

  @Test
  void theIdDependsOnTopicContentAndVersion() {
    CanonicalRecord r = records().get(0);
    String id = EventFactory.recordId("normalized.caiso.lmp_rt_5min", r, r.values());
    assertNotEquals(id, EventFactory.recordId("enriched.caiso.lmp_rt_5min", r, r.values()));
    PriceRecord p = (PriceRecord) r;
    PriceRecord changed = new PriceRecord(p.market(), p.dataset(), p.marketRun(), p.priceType(), p.locationId(), p.locationName(),
        p.locationType(), p.intervalStart(), p.intervalEnd(), 31.6, p.energy(), p.congestion(), p.loss(), p.ghg(), p.currency(),
        p.unit(), p.provenance(), null);
    assertNotEquals(id, EventFactory.recordId("normalized.caiso.lmp_rt_5min", changed, changed.values()));
  }

  @Test
  void idsOfManyInstantsAndValuesMatchTheDefinition() {
    // More instants than the per-thread instant cache holds (colliding slots), and doubles whose
    // text is unusual (exponents, negative zero, extremes).
    double[] prices = {0.0, -0.0, 1e-7, 12345678.9, -1.0E10, Double.MIN_VALUE, Double.MAX_VALUE, 31.499999999999996};
    String topic = "enriched.caiso.lmp_rt_5min";
    for (int i = 0; i < 3000; i++) {
      Instant start = T0.plusSeconds(300L * i + (i % 7 == 0 ? 512L * 300 : 0)).plusNanos(i % 5 == 0 ? 1_000_000L * i : 0);
      PriceRecord r = new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", "N" + (i % 11), i % 3 == 0 ? "Zürich" : null, "node",
          start, start.plusSeconds(300), prices[i % prices.length], i % 2 == 0 ? null : (double) i, null, null, null, "USD", "MWh",
          i % 4 == 0 ? PUBLISHED : PROV, i % 6 == 0 ? ENRICH : null);
      assertEquals(referenceId(topic, r), EventFactory.recordId(topic, r, r.values()), "id of " + r);
    }
  }
}
