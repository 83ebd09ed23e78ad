package io.carbon254.ingest.connectors.miso.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator answers MISO's market-report, Public API and Data Exchange paths over real HTTP, as the contract says. */
class MisoSimulatorTest {
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  /** Decimals read as written: the scale of every number is kept. */
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  /** 2024-11-12 08:12 EST: today's data up to the 08:05 interval; the Data Exchange has 2024-11-10 but not 2024-11-11. */
  static final Instant NOW = Instant.parse("2024-11-12T13:12:00Z");
  /** 2024-11-12 10:00 EST: the Data Exchange has 2024-11-11, the Public API's yesterday. */
  static final Instant LATER = Instant.parse("2024-11-12T15:00:00Z");
  static final int NODES = 300;
  static final String KEY_HEADER = "Ocp-Apim-Subscription-Key";
  static final Pattern REPORT_NUMBER = Pattern.compile("0|-?([1-9][0-9]*(\\.[0-9]?[1-9])?|\\.[0-9]?[1-9])");
  static final Pattern TWO_DECIMALS = Pattern.compile("-?[0-9]+\\.[0-9]{2}");
  static final Pattern BLOB_NOT_FOUND = Pattern.compile("<\\?xml version=\"1\\.0\" encoding=\"utf-8\"\\?><Error><Code>BlobNotFound</Code>"
      + "<Message>The specified blob does not exist\\.\nRequestId:[0-9a-f-]{36}\nTime:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{7}Z"
      + "</Message></Error>");
  static final String NO_DATA = "{\"error\":\"no data\"}";
  static final List<String> CATEGORIES = List.of("Battery Storage", "Coal", "Hydro", "Natural Gas", "Nuclear", "Other", "Solar", "Wind");
  static MisoSimulator sim;
  static MisoSimulator later;

  @BeforeAll
  static void start() {
    sim = MisoSimulator.start(new SimulatorOptions(0, NODES, NOW));
    later = MisoSimulator.start(new SimulatorOptions(0, NODES, LATER));
  }

  @AfterAll
  static void stop() {
    sim.close();
    later.close();
  }

  static HttpResponse<String> get(MisoSimulator s, String pathAndQuery) throws Exception {
    return get(s, pathAndQuery, null);
  }

  static HttpResponse<String> get(MisoSimulator s, String pathAndQuery, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(60));
    if (key != null) {
      b.header(KEY_HEADER, key);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
    return JSON.readTree(r.body());
  }

  /** One Data Exchange page with the default key. */
  static JsonNode exchange(MisoSimulator s, String pathAndQuery) throws Exception {
    return json(get(s, pathAndQuery, MisoSimulator.DEFAULT_KEY));
  }

  static String lmpPath(String day, String query) {
    return "/pricing/v1/real-time/" + day + "/lmp-expost?timeResolution=5min" + query;
  }

  /** A market report's lines without their CRLF ends, checking that every line has one. */
  static List<String> reportLines(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
    String body = r.body();
    assertTrue(body.endsWith("\r\n"), "the last line ends with CRLF");
    assertEquals(body.split("\n", -1).length, body.split("\r\n", -1).length, "every line ends with CRLF");
    List<String> lines = new ArrayList<>(List.of(body.split("\r\n", -1)));
    lines.remove(lines.size() - 1);
    return lines;
  }

  static String expectedHeader() {
    StringBuilder b = new StringBuilder("Node,Type,Value");
    for (int he = 1; he <= 24; he++) {
      b.append(",HE ").append(he);
    }
    return b.toString();
  }

