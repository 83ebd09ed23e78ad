package io.carbon254.ingest.connectors.ercot;

import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.dashboard;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.key;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.listed;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.mis;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** The report parsers on authored documents: every clock encoding, both DST days, header spellings, and the errors. */
class ErcotParserTest {
  static final IntervalKey DAM_FALL = key("spp_da_hourly", "2024-11-03T05:00:00Z", "2024-11-04T06:00:00Z");

  private static List<CanonicalRecord> parse(String dataset, RawPayload p) {
    return ErcotTestSupport.dataset(dataset, (String) null).parse(p);
  }

  private static Map<String, TreeMap<Instant, Double>> byPoint(List<CanonicalRecord> rows) {
    Map<String, TreeMap<Instant, Double>> m = new TreeMap<>();
    for (CanonicalRecord r : rows) {
      PriceRecord p = (PriceRecord) r;
      TreeMap<Instant, Double> s = m.computeIfAbsent(p.locationId(), k -> new TreeMap<>());
      assertNull(s.put(p.intervalStart(), p.price()), p.locationId() + " at " + p.intervalStart() + " twice");
    }
    return m;
  }

  @Test
  void theDayAheadFallBackDayHas25HoursTheFlaggedRepeatedHourAt0700Z() {
    List<CanonicalRecord> rows = parse("spp_da_hourly", mis(DAM_FALL, 1100000002, "dam_20241103.zip"));
    Map<String, TreeMap<Instant, Double>> m = byPoint(rows);
    assertEquals(6, m.size());
    for (TreeMap<Instant, Double> s : m.values()) {
      assertEquals(25, s.size());
      assertEquals(Instant.parse("2024-11-03T05:00:00Z"), s.firstKey());
      assertEquals(Instant.parse("2024-11-04T05:00:00Z"), s.lastKey());
    }
    // the generator priced each hour by its UTC start: HE 02:00 N is 06:00Z, HE 02:00 Y (DSTFlag) is 07:00Z
    String csv = new String(ErcotTestSupport.resource("dam_20241103.zip"), StandardCharsets.ISO_8859_1);
    assertTrue(csv.contains("DAMSPNP4190"));
    PriceRecord any = (PriceRecord) rows.get(0);
    assertEquals(List.of("ercot", "spp_da_hourly", "DAM", "SPP", "USD", "MWh"),
        List.of(any.market(), any.dataset(), any.marketRun(), any.priceType(), any.currency(), any.unit()));
    assertEquals(1100000002L, any.version(), "the document id is the version");
    assertEquals(Instant.parse("2024-11-02T17:30:05Z"), any.provenance().publishedAt(), "posted 12:30:05 CDT, from the file name");
    Map<String, String> types = rows.stream().map(r -> (PriceRecord) r)
        .collect(Collectors.toMap(PriceRecord::locationId, PriceRecord::locationType, (a, b) -> a, TreeMap::new));
    assertEquals(Map.of("BRAUNIG_VHB1", "node", "DC_E", "interface", "HB_BUSAVG", "hub", "HB_HOUSTON", "hub", "HB_NORTH", "hub",
        "LZ_HOUSTON", "zone"), types);
  }

  @Test
  void flagsDecideTheRepeatedHourNotTheRowOrder() {
    String head = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag\r\n";
    // the repeated hour listed first, the ordinary one after: the flag, not the order, tells them apart
    String csv = head + "11/03/2024,02:00,HB_NORTH,22.00,Y\r\n11/03/2024,02:00,HB_NORTH,11.00,N\r\n11/03/2024,03:00,HB_NORTH,33.00,N\r\n";
    TreeMap<Instant, Double> s = byPoint(parse("spp_da_hourly", mis(DAM_FALL, 7, zip("x.csv", csv)))).get("HB_NORTH");
    assertEquals(Map.of(Instant.parse("2024-11-03T06:00:00Z"), 11.0, Instant.parse("2024-11-03T07:00:00Z"), 22.0,
        Instant.parse("2024-11-03T08:00:00Z"), 33.0), s);
  }

