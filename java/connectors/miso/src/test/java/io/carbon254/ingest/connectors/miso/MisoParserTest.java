package io.carbon254.ingest.connectors.miso;

import static io.carbon254.ingest.connectors.miso.MisoTestSupport.day;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.exchange;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.key;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.publicApi;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.report;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The MISO parsers on authored payloads: the market reports' preamble variants, the fold of a node's
 * three far-apart rows into one row per hour, MISO's number spelling, the US DST days as plain
 * 24-hour EST days, the versions of preliminary and final reports, and the real-time JSON of the
 * Public API and the Data Exchange; every malformed payload a typed rejection (exit 4) naming where.
 */
class MisoParserTest {
  static final IntervalKey SPRING = day("lmp_da_expost_hourly", "2024-03-10");
  static final IntervalKey FALL = day("lmp_da_expost_hourly", "2024-11-03");
  static final String HEADER = "Node,Type,Value," + java.util.stream.IntStream.rangeClosed(1, 24).mapToObj(h -> "HE " + h)
      .collect(Collectors.joining(","));

  private static List<CanonicalRecord> parse(RawPayload p) {
    return MisoTestSupport.dataset(p.key().dataset(), null).parse(p);
  }

  private static List<PriceRecord> prices(RawPayload p) {
    return parse(p).stream().map(r -> (PriceRecord) r).toList();
  }

  /** A report body: the lines joined with CRLF. */
  private static byte[] lines(String... l) {
    return (String.join("\r\n", l) + "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String row(String node, String type, String value, String... cells) {
    String[] all = new String[24];
    for (int i = 0; i < 24; i++) {
      all[i] = i < cells.length ? cells[i] : String.valueOf(10 + i);
    }
    return node + "," + type + "," + value + "," + String.join(",", all);
  }

  private static PayloadRejectedException rejected(RawPayload p) {
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> parse(p));
    assertEquals(ExitCodes.REJECTED, e.exitCode());
    return e;
  }

  /** The rejection of {@code p}, whose message must contain {@code text}. */
  private static void rejects(RawPayload p, String text) {
    String m = rejected(p).getMessage();
    assertTrue(m.contains(text), "'" + m + "' should contain '" + text + "'");
  }

  @Test
  void bothUsDstDaysAre24EstHoursFrom0500zEveryNodeEveryHourOnce() {
    for (IntervalKey k : List.of(SPRING, FALL)) {
      String d = k.window().start().toString().substring(0, 10).replace("-", "");
      List<PriceRecord> rows = prices(report(k, d + "_da_expost_lmp.csv"));
      Map<String, TreeSet<Instant>> hours = rows.stream().collect(Collectors.groupingBy(PriceRecord::locationId, TreeMap::new,
          Collectors.mapping(PriceRecord::intervalStart, Collectors.toCollection(TreeSet::new))));
      assertEquals(6, hours.size(), k.toString());
      assertEquals(6 * 24, rows.size(), k + ": no hour twice");
      hours.forEach((node, h) -> {
        assertEquals(24, h.size(), node);
        assertEquals(k.window().start(), h.first(), node);
        assertEquals(k.window().end().minusSeconds(3600), h.last(), node);
      });
    }
    assertEquals(Instant.parse("2024-03-10T05:00:00Z"), SPRING.window().start());
    assertEquals(Instant.parse("2024-11-04T05:00:00Z"), FALL.window().end());
  }