  /** The data rows of a report as cells: {@code rows.get(value * nodes + node)}, value 0 LMP, 1 MCC, 2 MLC. */
  static List<String[]> reportRows(MisoSimulator s, String file) throws Exception {
    List<String> lines = reportLines(get(s, "/marketreports/" + file));
    List<String[]> rows = new ArrayList<>();
    for (String line : lines.subList(5, lines.size())) {
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  static long cents(String reportNumber) {
    return new BigDecimal(reportNumber).movePointRight(2).longValueExact();
  }

  static long cents(JsonNode n) {
    return (n.isTextual() ? new BigDecimal(n.asText()) : n.decimalValue()).movePointRight(2).longValueExact();
  }

  /** {@code sum / n} to a whole number, halves away from zero. */
  static long halfUp(long sum, int n) {
    return BigDecimal.valueOf(sum).divide(BigDecimal.valueOf(n), 0, RoundingMode.HALF_UP).longValueExact();
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  // --- market reports ----------------------------------------------------------------------------

  @Test
  void theDayAheadReportHasMisosPreambleAndItsRowsGroupedLmpThenMccThenMlc() throws Exception {
    List<String> lines = reportLines(get(sim, "/marketreports/20241103_da_expost_lmp.csv"));
    assertEquals("Day Ahead Market ExPost LMPs", lines.get(0));
    assertEquals("11/03/2024", lines.get(1));
    assertEquals("", lines.get(2));
    assertEquals(",,,All Hours-Ending are Eastern Standard Time (EST)", lines.get(3));
    assertEquals(expectedHeader(), lines.get(4));
    assertEquals(5 + 3 * NODES, lines.size());
    assertTrue(lines.get(5).startsWith("ARKANSAS.HUB,Hub,LMP,"), lines.get(5));
    assertTrue(lines.get(5 + NODES).startsWith("ARKANSAS.HUB,Hub,MCC,"), lines.get(5 + NODES));
    assertTrue(lines.get(5 + 2 * NODES).startsWith("ARKANSAS.HUB,Hub,MLC,"), lines.get(5 + 2 * NODES));

    List<String[]> rows = reportRows(sim, "20241103_da_expost_lmp.csv");
    String[] values = {"LMP", "MCC", "MLC"};
    Set<String> types = new HashSet<>();
    boolean fractionOnly = false;
    boolean negativeFractionOnly = false;
    boolean whole = false;
    for (int v = 0; v < 3; v++) {
      for (int i = 0; i < NODES; i++) {
        String[] row = rows.get(v * NODES + i);
        assertEquals(27, row.length, String.join(",", row));
        assertEquals(sim.nodes().get(i).name(), row[0], "one node order for every value");
        assertEquals(sim.nodes().get(i).type(), row[1]);
        assertEquals(values[v], row[2]);
        types.add(row[1]);
        for (int c = 3; c < 27; c++) {
          assertTrue(REPORT_NUMBER.matcher(row[c]).matches(), "MISO's number format: '" + row[c] + "'");
          fractionOnly |= row[c].matches("\\.\\d+");
          negativeFractionOnly |= row[c].matches("-\\.\\d+");
          whole |= row[c].matches("-?[1-9]\\d*");
          if (v > 0) {
            assertTrue(Math.abs(cents(row[c])) <= 1_500, "MCC and MLC within ±15: " + row[c]);
          }
        }
      }
    }
    assertTrue(fractionOnly && negativeFractionOnly && whole, "values like .92, -.94 and 29 occur");
    assertEquals(Set.of("Hub", "Loadzone", "Interface", "Gennode"), types);
    for (int h = 3; h < 27; h++) {
      Set<Long> energy = new HashSet<>();
      for (int i = 0; i < NODES; i++) {
        energy.add(cents(rows.get(i)[h]) - cents(rows.get(NODES + i)[h]) - cents(rows.get(2 * NODES + i)[h]));
      }
      assertEquals(1, energy.size(), "LMP − MCC − MLC is the one energy price of the hour, HE " + (h - 2));
    }
  }

  @Test
  void numbersAreWrittenAsMisoWritesThem() {
    assertEquals(".92", Formats.reportNumber(92));
    assertEquals("-.94", Formats.reportNumber(-94));
    assertEquals("29", Formats.reportNumber(2900));
    assertEquals("26.7", Formats.reportNumber(2670));
    assertEquals("0", Formats.reportNumber(0));
    assertEquals(".05", Formats.reportNumber(5));
    assertEquals("-.3", Formats.reportNumber(-30));
    assertEquals("-15", Formats.reportNumber(-1500));
    assertEquals("36.24", Formats.reportNumber(3624));
    assertEquals("24.58", Formats.twoDecimals(2458));
    assertEquals("-1.94", Formats.twoDecimals(-194));
    assertEquals("0.05", Formats.twoDecimals(5));
    assertEquals("-0.05", Formats.twoDecimals(-5));
    assertEquals("29.00", Formats.twoDecimals(2900));
    assertEquals("21.6", Formats.jsonNumber(2160));
    assertEquals("0.02", Formats.jsonNumber(2));
    assertEquals("-0.3", Formats.jsonNumber(-30));
    assertEquals("29", Formats.jsonNumber(2900));
    assertEquals("0", Formats.jsonNumber(0));
    assertEquals("93419.5", Formats.oneDecimal(934195));
    assertEquals("-12.0", Formats.oneDecimal(-120));
  }

  @Test
  void everyReportHasTwentyFourHoursEndingOnTheDaylightSavingDaysToo() throws Exception {
    for (String day : List.of("20240310", "20241103")) {
      for (String report : List.of("da_expost_lmp", "da_exante_lmp", "rt_lmp_prelim", "rt_lmp_final")) {
        List<String> lines = reportLines(get(sim, "/marketreports/" + day + "_" + report + ".csv"));
        assertEquals(day.substring(4, 6) + "/" + day.substring(6) + "/" + day.substring(0, 4), lines.get(1));
        assertEquals(expectedHeader(), lines.get(4), day + " " + report);
        assertEquals(5 + 3 * NODES, lines.size());
        for (String line : lines.subList(5, lines.size())) {
          assertEquals(27, line.split(",", -1).length, line);
        }
      }
    }
    assertEquals("Real-Time Market Preliminary LMPs", reportLines(get(sim, "/marketreports/20240310_rt_lmp_prelim.csv")).get(0));
    assertEquals("Real-Time Market Final LMPs", reportLines(get(sim, "/marketreports/20240310_rt_lmp_final.csv")).get(0));
    assertEquals("Day Ahead Market ExAnte LMPs", reportLines(get(sim, "/marketreports/20240310_da_exante_lmp.csv")).get(0));
  }

  /** The status of one report at {@code now}, checking the BlobNotFound answer when it is 404. */
  static int reportStatus(Instant now, String file) throws Exception {
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, now))) {
      HttpResponse<String> r = get(s, "/marketreports/" + file);
      if (r.statusCode() == 404) {
        assertEquals("application/xml", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(BLOB_NOT_FOUND.matcher(r.body()).matches(), r.body());
      }
      return r.statusCode();
    }
  }

  @Test
  void reportsAppearOnTheirScheduleAndAreBlobNotFoundBefore() throws Exception {
    Instant dayAhead = Instant.parse("2024-11-02T22:00:00Z");
    Instant prelim = Instant.parse("2024-11-04T10:00:00Z");
    Instant fin = Instant.parse("2024-11-08T05:00:00Z");
    for (String f : List.of("20241103_da_expost_lmp.csv", "20241103_da_exante_lmp.csv")) {
      assertEquals(404, reportStatus(dayAhead.minusSeconds(1), f), "before 17:00 EST the day before");
      assertEquals(200, reportStatus(dayAhead, f), "from 17:00 EST the day before");
    }
    assertEquals(404, reportStatus(prelim.minusSeconds(1), "20241103_rt_lmp_prelim.csv"));
    assertEquals(200, reportStatus(prelim, "20241103_rt_lmp_prelim.csv"), "from 05:00 EST the day after");
    assertEquals(404, reportStatus(prelim, "20241103_rt_lmp_final.csv"));
    assertEquals(404, reportStatus(fin.minusSeconds(1), "20241103_rt_lmp_final.csv"));
    assertEquals(200, reportStatus(fin, "20241103_rt_lmp_final.csv"), "from 00:00 EST five days after");
    assertEquals(200, reportStatus(fin, "20241103_rt_lmp_prelim.csv"), "the preliminary report stays");
    for (String other : List.of("20241103_rt_lmp.csv", "20241399_da_expost_lmp.csv", "20240230_da_expost_lmp.csv", "readme.txt",
        "20241103_da_expost_lmp.xls", "2024110_da_expost_lmp.csv", "20241120_da_expost_lmp.csv")) {
      assertEquals(404, reportStatus(NOW, other), other);
    }
    HttpResponse<String> missing = get(sim, "/marketreports/20241120_da_expost_lmp.csv");
    assertTrue(missing.body().startsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified"
        + " blob does not exist.\nRequestId:"), missing.body());
  }