  @Test
  void headerSpellingsUnpaddedHoursAndSpacePaddedNumbersAreRead() {
    String csv = "Delivery Date,Hour Ending,Settlement Point Name,Settlement Point Price,Repeated Hour Flag\r\n"
        + " 11/04/2024 ,1:00,HB_WEST,   -3.50 ,N\r\n11/04/2024,24:00,HB_WEST,  41.25,N\r\n";
    IntervalKey k = key("spp_da_hourly", "2024-11-04T06:00:00Z", "2024-11-05T06:00:00Z");
    TreeMap<Instant, Double> s = byPoint(parse("spp_da_hourly", mis(k, 8, zip("x.csv", csv)))).get("HB_WEST");
    assertEquals(Map.of(Instant.parse("2024-11-04T06:00:00Z"), -3.5, Instant.parse("2024-11-05T05:00:00Z"), 41.25), s,
        "1:00 is 00:00-01:00 CST; 24:00 the last hour, ending at midnight");
  }

  @Test
  void aFlagTheCalendarContradictsIsAPayloadErrorNamingTheLine() {
    String csv = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag\r\n"
        + "11/03/2024,01:00,HB_NORTH,10.00,N\r\n11/03/2024,05:00,HB_NORTH,10.00,Y\r\n";
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> parse("spp_da_hourly", mis(DAM_FALL, 9, zip("dam.csv", csv))));
    assertEquals(ExitCodes.REJECTED, e.exitCode());
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("not repeated"), e.getMessage());
  }

  @Test
  void theRepeatedHourTwiceWithTheSameFlagIsAPayloadError() {
    String csv = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag\r\n"
        + "11/03/2024,02:00,HB_NORTH,10.00,N\r\n11/03/2024,02:00,HB_NORTH,12.00,N\r\n";
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> parse("spp_da_hourly", mis(DAM_FALL, 9, zip("dam.csv", csv))));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("twice"), e.getMessage());
  }

  @Test
  void anHourTheSpringForwardSkipsIsAPayloadError() {
    String csv = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag\r\n03/10/2024,03:00,HB_NORTH,10.00,N\r\n";
    IntervalKey k = key("spp_da_hourly", "2024-03-10T06:00:00Z", "2024-03-11T05:00:00Z");
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> parse("spp_da_hourly", mis(k, 9, zip("d.csv", csv))));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void theSpringForwardDayHas23Hours() {
    IntervalKey k = key("spp_da_hourly", "2024-03-10T06:00:00Z", "2024-03-11T05:00:00Z");
    for (TreeMap<Instant, Double> s : byPoint(parse("spp_da_hourly", mis(k, 1100000001, "dam_20240310.zip"))).values()) {
      assertEquals(23, s.size());
      assertTrue(s.containsKey(Instant.parse("2024-03-10T07:00:00Z")) && s.containsKey(Instant.parse("2024-03-10T08:00:00Z")),
          "01:00-02:00 CST is 07:00Z, 03:00-04:00 CDT is 08:00Z");
    }
  }

  @Test
  void fifteenMinuteFilesCoverTheRepeatedHourEightTimesAndKeepEnergyWeightedZonesApart() {
    IntervalKey k = key("spp_rt_15min", "2024-11-03T05:00:00Z", "2024-11-03T09:00:00Z");
    Dataset ds = ErcotTestSupport.dataset("spp_rt_15min", (String) null);
    List<CanonicalRecord> rows = new ArrayList<>();
    for (RawPayload p : listed(k, "spp_rt_20241103.list")) {
      rows.addAll(ds.parse(p));
    }
    Map<String, TreeMap<Instant, Double>> m = byPoint(rows);
    assertEquals(Set.of("BRAUNIG_VHB1", "DC_E", "DC_E_EW", "HB_BUSAVG", "HB_HOUSTON", "HB_NORTH", "LZ_HOUSTON", "LZ_HOUSTON_EW"), m.keySet());
    for (TreeMap<Instant, Double> s : m.values()) {
      assertEquals(16, s.size(), "four UTC hours of quarters, the repeated local hour twice");
    }
    PriceRecord ew = rows.stream().map(r -> (PriceRecord) r).filter(r -> r.locationId().equals("LZ_HOUSTON_EW")).findFirst().orElseThrow();
    assertEquals(List.of("zone", "RTM", "SPP"), List.of(ew.locationType(), ew.marketRun(), ew.priceType()));
  }

  @Test
  void fifteenMinuteSpringFilesSkipTheMissingHour() {
    IntervalKey k = key("spp_rt_15min", "2024-03-10T07:00:00Z", "2024-03-10T09:00:00Z");
    Dataset ds = ErcotTestSupport.dataset("spp_rt_15min", (String) null);
    Set<Instant> starts = new TreeSet<>();
    for (RawPayload p : listed(k, "spp_rt_20240310.list")) {
      ds.parse(p).forEach(r -> starts.add(((PriceRecord) r).intervalStart()));
    }
    assertEquals(8, starts.size());
    assertEquals(Instant.parse("2024-03-10T07:00:00Z"), ((TreeSet<Instant>) starts).first());
  }

  @Test
  void scedRunsLandInTheirFiveMinutesWithTheRunTimeAsPublishedAt() {
    String csv = "SCEDTimestamp,RepeatedHourFlag,SettlementPoint,LMP\r\n"
        + "11/03/2024 01:32:41,Y,HB_NORTH,       27.04\r\n11/03/2024 01:32:41,Y,DC_L,      -1.10\r\n";
    IntervalKey k = key("lmp_rt_sced", "2024-11-03T07:00:00Z", "2024-11-03T08:00:00Z");
    List<CanonicalRecord> rows = parse("lmp_rt_sced", mis(k, 5, zip("cdr.00012300.0000000000000000.20241103.013243.LMPSROSNODENP6788_20241103_013241_xhr.csv", csv)));
    PriceRecord r = (PriceRecord) rows.get(0);
    assertEquals(Instant.parse("2024-11-03T07:30:00Z"), r.intervalStart(), "01:32:41 CST belongs to 07:30-07:35Z");
    assertEquals(Instant.parse("2024-11-03T07:35:00Z"), r.intervalEnd());
    assertEquals(Instant.parse("2024-11-03T07:32:41Z"), r.provenance().publishedAt());
    assertEquals(27.04, r.price());
    assertEquals(List.of("SCED", "LMP", "interface"), List.of(r.marketRun(), r.priceType(), ((PriceRecord) rows.get(1)).locationType()));
  }

  @Test
  void actualLoadIsOneRowPerWeatherZoneAndTheSystemTotal() {
    IntervalKey k = key("load_actual", "2024-11-03T05:00:00Z", "2024-11-04T06:00:00Z");
    List<CanonicalRecord> rows = parse("load_actual", mis(k, 1400000002, "load_actual_20241103.zip"));
    assertEquals(25 * 9, rows.size());
    Set<String> areas = rows.stream().map(r -> ((LoadRecord) r).area()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("COAST", "EAST", "ERCOT", "FAR_WEST", "NORTH", "NORTH_C", "SOUTHERN", "SOUTH_C", "WEST"), areas);
    assertEquals(25, rows.stream().map(r -> ((LoadRecord) r).intervalStart()).distinct().count());
  }

  @Test
  void theForecastKeepsTheWindowsShareOfItsWeekWithTheOtherSpelling() {
    IntervalKey k = key("load_forecast", "2024-03-10T06:00:00Z", "2024-03-11T05:00:00Z");
    List<CanonicalRecord> rows = parse("load_forecast", mis(k, 1500000001, "load_forecast_20240310.zip"));
    assertEquals(23 * 9, rows.size(), "one day of the eight the document covers");
    LoadRecord r = (LoadRecord) rows.get(0);
    assertTrue(Set.of("FAR_WEST", "NORTH_C", "SOUTH_C", "ERCOT").stream()
        .allMatch(a -> rows.stream().anyMatch(x -> ((LoadRecord) x).area().equals(a))));
    assertEquals(Instant.parse("2024-03-10T05:30:00Z"), r.provenance().publishedAt(), "posted 2024-03-09 23:30 CST");
  }

  @Test
  void aFileWithoutAFlagNumbersTheFallBackHours1To25() {
    String csv = "OperDay,Hour Ending,COAST,DSTFlag_absent\r\n" + "11/03/2024,2,100\r\n11/03/2024,3,200\r\n11/03/2024,25,300\r\n";
    IntervalKey k = key("load_actual", "2024-11-03T05:00:00Z", "2024-11-04T06:00:00Z");
    List<CanonicalRecord> rows = parse("load_actual", mis(k, 3, zip("x.csv", csv)));
    assertEquals(List.of(Instant.parse("2024-11-03T06:00:00Z"), Instant.parse("2024-11-03T07:00:00Z"), Instant.parse("2024-11-04T05:00:00Z")),
        rows.stream().map(r -> ((LoadRecord) r).intervalStart()).toList());
  }

  @Test
  void theDashboardMergesAnIntervalSplitOverTwoKeys() {
    IntervalKey k = key("fuel_mix", "2024-11-03T05:00:00Z", "2024-11-04T06:00:00Z");
    List<CanonicalRecord> rows = parse("fuel_mix", dashboard(k, "fuel_mix_20241103.json"));
    assertEquals(300 * 8, rows.size(), "25 hours of five-minute intervals, eight fuels each");
    Set<String> fuels = rows.stream().map(r -> ((FuelMixRecord) r).fuel()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("batteries", "coal", "large_hydro", "natural_gas", "nuclear", "other", "solar", "wind"), fuels);
    assertEquals(300, rows.stream().filter(r -> ((FuelMixRecord) r).fuel().equals("solar")).map(r -> ((FuelMixRecord) r).intervalStart())
        .distinct().count(), "the split interval's solar merged into it");
  }

  @Test
  void anHtmlPageIsRejectedAndAFileWithoutADocumentIdRanksByItsPostingTime() {
    IntervalKey k = key("spp_da_hourly", "2024-11-04T06:00:00Z", "2024-11-05T06:00:00Z");
    RawPayload html = mis(k, 4, "<html><body>The system is unavailable</body></html>".getBytes(StandardCharsets.UTF_8));
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> parse("spp_da_hourly", html));
    assertTrue(e.getMessage().contains("not an ERCOT report"), e.getMessage());
    String csv = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag\r\n11/04/2024,01:00,HB_WEST,20.00,N\r\n";
    RawPayload noId = RawPayload.of(k, 0, "file:///recorded/DAMSPNP4190.zip", "application/zip", 200,
        zip("cdr.00012331.0000000000000000.20241103.123005.DAMSPNP4190.csv", csv), ErcotTestSupport.FETCHED_AT);
    PriceRecord r = (PriceRecord) parse("spp_da_hourly", noId).get(0);
    assertEquals(Instant.parse("2024-11-03T18:30:05Z").toEpochMilli(), r.version(), "posted 12:30:05 CST");
  }

  @Test
  void fileNamesStandForTheirIntervalOrRunAndPostingTimesFollowThem() {
    ErcotReport rt = ErcotReport.SPP_RT_15MIN;
    assertEquals(Instant.parse("2024-11-03T06:45:00Z"), rt.nameTime("SPPHLZNP6905_20241103_0200_csv"), "01:45-02:00 CDT");
    assertEquals(Instant.parse("2024-11-03T07:45:00Z"), rt.nameTime("SPPHLZNP6905_20241103_0200_xhr_csv"), "01:45-02:00 CST");
    assertEquals(Instant.parse("2024-11-03T06:00:00Z"), rt.nameTime("SPPHLZNP6905_retry_20241103_0115_csv"), "a republication, 01:00 CDT");
    assertEquals(Instant.parse("2024-03-10T07:45:00Z"), rt.nameTime("SPPHLZNP6905_20240310_0300_csv"), "the quarter before the skipped hour");
    assertEquals(Instant.parse("2024-11-04T05:45:00Z"), rt.nameTime("SPPHLZNP6905_20241104_0000_csv"), "the day's last quarter");
    assertEquals(Instant.parse("2026-06-25T05:40:18Z"), ErcotReport.LMP_RT_SCED.nameTime("LMPSROSNODENP6788_20260625_004018_csv"));
    assertEquals(Instant.parse("2024-11-03T07:15:18Z"), ErcotReport.LMP_RT_SCED.nameTime("LMPSROSNODENP6788_20241103_011518_xhr_csv"));
    assertNull(ErcotReport.SPP_DA_HOURLY.nameTime("DAMSPNP4190_csv"));
    // posted at 01:01:02 CST, after the interval it holds ended at 07:00Z: the second 01:01, whatever the offset says
    assertEquals(Instant.parse("2024-11-03T07:01:02Z"), MisClient.publishDate("u", "2024-11-03T01:01:02-05:00",
        rt.postedNotBefore("SPPHLZNP6905_20241103_0200_csv"), "SPPHLZNP6905_20241103_0200_csv"));
    assertEquals(Instant.parse("2024-11-03T06:16:02Z"), MisClient.publishDate("u", "2024-11-03T01:16:02-05:00",
        rt.postedNotBefore("SPPHLZNP6905_20241103_0115_csv"), "SPPHLZNP6905_20241103_0115_csv"));
    assertEquals(Instant.parse("2024-11-03T07:01:04Z"), ErcotCsvParser.postedInName(rt,
        "cdr.00012301.0000000000000000.20241103.010104.SPPHLZNP6905_20241103_0200.csv"));
  }
}