  @Test
  void aNodesThreeRowsFoldIntoOneRowPerHourWithEnergyTheLmpLessItsComponentsAndMisoNumbersRead() {
    byte[] body = lines("Day Ahead Market ExPost LMPs", "03/10/2024", "", ",,,All Hours-Ending are Eastern Standard Time (EST)", HEADER,
        row("INDIANA.HUB", "Hub", "LMP", "29", "26.7"), row("AECI.ALTW", "Loadzone", "LMP", "31.05"),
        row("AECI", "Interface", "LMP"), row("ALTW.WELLS1", "Gennode", "LMP"),
        row("INDIANA.HUB", "Hub", "MCC", ".92", "0"), row("AECI.ALTW", "Loadzone", "MCC", "-.94"),
        row("AECI", "Interface", "MCC"), row("ALTW.WELLS1", "Gennode", "MCC"),
        row("INDIANA.HUB", "Hub", "MLC", "-.03", "-1.5"), row("AECI.ALTW", "Loadzone", "MLC", "1"),
        row("AECI", "Interface", "MLC"), row("ALTW.WELLS1", "Gennode", "MLC"));
    List<PriceRecord> rows = prices(report(SPRING, "20240310_da_expost_lmp.csv", body));
    assertEquals(4 * 24, rows.size());
    PriceRecord he1 = rows.stream().filter(r -> r.locationId().equals("INDIANA.HUB") && r.intervalStart().equals(SPRING.window().start()))
        .findFirst().orElseThrow();
    assertEquals(29.0, he1.price());
    assertEquals(0.92, he1.congestion());
    assertEquals(-0.03, he1.loss());
    assertEquals(28.11, he1.energy(), 1e-12, "29 - .92 - (-.03), without binary noise");
    PriceRecord he2 = rows.stream().filter(r -> r.locationId().equals("INDIANA.HUB") && r.intervalStart().equals(Instant.parse("2024-03-10T06:00:00Z")))
        .findFirst().orElseThrow();
    assertEquals(26.7 - 0 + 1.5, he2.energy(), 1e-9);
    PriceRecord zone = rows.stream().filter(r -> r.locationId().equals("AECI.ALTW")).findFirst().orElseThrow();
    assertEquals(-0.94, zone.congestion());
    Map<String, String> types = rows.stream().collect(Collectors.toMap(PriceRecord::locationId, PriceRecord::locationType, (a, b) -> a));
    assertEquals(Map.of("INDIANA.HUB", "hub", "AECI.ALTW", "zone", "AECI", "interface", "ALTW.WELLS1", "node"), types);
    rows.forEach(r -> {
      assertEquals("DA", r.marketRun());
      assertEquals("LMP", r.priceType());
      assertEquals(r.intervalStart().plusSeconds(3600), r.intervalEnd());
    });
  }

