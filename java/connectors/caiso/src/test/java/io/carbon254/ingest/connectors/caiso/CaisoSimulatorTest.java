package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.connectors.common.HttpPolicy;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every CAISO dataset of the fall-back day fetched and parsed through the real connector against the simulator. */
class CaisoSimulatorTest {
  static final Instant PUBLISHED_UNTIL = Instant.parse("2024-11-05T00:00:00Z");
  static final String DAY_START = "2024-11-03T07:00:00Z";
  static final String DAY_END = "2024-11-04T08:00:00Z";

  private static CaisoSimulator sim;

  @BeforeAll
  static void startSimulator() {
    sim = CaisoSimulator.start(new SimulatorOptions(0, 2, PUBLISHED_UNTIL));
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private static Dataset dataset(String id) {
    return CaisoTestSupport.dataset(id, sim.baseUrl(), Duration.ZERO);
  }

  private static List<CanonicalRecord> fetchAndParse(Dataset ds, IntervalKey k) {
    List<CanonicalRecord> out = new ArrayList<>();
    for (RawPayload p : ds.fetch(k)) {
      out.addAll(ds.parse(p));
    }
    return out;
  }

  private static Map<String, Set<Instant>> startsByNode(List<PriceRecord> records) {
    return records.stream().collect(Collectors.groupingBy(PriceRecord::locationId, TreeMap::new,
        Collectors.mapping(PriceRecord::intervalStart, Collectors.toSet())));
  }

  private static void assertPricesCoverTheDay(String dataset, Duration step, int intervals) {
    IntervalKey k = key(dataset, DAY_START, DAY_END);
    List<PriceRecord> records = CaisoTestSupport.as(PriceRecord.class, fetchAndParse(dataset(dataset), k));
    Map<String, Set<Instant>> byNode = startsByNode(records);
    assertEquals(Set.copyOf(sim.nodes()), byNode.keySet());
    assertEquals(9, byNode.size(), "3 hubs, 4 DLAPs and 2 nodes");
    for (Map.Entry<String, Set<Instant>> e : byNode.entrySet()) {
      assertEquals(intervals, e.getValue().size(), e.getKey());
      assertEquals(Instant.parse(DAY_START), Collections.min(e.getValue()));
      assertEquals(Instant.parse(DAY_END).minus(step), Collections.max(e.getValue()));
    }
    assertEquals(records.size(), records.stream().map(PriceRecord::naturalKey).distinct().count(), "natural keys are unique");
    assertTrue(records.stream().allMatch(r -> k.window().contains(r.intervalStart())));
    assertTrue(records.stream().allMatch(r -> Duration.between(r.intervalStart(), r.intervalEnd()).equals(step)));
    assertTrue(records.stream().allMatch(r -> Math.abs(r.price() - (r.energy() + r.congestion() + r.loss() + r.ghg())) < 1e-6),
        "components fold into the LMP");
    Map<String, String> types = new TreeMap<>();
    records.forEach(r -> types.put(r.locationId(), r.locationType()));
    assertEquals("hub", types.get("TH_SP15_GEN-APND"));
    assertEquals("zone", types.get("DLAP_PGAE-APND"));
  }

  @Test
  void dayAheadHas25HoursPerNode() {
    assertPricesCoverTheDay("lmp_da_hourly", Duration.ofHours(1), 25);
  }

  @Test
  void realTimeHas300FiveMinuteIntervalsPerNode() {
    assertPricesCoverTheDay("lmp_rt_5min", Duration.ofMinutes(5), 300);
  }

  @Test
  void fifteenMinuteHas100IntervalsPerNode() {
    assertPricesCoverTheDay("lmp_rt_15min", Duration.ofMinutes(15), 100);
  }

  @Test
  void loadActualAndForecastCoverTheDay() {
    List<LoadRecord> actual = CaisoTestSupport.as(LoadRecord.class,
        fetchAndParse(dataset("load_actual"), key("load_actual", DAY_START, DAY_END)));
    Map<String, Long> perArea = actual.stream().collect(Collectors.groupingBy(LoadRecord::area, Collectors.counting()));
    assertEquals(26, perArea.size());
    assertTrue(perArea.values().stream().allMatch(n -> n == 25), perArea.toString());
    assertTrue(actual.stream().allMatch(r -> r.marketRun().equals("ACTUAL")));

    List<LoadRecord> forecast = CaisoTestSupport.as(LoadRecord.class,
        fetchAndParse(dataset("load_forecast"), key("load_forecast", DAY_START, DAY_END)));
    Map<String, Long> perRun = forecast.stream().filter(r -> r.area().equals("CA ISO-TAC"))
        .collect(Collectors.groupingBy(LoadRecord::marketRun, TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("DAM", 25L, "2DA", 25L, "7DA", 25L, "RTD", 300L, "RTPD", 100L), perRun);
    assertEquals(forecast.size(), forecast.stream().map(LoadRecord::naturalKey).distinct().count());
  }

  @Test
  void fuelMixHas300Intervals() {
    List<FuelMixRecord> records = CaisoTestSupport.as(FuelMixRecord.class,
        fetchAndParse(dataset("fuel_mix"), key("fuel_mix", DAY_START, DAY_END)));
    assertEquals(300 * 13, records.size());
    List<Instant> starts = records.stream().map(FuelMixRecord::intervalStart).distinct().sorted().toList();
    assertEquals(300, starts.size());
    assertEquals(Instant.parse(DAY_START), starts.get(0));
    assertEquals(Instant.parse("2024-11-04T07:55:00Z"), starts.get(299));
  }

  @Test
  void fuelMixOfThePublishingDayStopsAtPublishedUntil() {
    // November 4 runs 08:00Z..08:00Z; only intervals ending by 2024-11-05T00:00Z have values (16 h = 192 rows).
    List<FuelMixRecord> records = CaisoTestSupport.as(FuelMixRecord.class,
        fetchAndParse(dataset("fuel_mix"), key("fuel_mix", "2024-11-04T08:00:00Z", "2024-11-05T08:00:00Z")));
    assertEquals(192 * 13, records.size());
    assertTrue(records.stream().allMatch(r -> !r.intervalEnd().isAfter(PUBLISHED_UNTIL)));
  }

  @Test
  void aWindowAfterPublishedUntilIsNotPublished() {
    NotPublishedException e = assertThrows(NotPublishedException.class,
        () -> dataset("lmp_rt_5min").fetch(key("lmp_rt_5min", "2024-11-05T00:00:00Z", "2024-11-05T01:00:00Z")));
    assertTrue(e.getMessage().contains("ERR_CODE 1000"), e.getMessage());
    assertThrows(NotPublishedException.class,
        () -> dataset("fuel_mix").fetch(key("fuel_mix", "2024-11-05T08:00:00Z", "2024-11-06T08:00:00Z")));
  }

  @Test
  void payloadsAreDeterministic() {
    IntervalKey k = key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z");
    long before = sim.requests();
    List<RawPayload> a = dataset("lmp_rt_5min").fetch(k);
    List<RawPayload> b = dataset("lmp_rt_5min").fetch(k);
    assertEquals(before + 2, sim.requests());
    assertArrayEquals(a.get(0).body(), b.get(0).body());
    assertEquals(a.get(0).payloadId(), b.get(0).payloadId());
    assertEquals(a.get(0).sha256(), b.get(0).sha256());
  }

  @Test
  void enforcedSpacingAnswers429AndTheConnectorRetries() {
    try (CaisoSimulator strict = CaisoSimulator.start(new SimulatorOptions(0, 1, PUBLISHED_UNTIL), Duration.ofSeconds(1))) {
      List<String> log = Collections.synchronizedList(new ArrayList<>());
      // The simulator restarts its clock on every request, throttled or not, so the retry must wait over 1 s.
      HttpPolicy patient = HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(1_400), Duration.ofMillis(2_000));
      Dataset ds = CaisoTestSupport.dataset("lmp_rt_5min", strict.baseUrl(), Duration.ZERO, patient, log::add);
      List<RawPayload> payloads = ds.fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z"));
      assertEquals(2, payloads.size());
      assertEquals(3, strict.requests(), "part 1, part 2 throttled, part 2 again");
      assertEquals(1, log.size());
      assertTrue(log.get(0).contains("HTTP 429") && log.get(0).contains("CAISO Acceptable Use Policy Violation"), log.get(0));
      assertEquals(8 * 12, ds.parse(payloads.get(1)).size(), "one node, a hub and DLAP list: 8 locations x 12 intervals");
    }
  }

  @Test
  void unknownPathsAre404() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/oasisapi/GroupZip")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode());
  }
}
