package io.carbon254.ingest.connectors.miso;

import static io.carbon254.ingest.connectors.miso.MisoTestSupport.day;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Recorded MISO payloads (kept outside the repository, beside it under shared/iso-samples/miso/;
 * skipped when absent). The day-ahead ex-post report excerpt of 2026-07-14 (preamble, EST line,
 * rows grouped by Value, numbers like {@code .92}) parses to its three hubs × 24 hours,
 * 2026-07-14T05:00Z through 2026-07-15T04:00Z, each price, component and energy = LMP − MCC − MLC
 * as recorded. The two files of unverified provenance are format hints only: the ex-ante rows
 * without their preamble still parse (LMP only: no components), and every category of the fuel-mix
 * JSON is a fuel the normalization knows.
 */
class MisoSamplesConformanceTest {
  private static Path sample(String name) {
    Path dir = ConnectorContract.repoRoot().resolve("../shared/iso-samples/miso").normalize();
    Assumptions.assumeTrue(Files.isDirectory(dir), "recorded MISO samples not present at " + dir);
    Path p = dir.resolve(name);
    Assumptions.assumeTrue(Files.isRegularFile(p), "missing sample " + name);
    return p;
  }

  private static List<CanonicalRecord> parse(String dataset, IntervalKey key, String url, byte[] body) {
    RawPayload p = RawPayload.of(key, 0, url, "application/octet-stream", 200, body, MisoTestSupport.FETCHED_AT);
    return MisoTestSupport.dataset(dataset, null).parse(p);
  }

  /** Cell {@code he} (1..24) of the row starting with {@code prefix}, as MISO wrote it. */
  private static double cell(List<String> lines, String prefix, int he) {
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> Double.parseDouble(l.split(",")[2 + he])).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + prefix));
  }

  @Test
  void theDayAheadExPostExcerptIsThreeHubsTimes24HoursWithEnergyTheLmpLessItsComponents() throws Exception {
    Path f = sample("da_expost_lmp_20260714_3hubs_EXCERPT.csv");
    byte[] body = Files.readAllBytes(f);
    List<String> lines = Files.readAllLines(f);
    List<CanonicalRecord> rows = parse("lmp_da_expost_hourly", day("lmp_da_expost_hourly", "2026-07-14"),
        MisoTestSupport.REPORTS + "20260714_da_expost_lmp.csv", body);
    assertEquals(72, rows.size());
    Map<String, List<PriceRecord>> byHub = rows.stream().map(r -> (PriceRecord) r)
        .collect(Collectors.groupingBy(PriceRecord::locationId, TreeMap::new, Collectors.toList()));
    assertEquals(List.of("ILLINOIS.HUB", "INDIANA.HUB", "MICHIGAN.HUB"), List.copyOf(byHub.keySet()));
    for (Map.Entry<String, List<PriceRecord>> e : byHub.entrySet()) {
      TreeSet<Instant> hours = e.getValue().stream().map(PriceRecord::intervalStart).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(24, hours.size(), e.getKey());
      assertEquals(Instant.parse("2026-07-14T05:00:00Z"), hours.first());
      assertEquals(Instant.parse("2026-07-15T04:00:00Z"), hours.last());
      for (PriceRecord r : e.getValue()) {
        int he = (int) java.time.Duration.between(Instant.parse("2026-07-14T05:00:00Z"), r.intervalStart()).toHours() + 1;
        double lmp = cell(lines, e.getKey() + ",Hub,LMP,", he);
        double mcc = cell(lines, e.getKey() + ",Hub,MCC,", he);
        double mlc = cell(lines, e.getKey() + ",Hub,MLC,", he);
        String what = e.getKey() + " HE " + he;
        assertEquals(lmp, r.price(), 1e-9, what);
        assertEquals(mcc, r.congestion(), 1e-9, what);
        assertEquals(mlc, r.loss(), 1e-9, what);
        assertEquals(lmp - mcc - mlc, r.energy(), 1e-6, what);
        assertEquals("hub", r.locationType(), what);
        assertEquals("DA", r.marketRun(), what);
        assertEquals(r.intervalStart().plusSeconds(3600), r.intervalEnd(), what);
      }
    }
    // numbers without a leading zero: ILLINOIS.HUB MCC HE 2 is '.92', HE 11 '-.94'
    PriceRecord he2 = byHub.get("ILLINOIS.HUB").stream().filter(r -> r.intervalStart().equals(Instant.parse("2026-07-14T06:00:00Z")))
        .findFirst().orElseThrow();
    assertEquals(0.92, he2.congestion(), 1e-12);
    assertEquals(28.52 - 0.92 + 0.03, he2.energy(), 1e-6);
    PriceRecord he11 = byHub.get("ILLINOIS.HUB").stream().filter(r -> r.intervalStart().equals(Instant.parse("2026-07-14T15:00:00Z")))
        .findFirst().orElseThrow();
    assertEquals(-0.94, he11.congestion(), 1e-12);
  }

  @Test
  void exAnteRowsWithoutTheirPreambleStillParseToLmpsWithoutComponents() throws Exception {
    byte[] body = Files.readAllBytes(sample("UNVERIFIED_da_exante_lmp_rows_no_preamble.csv"));
    List<CanonicalRecord> rows = parse("lmp_da_exante_hourly", day("lmp_da_exante_hourly", "2024-06-01"),
        MisoTestSupport.REPORTS + "20240601_da_exante_lmp.csv", body);
    assertEquals(72, rows.size());
    Map<String, String> types = new TreeMap<>();
    for (CanonicalRecord r : rows) {
      PriceRecord p = (PriceRecord) r;
      types.put(p.locationId(), p.locationType());
      assertNull(p.energy(), "no MCC or MLC rows: no components");
      assertNull(p.congestion());
    }
    assertEquals(Map.of("AECI", "interface", "AECI.ALTW", "zone", "AECI.AMMO", "zone"), types);
  }

  @Test
  void everyFuelCategoryOfTheFuelMixJsonIsAKnownFuel() throws Exception {
    byte[] body = Files.readAllBytes(sample("UNVERIFIED_getfuelmix_json_20251203.json"));
    IngestConfig c = IngestConfig.of(MisoTestSupport.env(null));
    NormalizationRules rules = NormalizationRules.load(c, ConnectorSpec.load(c, "miso"));
    com.fasterxml.jackson.databind.JsonNode types = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("Fuel").path("Type");
    assertTrue(types.size() > 0);
    for (com.fasterxml.jackson.databind.JsonNode t : types) {
      assertTrue(rules.knownFuel("miso", t.path("CATEGORY").asText()), t.path("CATEGORY").asText());
    }
    // one five-minute interval (12:55 EST, the data broker's time format): no complete hour, no row, no error
    List<CanonicalRecord> rows = parse("fuel_mix", day("fuel_mix", "2025-12-03"), MisoTestSupport.PUBLIC + "/api/FuelMix", body);
    assertEquals(List.of(), rows);
  }
}
