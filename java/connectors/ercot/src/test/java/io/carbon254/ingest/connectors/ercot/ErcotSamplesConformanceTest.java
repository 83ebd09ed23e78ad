package io.carbon254.ingest.connectors.ercot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.Paging;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Recorded ERCOT files (kept outside the repository, beside it under shared/iso-samples/ercot/;
 * each test is skipped when its file is absent): the MIS zips of actual and forecast load by weather
 * zone, an excerpt of one SCED run's LMPs, a real archive listing, and the 2-Day AS Disclosure zip of
 * the 2024 fall-back day whose reports number the hours 1..25 without a DST flag.
 */
class ErcotSamplesConformanceTest {
  static final Instant FETCHED_AT = Instant.parse("2026-07-01T12:00:00Z");
  static final String MIS_URL = "https://www.ercot.com/misdownload/servlets/mirDownload?doclookupId=";
  static final Set<String> AREAS = Set.of("COAST", "EAST", "FAR_WEST", "NORTH", "NORTH_C", "SOUTHERN", "SOUTH_C", "WEST", "ERCOT");

  private static Path sample(String name) {
    Path dir = ConnectorContract.repoRoot().resolve("../shared/iso-samples/ercot").normalize();
    Assumptions.assumeTrue(Files.isDirectory(dir), "recorded ERCOT samples not present at " + dir);
    Path p = dir.resolve(name);
    Assumptions.assumeTrue(Files.isRegularFile(p), "missing sample " + name);
    return p;
  }

  private static Dataset dataset(String id) {
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", ConnectorContract.repoRoot().resolve("connectors").toString());
    env.put("INGEST_ERCOT_REQUEST_SPACING", "0ms");
    IngestConfig cfg = IngestConfig.of(env);
    return new ErcotConnector().dataset(id, new ConnectorContext(ConnectorSpec.load(cfg, "ercot"), cfg, Clock.systemUTC()));
  }

  private static IntervalKey key(String dataset, String start, String end) {
    return new IntervalKey("ercot", dataset, new IntervalWindow(Instant.parse(start), Instant.parse(end)));
  }

  private static RawPayload payload(IntervalKey key, long docId, String contentType, byte[] body) {
    return RawPayload.of(key, 0, MIS_URL + docId, contentType, 200, body, FETCHED_AT);
  }

  /** area|start -> MW. */
  private static Map<String, Double> byAreaAndStart(List<CanonicalRecord> rows) {
    Map<String, Double> m = new HashMap<>();
    for (CanonicalRecord r : rows) {
      LoadRecord l = (LoadRecord) r;
      assertEquals(null, m.put(l.area() + "|" + l.intervalStart(), l.mw()), "one row per area and hour: " + l);
    }
    return m;
  }

