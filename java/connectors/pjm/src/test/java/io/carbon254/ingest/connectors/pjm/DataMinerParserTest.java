package io.carbon254.ingest.connectors.pjm;

import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.FETCHED_AT;
import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.key;
import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Data Miner pages to canonical rows: the DST days, superseded versions, unordered items and bad input. */
class DataMinerParserTest {
  static final IntervalKey DA_FALL = key("lmp_da_hourly", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z");
  static final IntervalKey DA_SPRING = key("lmp_da_hourly", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z");

  private static List<CanonicalRecord> parse(IntervalKey k, String feed, String fixture) {
    return PjmTestSupport.dataset(k.dataset(), null).parse(payload(k, feed, fixture));
  }

  private static Map<String, Long> hoursPerSubject(List<CanonicalRecord> rows) {
    return rows.stream().collect(Collectors.groupingBy(CanonicalRecord::subject, TreeMap::new,
        Collectors.mapping(CanonicalRecord::intervalStart, Collectors.collectingAndThen(Collectors.toSet(), s -> (long) s.size()))));
  }

  @Test
  void theFallBackDayHas25HoursPerPnodeKeyedOnUtcAndTheSpringDay23() {
    List<CanonicalRecord> fall = parse(DA_FALL, "da_hrl_lmps", "da_hrl_lmps_20241103.json");
    assertEquals(Map.of("1", 25L, "2156111970", 25L, "51288", 25L), hoursPerSubject(fall));
    assertEquals(75, fall.size(), "one row per pnode and hour: the superseded version is skipped");
    // both 01:00 EPT hours, told apart by their UTC field
    assertTrue(fall.stream().anyMatch(r -> r.intervalStart().equals(Instant.parse("2024-11-03T05:00:00Z"))));
    assertTrue(fall.stream().anyMatch(r -> r.intervalStart().equals(Instant.parse("2024-11-03T06:00:00Z"))));
    List<CanonicalRecord> spring = parse(DA_SPRING, "da_hrl_lmps", "da_hrl_lmps_20240310.json");
    assertEquals(Map.of("1", 23L, "2156111970", 23L, "51288", 23L), hoursPerSubject(spring));
  }

  @Test
  void pricesCarryTheComponentsTheTypeAndTheVersionNumber() throws Exception {
    List<CanonicalRecord> fall = parse(DA_FALL, "da_hrl_lmps", "da_hrl_lmps_20241103.json");
    PriceRecord hub = (PriceRecord) fall.stream()
        .filter(r -> r.subject().equals("51288") && r.intervalStart().equals(Instant.parse("2024-11-03T07:00:00Z"))).findFirst().orElseThrow();
    assertEquals("WESTERN HUB", hub.locationName());
    assertEquals("hub", hub.locationType());
    assertEquals("DAM", hub.marketRun());
    assertEquals(Instant.parse("2024-11-03T08:00:00Z"), hub.intervalEnd());
    // 02:00 EST is the fourth hour: the fixture corrects it (version 2, +1.5) and keeps version 1 as not current
    assertEquals(hub.energy() + hub.congestion() + hub.loss(), hub.price(), 1e-6);
    // the superseded version 1 of that hour is in the page too: its total is 1.5 lower, and it is not what was kept
    double superseded = 0;
    for (var item : new com.fasterxml.jackson.databind.ObjectMapper().readTree(PjmTestSupport.resource("da_hrl_lmps_20241103.json"))
        .get("items")) {
      if (item.get("pnode_id").asText().equals("51288") && item.get("datetime_beginning_utc").asText().equals("2024-11-03T07:00:00")
          && !item.get("row_is_current").asBoolean()) {
        superseded = item.get("total_lmp_da").asDouble();
      }
    }
    assertEquals(superseded + 1.5, hub.price(), 1e-6);
    assertEquals(2 * DataMinerParser.STEP + FETCHED_AT.toEpochMilli(), hub.version());
    PriceRecord zone = (PriceRecord) fall.stream().filter(r -> r.subject().equals("1")).findFirst().orElseThrow();
    assertEquals("zone", zone.locationType());
    PriceRecord gen = (PriceRecord) fall.stream().filter(r -> r.subject().equals("2156111970")).findFirst().orElseThrow();
    assertEquals("node", gen.locationType());
    assertEquals(DataMinerParser.STEP + FETCHED_AT.toEpochMilli(), gen.version());
  }

  @Test
  void unverifiedFiveMinutePricesHaveALowerVersionThanAnyVerifiedOne() {
    IntervalKey k = key("lmp_rt_5min", "2024-11-03T05:00:00Z", "2024-11-03T06:00:00Z");
    List<CanonicalRecord> rows = PjmTestSupport.dataset("lmp_rt_5min", null)
        .parse(payload(k, "rt_unverified_fivemin_lmps", "rt_unverified_fivemin_lmps_20241103_0500Z-0600Z.json"));
    assertEquals(24, rows.size());
    // below STEP: any verified row (version_nbr >= 1) of the same interval replaces it, whenever either was fetched
    assertTrue(rows.stream().allMatch(r -> r.version() < DataMinerParser.STEP));
    assertTrue(rows.stream().allMatch(r -> r.version() == FETCHED_AT.toEpochMilli()));
  }

  @Test
  void loadIsByLoadAreaWithVerifiedAboveUnverified() {
    List<CanonicalRecord> fall = parse(key("load_actual", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z"), "hrl_load_metered",
        "hrl_load_metered_20241103.json");
    assertEquals(Map.of("PE", 25L, "RTO", 25L), hoursPerSubject(fall));
    assertTrue(fall.stream().allMatch(r -> r.version() == FETCHED_AT.toEpochMilli()), "not verified: version_nbr 0");
    List<CanonicalRecord> spring = parse(key("load_actual", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"), "hrl_load_metered",
        "hrl_load_metered_20240310.json");
    assertTrue(spring.stream().allMatch(r -> r.version() == DataMinerParser.STEP + FETCHED_AT.toEpochMilli()), "verified");
    assertEquals("ACTUAL", ((LoadRecord) spring.get(0)).marketRun());
  }

  @Test
  void theForecastKeepsTheLatestEvaluationPerAreaAndHour() {
    List<CanonicalRecord> rows = parse(key("load_forecast", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z"), "load_frcstd_7_day",
        "load_frcstd_7_day_20241103.json");
    assertEquals(Map.of("AEP", 25L, "RTO_COMBINED", 25L), hoursPerSubject(rows));
    assertEquals(50, rows.size(), "one row per area and hour although early hours carry two evaluations");
    Instant newest = Instant.parse("2024-11-02T22:00:00Z");
    for (CanonicalRecord r : rows) {
      LoadRecord l = (LoadRecord) r;
      assertEquals(newest, l.provenance().publishedAt(), "the later evaluation wins");
      assertEquals("7DAY", l.marketRun());
    }
  }

  @Test
  void fuelsAreCanonicalNames() {
    List<CanonicalRecord> rows = parse(key("fuel_mix", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"), "gen_by_fuel",
        "gen_by_fuel_20240310.json");
    assertEquals(69, rows.size());
    assertEquals(java.util.Set.of("natural_gas", "nuclear", "solar"),
        rows.stream().map(r -> ((FuelMixRecord) r).fuel()).collect(Collectors.toSet()));
  }

  private static PayloadRejectedException reject(String body) {
    return assertThrows(PayloadRejectedException.class, () -> PjmTestSupport.dataset("lmp_da_hourly", null)
        .parse(PjmTestSupport.payload(DA_FALL, "da_hrl_lmps", body.getBytes(StandardCharsets.UTF_8), FETCHED_AT)));
  }

  @Test
  void badInputIsRejectedNamingItemAndField() {
    String ok = "\"datetime_beginning_utc\":\"2024-11-03T05:00:00\",\"pnode_id\":1,\"row_is_current\":true,\"version_nbr\":1";
    assertTrue(reject("{\"items\":[{" + ok + "}],\"totalRows\":1}").getMessage().contains("item 1, field total_lmp_da: missing"));
    assertTrue(reject("{\"items\":[{" + ok + ",\"total_lmp_da\":\"n/a\"}],\"totalRows\":1}").getMessage()
        .contains("field total_lmp_da: not a number: 'n/a'"));
    assertTrue(reject("{\"items\":[{\"datetime_beginning_utc\":\"11/3/2024 5:00:00 AM\",\"pnode_id\":1,\"total_lmp_da\":1}],"
        + "\"totalRows\":1}").getMessage().contains("field datetime_beginning_utc: not a datetime"));
    assertTrue(reject("<html>Service Unavailable</html>").getMessage().contains("not a Data Miner JSON page"));
    assertTrue(reject("{\"totalRows\":3}").getMessage().contains("no 'items' array"));
    assertTrue(reject("{\"items\":[{" + ok.replace("\"version_nbr\":1", "\"version_nbr\":-1") + ",\"total_lmp_da\":1}]}")
        .getMessage().contains("field version_nbr: not a version number"));
    PayloadRejectedException other = assertThrows(PayloadRejectedException.class, () -> PjmTestSupport.dataset("lmp_da_hourly", null)
        .parse(payload(DA_FALL, "rt_hrl_lmps", "rt_hrl_lmps_20241103.json")));
    assertTrue(other.getMessage().contains("payload of feed 'rt_hrl_lmps'"), other.getMessage());
  }

  @Test
  void aNullComponentStaysNull() {
    String item = "{\"datetime_beginning_utc\":\"2024-11-03T05:00:00\",\"pnode_id\":1,\"pnode_name\":\"PJM-RTO\",\"type\":\"ZONE\","
        + "\"system_energy_price_da\":null,\"total_lmp_da\":42.5,\"congestion_price_da\":\"\",\"marginal_loss_price_da\":0.5,"
        + "\"row_is_current\":\"True\",\"version_nbr\":\"1\"}";
    List<CanonicalRecord> rows = PjmTestSupport.dataset("lmp_da_hourly", null).parse(PjmTestSupport.payload(DA_FALL, "da_hrl_lmps",
        ("{\"items\":[" + item + "],\"totalRows\":1}").getBytes(StandardCharsets.UTF_8), FETCHED_AT));
    PriceRecord p = (PriceRecord) rows.get(0);
    assertEquals(42.5, p.price());
    assertNull(p.energy());
    assertNull(p.congestion());
    assertEquals(0.5, p.loss());
  }
}
