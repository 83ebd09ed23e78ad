package io.carbon254.ingest.connectors.pjm;

import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.JsonStream;
import io.carbon254.ingest.connectors.common.Paging;
import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Recorded Data Miner 2 answers (kept outside the repository, beside it under
 * shared/iso-samples/pjm/; skipped when absent). The CSV exports carry the feeds' own field names
 * and values; each one's rows of a local day are turned into the JSON page the API answers with
 * (the same fields, Data Miner's ISO datetimes) and parsed: the spring-forward day gives 23 hourly
 * rows, the fall-back day 25 (two of them at 01:00 EPT), every price as recorded. The recorded JSON
 * envelopes parse item by item to their totalRows.
 */
class PjmSamplesConformanceTest {
  static final ZoneId EPT = ZoneId.of("America/New_York");
  static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("M/d/yyyy h:mm:ss a", Locale.US);
  static final ObjectMapper JSON = new ObjectMapper();

  private static Path sample(String name) {
    Path dir = ConnectorContract.repoRoot().resolve("../shared/iso-samples/pjm").normalize();
    Assumptions.assumeTrue(Files.isDirectory(dir), "recorded PJM samples not present at " + dir);
    Path p = dir.resolve(name);
    Assumptions.assumeTrue(Files.isRegularFile(p), "missing sample " + name);
    return p;
  }

  /** The CSV export's rows whose EPT date is {@code day} (all rows when null), as a Data Miner JSON page. */
  static byte[] page(Path csv, LocalDate day) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode items = root.putArray("items");
    try (CsvReader r = new CsvReader(Files.newInputStream(csv))) {
      List<String> header = r.header();
      while (r.next()) {
        ObjectNode item = JSON.createObjectNode();
        for (int i = 0; i < header.size(); i++) {
          String name = header.get(i);
          String v = r.isBlank(i) ? null : r.get(i);
          if (v == null) {
            item.putNull(name);
          } else if (name.startsWith("datetime_")) {
            item.put(name, LocalDateTime.parse(v, CSV_TIME).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
          } else if (v.equals("True") || v.equals("False")) {
            item.put(name, Boolean.parseBoolean(v));
          } else if (v.matches("-?\\d+(\\.\\d+)?") && !name.equals("pnode_name")) {
            item.put(name, new java.math.BigDecimal(v));
          } else {
            item.put(name, v);
          }
        }
        if (day == null || LocalDateTime.parse(item.get("datetime_beginning_ept").asText()).toLocalDate().equals(day)) {
          items.add(item);
        }
      }
    }
    root.put("totalRows", items.size());
    return JSON.writeValueAsBytes(root);
  }

  private static IntervalKey localDay(String dataset, LocalDate day) {
    return key(dataset, day.atStartOfDay(EPT).toInstant().toString(), day.plusDays(1).atStartOfDay(EPT).toInstant().toString());
  }

  private static List<CanonicalRecord> parseDay(String dataset, String feed, String file, LocalDate day) throws Exception {
    IntervalKey k = localDay(dataset, day);
    return PjmTestSupport.dataset(dataset, null).parse(PjmTestSupport.payload(k, feed, page(sample(file), day), PjmTestSupport.FETCHED_AT));
  }

  private static Set<Instant> starts(List<CanonicalRecord> rows) {
    return rows.stream().map(CanonicalRecord::intervalStart).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theDayAheadExportsGive23And25HoursAtTheirRecordedPrices() throws Exception {
    List<CanonicalRecord> spring = parseDay("lmp_da_hourly", "da_hrl_lmps", "dm2_csv_da_hrl_lmps_PJM-RTO_2025-03-08_to_03-10_DST_start.csv",
        LocalDate.of(2025, 3, 9));
    assertEquals(23, spring.size());
    assertEquals(23, starts(spring).size());
    List<CanonicalRecord> fall = parseDay("lmp_da_hourly", "da_hrl_lmps", "dm2_csv_da_hrl_lmps_PJM-RTO_2025-11-01_to_11-03_DST_end.csv",
        LocalDate.of(2025, 11, 2));
    assertEquals(25, fall.size());
    assertEquals(25, starts(fall).size(), "the two 01:00 EPT rows are two UTC hours");
    Map<Instant, Double> prices = new HashMap<>();
    fall.forEach(r -> prices.put(r.intervalStart(), ((PriceRecord) r).price()));
    assertEquals(43.002483, prices.get(Instant.parse("2025-11-02T05:00:00Z")), 1e-9);
    assertEquals(39.234239, prices.get(Instant.parse("2025-11-02T06:00:00Z")), 1e-9);
    PriceRecord p = (PriceRecord) fall.get(0);
    assertEquals("1", p.locationId());
    assertEquals("PJM-RTO", p.locationName());
    assertEquals("zone", p.locationType());
    assertEquals(p.price(), p.energy() + p.congestion() + p.loss(), 0.01, "system energy + congestion + loss = total LMP");
  }

  @Test
  void theMeteredLoadExportsGive23And25Hours() throws Exception {
    assertEquals(23, starts(parseDay("load_actual", "hrl_load_metered", "dm2_csv_hrl_load_metered_RTO_2025-03-08_to_03-10_DST_start.csv",
        LocalDate.of(2025, 3, 9))).size());
    List<CanonicalRecord> fall = parseDay("load_actual", "hrl_load_metered", "dm2_csv_hrl_load_metered_RTO_2025-11-01_to_11-03_DST_end.csv",
        LocalDate.of(2025, 11, 2));
    assertEquals(25, fall.size());
    assertEquals(25, starts(fall).size());
    assertEquals(Set.of("RTO"), fall.stream().map(CanonicalRecord::subject).collect(Collectors.toSet()));
  }

  @Test
  void theRealTimeExportsParseWithTheirHubsAndFiveMinuteIntervals() throws Exception {
    Path hubs = sample("dm2_csv_rt_hrl_lmps_hubs_2025-05-01_to_05-02.csv");
    IntervalKey two = key("lmp_rt_hourly", "2025-05-01T04:00:00Z", "2025-05-03T04:00:00Z");
    List<CanonicalRecord> rt = PjmTestSupport.dataset("lmp_rt_hourly", null)
        .parse(PjmTestSupport.payload(two, "rt_hrl_lmps", page(hubs, null), PjmTestSupport.FETCHED_AT));
    assertEquals(576, rt.size());
    assertEquals(12, rt.stream().map(CanonicalRecord::subject).distinct().count());
    assertTrue(rt.stream().allMatch(r -> ((PriceRecord) r).locationType().equals("hub")));
    assertTrue(rt.stream().anyMatch(r -> ((PriceRecord) r).locationName().equals("AEP-DAYTON HUB")));
    Path five = sample("dm2_csv_rt_fivemin_hrl_lmps_PJM-RTO_2025-09-01_first2h_EXCERPT.csv");
    IntervalKey hours = key("lmp_rt_5min", "2025-09-01T04:00:00Z", "2025-09-01T06:00:00Z");
    List<CanonicalRecord> fm = PjmTestSupport.dataset("lmp_rt_5min", null)
        .parse(PjmTestSupport.payload(hours, "rt_fivemin_hrl_lmps", page(five, null), PjmTestSupport.FETCHED_AT));
    assertEquals(24, fm.size());
    assertEquals(24, starts(fm).size());
    assertEquals(Instant.parse("2025-09-01T04:05:00Z"), fm.get(0).intervalEnd());
  }

  @Test
  void theRecordedJsonEnvelopesParseItemByItemToTheirTotalRows() throws Exception {
    for (String f : List.of("dm2_da_marginal_value_2023-11-05_to_11-07_DST_end.json", "dm2_rt_marginal_value_2023-11-05_to_11-07_DST_end.json",
        "dm2_da_transconstraints_2023-11-05_to_11-07_DST_end.json")) {
      byte[] body = Files.readAllBytes(sample(f));
      HttpResult page = new HttpResult("https://api.pjm.com/api/v1/x", 200, "application/json", body, Instant.now(), 1);
      long total = Paging.Total.jsonField("totalRows").of(page).orElseThrow();
      Set<Instant> utc = new TreeSet<>();
      long n = JsonStream.forEachItem(new ByteArrayInputStream(body), "items",
          item -> utc.add(LocalDateTime.parse(item.get("datetime_beginning_utc").asText()).toInstant(ZoneOffset.UTC)));
      assertEquals(total, n, f);
      assertFalse(utc.isEmpty(), f);
      assertTrue(JsonStream.topLevel(body, "searchSpecification").isPresent(), f);
      assertTrue(JsonStream.topLevel(body, "links").orElseThrow().isArray(), f);
      // requested as datetime_beginning_ept=11/05/2023 00:00to11/07/2023 00:00: every row inside that range, its end included
      assertFalse(((TreeSet<Instant>) utc).first().isBefore(Instant.parse("2023-11-05T04:00:00Z")), f);
      assertFalse(((TreeSet<Instant>) utc).last().isAfter(Instant.parse("2023-11-07T05:00:00Z")), f);
    }
    Set<Instant> da = new TreeSet<>();
    JsonStream.forEachItem(Files.newInputStream(sample("dm2_da_marginal_value_2023-11-05_to_11-07_DST_end.json")), "items",
        item -> da.add(LocalDateTime.parse(item.get("datetime_beginning_utc").asText()).toInstant(ZoneOffset.UTC)));
    assertTrue(da.contains(Instant.parse("2023-11-05T05:00:00Z")) && da.contains(Instant.parse("2023-11-05T06:00:00Z")),
        "both 01:00 EPT hours of the fall-back day, as two UTC hours");
    assertEquals(Instant.parse("2023-11-07T05:00:00Z"), ((TreeSet<Instant>) da).last(),
        "the range's end (11/07/2023 00:00 EST) is included: why a window asks up to its last interval's beginning");
  }
}