  @Test
  void preambleVariantsParseAlikeLfOrCrlfWithABomWithoutTheBlankOrTheEstLineOrWithNoPreambleAtAll() {
    String lmp = row("MINN.HUB", "Hub", "LMP");
    String mcc = row("MINN.HUB", "Hub", "MCC");
    String mlc = row("MINN.HUB", "Hub", "MLC");
    List<byte[]> variants = List.of(
        lines("Day Ahead Market ExPost LMPs", "03/10/2024", "", ",,,All Hours-Ending are Eastern Standard Time (EST)", HEADER, lmp, mcc, mlc),
        String.join("\n", "Day Ahead Market ExPost LMPs", "03/10/2024", "", ",,,All Hours-Ending are Eastern Standard Time (EST)", HEADER,
            lmp, mcc, mlc).getBytes(StandardCharsets.UTF_8),
        ("\uFEFF" + new String(lines("Day Ahead Market ExPost LMPs", "3/10/2024", HEADER, lmp, mcc, mlc), StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8),
        lines("Day Ahead Market ExPost LMPs", "03/10/2024,,,", "", HEADER, lmp, mcc, mlc, "", ""),
        lines(HEADER, lmp, mcc, mlc));
    List<PriceRecord> first = null;
    for (byte[] v : variants) {
      List<PriceRecord> rows = prices(report(SPRING, "20240310_da_expost_lmp.csv", v));
      assertEquals(24, rows.size());
      if (first == null) {
        first = rows;
      }
      for (int i = 0; i < 24; i++) {
        assertEquals(first.get(i).intervalStart(), rows.get(i).intervalStart());
        assertEquals(first.get(i).price(), rows.get(i).price());
        assertEquals(first.get(i).energy(), rows.get(i).energy());
      }
    }
  }

  @Test
  void everyMalformedReportIsAPayloadErrorNamingWhere() {
    String lmp = row("MINN.HUB", "Hub", "LMP");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines("Day Ahead Market ExPost LMPs", "03/11/2024", HEADER, lmp)), "dated 03/11/2024 but was fetched as 2024-03-10");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv",
        lines("Day Ahead Market ExPost LMPs", ",,,All Hours-Ending are Eastern Prevailing Time (EPT)", HEADER, lmp)), "does not say its hours are EST");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines(HEADER + ",HE 25", lmp + ",1")), "'HE 25'");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines(HEADER.replace(",HE 24", ""), lmp)), "no 'HE 24' column");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines(HEADER, lmp, row("MINN.HUB", "Hub", "LMP"))), "line 3: a second LMP row for node MINN.HUB (the first is on line 2)");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines(HEADER, lmp, row("MS.HUB", "Hub", "MCC"))), "line 3: node MS.HUB has no LMP row");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines(HEADER, row("MINN.HUB", "Hub", "LMP", "1", "n/a"))), "line 2, HE 2 of MINN.HUB LMP: 'n/a' is not a number");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", "<html><body>Service Unavailable</body></html>".getBytes(StandardCharsets.UTF_8)), "not a MISO market report");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", new byte[0]), "empty body");
    rejects(report(SPRING, "20240310_da_expost_lmp.csv", lines("Day Ahead Market ExPost LMPs", "03/10/2024", "", "", "")), "no header line");
  }

  @Test
  void aBlankCellIsAnHourNotPricedAnUnknownValueRowIsSkippedAndHoursOutsideTheWindowAreDropped() {
    String[] cells = new String[24];
    java.util.Arrays.fill(cells, "20");
    cells[6] = "";
    byte[] body = lines(HEADER, row("MINN.HUB", "Hub", "LMP", cells), row("MINN.HUB", "Hub", "MEC"), row("MINN.HUB", "Hub", "MCC"),
        row("MINN.HUB", "Hub", "MLC"));
    assertEquals(23, prices(report(SPRING, "20240310_da_expost_lmp.csv", body)).size());
    IntervalKey sixHours = key("lmp_da_expost_hourly", "2024-03-10T12:00:00Z", "2024-03-10T18:00:00Z");
    List<PriceRecord> part = prices(report(sixHours, "20240310_da_expost_lmp.csv", body));
    assertEquals(6, part.size());
    assertTrue(part.stream().allMatch(r -> sixHours.window().contains(r.intervalStart())));
  }

  @Test
  void theFinalReportOutranksThePreliminaryOneWhicheverWasFetchedLater() {
    IntervalKey k = day("lmp_rt_hourly", "2024-11-03");
    RawPayload prelimLate = RawPayload.of(k, 0, MisoTestSupport.REPORTS + "20241103_rt_lmp_prelim.csv", "application/octet-stream", 200,
        resource("20241103_rt_lmp_prelim.csv"), Instant.parse("2024-12-01T00:00:00Z"));
    RawPayload finalEarly = RawPayload.of(k, 0, MisoTestSupport.REPORTS + "20241103_rt_lmp_final.csv", "application/octet-stream", 200,
        resource("20241103_rt_lmp_final.csv"), Instant.parse("2024-11-08T00:00:00Z"));
    long p = prices(prelimLate).get(0).version();
    long f = prices(finalEarly).get(0).version();
    assertTrue(f > p, f + " > " + p);
    assertEquals("RT", prices(finalEarly).get(0).marketRun());
    RawPayload refetched = RawPayload.of(k, 0, MisoTestSupport.REPORTS + "20241103_rt_lmp_final.csv", "application/octet-stream", 200,
        resource("20241103_rt_lmp_final.csv"), Instant.parse("2024-11-09T00:00:00Z"));
    assertTrue(prices(refetched).get(0).version() > f, "a later fetch of the same stage (a correction) is newer");
  }

  // ---- real-time

  @Test
  void publicFiveMinuteLmpsAreReadByHeaderNameAndRowsOutsideTheWindowDropped() {
    byte[] body = """
        {"headers":["CPNODE","INTERVAL","MCC","LMP","MLC"],"data":[
          ["MINN.HUB","2024-11-05T09:55:00","-1.00","20.50","0.25"],
          ["MINN.HUB","2024-11-05T10:00:00","-1.00","21.50","0.25"],
          ["AECI","2024-11-05T10:55:00","0","19","-0.5"],
          ["MINN.HUB","2024-11-05T11:00:00","2","22","1"]]}""".getBytes(StandardCharsets.UTF_8);
    IntervalKey hour = key("lmp_rt_5min", "2024-11-05T15:00:00Z", "2024-11-05T16:00:00Z"); // 10:00-11:00 EST
    List<PriceRecord> rows = prices(publicApi(hour, "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling", body));
    assertEquals(2, rows.size());
    assertEquals(Instant.parse("2024-11-05T15:00:00Z"), rows.get(0).intervalStart());
    assertEquals(Instant.parse("2024-11-05T15:05:00Z"), rows.get(0).intervalEnd());
    assertEquals(21.5, rows.get(0).price());
    assertEquals(22.25, rows.get(0).energy(), 1e-12);
    assertEquals("hub", rows.get(0).locationType());
    assertEquals("interface", rows.get(1).locationType());
    assertEquals(Versions.PROVISIONAL.of(MisoTestSupport.FETCHED_AT), rows.get(0).version());
    byte[] dataFirst = "{\"data\":[[\"2024-11-05T10:00:00\",\"X\",\"1\"]],\"headers\":[\"INTERVAL\",\"CPNODE\",\"LMP\"]}"
        .getBytes(StandardCharsets.UTF_8);
    rejects(publicApi(hour, "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling", dataFirst), "before their 'headers'");
    byte[] badTime = "{\"headers\":[\"INTERVAL\",\"CPNODE\",\"LMP\"],\"data\":[[\"11/05/2024 10:00\",\"X\",\"1\"]]}".getBytes(StandardCharsets.UTF_8);
    rejects(publicApi(hour, "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling", badTime), "data[1].INTERVAL '11/05/2024 10:00' is not a time MISO writes");
  }

  @Test
  void theDataExchangesLmpsTakeEnergyFromMecAndAFinalRowOutranksAPreliminaryOne() {
    IntervalKey k = key("lmp_rt_5min", "2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z");
    List<PriceRecord> rows = prices(exchange(k, "/pricing/v1/real-time/2024-11-03/lmp-expost?timeResolution=5min&pageNumber=1",
        resource("rt5_exchange_20241103.json")));
    assertEquals(6 * 24, rows.size());
    rows.forEach(r -> assertEquals(r.price(), r.energy() + r.congestion() + r.loss(), 0.011));
    String prelim = """
        {"data":[{"timeInterval":{"resolution":"5min","start":"2024-11-03 00:00:00.000","end":"2024-11-03 00:05:00.000","value":"2024-11-03 00:00:00.000"},
          "preliminaryFinal":"Preliminary","node":"MINN.HUB","lmp":21.6,"mcc":0.02,"mec":20.94,"mlc":0.64}],
         "page":{"pageNumber":1,"pageSize":1000,"totalElements":1,"totalPages":1,"lastPage":true}}""";
    PriceRecord p = prices(exchange(k, "/pricing/v1/real-time/2024-11-03/lmp-expost?pageNumber=1", prelim.getBytes(StandardCharsets.UTF_8))).get(0);
    PriceRecord f = prices(exchange(k, "/pricing/v1/real-time/2024-11-03/lmp-expost?pageNumber=1",
        prelim.replace("Preliminary", "Final").getBytes(StandardCharsets.UTF_8))).get(0);
    assertEquals(20.94, p.energy());
    assertEquals(Instant.parse("2024-11-03T05:00:00Z"), p.intervalStart());
    assertTrue(f.version() > p.version());
    String tenMinutes = prelim.replace("00:05:00.000", "00:10:00.000");
    rejects(exchange(k, "/pricing/v1/real-time/2024-11-03/lmp-expost?pageNumber=1", tenMinutes.getBytes(StandardCharsets.UTF_8)), "is not 5 minutes long");
  }

  @Test
  void thePublicApisFiveMinuteLoadAveragesEachCompleteHourAndLeavesAnIncompleteOneOut() {
    StringBuilder loads = new StringBuilder();
    for (int m = 0; m < 12 + 7; m++) {
      loads.append(m == 0 ? "" : ",").append("{\"Load\":{\"Time\":\"").append(String.format("%02d:%02d", m / 12, m % 12 * 5))
          .append("\",\"Value\":\"").append(70000 + m).append("\"}}");
    }
    byte[] body = ("{\"LoadInfo\":{\"RefId\":\"05-Nov-2024 - Interval 01:35 EST\",\"ClearedMW\":[],\"MediumTermLoadForecast\":[],"
        + "\"FiveMinTotalLoad\":[" + loads + "]}}").getBytes(StandardCharsets.UTF_8);
    List<CanonicalRecord> rows = parse(publicApi(day("load_actual", "2024-11-05"), "/api/RealTimeTotalLoad", body));
    assertEquals(1, rows.size(), "hour 01:00 has 7 of 12 values: left out");
    LoadRecord r = (LoadRecord) rows.get(0);
    assertEquals(70005.5, r.mw());
    assertEquals("MISO", r.area());
    assertEquals(Instant.parse("2024-11-05T05:00:00Z"), r.intervalStart());
    byte[] noRef = new String(body, StandardCharsets.UTF_8).replace("05-Nov-2024 - Interval 01:35 EST", "today").getBytes(StandardCharsets.UTF_8);
    rejects(publicApi(day("load_actual", "2024-11-05"), "/api/RealTimeTotalLoad", noRef), "names no day");
    byte[] twice = new String(body, StandardCharsets.UTF_8).replace("\"00:05\"", "\"00:00\"").getBytes(StandardCharsets.UTF_8);
    rejects(publicApi(day("load_actual", "2024-11-05"), "/api/RealTimeTotalLoad", twice), "appears twice");
  }

  @Test
  void fuelMixFromBothSourcesUsesTheSameFuelIdsAndTheDataExchangesHourIsTheSettledVersion() {
    List<CanonicalRecord> pub = parse(publicApi(day("fuel_mix", "2024-03-10"), "/api/FuelMix/Yesterday",
        resource("fuel_public_yesterday_20240310.json")));
    List<CanonicalRecord> ex = parse(exchange(day("fuel_mix", "2024-11-03"),
        "/lgi/v1/real-time/2024-11-03/generation/fuel-type?region=MISO&pageNumber=1", resource("fuel_exchange_20241103.json")));
    TreeSet<String> a = pub.stream().map(r -> ((FuelMixRecord) r).fuel()).collect(Collectors.toCollection(TreeSet::new));
    TreeSet<String> b = ex.stream().map(r -> ((FuelMixRecord) r).fuel()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("batteries", "coal", "large_hydro", "natural_gas", "nuclear", "other", "solar", "wind")), a);
    assertEquals(a, b);
    assertEquals(8 * 24, pub.size());
    assertEquals(8 * 24, ex.size());
    assertTrue(ex.get(0).version() > pub.get(0).version());
    FuelMixRecord first = (FuelMixRecord) pub.stream().filter(r -> ((FuelMixRecord) r).fuel().equals("coal")).findFirst().orElseThrow();
    assertEquals(Instant.parse("2024-03-10T05:00:00Z"), first.intervalStart(), "12:00:00 AM EST is 05:00Z");
    assertNull(((FuelMixRecord) ex.get(0)).enrichment());
  }
}