  private static Set<Instant> starts(List<CanonicalRecord> rows) {
    return rows.stream().map(CanonicalRecord::intervalStart).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theActualLoadZipGives24HoursOfNineAreasAtTheirRecordedValues() throws Exception {
    byte[] zip = Files.readAllBytes(sample("mis_NP6-345-CD_ACTUALSYSLOADWZNP6345_20231118.zip"));
    // operating day 2023-11-17, CST: 06:00Z .. 06:00Z
    IntervalKey day = key("load_actual", "2023-11-17T06:00:00Z", "2023-11-18T06:00:00Z");
    List<CanonicalRecord> rows = dataset("load_actual").parse(payload(day, 1, "application/zip", zip));
    assertEquals(24 * 9, rows.size());
    Set<Instant> starts = starts(rows);
    assertEquals(24, starts.size());
    assertEquals(Instant.parse("2023-11-17T06:00:00Z"), ((TreeSet<Instant>) starts).first(), "HourEnding 01:00 starts at local midnight");
    assertEquals(Instant.parse("2023-11-18T05:00:00Z"), ((TreeSet<Instant>) starts).last(), "HourEnding 24:00 starts at 23:00 CST");
    assertEquals(AREAS, rows.stream().map(CanonicalRecord::subject).collect(Collectors.toSet()), "TOTAL is the area ERCOT");
    LoadRecord first = (LoadRecord) rows.stream()
        .filter(r -> r.subject().equals("COAST") && r.intervalStart().equals(Instant.parse("2023-11-17T06:00:00Z"))).findFirst().orElseThrow();
    assertEquals(10135.49, first.mw(), 1e-9);
    assertEquals(Instant.parse("2023-11-17T07:00:00Z"), first.intervalEnd());
    assertEquals("MW", first.unit());
    assertEquals(1, first.version(), "the document id of the payload's URL");
    // cdr.00013101.0000000000000000.20231118.055000.ACTUALSYSLOADWZNP6345.csv: 05:50:00 CST
    assertEquals(Instant.parse("2023-11-18T11:50:00Z"), first.provenance().publishedAt());
    Map<String, Double> mw = byAreaAndStart(rows);
    assertEquals(38647.60, mw.get("ERCOT|2023-11-17T06:00:00Z"), 1e-9);
    assertEquals(10822.67, mw.get("COAST|2023-11-18T05:00:00Z"), 1e-9);
    assertEquals(40783.49, mw.get("ERCOT|2023-11-18T05:00:00Z"), 1e-9);
  }

  @Test
  void theLoadForecastZipGivesOneDayWithItsZoneNamesMappedAndThePostingTimeOfItsEntryName() throws Exception {
    byte[] zip = Files.readAllBytes(sample("mis_NP3-561-CD_LFCWEATHERNP3561_20231119.zip"));
    // 2023-11-21 in Central time (CST), inside the forecast's 11/19 .. 11/26
    IntervalKey day = key("load_forecast", "2023-11-21T06:00:00Z", "2023-11-22T06:00:00Z");
    List<CanonicalRecord> rows = dataset("load_forecast").parse(payload(day, 2, "application/zip", zip));
    assertEquals(24 * 9, rows.size(), "a week of forecast, the window's day kept");
    assertEquals(24, starts(rows).size());
    assertTrue(rows.stream().allMatch(r -> day.window().contains(r.intervalStart())));
    assertEquals(AREAS, rows.stream().map(CanonicalRecord::subject).collect(Collectors.toSet()),
        "FarWest, NorthCentral, SouthCentral and SystemTotal under the zone ids of the actual load");
    // cdr.00012312.0000000000000000.20231119.233000.LFCWEATHERNP3561.csv: 23:30 CST
    Instant posted = Instant.parse("2023-11-20T05:30:00Z");
    assertTrue(rows.stream().allMatch(r -> posted.equals(((LoadRecord) r).provenance().publishedAt())), "published_at from the entry name");
    assertTrue(rows.stream().allMatch(r -> r.version() == 2));

    // every value as the CSV has it, under its mapped zone
    Map<String, String> zoneOf = new LinkedHashMap<>();
    zoneOf.put("Coast", "COAST");
    zoneOf.put("East", "EAST");
    zoneOf.put("FarWest", "FAR_WEST");
    zoneOf.put("North", "NORTH");
    zoneOf.put("NorthCentral", "NORTH_C");
    zoneOf.put("SouthCentral", "SOUTH_C");
    zoneOf.put("Southern", "SOUTHERN");
    zoneOf.put("West", "WEST");
    zoneOf.put("SystemTotal", "ERCOT");
    Map<String, Double> expected = new HashMap<>();
    String entry = SafeZip.entryNames(zip, SafeZip.Limits.defaults()).get(0);
    try (CsvReader csv = new CsvReader(SafeZip.open(zip, entry, SafeZip.Limits.defaults()))) {
      int date = csv.column("DeliveryDate");
      int he = csv.column("HourEnding");
      while (csv.next()) {
        if (!csv.get(date).strip().equals("11/21/2023")) {
          continue;
        }
        int h = ErcotClock.hourEnding(csv.get(he));
        Instant start = Instant.parse("2023-11-21T06:00:00Z").plus(Duration.ofHours(h - 1));
        for (Map.Entry<String, String> z : zoneOf.entrySet()) {
          expected.put(z.getValue() + "|" + start, Double.parseDouble(csv.get(csv.column(z.getKey())).strip()));
        }
      }
    }
    assertEquals(216, expected.size());
    Map<String, Double> actual = byAreaAndStart(rows);
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((k, v) -> assertEquals(v, actual.get(k), 1e-9, k));
  }

  @Test
  void theScedExcerptParsesIntoTheFiveMinutesOfItsRunWithPaddedLmpsAndTheDcTiesAsInterfaces() throws Exception {
    byte[] csv = Files.readAllBytes(sample("mis_NP6-788-CD_LMPSROSNODENP6788_20260625_004018_EXCERPT.csv"));
    // SCED run 06/25/2026 00:40:18 CDT = 05:40:18Z: the five minutes 05:40Z .. 05:45Z
    IntervalKey five = key("lmp_rt_sced", "2026-06-25T05:40:00Z", "2026-06-25T05:45:00Z");
    List<CanonicalRecord> rows = dataset("lmp_rt_sced").parse(payload(five, 3, "text/csv", csv));

    Map<String, Double> expected = new LinkedHashMap<>();
    try (CsvReader r = new CsvReader(new ByteArrayInputStream(csv))) {
      while (r.next()) {
        expected.put(r.get(r.column("SettlementPoint")).strip(), Double.parseDouble(r.get(r.column("LMP")).strip()));
      }
    }
    assertEquals(34, expected.size(), "30 rows and the four DC ties");
    assertEquals(expected.size(), rows.size());
    Map<String, PriceRecord> byPoint = new HashMap<>();
    for (CanonicalRecord c : rows) {
      PriceRecord p = (PriceRecord) c;
      assertEquals(null, byPoint.put(p.locationId(), p), "one row per settlement point");
      assertEquals(Instant.parse("2026-06-25T05:40:00Z"), p.intervalStart());
      assertEquals(Instant.parse("2026-06-25T05:45:00Z"), p.intervalEnd());
      assertEquals(Instant.parse("2026-06-25T05:40:18Z"), p.provenance().publishedAt(), "published_at is the SCED run's time");
      assertEquals("LMP", p.priceType());
      assertEquals("SCED", p.marketRun());
      assertEquals(3, p.version());
    }
    expected.forEach((point, lmp) -> assertEquals(lmp, byPoint.get(point).price(), 1e-9, point));
    assertEquals(27.04, byPoint.get("7RNCHSLR_ALL").price(), 1e-9, "'       27.04' read as a number");
    assertEquals(-38.25, byPoint.get("APPALOSA_ALL").price(), 1e-9);
    for (String tie : List.of("DC_E", "DC_L", "DC_N", "DC_R")) {
      assertEquals("interface", byPoint.get(tie).locationType(), tie);
    }
    assertEquals(24.44, byPoint.get("DC_R").price(), 1e-9);
    assertEquals("node", byPoint.get("7RNCHSLR_ALL").locationType());
    assertEquals(30, rows.stream().filter(r -> ((PriceRecord) r).locationType().equals("node")).count());
  }

  @Test
  void theRecordedArchiveListingParsesToItsDocumentAtItsCentralPostingTime() throws Exception {
    byte[] body = Files.readAllBytes(sample("api_archive_listing_np3-911-er_postdate_2024-11-05.json"));
    HttpResult page = new HttpResult("https://api.ercot.com/api/public-reports/archive/np3-911-er?postDatetimeFrom=2024-11-05T00:00:00"
        + "&postDatetimeTo=2024-11-06T00:00:00&page=1&size=1000", 200, "application/json", body, FETCHED_AT, 1);
    List<ErcotDocument> docs = ArchiveClient.parseListing(ErcotReport.LOAD_ACTUAL, page);
    assertEquals(1, docs.size());
    ErcotDocument d = docs.get(0);
    assertEquals(1049861718L, d.docId());
    assertEquals("2_Day_AS_Disclosure", d.friendlyName());
    assertEquals(Instant.parse("2024-11-05T09:16:10Z"), d.posted(), "postDatetime 2024-11-05T03:16:10.000 is CST");
    assertNull(d.nameTime(), "no time in the name");
    assertFalse(d.isXml());
    assertEquals(1L, Paging.Total.jsonField("_meta.totalPages").of(page).orElseThrow(), "the field the client pages to");
    assertEquals(1L, Paging.Count.jsonArray("archives").of(page));
  }

  @Test
  void theAsDisclosureReportsOfTheFallBackDayNumberTwentyFiveHoursThatAreTwentyFiveUtcHours() throws Exception {
    byte[] zip = Files.readAllBytes(sample("api_archive_download_np3-911-er_docId_1049861718_2_Day_AS_Disclosure_opday_2024-11-03_DST_end.zip"));
    Set<Instant> expected = new TreeSet<>();
    for (int h = 0; h < 25; h++) {
      expected.add(Instant.parse("2024-11-03T05:00:00Z").plus(Duration.ofHours(h)));
    }
    LocalDate day = LocalDate.of(2024, 11, 3);
    int csvs = 0;
    List<String> checked = new ArrayList<>();
    for (SafeZip.Entry e : SafeZip.read(zip, SafeZip.Limits.defaults())) {
      if (!e.name().toLowerCase(Locale.ROOT).endsWith(".csv")) {
        continue;
      }
      csvs++;
      try (CsvReader csv = new CsvReader(new ByteArrayInputStream(e.data()))) {
        List<String> header = csv.header().stream().map(h -> h.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "")).toList();
        int he = header.indexOf("HOURENDING");
        int date = header.indexOf("DELIVERYDATE");
        boolean flagged = header.contains("DSTFLAG") || header.contains("REPEATEDHOURFLAG");
        if (he < 0 || flagged) {
          continue;
        }
        assertTrue(date >= 0, e.name() + ": " + csv.header());
        Set<Instant> starts = new TreeSet<>();
        Set<Integer> hours = new TreeSet<>();
        while (csv.next()) {
          assertEquals(day, ErcotClock.date(csv.get(date)), e.name() + " line " + csv.line());
          int h = ErcotClock.hourEnding(csv.get(he));
          hours.add(h);
          starts.add(ErcotClock.elapsedHourStart(day, h));
        }
        assertEquals(25, hours.size(), e.name() + ": hour ending 1..25");
        assertEquals(expected, starts, e.name() + ": 25 distinct UTC hours, 05:00Z .. 05:00Z the next day");
        checked.add(e.name());
      }
    }
    assertTrue(csvs > 0, "the zip holds CSVs");
    assertEquals(csvs, checked.size(), "every report of the zip numbers its hours 1..25 without a flag: " + checked);
    assertNotNull(ErcotClock.elapsedHourStart(day, 25));
  }
}