  @Test
  void theFinalReportRevisesThePreliminaryAndExAnteDiffersFromExPost() throws Exception {
    List<String[]> prelim = reportRows(sim, "20241103_rt_lmp_prelim.csv");
    List<String[]> fin = reportRows(sim, "20241103_rt_lmp_final.csv");
    int revised = 0;
    for (int i = 0; i < NODES; i++) {
      assertEquals(prelim.get(i)[0], fin.get(i)[0]);
      for (int c = 3; c < 27; c++) {
        long lmpDelta = cents(fin.get(i)[c]) - cents(prelim.get(i)[c]);
        long mccDelta = cents(fin.get(NODES + i)[c]) - cents(prelim.get(NODES + i)[c]);
        assertEquals(lmpDelta, mccDelta, "the revision is in congestion");
        assertEquals(prelim.get(2 * NODES + i)[c], fin.get(2 * NODES + i)[c], "losses stay");
        assertTrue(Math.abs(lmpDelta) <= 50, "a small revision");
        revised += lmpDelta != 0 ? 1 : 0;
      }
    }
    assertTrue(revised > 0 && revised < NODES * 24, "some but not all prices revised: " + revised);

    List<String[]> expost = reportRows(sim, "20241103_da_expost_lmp.csv");
    List<String[]> exante = reportRows(sim, "20241103_da_exante_lmp.csv");
    int differ = 0;
    for (int i = 0; i < 3 * NODES; i++) {
      for (int c = 3; c < 27; c++) {
        differ += expost.get(i)[c].equals(exante.get(i)[c]) ? 0 : 1;
      }
    }
    assertTrue(differ > NODES, "ex-ante and ex-post differ: " + differ);
    assertNotEquals(String.join(",", expost.get(0)), String.join(",", prelim.get(0)), "day-ahead and real-time differ");

    // the hourly real-time prices are the means of the Data Exchange's five-minute ones (nodes 0..2 fill page 1)
    JsonNode page = exchange(sim, lmpPath("2024-11-03", ""));
    for (int n = 0; n < 3; n++) {
      for (int h = 0; h < 24; h++) {
        long lmp = 0;
        long mcc = 0;
        long mlc = 0;
        for (int i = 0; i < 12; i++) {
          JsonNode row = page.get("data").get(n * 288 + h * 12 + i);
          assertEquals(sim.nodes().get(n).name(), row.get("node").asText());
          lmp += cents(row.get("lmp"));
          mcc += cents(row.get("mcc"));
          mlc += cents(row.get("mlc"));
        }
        assertEquals(halfUp(mcc, 12), cents(prelim.get(NODES + n)[3 + h]), "MCC mean");
        assertEquals(halfUp(mlc, 12), cents(prelim.get(2 * NODES + n)[3 + h]), "MLC mean");
        assertTrue(Math.abs(lmp / 12.0 - cents(prelim.get(n)[3 + h])) <= 2, "LMP mean");
      }
    }
  }

  // --- Public API --------------------------------------------------------------------------------

  @Test
  void theFiveMinutePricesCoverTodaySoFarAndAllOfYesterdayWrittenAsTheyAreComputed() throws Exception {
    JsonNode rolling = json(get(sim, "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling"));
    assertEquals(List.of("headers", "data"), fieldNames(rolling));
    assertEquals("[\"INTERVAL\",\"CPNODE\",\"LMP\",\"MLC\",\"MCC\"]", rolling.get("headers").toString());
    JsonNode data = rolling.get("data");
    assertEquals(98 * NODES, data.size(), "00:00 through 08:05 EST: the intervals ended by 08:12");
    assertEquals("2024-11-12T00:00:00", data.get(0).get(0).asText());
    assertEquals("ARKANSAS.HUB", data.get(0).get(1).asText());
    assertEquals(sim.nodes().get(NODES - 1).name(), data.get(NODES - 1).get(1).asText());
    assertEquals("2024-11-12T00:05:00", data.get(NODES).get(0).asText());
    assertEquals("2024-11-12T08:05:00", data.get(data.size() - 1).get(0).asText());
    for (int t = 0; t < 98; t += 13) {
      Set<Long> energy = new HashSet<>();
      for (int i = 0; i < NODES; i++) {
        JsonNode row = data.get(t * NODES + i);
        assertEquals(5, row.size());
        for (int c = 2; c < 5; c++) {
          assertTrue(row.get(c).isTextual() && TWO_DECIMALS.matcher(row.get(c).asText()).matches(), row.toString());
        }
        energy.add(cents(row.get(2)) - cents(row.get(3)) - cents(row.get(4)));
      }
      assertEquals(1, energy.size(), "LMP − MLC − MCC is the interval's energy price");
    }

    long t0 = System.nanoTime();
    HttpResponse<String> previous = get(sim, "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous");
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("chunked", previous.headers().firstValue("Transfer-Encoding").orElse(""), "written as computed");
    assertTrue(millis < 20_000, "86,400 rows took " + millis + " ms");
    JsonNode yesterday = json(previous).get("data");
    assertEquals(288 * NODES, yesterday.size());
    assertEquals("2024-11-11T00:00:00", yesterday.get(0).get(0).asText());
    assertEquals("2024-11-11T23:55:00", yesterday.get(yesterday.size() - 1).get(0).asText());
  }

