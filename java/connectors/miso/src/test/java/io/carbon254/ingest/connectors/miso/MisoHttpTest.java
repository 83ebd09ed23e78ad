package io.carbon254.ingest.connectors.miso;

import static io.carbon254.ingest.connectors.miso.MisoTestSupport.KEY;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.day;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.DailyQuota;
import io.carbon254.ingest.connectors.common.testing.MovableClock;
import io.carbon254.ingest.connectors.common.testing.RecordingDispatcher;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MISO over HTTP against a scripted MISO on loopback (the market reports, the Public API and the
 * Data Exchange on one port, as INGEST_MISO_BASE_URL moves all three): the real-time report asked
 * final first, then preliminary; one report per EST day; the 403s that are a bot challenge or the
 * daily quota (exit 3) and the one that is neither (exit 2); retries of 429 and 503; the Public API's
 * "no data"; which source serves which day; the Data Exchange's paging; the Public API's
 * completeness and its reuse within a minute. Bodies are built here in MISO's formats. "Now" is
 * 2024-11-05T15:00:00Z: 10:00 EST on market day 2024-11-05, after 09:00 EST, when the Data Exchange
 * holds yesterday; {@link #EARLY} is 08:00 EST, when yesterday still comes from the Public API.
 */
class MisoHttpTest {
  static final Instant NOW = Instant.parse("2024-11-05T15:00:00Z");
  /** 08:00 EST: the Data Exchange does not hold yesterday yet (it does from 09:00 EST), so the Public API serves it. */
  static final Instant EARLY = Instant.parse("2024-11-05T13:00:00Z");
  static final LocalDate TODAY = LocalDate.parse("2024-11-05");
  static final LocalDate YESTERDAY = TODAY.minusDays(1);
  static final LocalDate OLD = LocalDate.parse("2024-11-01");
  /** 00:00..01:00 EST of today, yesterday and an older day; 10:00..11:00 EST of the older day. */
  static final IntervalKey TODAY_HOUR = key("lmp_rt_5min", "2024-11-05T05:00:00Z", "2024-11-05T06:00:00Z");
  static final IntervalKey YESTERDAY_HOUR = key("lmp_rt_5min", "2024-11-04T05:00:00Z", "2024-11-04T06:00:00Z");
  static final IntervalKey OLD_HOUR = key("lmp_rt_5min", "2024-11-01T15:00:00Z", "2024-11-01T16:00:00Z");
  static final String ROLLING = "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling";
  static final String PREVIOUS = "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous";
  static final String LOAD_TODAY = "/api/RealTimeTotalLoad";
  static final String FUEL_TODAY = "/api/FuelMix/Today";
  static final String FUEL_YESTERDAY = "/api/FuelMix/Yesterday";
  static final String QUOTA = "{\"statusCode\": 403, \"message\": \"Out of call volume quota. Quota will be replenished in 05:20:33.\"}";
  static final long STAGE = 10_000_000_000_000L;
  static final String[][] REPORT_NODES = {{"ILLINOIS.HUB", "Hub"}, {"AECI.ALTW", "Loadzone"}, {"ALTW.WELLS1", "Gennode"}};
  static final String[] RT_NODES = {"ILLINOIS.HUB", "ALTW.WELLS1"};
  static final DateTimeFormatter US_DAY = DateTimeFormatter.ofPattern("MM/dd/uuuu");
  static final DateTimeFormatter EXCHANGE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS");
  static final DateTimeFormatter REF_DAY = DateTimeFormatter.ofPattern("dd-MMM-uuuu", Locale.ENGLISH);
  static final DateTimeFormatter FUEL_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd h:mm:ss a", Locale.ENGLISH);
  static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  private MockWebServer server;
  private RecordingDispatcher d;
  /** MISO's answers by path; a path without one answers as MISO does for something it does not hold (a 404). */
  private final Map<String, Function<RecordedRequest, MockResponse>> routes = new ConcurrentHashMap<>();
  private final List<String> retries = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    // a fresh server (a fresh port) per test: PublicApi reuses answers process-wide by URL
    server = new MockWebServer();
    d = new RecordingDispatcher(this::answer);
    server.setDispatcher(d);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private MockResponse answer(RecordedRequest r) {
    String path = r.getUrl().encodedPath();
    Function<RecordedRequest, MockResponse> route = routes.get(path);
    if (route != null) {
      return route.apply(r);
    }
    if (path.startsWith("/marketreports/")) {
      return blobNotFound();
    }
    if (path.startsWith("/pricing/") || path.startsWith("/lgi/")) {
      return json(404, "{\"statusCode\": 404, \"message\": \"Date not found\"}");
    }
    return new MockResponse.Builder().code(404).setHeader("Content-Type", "text/plain").body("Not Found").build();
  }

  // ---------------------------------------------------------------------------------------------
  // wiring

  Map<String, String> env() {
    return MisoTestSupport.env(server.url("/").toString());
  }

  Map<String, String> env(String transport) {
    Map<String, String> env = env();
    env.put("INGEST_MISO_TRANSPORT", transport);
    return env;
  }

  Dataset dataset(String id, Map<String, String> env, MovableClock clock) {
    return MisoTestSupport.dataset(id, env, clock, retries::add);
  }

  Dataset dataset(String id) {
    return dataset(id, env(), new MovableClock(NOW));
  }

  /** The request targets sent, in order: path and query exactly as on the request line. */
  List<String> targets() {
    return d.requests.stream().map(RecordedRequest::getTarget).toList();
  }

  static String exchangeKey(RecordedRequest r) {
    return r.getHeaders().get(MisoConnector.KEY_HEADER);
  }

  // ---------------------------------------------------------------------------------------------
  // answers in MISO's formats

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json; charset=utf-8")
        .body(new Buffer().writeUtf8(body)).build();
  }

  static MockResponse csv(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/octet-stream")
        .body(new Buffer().writeUtf8(body)).build();
  }

  static MockResponse blobNotFound() {
    return new MockResponse.Builder().code(404).setHeader("Content-Type", "application/xml")
        .body(new Buffer().write(MisoTestSupport.resource("blob_not_found.xml"))).build();
  }

  /** Cloudflare's bot challenge in front of MISO's hosts. */
  static MockResponse challenge() {
    return new MockResponse.Builder().code(403).setHeader("Content-Type", "text/html; charset=UTF-8").setHeader("cf-mitigated", "challenge")
        .body(new Buffer().writeUtf8("<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
            + "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head><body><div class=\"main-wrapper\">"
            + "<noscript>Enable JavaScript and cookies to continue</noscript></div></body></html>"))
        .build();
  }

  /** A price in cents as MISO's reports write it: two decimals at most, no trailing zeros, no leading zero. */
  static String misoNumber(long cents) {
    BigDecimal v = BigDecimal.valueOf(cents, 2).stripTrailingZeros();
    if (v.signum() == 0) {
      return "0";
    }
    String s = v.toPlainString();
    return s.startsWith("0.") ? s.substring(1) : s.startsWith("-0.") ? "-" + s.substring(2) : s;
  }

  /** A price in cents as a JSON number of the Data Exchange (at most two decimals). */
  static String jsonNumber(long cents) {
    return BigDecimal.valueOf(cents, 2).stripTrailingZeros().toPlainString();
  }

  /** Congestion, loss and energy in cents of a report's node {@code n} and hour ending {@code he}; {@code delta} tells stages apart. */
  static long mcc(int n, int he) {
    return (n * 37L + he * 11L) % 301 - 150;
  }

  static long mlc(int n, int he) {
    return (n * 13L + he * 7L) % 61 - 30;
  }

  static long mec(int n, int he, int delta) {
    return 2500 + he * 50L + n * 25L + delta * (n + 1) * (he % 3 + 1);
  }

  /** One market report of {@code day}: every node's LMP row, then every MCC row, then every MLC row. */
  static String report(String title, LocalDate day, int delta) {
    StringBuilder b = new StringBuilder(title).append("\r\n").append(US_DAY.format(day)).append("\r\n\r\n")
        .append(",,,All Hours-Ending are Eastern Standard Time (EST)\r\nNode,Type,Value");
    for (int h = 1; h <= 24; h++) {
      b.append(",HE ").append(h);
    }
    b.append("\r\n");
    for (String value : List.of("LMP", "MCC", "MLC")) {
      for (int n = 0; n < REPORT_NODES.length; n++) {
        b.append(REPORT_NODES[n][0]).append(',').append(REPORT_NODES[n][1]).append(',').append(value);
        for (int h = 1; h <= 24; h++) {
          long c = switch (value) {
            case "MCC" -> mcc(n, h);
            case "MLC" -> mlc(n, h);
            default -> mec(n, h, delta) + mcc(n, h) + mlc(n, h);
          };
          b.append(',').append(misoNumber(c));
        }
        b.append("\r\n");
      }
    }
    return b.toString();
  }

  static final int FINAL_DELTA = 7;

  static String finalReport(LocalDate day) {
    return report("Real-Time Market Final LMPs", day, FINAL_DELTA);
  }

  static String prelimReport(LocalDate day) {
    return report("Real-Time Market Preliminary LMPs", day, 0);
  }

  static String reportPath(LocalDate day, String file) {
    return "/marketreports/" + DateTimeFormatter.BASIC_ISO_DATE.format(day) + "_" + file + ".csv";
  }

  /** Five-minute LMP components in cents of RT node {@code n} at minute {@code m} of the day. */
  static long rtMcc(int n, int m) {
    return (n * 53L + m * 3L) % 201 - 100;
  }

  static long rtMlc(int n, int m) {
    return (n * 17L + m) % 41 - 20;
  }

  static long rtMec(int n, int m) {
    return 2000 + m + n * 30L;
  }

  /** The Public API's Rolling/Previous answer: the first {@code intervals} five-minute intervals of {@code day}. */
  static String fiveMinExPost(LocalDate day, int intervals) {
    StringBuilder b = new StringBuilder("{\"headers\":[\"INTERVAL\",\"CPNODE\",\"LMP\",\"MLC\",\"MCC\"],\"data\":[");
    for (int i = 0; i < intervals; i++) {
      int m = i * 5;
      String t = day.atStartOfDay().plusMinutes(m).toString() + ":00";
      for (int n = 0; n < RT_NODES.length; n++) {
        long mcc = rtMcc(n, m);
        long mlc = rtMlc(n, m);
        long lmp = rtMec(n, m) + mcc + mlc;
        b.append(i == 0 && n == 0 ? "" : ",").append("[\"").append(t).append("\",\"").append(RT_NODES[n]).append("\",\"")
            .append(twoDecimals(lmp)).append("\",\"").append(twoDecimals(mlc)).append("\",\"").append(twoDecimals(mcc)).append("\"]");
      }
    }
    return b.append("]}").toString();
  }

  static String twoDecimals(long cents) {
    return BigDecimal.valueOf(cents, 2).toPlainString();
  }

  /** Today's RealTimeTotalLoad: the first {@code intervals} five-minute totals (80000 + 10 i MW). */
  static String totalLoad(LocalDate day, int intervals) {
    String last = LocalTime.MIDNIGHT.plusMinutes(5L * (intervals - 1)).format(HH_MM);
    StringBuilder b = new StringBuilder("{\"LoadInfo\":{\"RefId\":\"").append(REF_DAY.format(day)).append(" - Interval ").append(last)
        .append(" EST\",\"ClearedMW\":[");
    int hours = intervals / 12;
    for (int h = 1; h <= hours; h++) {
      b.append(h == 1 ? "" : ",").append("{\"ClearedMWHourly\":{\"Hour\":\"").append(h).append("\",\"Value\":\"").append(79000 + h).append("\"}}");
    }
    b.append("],\"MediumTermLoadForecast\":[");
    for (int h = 1; h <= 24; h++) {
      b.append(h == 1 ? "" : ",").append("{\"Forecast\":{\"HourEnding\":\"").append(h).append("\",\"LoadForecast\":\"").append(81000 + h)
          .append("\"}}");
    }
    b.append("],\"FiveMinTotalLoad\":[");
    for (int i = 0; i < intervals; i++) {
      b.append(i == 0 ? "" : ",").append("{\"Load\":{\"Time\":\"").append(LocalTime.MIDNIGHT.plusMinutes(5L * i).format(HH_MM))
          .append("\",\"Value\":\"").append(80000 + 10 * i).append("\"}}");
    }
    return b.append("]}}").toString();
  }

  static final String[] CATEGORIES = {"Battery Storage", "Coal", "Wind"};

  static long act(int category, int i) {
    return switch (category) {
      case 0 -> -5 + i;
      case 1 -> 13000 + 12L * i;
      default -> 20000 - 12L * i;
    };
  }

  /** FuelMix/Today or /Yesterday: the first {@code intervals} five-minute intervals of {@code day}, three categories each. */
  static String fuelMix(LocalDate day, int intervals) {
    String last = LocalTime.MIDNIGHT.plusMinutes(5L * (intervals - 1)).format(HH_MM);
    StringBuilder b = new StringBuilder("{\"RefId\":\"").append(REF_DAY.format(day)).append(" - Interval ").append(last)
        .append(" EST\",\"TotalMW\":\"0\",\"Fuel\":{\"Type\":[");
    for (int i = 0; i < intervals; i++) {
      String at = FUEL_TIME.format(day.atStartOfDay().plusMinutes(5L * i));
      for (int c = 0; c < CATEGORIES.length; c++) {
        long mw = act(c, i);
        b.append(i == 0 && c == 0 ? "" : ",").append("{\"INTERVALEST\":\"").append(at).append("\",\"CATEGORY\":\"").append(CATEGORIES[c])
            .append("\",\"ACT\":\"").append(mw).append("\",\"FUEL_CATEGORY\":\"").append(CATEGORIES[c]).append("  (")
            .append(String.format(Locale.ROOT, "%,d", mw)).append(" MW)\"}");
      }
    }
    return b.append("]}}").toString();
  }

  /** A Data Exchange page. */
  static String page(List<String> rows, int number, int totalPages, long totalElements, boolean last) {
    return "{\"data\":[" + String.join(",", rows) + "],\"page\":{\"pageNumber\":" + number + ",\"pageSize\":1000,\"totalElements\":"
        + totalElements + ",\"totalPages\":" + totalPages + ",\"lastPage\":" + last + "}}";
  }

  static String exchangeTime(LocalDateTime t) {
    return EXCHANGE_TIME.format(t);
  }

  /** A Data Exchange ex-post LMP row of RT node {@code n} in the interval starting {@code hhmm} of {@code day}. */
  static String lmpRow(LocalDate day, String hhmm, int n, String preliminaryFinal) {
    LocalDateTime s = day.atTime(LocalTime.parse(hhmm));
    int m = s.getHour() * 60 + s.getMinute();
    long mcc = rtMcc(n, m);
    long mlc = rtMlc(n, m);
    long mec = rtMec(n, m);
    return "{\"interval\":\"" + hhmm + "\",\"timeInterval\":{\"resolution\":\"5min\",\"start\":\"" + exchangeTime(s) + "\",\"end\":\""
        + exchangeTime(s.plusMinutes(5)) + "\",\"value\":\"" + exchangeTime(s) + "\"},\"preliminaryFinal\":\"" + preliminaryFinal
        + "\",\"node\":\"" + RT_NODES[n] + "\",\"lmp\":" + jsonNumber(mec + mcc + mlc) + ",\"mcc\":" + jsonNumber(mcc) + ",\"mec\":"
        + jsonNumber(mec) + ",\"mlc\":" + jsonNumber(mlc) + "}";
  }

  /** The Data Exchange's LMP answer of one interval ({@code interval=HH:mm}): both RT nodes, one page. */
  static MockResponse lmpInterval(LocalDate day, RecordedRequest r) {
    String hhmm = r.getUrl().queryParameter("interval");
    List<String> rows = List.of(lmpRow(day, hhmm, 0, "Preliminary"), lmpRow(day, hhmm, 1, "Preliminary"));
    return json(200, page(rows, 1, 1, rows.size(), true));
  }

  /** A Data Exchange hourly actual-load row of hour {@code hour} (0..23) of {@code day}. */
  static String loadRow(LocalDate day, int hour) {
    LocalDateTime s = day.atTime(hour, 0);
    return "{\"timeInterval\":{\"resolution\":\"hourly\",\"start\":\"" + exchangeTime(s) + "\",\"end\":\"" + exchangeTime(s.plusHours(1))
        + "\",\"value\":\"" + (hour + 1) + "\"},\"region\":\"MISO\",\"localResourceZone\":null,\"load\":" + (90000 + hour * 100) + ".5}";
  }

  static List<String> loadRows(LocalDate day, int from, int to) {
    return IntStream.range(from, to).mapToObj(h -> loadRow(day, h)).toList();
  }

  static String loadPath(LocalDate day) {
    return "/lgi/v1/real-time/" + day + "/demand/actual";
  }

  static String loadTarget(LocalDate day, int pageNumber) {
    return loadPath(day) + "?timeResolution=hourly&region=MISO&pageNumber=" + pageNumber;
  }

  static String lmpPath(LocalDate day) {
    return "/pricing/v1/real-time/" + day + "/lmp-expost";
  }

  /** The twelve request targets of an hour of LMPs from the Data Exchange, from {@code hour}:00 EST. */
  static List<String> lmpTargets(LocalDate day, int hour) {
    return IntStream.range(0, 12).mapToObj(i -> lmpPath(day) + "?timeResolution=5min&interval="
        + String.format(Locale.ROOT, "%02d%%3A%02d", hour, i * 5) + "&pageNumber=1").toList();
  }

  /** The whole day of load as one Data Exchange page. */
  void serveLoadDay(LocalDate day) {
    routes.put(loadPath(day), r -> json(200, page(loadRows(day, 0, 24), 1, 1, 24, true)));
  }

  static <T extends CanonicalRecord> List<T> rows(Dataset ds, List<RawPayload> payloads, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (RawPayload p : payloads) {
      for (CanonicalRecord r : ds.parse(p)) {
        out.add(type.cast(r));
      }
    }
    return out;
  }

  static RawPayload rekeyed(RawPayload p, IntervalKey k) {
    return RawPayload.of(k, p.part(), p.url(), p.contentType(), p.httpStatus(), p.body(), p.fetchedAt());
  }

  // ---------------------------------------------------------------------------------------------
  // 1. market reports: final first, then preliminary; 404 BlobNotFound is not published

  @Test
  void aMissingRealTimeReportAsksForTheFinalThenThePreliminaryFileAndIsNotPublishedNamingBoth() {
    IntervalKey k = day("lmp_rt_hourly", "2024-11-03");
    NotPublishedException x = assertThrows(NotPublishedException.class, () -> dataset("lmp_rt_hourly").fetch(k));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertEquals(List.of("/marketreports/20241103_rt_lmp_final.csv", "/marketreports/20241103_rt_lmp_prelim.csv"), targets());
    assertTrue(x.getMessage().contains("MISO has not published 20241103_rt_lmp_final.csv or 20241103_rt_lmp_prelim.csv yet"),
        x.getMessage());
    assertTrue(x.getMessage().contains("HTTP 404"), x.getMessage());
    assertTrue(retries.isEmpty(), "a 404 is not retried: " + retries);
  }

  @Test
  void aMissingDayAheadReportIsOneRequestForItsOneFile() {
    IntervalKey k = day("lmp_da_expost_hourly", "2024-11-03");
    NotPublishedException x = assertThrows(NotPublishedException.class, () -> dataset("lmp_da_expost_hourly").fetch(k));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertEquals(List.of("/marketreports/20241103_da_expost_lmp.csv"), targets());
    assertTrue(x.getMessage().contains("20241103_da_expost_lmp.csv"), x.getMessage());
  }

  @Test
  void withTheFinalReportPresentOnlyItIsAskedForAndItsRowsAreTheFinalVersion() {
    LocalDate day = LocalDate.parse("2024-11-03");
    String body = finalReport(day);
    routes.put(reportPath(day, "rt_lmp_final"), r -> csv(body));
    routes.put(reportPath(day, "rt_lmp_prelim"), r -> csv(prelimReport(day)));
    Dataset ds = dataset("lmp_rt_hourly");
    List<RawPayload> payloads = ds.fetch(day("lmp_rt_hourly", "2024-11-03"));
    assertEquals(List.of("/marketreports/20241103_rt_lmp_final.csv"), targets());
    assertEquals(1, payloads.size());
    RawPayload p = payloads.get(0);
    assertTrue(p.url().endsWith("/marketreports/20241103_rt_lmp_final.csv"), p.url());
    assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), p.body());
    assertEquals(200, p.httpStatus());
    List<PriceRecord> rows = rows(ds, payloads, PriceRecord.class);
    assertEquals(3 * 24, rows.size(), "three nodes, 24 hours (EST: 2024-11-03 has 24 hours too)");
    assertTrue(rows.stream().allMatch(r -> r.version() / STAGE == Versions.FINAL.stage), "final stage");
    PriceRecord he1 = rows.stream().filter(r -> r.locationId().equals("ILLINOIS.HUB")
        && r.intervalStart().equals(Instant.parse("2024-11-03T05:00:00Z"))).findFirst().orElseThrow();
    assertEquals((mec(0, 1, FINAL_DELTA) + mcc(0, 1) + mlc(0, 1)) / 100.0, he1.price(), 1e-9);
    assertEquals(mcc(0, 1) / 100.0, he1.congestion(), 1e-9);
    assertEquals(mlc(0, 1) / 100.0, he1.loss(), 1e-9);
    assertEquals(mec(0, 1, FINAL_DELTA) / 100.0, he1.energy(), 1e-9);
    assertEquals("RT", he1.marketRun());
    assertEquals("hub", he1.locationType());
    assertEquals(Instant.parse("2024-11-04T04:00:00Z"), rows.stream().map(CanonicalRecord::intervalStart).max(Instant::compareTo).orElseThrow(),
        "HE 24 starts 23:00 EST");
  }

  @Test
  void withOnlyThePreliminaryReportPresentThePayloadIsThePreliminaryOne() {
    LocalDate day = LocalDate.parse("2024-11-03");
    String body = prelimReport(day);
    routes.put(reportPath(day, "rt_lmp_prelim"), r -> csv(body));
    Dataset ds = dataset("lmp_rt_hourly");
    List<RawPayload> payloads = ds.fetch(day("lmp_rt_hourly", "2024-11-03"));
    assertEquals(List.of("/marketreports/20241103_rt_lmp_final.csv", "/marketreports/20241103_rt_lmp_prelim.csv"), targets());
    assertEquals(1, payloads.size());
    RawPayload p = payloads.get(0);
    assertEquals(0, p.part());
    assertTrue(p.url().endsWith("/marketreports/20241103_rt_lmp_prelim.csv"), p.url());
    assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), p.body());
    List<PriceRecord> rows = rows(ds, payloads, PriceRecord.class);
    assertEquals(72, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.version() / STAGE == Versions.PROVISIONAL.stage), "preliminary: provisional stage");
    PriceRecord he1 = rows.stream().filter(r -> r.locationId().equals("AECI.ALTW")
        && r.intervalStart().equals(Instant.parse("2024-11-03T05:00:00Z"))).findFirst().orElseThrow();
    assertEquals((mec(1, 1, 0) + mcc(1, 1) + mlc(1, 1)) / 100.0, he1.price(), 1e-9, "the preliminary prices, not the final ones");
    assertEquals("zone", he1.locationType());
  }

  // ---------------------------------------------------------------------------------------------
  // 2. one report per EST day the window touches

  @Test
  void aWindowOfTwoEstDaysAsksForTwoReportsAndAWindowInsideOneDayOnce() {
    LocalDate d1 = LocalDate.parse("2024-11-03");
    LocalDate d2 = LocalDate.parse("2024-11-04");
    routes.put(reportPath(d1, "da_expost_lmp"), r -> csv(report("Day Ahead Market ExPost LMPs", d1, 0)));
    routes.put(reportPath(d2, "da_expost_lmp"), r -> csv(report("Day Ahead Market ExPost LMPs", d2, 0)));
    Dataset ds = dataset("lmp_da_expost_hourly");
    // 12:00 EST on 2024-11-03 to 12:00 EST on 2024-11-04
    List<RawPayload> payloads = ds.fetch(key("lmp_da_expost_hourly", "2024-11-03T17:00:00Z", "2024-11-04T17:00:00Z"));
    assertEquals(List.of("/marketreports/20241103_da_expost_lmp.csv", "/marketreports/20241104_da_expost_lmp.csv"), targets());
    assertEquals(List.of(0, 1), payloads.stream().map(RawPayload::part).toList(), "one payload per day, parts 0 and 1");
    assertTrue(payloads.get(0).url().endsWith("20241103_da_expost_lmp.csv") && payloads.get(1).url().endsWith("20241104_da_expost_lmp.csv"));
    List<PriceRecord> first = rows(ds, List.of(payloads.get(0)), PriceRecord.class);
    List<PriceRecord> second = rows(ds, List.of(payloads.get(1)), PriceRecord.class);
    assertEquals(3 * 12, first.size(), "HE 13..24 of the first day");
    assertEquals(3 * 12, second.size(), "HE 1..12 of the second day");
    assertTrue(first.stream().allMatch(r -> !r.intervalStart().isBefore(Instant.parse("2024-11-03T17:00:00Z"))
        && r.intervalStart().isBefore(Instant.parse("2024-11-04T05:00:00Z"))), first.toString());
    assertTrue(second.stream().allMatch(r -> !r.intervalStart().isBefore(Instant.parse("2024-11-04T05:00:00Z"))
        && r.intervalStart().isBefore(Instant.parse("2024-11-04T17:00:00Z"))), second.toString());
    assertTrue(first.stream().allMatch(r -> r.marketRun().equals("DA") && r.version() / STAGE == Versions.PROVISIONAL.stage));

    d.requests.clear();
    List<RawPayload> one = ds.fetch(key("lmp_da_expost_hourly", "2024-11-03T06:00:00Z", "2024-11-03T09:00:00Z"));
    assertEquals(List.of("/marketreports/20241103_da_expost_lmp.csv"), targets(), "01:00..04:00 EST: one day, one request");
    assertEquals(1, one.size());
    assertEquals(3 * 3, ds.parse(one.get(0)).size(), "HE 2..4 of three nodes");
  }

  // ---------------------------------------------------------------------------------------------
  // 3. the bot challenge: exit 3, not retried

  @Test
  void aBotChallengeOnTheMarketReportsIsUpstreamUnavailableAndNotRetried() {
    routes.put(reportPath(LocalDate.parse("2024-11-03"), "rt_lmp_final"), r -> challenge());
    UpstreamUnavailableException x = assertThrows(UpstreamUnavailableException.class,
        () -> dataset("lmp_rt_hourly").fetch(day("lmp_rt_hourly", "2024-11-03")));
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, x.exitCode());
    assertTrue(x.getMessage().contains("bot challenge") && x.getMessage().contains("MISO's market reports"), x.getMessage());
    assertEquals(List.of("/marketreports/20241103_rt_lmp_final.csv"), targets(), "not retried, and no preliminary file asked for");
    assertTrue(retries.isEmpty(), retries.toString());
  }

  @Test
  void aBotChallengeOnThePublicApiIsUpstreamUnavailableAndNotRetried() {
    routes.put(ROLLING, r -> challenge());
    UpstreamUnavailableException x = assertThrows(UpstreamUnavailableException.class, () -> dataset("lmp_rt_5min").fetch(TODAY_HOUR));
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, x.exitCode());
    assertTrue(x.getMessage().contains("bot challenge") && x.getMessage().contains("MISO's Public API"), x.getMessage());
    assertTrue(x.getMessage().contains("not from MISO's Public API itself"), x.getMessage());
    assertEquals(List.of(ROLLING), targets());
    assertTrue(retries.isEmpty(), retries.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // 4. the Data Exchange's 403s

  @Test
  void theDataExchangesQuotaAnswerIsUpstreamUnavailableQuotingMiso() {
    routes.put(loadPath(YESTERDAY), r -> json(403, QUOTA));
    UpstreamUnavailableException x = assertThrows(UpstreamUnavailableException.class,
        () -> dataset("load_actual").fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, x.exitCode());
    assertTrue(x.getMessage().contains("the Data Exchange's daily quota (24,000 calls per subscription and day) is used up"), x.getMessage());
    assertTrue(x.getMessage().contains("'Out of call volume quota. Quota will be replenished in 05:20:33.'"), x.getMessage());
    assertEquals(List.of(loadTarget(YESTERDAY, 1)), targets(), "not retried");
    assertEquals(KEY, exchangeKey(d.requests.get(0)));
  }

  @Test
  void aPlain403FromTheDataExchangeIsAUsageError() {
    routes.put(loadPath(YESTERDAY), r -> json(403, "{\"statusCode\": 403, \"message\": \"Forbidden\"}"));
    UsageException x = assertThrows(UsageException.class, () -> dataset("load_actual").fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.USAGE, x.exitCode());
    assertTrue(x.getMessage().contains("HTTP 403") && x.getMessage().contains("credentials"), x.getMessage());
    assertEquals(1, d.requests.size());
  }

  // ---------------------------------------------------------------------------------------------
  // 5. retries and credentials

  @Test
  void a429WithRetryAfterIsRetriedAfterItAndTheRetryIsLogged() {
    d.queue.add(new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json").setHeader("Retry-After", "1")
        .body("{\"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in 1 seconds.\"}").build());
    serveLoadDay(YESTERDAY);
    Dataset ds = dataset("load_actual");
    List<RawPayload> payloads = ds.fetch(day("load_actual", YESTERDAY.toString()));
    assertEquals(List.of(loadTarget(YESTERDAY, 1), loadTarget(YESTERDAY, 1)), targets());
    assertTrue(d.gapMillis(1) >= 900, "the retry waited for Retry-After: " + d.gapMillis(1) + " ms");
    assertTrue(d.requests.stream().allMatch(r -> KEY.equals(exchangeKey(r))), "every attempt carries the key");
    assertEquals(1, payloads.size());
    assertEquals(200, payloads.get(0).httpStatus());
    List<LoadRecord> rows = rows(ds, payloads, LoadRecord.class);
    assertEquals(24, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.area().equals("MISO") && r.version() / STAGE == Versions.FINAL.stage));
    assertEquals(1, retries.size(), "one retry notice: " + retries);
    assertTrue(retries.get(0).contains("HTTP 429") && retries.get(0).contains("retrying in 1000 ms"), retries.get(0));
  }

  @Test
  void twoServiceUnavailableAnswersAreRetriedAndTheThirdRequestSucceeds() {
    d.queue.add(new MockResponse.Builder().code(503).setHeader("Content-Type", "text/plain").body("Service Unavailable").build());
    d.queue.add(new MockResponse.Builder().code(503).setHeader("Content-Type", "text/plain").body("Service Unavailable").build());
    serveLoadDay(YESTERDAY);
    Dataset ds = dataset("load_actual");
    List<RawPayload> payloads = ds.fetch(day("load_actual", YESTERDAY.toString()));
    assertEquals(3, d.requests.size());
    assertEquals(List.of(loadTarget(YESTERDAY, 1), loadTarget(YESTERDAY, 1), loadTarget(YESTERDAY, 1)), targets());
    assertEquals(1, payloads.size());
    assertEquals(24, ds.parse(payloads.get(0)).size());
    assertEquals(2, retries.size(), retries.toString());
    assertTrue(retries.stream().allMatch(s -> s.contains("HTTP 503")), retries.toString());
  }

  @Test
  void a401FromTheDataExchangeIsAUsageErrorAndNotRetried() {
    routes.put(loadPath(YESTERDAY), r -> json(401, "{\"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key."
        + " Make sure to provide a valid key for an active subscription.\"}"));
    UsageException x = assertThrows(UsageException.class, () -> dataset("load_actual").fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.USAGE, x.exitCode());
    assertTrue(x.getMessage().contains("HTTP 401") && x.getMessage().contains("invalid subscription key"), x.getMessage());
    assertEquals(1, d.requests.size(), "a fixed key is not renewed: one request");
    assertTrue(retries.isEmpty(), retries.toString());
  }

  @Test
  void withoutMisoApiKeyTheDataExchangeIsAUsageErrorNamingItAndNothingIsSentButThePublicApiNeedsNoKey() {
    Map<String, String> env = env();
    env.remove("MISO_API_KEY");
    UsageException x = assertThrows(UsageException.class,
        () -> dataset("load_actual", env, new MovableClock(NOW)).fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.USAGE, x.exitCode());
    assertTrue(x.getMessage().contains("MISO_API_KEY is not set"), x.getMessage());
    assertTrue(x.getMessage().contains(MisoConnector.KEY_HEADER), x.getMessage());
    assertEquals(List.of(), targets(), "no request without the key");

    routes.put(ROLLING, r -> json(200, fiveMinExPost(TODAY, 120)));
    List<RawPayload> payloads = dataset("lmp_rt_5min", env, new MovableClock(NOW)).fetch(TODAY_HOUR);
    assertEquals(1, payloads.size());
    assertEquals(List.of(ROLLING), targets());
    assertNull(exchangeKey(d.requests.get(0)), "the Public API is asked without a key");
  }

  // ---------------------------------------------------------------------------------------------
  // 6. the Public API's "no data"

  @Test
  void aPublicApiAnswerOfErrorNoDataIsNotPublishedNeverAnEmptySuccess() {
    routes.put(ROLLING, r -> json(200, "{\"error\":\"no data\"}"));
    NotPublishedException x = assertThrows(NotPublishedException.class, () -> dataset("lmp_rt_5min").fetch(TODAY_HOUR));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertTrue(x.getMessage().contains("HTTP 200 with {\"error\": \"no data\"}") && x.getMessage().contains("not published"), x.getMessage());
    assertEquals(List.of(ROLLING), targets());

    routes.put(FUEL_YESTERDAY, r -> json(200, "{\"error\":\"no data\"}"));
    NotPublishedException y = assertThrows(NotPublishedException.class,
        () -> dataset("fuel_mix", env(), new MovableClock(EARLY)).fetch(day("fuel_mix", YESTERDAY.toString())));
    assertEquals(ExitCodes.NOT_PUBLISHED, y.exitCode());
    assertEquals(List.of(ROLLING, FUEL_YESTERDAY), targets());
  }

  // ---------------------------------------------------------------------------------------------
  // 7. which source serves which day

  @Test
  void fiveMinuteLmpsOfTodayComeFromRollingAndOfYesterdayFromPreviousUntilTheDataExchangeHoldsIt() {
    routes.put(ROLLING, r -> json(200, fiveMinExPost(TODAY, 96))); // 00:00..07:55 EST: every interval ended by 08:00
    routes.put(PREVIOUS, r -> json(200, fiveMinExPost(YESTERDAY, 288)));
    routes.put(lmpPath(YESTERDAY), r -> lmpInterval(YESTERDAY, r));
    MovableClock clock = new MovableClock(EARLY);
    Dataset ds = dataset("lmp_rt_5min", env(), clock);
    List<RawPayload> today = ds.fetch(TODAY_HOUR);
    assertEquals(List.of(ROLLING), targets());
    assertEquals(1, today.size());
    List<PriceRecord> rows = rows(ds, today, PriceRecord.class);
    assertEquals(12 * 2, rows.size(), "twelve intervals of two nodes inside the hour, of a day's answer");
    PriceRecord first = rows.stream().filter(r -> r.locationId().equals("ALTW.WELLS1")
        && r.intervalStart().equals(Instant.parse("2024-11-05T05:05:00Z"))).findFirst().orElseThrow();
    assertEquals((rtMec(1, 5) + rtMcc(1, 5) + rtMlc(1, 5)) / 100.0, first.price(), 1e-9);
    assertEquals(rtMec(1, 5) / 100.0, first.energy(), 1e-9);
    assertEquals(Instant.parse("2024-11-05T05:10:00Z"), first.intervalEnd());
    assertTrue(rows.stream().allMatch(r -> r.version() / STAGE == Versions.PROVISIONAL.stage));

    List<RawPayload> yesterday = ds.fetch(YESTERDAY_HOUR);
    assertEquals(List.of(ROLLING, PREVIOUS), targets());
    assertEquals(1, yesterday.size());
    assertEquals(24, rows(ds, yesterday, PriceRecord.class).size());

    clock.set(NOW); // 10:00 EST: the Data Exchange holds yesterday's settled intervals
    d.requests.clear();
    List<RawPayload> settled = ds.fetch(YESTERDAY_HOUR);
    assertEquals(lmpTargets(YESTERDAY, 0), targets(), "yesterday from the Data Exchange from 09:00 EST on");
    assertEquals(12, settled.size());
    assertEquals(24, rows(ds, settled, PriceRecord.class).size());
  }

  @Test
  void fiveMinuteLmpsOfAnOlderDayAskTheDataExchangeOnceForEachFiveMinuteInterval() {
    routes.put(lmpPath(OLD), r -> lmpInterval(OLD, r));
    Dataset ds = dataset("lmp_rt_5min");
    List<RawPayload> payloads = ds.fetch(OLD_HOUR);
    assertEquals(lmpTargets(OLD, 10), targets(), "10:00..10:55 EST, one request each");
    assertEquals("/pricing/v1/real-time/2024-11-01/lmp-expost?timeResolution=5min&interval=10%3A00&pageNumber=1", targets().get(0));
    assertTrue(d.requests.stream().allMatch(r -> KEY.equals(exchangeKey(r))));
    assertEquals(12, payloads.size());
    assertEquals(IntStream.range(0, 12).boxed().toList(), payloads.stream().map(RawPayload::part).toList());
    Set<Instant> starts = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      List<PriceRecord> rows = rows(ds, List.of(payloads.get(i)), PriceRecord.class);
      assertEquals(2, rows.size());
      Instant start = OLD_HOUR.window().start().plus(Duration.ofMinutes(5L * i));
      assertTrue(rows.stream().allMatch(r -> r.intervalStart().equals(start)), rows.toString());
      starts.add(start);
      PriceRecord hub = rows.stream().filter(r -> r.locationId().equals("ILLINOIS.HUB")).findFirst().orElseThrow();
      int m = 600 + 5 * i;
      assertEquals((rtMec(0, m) + rtMcc(0, m) + rtMlc(0, m)) / 100.0, hub.price(), 1e-9);
      assertEquals(rtMec(0, m) / 100.0, hub.energy(), 1e-9);
      assertEquals(Versions.PROVISIONAL.stage, hub.version() / STAGE, "Preliminary");
    }
    assertEquals(12, starts.size());
  }

  @Test
  void fuelMixOfTodayAndYesterdayComesFromThePublicApiBeforeTheDataExchangeHoldsYesterday() {
    routes.put(FUEL_TODAY, r -> json(200, fuelMix(TODAY, 96)));
    routes.put(FUEL_YESTERDAY, r -> json(200, fuelMix(YESTERDAY, 288)));
    Dataset ds = dataset("fuel_mix", env(), new MovableClock(EARLY));
    List<RawPayload> today = ds.fetch(key("fuel_mix", "2024-11-05T05:00:00Z", "2024-11-05T06:00:00Z"));
    assertEquals(List.of(FUEL_TODAY), targets());
    List<FuelMixRecord> rows = rows(ds, today, FuelMixRecord.class);
    assertEquals(3, rows.size(), "three fuels of one hour");
    Map<String, Double> mw = new java.util.TreeMap<>();
    rows.forEach(r -> mw.put(r.fuel(), r.mw()));
    assertEquals(Map.of("batteries", 0.5, "coal", 13066.0, "wind", 19934.0), mw, "the means of the hour's twelve values");

    List<RawPayload> yesterday = ds.fetch(day("fuel_mix", YESTERDAY.toString()));
    assertEquals(List.of(FUEL_TODAY, FUEL_YESTERDAY), targets());
    assertEquals(1, yesterday.size());
    assertEquals(24 * 3, ds.parse(yesterday.get(0)).size());
  }

  @Test
  void loadOfTodayComesFromThePublicApiAndOfYesterdayFromTheDataExchange() {
    routes.put(LOAD_TODAY, r -> json(200, totalLoad(TODAY, 120)));
    serveLoadDay(YESTERDAY);
    Dataset ds = dataset("load_actual");
    List<RawPayload> today = ds.fetch(key("load_actual", "2024-11-05T05:00:00Z", "2024-11-05T07:00:00Z"));
    assertEquals(List.of(LOAD_TODAY), targets());
    List<LoadRecord> rows = rows(ds, today, LoadRecord.class);
    assertEquals(2, rows.size());
    assertEquals(80055.0, rows.stream().filter(r -> r.intervalStart().equals(Instant.parse("2024-11-05T05:00:00Z"))).findFirst()
        .orElseThrow().mw(), 1e-9, "the mean of 00:00..00:55 EST");
    assertTrue(rows.stream().allMatch(r -> r.version() / STAGE == Versions.PROVISIONAL.stage));

    List<RawPayload> yesterday = ds.fetch(day("load_actual", YESTERDAY.toString()));
    assertEquals(List.of(LOAD_TODAY, "/lgi/v1/real-time/2024-11-04/demand/actual?timeResolution=hourly&region=MISO&pageNumber=1"),
        targets());
    assertEquals(24, rows(ds, yesterday, LoadRecord.class).size());
    assertEquals(KEY, exchangeKey(d.requests.get(1)));
  }

  @Test
  void transportPublicForADayThePublicApiNoLongerServesIsAUsageError() {
    UsageException x = assertThrows(UsageException.class,
        () -> dataset("lmp_rt_5min", env("public"), new MovableClock(NOW)).fetch(OLD_HOUR));
    assertEquals(ExitCodes.USAGE, x.exitCode());
    assertTrue(x.getMessage().contains("INGEST_MISO_TRANSPORT=public") && x.getMessage().contains("today and yesterday only")
        && x.getMessage().contains("day 2024-11-01 needs the Data Exchange"), x.getMessage());
    UsageException y = assertThrows(UsageException.class,
        () -> dataset("load_actual", env("public"), new MovableClock(NOW)).fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.USAGE, y.exitCode());
    assertTrue(y.getMessage().contains("for today only"), y.getMessage());
    assertEquals(List.of(), targets(), "nothing asked");
  }

  @Test
  void transportExchangeForcesTheDataExchangeForToday() {
    routes.put(lmpPath(TODAY), r -> lmpInterval(TODAY, r));
    routes.put(ROLLING, r -> json(200, fiveMinExPost(TODAY, 120)));
    Dataset ds = dataset("lmp_rt_5min", env("exchange"), new MovableClock(NOW));
    List<RawPayload> payloads = ds.fetch(TODAY_HOUR);
    assertEquals(lmpTargets(TODAY, 0), targets(), "the Data Exchange, not Rolling");
    assertEquals(12, payloads.size());
    assertEquals(24, rows(ds, payloads, PriceRecord.class).size());

    d.requests.clear();
    NotPublishedException x = assertThrows(NotPublishedException.class,
        () -> dataset("load_actual", env("exchange"), new MovableClock(NOW)).fetch(day("load_actual", TODAY.toString())));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode(), "the Data Exchange's 404 Date not found of today");
    assertEquals(List.of(loadTarget(TODAY, 1)), targets());
  }

  @Test
  void aDayThatHasNotBegunIsNotPublishedWithoutARequest() {
    for (String transport : List.of("auto", "exchange")) {
      NotPublishedException x = assertThrows(NotPublishedException.class, () -> dataset("lmp_rt_5min", env(transport), new MovableClock(NOW))
          .fetch(key("lmp_rt_5min", "2024-11-06T05:00:00Z", "2024-11-06T06:00:00Z")));
      assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
      assertTrue(x.getMessage().contains("MISO day 2024-11-06 has not begun (today is 2024-11-05 EST)"), x.getMessage());
      NotPublishedException y = assertThrows(NotPublishedException.class, () -> dataset("fuel_mix", env(transport), new MovableClock(NOW))
          .fetch(day("fuel_mix", "2024-11-06")));
      assertEquals(ExitCodes.NOT_PUBLISHED, y.exitCode());
    }
    assertEquals(List.of(), targets());
  }

  // ---------------------------------------------------------------------------------------------
  // 8. the Data Exchange's paging

  @Test
  void theDataExchangeIsPagedByPageNumberUntilTheLastPage() {
    LocalDate day = LocalDate.parse("2024-11-02");
    routes.put(loadPath(day), r -> {
      int n = Integer.parseInt(r.getUrl().queryParameter("pageNumber"));
      return json(200, page(loadRows(day, (n - 1) * 8, n * 8), n, 3, 24, n == 3));
    });
    Dataset ds = dataset("load_actual");
    List<RawPayload> payloads = ds.fetch(day("load_actual", day.toString()));
    assertEquals(List.of(loadTarget(day, 1), loadTarget(day, 2), loadTarget(day, 3)), targets());
    assertEquals(List.of(0, 1, 2), payloads.stream().map(RawPayload::part).toList());
    List<LoadRecord> rows = rows(ds, payloads, LoadRecord.class);
    assertEquals(24, rows.size());
    assertEquals(24, rows.stream().map(CanonicalRecord::intervalStart).distinct().count(), "every hour once");
    assertEquals(90000.5 + 2300, rows.stream().filter(r -> r.intervalStart().equals(Instant.parse("2024-11-03T04:00:00Z"))).findFirst()
        .orElseThrow().mw(), 1e-9, "hour ending 24 from page 3");
  }

  @Test
  void anEmptyFirstPageIsNotPublished() {
    routes.put(loadPath(YESTERDAY), r -> json(200, page(List.of(), 1, 0, 0, true)));
    NotPublishedException x = assertThrows(NotPublishedException.class,
        () -> dataset("load_actual").fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertTrue(x.getMessage().contains("the Data Exchange has no rows for it yet"), x.getMessage());
    assertEquals(List.of(loadTarget(YESTERDAY, 1)), targets());
  }

  @Test
  void anEmptyPageThatIsNotTheLastIsAPayloadError() {
    routes.put(loadPath(YESTERDAY), r -> {
      int n = Integer.parseInt(r.getUrl().queryParameter("pageNumber"));
      return json(200, n == 1 ? page(loadRows(YESTERDAY, 0, 8), 1, 3, 24, false) : page(List.of(), n, 3, 24, false));
    });
    PayloadRejectedException x = assertThrows(PayloadRejectedException.class,
        () -> dataset("load_actual").fetch(day("load_actual", YESTERDAY.toString())));
    assertEquals(ExitCodes.REJECTED, x.exitCode());
    assertTrue(x.getMessage().contains("page 2 is empty although the Data Exchange counts 3 pages"), x.getMessage());
    assertEquals(List.of(loadTarget(YESTERDAY, 1), loadTarget(YESTERDAY, 2)), targets());
  }

  // ---------------------------------------------------------------------------------------------
  // 9. the Public API's completeness

  @Test
  void aRollingAnswerThatStopsBeforeTheWindowsEndIsNotPublishedNamingHowManyIntervalsItHolds() {
    routes.put(ROLLING, r -> json(200, fiveMinExPost(TODAY, 10))); // 00:00..00:45 EST
    NotPublishedException x = assertThrows(NotPublishedException.class, () -> dataset("lmp_rt_5min").fetch(TODAY_HOUR));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertTrue(x.getMessage().contains("the Public API holds 10 of the 12 five-minute intervals"), x.getMessage());
    assertTrue(x.getMessage().contains("its latest: 2024-11-05T05:45:00Z"), x.getMessage());
    assertEquals(List.of(ROLLING), targets());
  }

  @Test
  void anHourWithFewerThanTwelveFiveMinuteLoadValuesIsNotEmittedAndAWindowNeedingItIsNotPublished() {
    routes.put(LOAD_TODAY, r -> json(200, totalLoad(TODAY, 23))); // 00:00..01:50 EST: the second hour lacks 01:55
    Dataset ds = dataset("load_actual");
    IntervalKey twoHours = key("load_actual", "2024-11-05T05:00:00Z", "2024-11-05T07:00:00Z");
    NotPublishedException x = assertThrows(NotPublishedException.class, () -> ds.fetch(twoHours));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertTrue(x.getMessage().contains("the Public API holds 1 of the 2 complete hours"), x.getMessage());

    List<RawPayload> first = ds.fetch(key("load_actual", "2024-11-05T05:00:00Z", "2024-11-05T06:00:00Z"));
    assertEquals(1, first.size());
    assertEquals(List.of(LOAD_TODAY, LOAD_TODAY), targets());
    List<CanonicalRecord> rows = ds.parse(rekeyed(first.get(0), twoHours));
    assertEquals(List.of(Instant.parse("2024-11-05T05:00:00Z")), rows.stream().map(CanonicalRecord::intervalStart).toList(),
        "only the complete hour, even under a window holding both");
  }

  @Test
  void anHourWithFewerThanTwelveFiveMinuteFuelValuesIsNotEmittedAndAWindowNeedingItIsNotPublished() {
    routes.put(FUEL_TODAY, r -> json(200, fuelMix(TODAY, 23)));
    Dataset ds = dataset("fuel_mix");
    IntervalKey twoHours = key("fuel_mix", "2024-11-05T05:00:00Z", "2024-11-05T07:00:00Z");
    NotPublishedException x = assertThrows(NotPublishedException.class, () -> ds.fetch(twoHours));
    assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
    assertTrue(x.getMessage().contains("holds 1 of the 2 complete hours"), x.getMessage());
    List<RawPayload> first = ds.fetch(key("fuel_mix", "2024-11-05T05:00:00Z", "2024-11-05T06:00:00Z"));
    List<CanonicalRecord> rows = ds.parse(rekeyed(first.get(0), twoHours));
    assertEquals(3, rows.size(), "three fuels of the complete hour only");
    assertTrue(rows.stream().allMatch(r -> r.intervalStart().equals(Instant.parse("2024-11-05T05:00:00Z"))), rows.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // 10. the Public API's reuse within a minute

  @Test
  void thePublicApiIsAskedAtMostOnceAMinutePerPath() {
    // "now" earlier than the other tests' (13:00Z, 15:00Z): an answer cached under the same URL by another test is never reused here
    MovableClock clock = new MovableClock(Instant.parse("2024-11-05T12:00:00Z")); // 07:00 EST
    java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
    routes.put(ROLLING, r -> json(200, fiveMinExPost(TODAY, 84 + served.getAndIncrement())));
    routes.put(PREVIOUS, r -> json(200, fiveMinExPost(YESTERDAY, 288)));
    Map<String, String> env = env();
    env.put("INGEST_MISO_PUBLIC_API_REUSE", "1m");
    List<RawPayload> first = dataset("lmp_rt_5min", env, clock).fetch(TODAY_HOUR);
    clock.advance(Duration.ofSeconds(30));
    List<RawPayload> second = dataset("lmp_rt_5min", env, clock).fetch(TODAY_HOUR); // another dataset of the process
    assertEquals(List.of(ROLLING), targets(), "one request within the minute");
    assertArrayEquals(first.get(0).body(), second.get(0).body());
    assertEquals(first.get(0).fetchedAt(), second.get(0).fetchedAt(), "the reused answer keeps its receipt time");

    dataset("lmp_rt_5min", env, clock).fetch(YESTERDAY_HOUR);
    assertEquals(List.of(ROLLING, PREVIOUS), targets(), "another path is its own request");

    clock.advance(Duration.ofSeconds(31));
    List<RawPayload> third = dataset("lmp_rt_5min", env, clock).fetch(TODAY_HOUR);
    assertEquals(List.of(ROLLING, PREVIOUS, ROLLING), targets(), "a minute later, asked again");
    assertEquals(clock.instant(), third.get(0).fetchedAt());
    assertTrue(third.get(0).body().length > first.get(0).body().length, "the new answer");
  }

  // ---------------------------------------------------------------------------------------------
  // 11. the process's own count of the Data Exchange's daily quota

  @Test
  void everyDataExchangeAttemptCountsAgainstTheProcesssDailyQuotaAndThePublicApiDoesNot() {
    // the process-wide count of the MISO Data Exchange (the instance the connector takes from)
    DailyQuota quota = DailyQuota.forMarket(MisoConnector.MARKET, MisoAnswers.DAILY_QUOTA, new MovableClock(NOW));
    long before = quota.used();
    d.queue.add(new MockResponse.Builder().code(503).setHeader("Content-Type", "text/plain").body("Service Unavailable").build());
    serveLoadDay(YESTERDAY);
    dataset("load_actual").fetch(day("load_actual", YESTERDAY.toString()));
    assertEquals(2, d.requests.size());
    assertEquals(before + 2, quota.used(), "the failed attempt and its retry");

    routes.put(ROLLING, r -> json(200, fiveMinExPost(TODAY, 120)));
    dataset("lmp_rt_5min").fetch(TODAY_HOUR);
    assertEquals(3, d.requests.size());
    assertEquals(before + 2, quota.used(), "the Public API has no quota");
  }
}
