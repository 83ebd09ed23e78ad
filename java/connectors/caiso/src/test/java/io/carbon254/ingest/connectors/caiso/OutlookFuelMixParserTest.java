package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.lines;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.outlookPayload;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resource;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resourceBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.FuelMixRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OutlookFuelMixParserTest {
  private static final NormalizationRules RULES = CaisoTestSupport.rules();
  static final IntervalKey FALL_KEY = key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");
  static final IntervalKey SPRING_KEY = key("fuel_mix", "2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z");
  static final IntervalKey ORDINARY_KEY = key("fuel_mix", "2024-11-04T08:00:00Z", "2024-11-05T08:00:00Z");
  static final Set<String> FUELS = Set.of("solar", "wind", "geothermal", "biomass", "biogas", "small_hydro", "coal",
      "nuclear", "natural_gas", "large_hydro", "batteries", "imports", "other");

  private static List<FuelMixRecord> parse(RawPayload p) {
    return CaisoTestSupport.as(FuelMixRecord.class, new OutlookFuelMixParser("fuel_mix", RULES).parse(p));
  }

  private static PayloadRejectedException rejected(RawPayload p) {
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> new OutlookFuelMixParser("fuel_mix", RULES).parse(p));
    assertEquals(p.payloadId(), e.payloadId());
    assertTrue(e.getMessage().contains(p.payloadId()), e.getMessage());
    return e;
  }

  private static RawPayload text(IntervalKey k, String ymd, String csv) {
    return outlookPayload(k, ymd, csv.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * fuel|start -> MW from the fixture text: the rows are in time order, one per five minutes, so
   * data row k starts 5k minutes after the day's first instant whatever its wall-clock label.
   */
  private static Map<String, Double> expected(String csv, Instant dayStart) {
    List<String> ls = lines(csv);
    String[] header = ls.get(0).split(",");
    Map<String, Double> out = new HashMap<>();
    for (int k = 1; k < ls.size(); k++) {
      String[] v = ls.get(k).split(",", -1);
      Instant start = dayStart.plus(Duration.ofMinutes(5L * (k - 1)));
      for (int c = 1; c < header.length; c++) {
        out.put(RULES.fuel("caiso", header[c]) + "|" + start, Double.parseDouble(v[c]));
      }
    }
    return out;
  }

  private static Map<String, Double> got(List<FuelMixRecord> records) {
    Map<String, Double> out = new HashMap<>();
    for (FuelMixRecord r : records) {
      Double prev = out.put(r.fuel() + "|" + r.intervalStart(), r.mw());
      assertTrue(prev == null, "duplicate " + r.fuel() + " " + r.intervalStart());
    }
    return out;
  }

  private static void assertContiguous(List<FuelMixRecord> records, int intervals, String first, String lastEnd) {
    List<Instant> starts = records.stream().map(FuelMixRecord::intervalStart).distinct().sorted().toList();
    assertEquals(intervals, starts.size(), "distinct UTC five-minute intervals");
    assertEquals(Instant.parse(first), starts.get(0));
    assertEquals(Instant.parse(lastEnd), starts.get(starts.size() - 1).plus(Duration.ofMinutes(5)));
    for (int i = 1; i < starts.size(); i++) {
      assertEquals(Duration.ofMinutes(5), Duration.between(starts.get(i - 1), starts.get(i)), "gap before " + starts.get(i));
    }
    assertTrue(records.stream().allMatch(r -> Duration.between(r.intervalStart(), r.intervalEnd()).equals(Duration.ofMinutes(5))));
  }

  @Test
  void fallBackDayHas300DistinctIntervalsWithTheRepeatedHourInStandardTime() {
    String csv = resource("fuelsource_20241103.csv");
    List<String> ls = lines(csv);
    assertEquals(301, ls.size());
    assertEquals(2, ls.stream().filter(l -> l.startsWith("01:00,")).count(), "the fixture lists 01:00 twice");
    List<FuelMixRecord> records = parse(outlookPayload(FALL_KEY, "20241103", resourceBytes("fuelsource_20241103.csv")));
    assertEquals(300 * 13, records.size());
    assertContiguous(records, 300, "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");
    assertEquals(FUELS, records.stream().map(FuelMixRecord::fuel).collect(Collectors.toSet()));
    assertEquals(expected(csv, Instant.parse("2024-11-03T07:00:00Z")), got(records));
    // First 01:00 (line 14) is PDT = 08:00Z; the second (line 26) is PST = 09:00Z.
    assertEquals(7636.0, mw(records, "natural_gas", "2024-11-03T08:00:00Z"));
    assertEquals(8272.0, mw(records, "natural_gas", "2024-11-03T09:00:00Z"));
    assertTrue(records.stream().allMatch(r -> r.area().equals("CAISO") && r.unit().equals("MW") && r.market().equals("caiso")));
  }

  private static double mw(List<FuelMixRecord> records, String fuel, String start) {
    return records.stream().filter(r -> r.fuel().equals(fuel) && r.intervalStart().equals(Instant.parse(start)))
        .findFirst().orElseThrow().mw();
  }

  @Test
  void springForwardDayHas276IntervalsAndNoGap() {
    String csv = resource("fuelsource_20240310.csv");
    assertTrue(lines(csv).stream().noneMatch(l -> l.startsWith("02:")), "no 02:xx wall times on March 10");
    List<FuelMixRecord> records = parse(outlookPayload(SPRING_KEY, "20240310", resourceBytes("fuelsource_20240310.csv")));
    assertEquals(276 * 13, records.size());
    assertContiguous(records, 276, "2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z");
    assertEquals(expected(csv, Instant.parse("2024-03-10T08:00:00Z")), got(records));
    // 01:55 PST = 09:55Z is followed by 03:00 PDT = 10:00Z.
    Set<Instant> starts = records.stream().map(FuelMixRecord::intervalStart).collect(Collectors.toCollection(TreeSet::new));
    assertTrue(starts.contains(Instant.parse("2024-03-10T09:55:00Z")) && starts.contains(Instant.parse("2024-03-10T10:00:00Z")));
  }

  @Test
  void aWallTimeInTheSpringForwardGapIsRejectedNamingTheLine() {
    String csv = "Time,Solar,Wind\n01:50,0,100\n01:55,0,101\n02:30,0,102\n03:00,0,103\n";
    PayloadRejectedException e = rejected(text(SPRING_KEY, "20240310", csv));
    assertTrue(e.getMessage().contains("line 4, field Time") && e.getMessage().contains("2024-03-10T02:30")
        && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void blankCellsAreSkipped() {
    String csv = "Time,Solar,Wind,Natural gas\n00:00,0,2800,7000\n00:05,,2810,\n00:10,,,\n";
    List<FuelMixRecord> records = parse(text(ORDINARY_KEY, "20241104", csv));
    assertEquals(4, records.size());
    Map<String, Double> m = got(records);
    assertEquals(Map.of(
        "solar|2024-11-04T08:00:00Z", 0.0,
        "wind|2024-11-04T08:00:00Z", 2800.0,
        "natural_gas|2024-11-04T08:00:00Z", 7000.0,
        "wind|2024-11-04T08:05:00Z", 2810.0), m);
  }

  @Test
  void fullDateTimesAreReadToo() {
    String csv = "Time,Solar\n11/03/2024 00:55,0\n11/03/2024 01:00,1\n11/03/2024 01:00,2\n11/03/2024 02:00,3\n";
    List<FuelMixRecord> records = parse(text(FALL_KEY, "20241103", csv));
    assertEquals(Map.of("solar|2024-11-03T07:55:00Z", 0.0, "solar|2024-11-03T08:00:00Z", 1.0,
        "solar|2024-11-03T09:00:00Z", 2.0, "solar|2024-11-03T10:00:00Z", 3.0), got(records));
  }

  @Test
  void aWallTimeTwiceOnAnOrdinaryDayIsRejected() {
    String csv = "Time,Solar\n10:00,500\n10:05,510\n10:05,520\n";
    PayloadRejectedException e = rejected(text(ORDINARY_KEY, "20241104", csv));
    assertTrue(e.getMessage().contains("line 4, field Time") && e.getMessage().contains("appears twice"), e.getMessage());
  }

  @Test
  void anUnparsableNumberIsRejectedNamingLineAndField() {
    String csv = "Time,Solar,Wind\n00:00,0,2800\n00:05,0,28x0\n";
    PayloadRejectedException e = rejected(text(ORDINARY_KEY, "20241104", csv));
    assertTrue(e.getMessage().contains("line 3, field Wind: '28x0' is not a number"), e.getMessage());
  }

  @Test
  void anUnreadableTimeIsRejected() {
    PayloadRejectedException e = rejected(text(ORDINARY_KEY, "20241104", "Time,Solar\n00:00,0\n7pm,0\n"));
    assertTrue(e.getMessage().contains("line 3, field Time: '7pm'"), e.getMessage());
  }

  @Test
  void anHtmlPageIsRejectedAsHtml() {
    String html = "<!DOCTYPE html><html><head><title>Page not found</title></head><body>Sorry</body></html>";
    PayloadRejectedException e = rejected(text(FALL_KEY, "20241103", html));
    assertTrue(e.getMessage().contains("HTML"), e.getMessage());
  }

  @Test
  void aZipIsNotAFuelsourceCsv() {
    RawPayload p = outlookPayload(FALL_KEY, "20241103", CaisoTestSupport.zip("fuelsource.csv", resource("fuelsource_20241103.csv")));
    assertTrue(rejected(p).getMessage().contains("expected fuelsource.csv"));
  }

  @Test
  void theFileDateMustBeInTheUrl() {
    RawPayload p = CaisoTestSupport.payload(FALL_KEY, "https://www.caiso.com/outlook/fuelsource.csv", "text/csv",
        resourceBytes("fuelsource_20241103.csv"));
    assertTrue(rejected(p).getMessage().contains("carries no /outlook/history/YYYYMMDD/ date"));
  }

  @Test
  void aMissingTimeColumnIsRejected() {
    PayloadRejectedException e = rejected(text(FALL_KEY, "20241103", "Hour,Solar\n00:00,0\n"));
    assertTrue(e.getMessage().contains("no column Time"), e.getMessage());
  }


  @Test
  void aNonFiniteValueIsRejected() {
    String csv = "Time,Solar,Wind\n00:00,0,2800\n00:05,NaN,2810\n";
    PayloadRejectedException e = rejected(text(ORDINARY_KEY, "20241104", csv));
    assertTrue(e.getMessage().contains("line 3, field Solar"), e.getMessage());
  }


  @Test
  void anUnterminatedQuoteIsRejectedNamingTheLine() {
    String csv = "Time,Solar,Wind\n00:00,0,2800\n00:05,\"0,2810\n00:10,0,2820\n";
    PayloadRejectedException e = rejected(text(ORDINARY_KEY, "20241104", csv));
    assertTrue(e.getMessage().contains("line 3: quoted field is never closed"), e.getMessage());
  }

  @Test
  void aRowShorterThanTheHeaderIsRejected() {
    String csv = "Time,Solar,Wind,Natural gas\n00:00,0,2800,7000\n00:05,0\n";
    PayloadRejectedException e = rejected(text(ORDINARY_KEY, "20241104", csv));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }
}