  @Test
  void thePublicApiPricesAreTheDataExchangePrices() throws Exception {
    JsonNode yesterday = json(get(later, "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous")).get("data");
    JsonNode exchange = exchange(later, lmpPath("2024-11-11", "&interval=13:05")).get("data");
    assertEquals(NODES, exchange.size());
    int first = (13 * 12 + 1) * NODES;
    for (int i = 0; i < NODES; i++) {
      JsonNode pub = yesterday.get(first + i);
      JsonNode dx = exchange.get(i);
      assertEquals("2024-11-11T13:05:00", pub.get(0).asText());
      assertEquals(pub.get(1).asText(), dx.get("node").asText());
      assertEquals(cents(pub.get(2)), cents(dx.get("lmp")));
      assertEquals(cents(pub.get(3)), cents(dx.get("mlc")));
      assertEquals(cents(pub.get(4)), cents(dx.get("mcc")));
      assertEquals("Preliminary", dx.get("preliminaryFinal").asText());
    }
  }

  @Test
  void theRealTimeTotalLoadHasTodaySoFarAndTheForecastOfTheWholeDay() throws Exception {
    JsonNode info = json(get(sim, "/api/RealTimeTotalLoad")).get("LoadInfo");
    assertEquals(List.of("RefId", "ClearedMW", "MediumTermLoadForecast", "FiveMinTotalLoad"), fieldNames(info));
    assertEquals("12-Nov-2024 - Interval 08:05 EST", info.get("RefId").asText());
    JsonNode cleared = info.get("ClearedMW");
    assertEquals(8, cleared.size(), "hours ending 1..8 have ended by 08:12");
    JsonNode forecast = info.get("MediumTermLoadForecast");
    assertEquals(24, forecast.size());
    JsonNode five = info.get("FiveMinTotalLoad");
    assertEquals(98, five.size());
    assertEquals("00:00", five.get(0).get("Load").get("Time").asText());
    assertEquals("00:05", five.get(1).get("Load").get("Time").asText());
    assertEquals("08:05", five.get(97).get("Load").get("Time").asText());
    for (int h = 0; h < 24; h++) {
      JsonNode f = forecast.get(h).get("Forecast");
      assertEquals(Integer.toString(h + 1), f.get("HourEnding").asText());
      assertTrue(f.get("LoadForecast").isTextual() && f.get("LoadForecast").asText().matches("\\d{5,6}"), f.toString());
    }
    for (int h = 0; h < 8; h++) {
      JsonNode c = cleared.get(h).get("ClearedMWHourly");
      assertEquals(Integer.toString(h + 1), c.get("Hour").asText());
      long sum = 0;
      for (int i = 0; i < 12; i++) {
        String v = five.get(h * 12 + i).get("Load").get("Value").asText();
        assertTrue(v.matches("\\d{5,6}"), v);
        sum += Long.parseLong(v);
      }
      assertEquals(halfUp(sum, 12), Long.parseLong(c.get("Value").asText()), "the hour's cleared load is its mean");
    }

    // the Data Exchange's hourly demand of 2024-11-11 is the mean of that day's five-minute loads
    try (MisoSimulator lastMinute = MisoSimulator.start(new SimulatorOptions(0, 0, Instant.parse("2024-11-12T04:59:59Z")))) {
      JsonNode day = json(get(lastMinute, "/api/RealTimeTotalLoad")).get("LoadInfo");
      assertEquals("11-Nov-2024 - Interval 23:50 EST", day.get("RefId").asText());
      assertEquals(287, day.get("FiveMinTotalLoad").size());
      assertEquals(23, day.get("ClearedMW").size());
      JsonNode demand = exchange(later, "/lgi/v1/real-time/2024-11-11/demand/actual?timeResolution=hourly&region=MISO");
      assertEquals("{\"pageNumber\":1,\"pageSize\":1000,\"totalElements\":24,\"totalPages\":1,\"lastPage\":true}",
          demand.get("page").toString());
      JsonNode rows = demand.get("data");
      assertEquals(24, rows.size());
      for (int h = 0; h < 24; h++) {
        JsonNode row = rows.get(h);
        assertEquals(List.of("timeInterval", "region", "localResourceZone", "load"), fieldNames(row));
        JsonNode ti = row.get("timeInterval");
        assertEquals("hourly", ti.get("resolution").asText());
        assertEquals(Integer.toString(h + 1), ti.get("value").asText());
        assertEquals(String.format(Locale.ROOT, "2024-11-11 %02d:00:00.000", h), ti.get("start").asText());
        assertEquals("MISO", row.get("region").asText());
        assertTrue(row.get("localResourceZone").isNull());
        assertEquals(1, row.get("load").decimalValue().scale(), "one decimal: " + row.get("load"));
        if (h < 23) {
          long sum = 0;
          for (int i = 0; i < 12; i++) {
            sum += Long.parseLong(day.get("FiveMinTotalLoad").get(h * 12 + i).get("Load").get("Value").asText());
          }
          assertEquals(BigDecimal.valueOf(sum).divide(BigDecimal.valueOf(12), 1, RoundingMode.HALF_UP), row.get("load").decimalValue());
        }
      }
      assertEquals("2024-11-12 00:00:00.000", rows.get(23).get("timeInterval").get("end").asText());
    }
  }

  @Test
  void theFuelMixListsTheEightCategoriesOfEveryInterval() throws Exception {
    JsonNode today = json(get(sim, "/api/FuelMix/Today"));
    assertEquals(List.of("RefId", "TotalMW", "Fuel"), fieldNames(today));
    assertEquals("12-Nov-2024 - Interval 08:05 EST", today.get("RefId").asText());
    assertEquals("0", today.get("TotalMW").asText());
    JsonNode types = today.get("Fuel").get("Type");
    assertEquals(98 * 8, types.size());
    assertEquals("2024-11-12 12:00:00 AM", types.get(0).get("INTERVALEST").asText());
    assertEquals("2024-11-12 12:05:00 AM", types.get(8).get("INTERVALEST").asText());
    assertEquals("2024-11-12 8:05:00 AM", types.get(types.size() - 1).get("INTERVALEST").asText());
    boolean thousands = false;
    for (int i = 0; i < types.size(); i++) {
      JsonNode t = types.get(i);
      assertEquals(List.of("INTERVALEST", "CATEGORY", "ACT", "FUEL_CATEGORY"), fieldNames(t));
      String category = t.get("CATEGORY").asText();
      assertEquals(CATEGORIES.get(i % 8), category);
      long act = Long.parseLong(t.get("ACT").asText());
      assertTrue(act >= 0 || category.equals("Battery Storage"), t.toString());
      assertEquals(category + "  (" + String.format(Locale.US, "%,d", act) + " MW)", t.get("FUEL_CATEGORY").asText());
      thousands |= t.get("FUEL_CATEGORY").asText().matches(".*\\(\\d{1,3}(,\\d{3})+ MW\\)");
    }
    assertTrue(thousands, "thousands are written with commas");

    JsonNode latest = json(get(sim, "/api/FuelMix"));
    assertEquals("12-Nov-2024 - Interval 08:05 EST", latest.get("RefId").asText());
    JsonNode last = latest.get("Fuel").get("Type");
    assertEquals(8, last.size());
    long total = 0;
    for (int c = 0; c < 8; c++) {
      assertEquals(types.get(types.size() - 8 + c), last.get(c), "the latest interval is today's last");
      total += Long.parseLong(last.get(c).get("ACT").asText());
    }
    assertEquals(Long.toString(total), latest.get("TotalMW").asText());

    JsonNode yesterday = json(get(sim, "/api/FuelMix/Yesterday"));
    assertEquals("11-Nov-2024 - Interval 23:55 EST", yesterday.get("RefId").asText());
    JsonNode all = yesterday.get("Fuel").get("Type");
    assertEquals(288 * 8, all.size());
    assertEquals("2024-11-11 11:55:00 PM", all.get(all.size() - 1).get("INTERVALEST").asText());
    assertEquals("2024-11-11 12:00:00 PM", all.get(144 * 8).get("INTERVALEST").asText());
  }

  @Test
  void theDataExchangeGenerationByFuelIsTheHourlyMeanOfTheFuelMix() throws Exception {
    JsonNode mix = json(get(later, "/api/FuelMix/Yesterday")).get("Fuel").get("Type");
    JsonNode page = exchange(later, "/lgi/v1/real-time/2024-11-11/generation/fuel-type?region=MISO");
    JsonNode rows = page.get("data");
    assertEquals(24, rows.size());
    List<String> fields = List.of("coal", "gas", "nuclear", "water", "wind", "solar", "other", "storage");
    List<String> categories = List.of("Coal", "Natural Gas", "Nuclear", "Hydro", "Wind", "Solar", "Other", "Battery Storage");
    for (int h = 0; h < 24; h++) {
      JsonNode row = rows.get(h);
      assertEquals(List.of("timeInterval", "region", "fuelTypes", "totalMw", "interval"), fieldNames(row));
      assertEquals(Integer.toString(h + 1), row.get("interval").asText());
      assertEquals(Integer.toString(h + 1), row.get("timeInterval").get("value").asText());
      assertEquals("MISO", row.get("region").asText());
      assertEquals(fields, fieldNames(row.get("fuelTypes")));
      BigDecimal sum = BigDecimal.ZERO;
      for (int f = 0; f < fields.size(); f++) {
        long mw = 0;
        for (int i = 0; i < 12; i++) {
          JsonNode entry = mix.get((h * 12 + i) * 8 + CATEGORIES.indexOf(categories.get(f)));
          assertEquals(categories.get(f), entry.get("CATEGORY").asText());
          mw += Long.parseLong(entry.get("ACT").asText());
        }
        BigDecimal value = row.get("fuelTypes").get(fields.get(f)).decimalValue();
        assertEquals(1, value.scale(), "one decimal");
        assertEquals(BigDecimal.valueOf(mw).divide(BigDecimal.valueOf(12), 1, RoundingMode.HALF_UP), value, fields.get(f));
        sum = sum.add(value);
      }
      assertEquals(sum, row.get("totalMw").decimalValue(), "totalMw is the sum");
    }
  }

  @Test
  void theRetiredBrokerAndTheNoDataHookSayNoData() throws Exception {
    HttpResponse<String> broker = get(sim, "/MISORTWDDataBroker/DataBrokerServices.asmx?messageType=getLMPConsolidatedTable&returnType=json");
    assertEquals(200, broker.statusCode());
    assertTrue(broker.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals(NO_DATA, broker.body());
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW)).withNoData()) {
      for (String path : List.of("/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling", "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous",
          "/api/RealTimeTotalLoad", "/api/FuelMix", "/api/FuelMix/Today", "/api/FuelMix/Yesterday")) {
        HttpResponse<String> r = get(s, path);
        assertEquals(200, r.statusCode(), path);
        assertEquals(NO_DATA, r.body(), path);
      }
      assertEquals(200, get(s, "/marketreports/20241103_da_expost_lmp.csv").statusCode(), "market reports are not the Public API");
      assertEquals(200, get(s, lmpPath("2024-11-03", ""), MisoSimulator.DEFAULT_KEY).statusCode());
    }
  }

  // --- Data Exchange -----------------------------------------------------------------------------

  @Test
  void theDataExchangeWantsTheSubscriptionKey() throws Exception {
    HttpResponse<String> none = get(sim, lmpPath("2024-11-03", ""));
    assertEquals(401, none.statusCode());
    assertEquals("{\"statusCode\": 401, \"message\": \"Access denied due to missing subscription key\"}", none.body());
    String invalid = "{\"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key. Make sure to provide a valid key"
        + " for an active subscription.\"}";
    HttpResponse<String> wrong = get(sim, lmpPath("2024-11-03", ""), "not-the-key");
    assertEquals(401, wrong.statusCode());
    assertEquals(invalid, wrong.body());
    assertEquals(200, get(sim, lmpPath("2024-11-03", ""), "demo-key-of-the-simulator").statusCode());
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW)).withKey("another-key")) {
      HttpResponse<String> old = get(s, lmpPath("2024-11-03", ""), MisoSimulator.DEFAULT_KEY);
      assertEquals(401, old.statusCode());
      assertEquals(invalid, old.body());
      assertEquals(200, get(s, lmpPath("2024-11-03", ""), "another-key").statusCode());
      assertEquals(200, get(s, "/api/FuelMix").statusCode(), "the Public API needs no key");
      assertEquals(200, get(s, "/marketreports/20241103_rt_lmp_final.csv").statusCode(), "the reports need no key");
    }
  }

  @Test
  void theDataExchangePagesItsRowsByNodeThenInterval() throws Exception {
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 40, NOW))) {
      JsonNode p1 = exchange(s, lmpPath("2024-11-03", ""));
      assertEquals(List.of("data", "page"), fieldNames(p1));
      assertEquals("{\"pageNumber\":1,\"pageSize\":1000,\"totalElements\":11520,\"totalPages\":12,\"lastPage\":false}",
          p1.get("page").toString());
      JsonNode rows = p1.get("data");
      assertEquals(1000, rows.size());
      JsonNode r0 = rows.get(0);
      assertEquals(List.of("interval", "timeInterval", "preliminaryFinal", "node", "lmp", "mcc", "mec", "mlc"), fieldNames(r0));
      assertEquals("00:00", r0.get("interval").asText());
      assertEquals("{\"resolution\":\"5min\",\"start\":\"2024-11-03 00:00:00.000\",\"end\":\"2024-11-03 00:05:00.000\","
          + "\"value\":\"2024-11-03 00:00:00.000\"}", r0.get("timeInterval").toString());
      assertEquals("Final", r0.get("preliminaryFinal").asText());
      assertEquals("ARKANSAS.HUB", r0.get("node").asText());
      assertEquals("ARKANSAS.HUB", rows.get(287).get("node").asText());
      assertEquals("23:55", rows.get(287).get("interval").asText());
      assertEquals("2024-11-04 00:00:00.000", rows.get(287).get("timeInterval").get("end").asText());
      assertEquals("ILLINOIS.HUB", rows.get(288).get("node").asText());
      assertEquals("00:00", rows.get(288).get("interval").asText());
      assertEquals("02:00", rows.get(24).get("interval").asText(), "the fall-back day has no repeated hour on EST");
      for (JsonNode row : rows) {
        for (String f : List.of("lmp", "mcc", "mec", "mlc")) {
          assertTrue(row.get(f).isNumber() && row.get(f).decimalValue().scale() <= 2, row.toString());
        }
        assertEquals(cents(row.get("lmp")), cents(row.get("mec")) + cents(row.get("mcc")) + cents(row.get("mlc")), "lmp to the cent");
      }
      JsonNode p12 = exchange(s, lmpPath("2024-11-03", "&pageNumber=12"));
      assertEquals(520, p12.get("data").size());
      assertEquals("{\"pageNumber\":12,\"pageSize\":1000,\"totalElements\":11520,\"totalPages\":12,\"lastPage\":true}",
          p12.get("page").toString());
      assertEquals(s.nodes().get(39).name(), p12.get("data").get(519).get("node").asText());
      JsonNode p13 = exchange(s, lmpPath("2024-11-03", "&pageNumber=13"));
      assertEquals(0, p13.get("data").size());
      assertTrue(p13.get("page").get("lastPage").asBoolean());
      assertEquals(13, p13.get("page").get("pageNumber").asInt());

      JsonNode at = exchange(s, lmpPath("2024-11-03", "&interval=13:05"));
      assertEquals(40, at.get("page").get("totalElements").asInt());
      for (JsonNode row : at.get("data")) {
        assertEquals("13:05", row.get("interval").asText());
        assertEquals("2024-11-03 13:05:00.000", row.get("timeInterval").get("start").asText());
        assertEquals("2024-11-03 13:10:00.000", row.get("timeInterval").get("end").asText());
      }
      assertEquals(rows.get(157), at.get("data").get(0), "the filter selects the same rows");
      JsonNode offGrid = exchange(s, lmpPath("2024-11-03", "&interval=13:07"));
      assertEquals(0, offGrid.get("data").size());
      assertEquals(0, offGrid.get("page").get("totalElements").asInt());
      assertTrue(offGrid.get("page").get("lastPage").asBoolean());

      assertEquals("Preliminary", exchange(s, lmpPath("2024-11-10", "")).get("data").get(0).get("preliminaryFinal").asText());
      assertEquals("Final", exchange(s, lmpPath("2024-11-06", "")).get("data").get(0).get("preliminaryFinal").asText());

      s.withPageSize(100);
      JsonNode small = exchange(s, lmpPath("2024-11-03", "&pageNumber=2"));
      assertEquals("{\"pageNumber\":2,\"pageSize\":100,\"totalElements\":11520,\"totalPages\":116,\"lastPage\":false}",
          small.get("page").toString());
      assertEquals(rows.get(100), small.get("data").get(0));
    }
  }

  @Test
  void theDataExchangeAnswersDateNotFoundUntilNineTheNextDayAnd400ForBadRequests() throws Exception {
    HttpResponse<String> unpublished = get(sim, lmpPath("2024-11-11", ""), MisoSimulator.DEFAULT_KEY);
    assertEquals(404, unpublished.statusCode());
    assertEquals("{\"statusCode\": 404, \"message\": \"Date not found\"}", unpublished.body());
    assertEquals(404, get(sim, "/lgi/v1/real-time/2024-11-11/demand/actual?timeResolution=hourly&region=MISO", MisoSimulator.DEFAULT_KEY)
        .statusCode());
    assertEquals(404, get(sim, "/lgi/v1/real-time/2024-11-12/generation/fuel-type?region=MISO", MisoSimulator.DEFAULT_KEY).statusCode());
    try (MisoSimulator nine = MisoSimulator.start(new SimulatorOptions(0, 0, Instant.parse("2024-11-12T14:00:00Z")))) {
      assertEquals(200, get(nine, lmpPath("2024-11-11", ""), MisoSimulator.DEFAULT_KEY).statusCode(), "from 09:00 EST the next day");
      assertEquals(404, get(nine, lmpPath("2024-11-12", ""), MisoSimulator.DEFAULT_KEY).statusCode());
    }
    for (String bad : List.of(lmpPath("2024-13-01", ""), lmpPath("20241103", ""), lmpPath("2024-02-30", ""),
        lmpPath("2024-11-03", "&pageNumber=0"), lmpPath("2024-11-03", "&pageNumber=x"), lmpPath("2024-11-03", "&interval=25:00"),
        "/pricing/v1/real-time/2024-11-03/lmp-expost?timeResolution=hourly",
        "/lgi/v1/real-time/2024-11-03/demand/actual?timeResolution=hourly&region=PJM")) {
      HttpResponse<String> r = get(sim, bad, MisoSimulator.DEFAULT_KEY);
      assertEquals(400, r.statusCode(), bad);
      assertEquals(400, JSON.readTree(r.body()).get("statusCode").asInt(), r.body());
    }
    HttpResponse<String> unknown = get(sim, "/pricing/v1/day-ahead/2024-11-03/lmp", MisoSimulator.DEFAULT_KEY);
    assertEquals(404, unknown.statusCode());
    assertEquals("{\"statusCode\": 404, \"message\": \"Resource not found\"}", unknown.body());
  }

  @Test
  void theRateLimitAndTheEnforcedSpacingAnswer429WithRetryAfter() throws Exception {
    String limited = "{\"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in 1 seconds.\"}";
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW)).withRateLimit(2, Duration.ofMillis(600))) {
      String path = "/lgi/v1/real-time/2024-11-03/demand/actual?timeResolution=hourly&region=MISO";
      assertEquals(200, get(s, path, MisoSimulator.DEFAULT_KEY).statusCode());
      assertEquals(200, get(s, path, MisoSimulator.DEFAULT_KEY).statusCode());
      HttpResponse<String> r = get(s, path, MisoSimulator.DEFAULT_KEY);
      assertEquals(429, r.statusCode());
      assertEquals(limited, r.body());
      assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
      assertEquals(200, get(s, "/api/FuelMix").statusCode(), "the Public API is not limited");
      assertEquals(200, get(s, "/marketreports/20241103_da_expost_lmp.csv").statusCode(), "nor are the reports");
      Thread.sleep(800);
      assertEquals(200, get(s, path, MisoSimulator.DEFAULT_KEY).statusCode(), "the window trails");
    }
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW, Duration.ofSeconds(30)))) {
      assertEquals(200, get(s, lmpPath("2024-11-03", "&interval=00:00"), MisoSimulator.DEFAULT_KEY).statusCode());
      HttpResponse<String> r = get(s, lmpPath("2024-11-03", "&interval=00:05"), MisoSimulator.DEFAULT_KEY);
      assertEquals(429, r.statusCode());
      assertEquals(limited, r.body());
      assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
    }
  }

  @Test
  void theDailyQuotaAnswers403Beyond() throws Exception {
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW)).withDailyQuota(3)) {
      String path = "/lgi/v1/real-time/2024-11-03/generation/fuel-type?region=MISO";
      for (int i = 0; i < 3; i++) {
        assertEquals(200, get(s, path, MisoSimulator.DEFAULT_KEY).statusCode(), "call " + (i + 1));
      }
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = get(s, path, MisoSimulator.DEFAULT_KEY);
        assertEquals(403, r.statusCode());
        assertTrue(r.body().matches("\\{\"statusCode\": 403, \"message\": \"Out of call volume quota\\. Quota will be replenished in"
            + " [0-2]\\d:[0-5]\\d:[0-5]\\d\\.\"}"), r.body());
      }
      assertEquals(200, get(s, "/api/RealTimeTotalLoad").statusCode(), "the quota is the Data Exchange's");
    }
  }

  // --- test hooks --------------------------------------------------------------------------------

  @Test
  void theBotChallengeAnswersEveryPath() throws Exception {
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW)).withBotChallenge(true)) {
      for (String path : List.of("/marketreports/20241103_da_expost_lmp.csv", "/api/FuelMix", "/MISORTWDDataBroker/DataBrokerServices.asmx",
          lmpPath("2024-11-03", ""))) {
        HttpResponse<String> r = get(s, path, MisoSimulator.DEFAULT_KEY);
        assertEquals(403, r.statusCode(), path);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
        assertEquals("challenge", r.headers().firstValue("cf-mitigated").orElse(""), path);
        assertTrue(r.body().startsWith("<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"), r.body());
      }
      s.withBotChallenge(false);
      assertEquals(200, get(s, "/api/FuelMix").statusCode());
      assertFalse(get(s, "/api/FuelMix").headers().firstValue("cf-mitigated").isPresent());
    }
  }

  @Test
  void failNextFailsOnlyTheNextRequests() throws Exception {
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW)).failNext(2, 503)) {
      HttpResponse<String> first = get(s, "/api/FuelMix");
      assertEquals(503, first.statusCode());
      assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertFalse(first.body().isBlank());
      assertEquals(503, get(s, "/marketreports/20241103_da_expost_lmp.csv").statusCode());
      assertEquals(200, get(s, "/api/FuelMix").statusCode());
      s.failNext(1, 500);
      assertEquals(500, get(s, lmpPath("2024-11-03", ""), MisoSimulator.DEFAULT_KEY).statusCode());
      assertEquals(200, get(s, lmpPath("2024-11-03", ""), MisoSimulator.DEFAULT_KEY).statusCode());
    }
  }

  @Test
  void requestTargetsListEveryRequestInOrder() throws Exception {
    try (MisoSimulator s = MisoSimulator.start(new SimulatorOptions(0, 0, NOW))) {
      get(s, "/marketreports/20241103_da_expost_lmp.csv");
      get(s, "/api/FuelMix");
      get(s, lmpPath("2024-11-03", "&pageNumber=2"));
      get(s, lmpPath("2024-11-03", "&pageNumber=2"), MisoSimulator.DEFAULT_KEY);
      assertEquals(List.of("GET /marketreports/20241103_da_expost_lmp.csv", "GET /api/FuelMix",
          "GET /pricing/v1/real-time/2024-11-03/lmp-expost?timeResolution=5min&pageNumber=2",
          "GET /pricing/v1/real-time/2024-11-03/lmp-expost?timeResolution=5min&pageNumber=2"), s.requestTargets());
      assertEquals(4, s.requests());
      assertEquals(404, get(s, "/nothing/here").statusCode());
      assertEquals(404, get(s, "/api/NoSuchThing").statusCode());
      HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/api/FuelMix"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      assertEquals("POST /api/FuelMix", s.requestTargets().get(6));
    }
  }

  @Test
  void theNodesAreTheHubsZonesAndInterfacesThenGeneratorNodes() {
    assertEquals(List.of("ARKANSAS.HUB", "ILLINOIS.HUB", "INDIANA.HUB", "LOUISIANA.HUB", "MICHIGAN.HUB", "MINN.HUB", "MS.HUB", "TEXAS.HUB"),
        MisoSimulator.HUBS);
    List<MisoNode> few = MisoNode.all(10);
    assertEquals(36, few.size(), "hubs, zones and interfaces are always served");
    assertEquals(8, few.stream().filter(n -> n.type().equals("Hub")).count());
    assertEquals(20, few.stream().filter(n -> n.type().equals("Loadzone")).count());
    assertEquals(8, few.stream().filter(n -> n.type().equals("Interface")).count());
    assertEquals(NODES, sim.nodes().size());
    List<MisoNode> many = MisoNode.all(5_000);
    assertEquals(5_000, many.size());
    Set<String> names = new HashSet<>();
    for (MisoNode n : many) {
      assertTrue(names.add(n.name()), "unique: " + n.name());
      if (n.type().equals("Gennode")) {
        assertTrue(n.name().matches("[A-Z]+\\.[A-Z0-9_]+(\\.AZ)?"), n.name());
      }
    }
    assertEquals(List.of("ALTW.WELLS1", "EES.KRBYVLE.AZ", "AMIL.CCG_5.AZ"), List.of(many.get(36).name(), many.get(37).name(),
        many.get(38).name()));
    assertEquals(many, MisoNode.all(5_000), "deterministic");
    assertEquals(sim.nodes(), many.subList(0, NODES), "a smaller universe is a prefix of a larger one");
  }

  @Test
  void theSameOptionsGiveTheSameBytes() throws Exception {
    try (MisoSimulator a = MisoSimulator.start(new SimulatorOptions(0, 60, NOW));
        MisoSimulator b = MisoSimulator.start(new SimulatorOptions(0, 60, NOW))) {
      for (String path : List.of("/marketreports/20240310_rt_lmp_final.csv", "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling",
          "/api/RealTimeTotalLoad", "/api/FuelMix/Today")) {
        assertArrayEquals(get(a, path).body().getBytes(), get(b, path).body().getBytes(), path);
      }
      assertEquals(get(a, lmpPath("2024-03-10", "&pageNumber=3"), MisoSimulator.DEFAULT_KEY).body(),
          get(b, lmpPath("2024-03-10", "&pageNumber=3"), MisoSimulator.DEFAULT_KEY).body());
    }
  }
}
