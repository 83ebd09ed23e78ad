package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.FAST;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resource;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resourceBytes;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.zip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.HttpPolicy;
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
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.HttpUrl;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CAISO datasets over HTTP against a scripted server: requests, spacing, retries, typed outcomes. */
class CaisoConnectorHttpTest {
  static final String THROTTLE_PAGE =
      "<html><body><p>CAISO Acceptable Use Policy Violation. Please retry your request after 5 seconds.</p></body></html>";

  static byte[] rtZip() {
    return zip("20241103_20241103_PRC_INTVL_LMP_N_20241103_10_05_00_v1.csv", resource(OasisPriceParserTest.RT_FALL));
  }

  static MockResponse zipResponse(byte[] body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", CaisoTestSupport.ZIP_TYPE)
        .body(new Buffer().write(body)).build();
  }

  static MockResponse status(int code, String contentType, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", contentType).body(body).build();
  }

  private MockWebServer server;
  private RecordingDispatcher recorder;
  private final List<String> retryLog = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    recorder = new RecordingDispatcher(r -> zipResponse(rtZip()));
    server.setDispatcher(recorder);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String base() {
    return "http://" + server.getHostName() + ":" + server.getPort();
  }

  private Dataset dataset(String id, Duration spacing, HttpPolicy policy) {
    return CaisoTestSupport.dataset(id, base(), spacing, policy, retryLog::add);
  }

  private Dataset dataset(String id) {
    return dataset(id, Duration.ZERO, FAST);
  }

  private static void assertOasisRequest(HttpUrl u, String queryName, String marketRunId, String version, String start, String end) {
    assertEquals("/oasisapi/SingleZip", u.encodedPath());
    assertEquals("6", u.queryParameter("resultformat"));
    assertEquals(queryName, u.queryParameter("queryname"));
    assertEquals(marketRunId, u.queryParameter("market_run_id"));
    assertEquals(version, u.queryParameter("version"));
    assertEquals(start, u.queryParameter("startdatetime"));
    assertEquals(end, u.queryParameter("enddatetime"));
  }

  @Test
  void aThreeHourRealTimeWindowIsThreeHourlyRequests() {
    IntervalKey k = key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T11:00:00Z");
    List<RawPayload> payloads = dataset("lmp_rt_5min").fetch(k);
    assertEquals(3, payloads.size());
    assertEquals(3, server.getRequestCount());
    String[] hours = {"20241103T08:00-0000", "20241103T09:00-0000", "20241103T10:00-0000", "20241103T11:00-0000"};
    for (int i = 0; i < 3; i++) {
      HttpUrl u = recorder.url(i);
      assertOasisRequest(u, "PRC_INTVL_LMP", "RTM", "3", hours[i], hours[i + 1]);
      assertEquals("ALL_APNODES", u.queryParameter("grp_type"));
      RawPayload p = payloads.get(i);
      assertEquals(i, p.part());
      assertTrue(p.payloadId().startsWith("caiso.lmp_rt_5min.20241103T0800Z-20241103T1100Z.p" + i + "."), p.payloadId());
      assertEquals(u.toString(), p.url());
      assertEquals(200, p.httpStatus());
      assertEquals(CaisoTestSupport.ZIP_TYPE, p.contentType());
      assertArrayEquals(rtZip(), p.body());
    }
    assertTrue(recorder.requests.get(0).getTarget().contains("startdatetime=20241103T08%3A00-0000"),
        "the colon travels percent-encoded: " + recorder.requests.get(0).getTarget());
  }

  @Test
  void theDayAheadFallBackDayIsTwoRequests() {
    recorder.fallback = r -> zipResponse(zip("20241103_20241104_PRC_LMP_N_20241102_13_00_00_v1.csv", resource(OasisPriceParserTest.DAM_FALL)));
    Dataset ds = dataset("lmp_da_hourly");
    assertEquals(RecordKind.PRICES, ds.kind());
    assertEquals(Duration.ofHours(1), ds.resolution());
    List<RawPayload> payloads = ds.fetch(key("lmp_da_hourly", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"));
    assertEquals(2, payloads.size());
    assertOasisRequest(recorder.url(0), "PRC_LMP", "DAM", "12", "20241103T07:00-0000", "20241104T07:00-0000");
    assertOasisRequest(recorder.url(1), "PRC_LMP", "DAM", "12", "20241104T07:00-0000", "20241104T08:00-0000");
    assertEquals("ALL_APNODES", recorder.url(1).queryParameter("grp_type"));
    assertEquals(75, ds.parse(payloads.get(0)).size());
  }

  @Test
  void theFifteenMinuteQueryIsPrcRtpdLmp() {
    dataset("lmp_rt_15min").fetch(key("lmp_rt_15min", "2024-07-15T19:00:00Z", "2024-07-15T20:00:00Z"));
    assertOasisRequest(recorder.url(0), "PRC_RTPD_LMP", "RTPD", "3", "20240715T19:00-0000", "20240715T20:00-0000");
  }

  @Test
  void twoDaysOfLoadAreOneRequest() {
    recorder.fallback = r -> zipResponse(zip("20241103_20241105_SLD_FCST_N_20241105_08_10_00_v1.csv", resource(OasisLoadParserTest.SLD)));
    Dataset forecast = dataset("load_forecast");
    List<RawPayload> payloads = forecast.fetch(key("load_forecast", "2024-11-03T07:00:00Z", "2024-11-05T08:00:00Z"));
    assertEquals(1, payloads.size());
    HttpUrl u = recorder.url(0);
    assertOasisRequest(u, "SLD_FCST", null, "1", "20241103T07:00-0000", "20241105T08:00-0000");
    assertEquals("ALL", u.queryParameter("tac_area_name"));
    assertNull(u.queryParameter("grp_type"));
    assertEquals(53, forecast.parse(payloads.get(0)).size());

    Dataset actual = dataset("load_actual");
    actual.fetch(key("load_actual", "2024-11-03T07:00:00Z", "2024-11-05T08:00:00Z"));
    assertEquals(2, server.getRequestCount());
    assertOasisRequest(recorder.url(1), "SLD_FCST", "ACTUAL", "1", "20241103T07:00-0000", "20241105T08:00-0000");
  }

  @Test
  void requestsAreSpacedAtTheConfiguredSpacing() {
    Duration spacing = Duration.ofMillis(300);
    IntervalKey k = key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T11:00:00Z");
    dataset("lmp_rt_5min", spacing, FAST).fetch(k);
    assertEquals(3, recorder.arrivals.size());
    for (int i = 1; i < 3; i++) {
      assertTrue(recorder.gapMillis(i) >= spacing.toMillis() - 25, "gap " + i + " = " + recorder.gapMillis(i) + " ms");
    }
  }

  @Test
  void spacingIsSharedByEveryDatasetOfTheMarketWithTheSameSpacing() {
    Duration spacing = Duration.ofMillis(350);
    dataset("lmp_rt_5min", spacing, FAST).fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    dataset("lmp_rt_15min", spacing, FAST).fetch(key("lmp_rt_15min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    assertTrue(recorder.gapMillis(1) >= spacing.toMillis() - 25, "second dataset waited " + recorder.gapMillis(1) + " ms");
  }

  @Test
  void a503ThenDataSucceedsOnTheSecondAttempt() {
    recorder.queue.add(status(503, "text/html", "<html><body>Service Temporarily Unavailable</body></html>"));
    List<RawPayload> payloads = dataset("lmp_rt_5min").fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    assertEquals(1, payloads.size());
    assertEquals(2, server.getRequestCount());
    assertArrayEquals(rtZip(), payloads.get(0).body());
    assertEquals(1, retryLog.size());
    assertTrue(retryLog.get(0).contains("HTTP 503"), retryLog.get(0));
  }

  @Test
  void persistent500sAreUpstreamUnavailableNamingTheUrl() {
    recorder.fallback = r -> status(500, "text/plain", "Internal Server Error");
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> dataset("lmp_rt_5min").fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z")));
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, e.exitCode());
    assertEquals(3, server.getRequestCount());
    assertTrue(e.getMessage().contains(recorder.url(0).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("/oasisapi/SingleZip?resultformat=6&queryname=PRC_INTVL_LMP")
        && e.getMessage().contains("3 attempts") && e.getMessage().contains("HTTP 500"), e.getMessage());
  }

  @Test
  void a429WithRetryAfterOneSecondIsRetriedNoSooner() {
    recorder.queue.add(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").body("Too Many Requests").build());
    List<RawPayload> payloads = dataset("lmp_rt_5min").fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    assertEquals(1, payloads.size());
    assertEquals(2, recorder.arrivals.size());
    assertTrue(recorder.gapMillis(1) >= 1_000, "retried after " + recorder.gapMillis(1) + " ms");
  }

  @Test
  void theCaisoThrottlePageIsRetriedAfterTheSpacing() {
    Duration spacing = Duration.ofMillis(300);
    recorder.queue.add(status(429, "text/html", THROTTLE_PAGE));
    List<RawPayload> payloads =
        dataset("lmp_rt_5min", spacing, FAST).fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    assertEquals(1, payloads.size());
    assertArrayEquals(rtZip(), payloads.get(0).body());
    assertTrue(recorder.gapMillis(1) >= spacing.toMillis(), "retried after " + recorder.gapMillis(1) + " ms");
    assertTrue(retryLog.get(0).contains("HTTP 429") && retryLog.get(0).contains("CAISO Acceptable Use Policy Violation"), retryLog.get(0));
  }

  @Test
  void errorZip1000IsNotPublishedWithoutRetry() {
    recorder.fallback = r -> zipResponse(OasisErrorsTest.noDataZip());
    NotPublishedException e = assertThrows(NotPublishedException.class,
        () -> dataset("lmp_rt_5min").fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z")));
    assertEquals(ExitCodes.NOT_PUBLISHED, e.exitCode());
    assertEquals(1, server.getRequestCount(), "no retry and no second part");
    assertTrue(e.getMessage().contains("caiso/lmp_rt_5min") && e.getMessage().contains("part 1/2")
        && e.getMessage().contains("ERR_CODE 1000"), e.getMessage());
  }

  @Test
  void anotherErrorCodeIsRetriedThenUpstreamUnavailable() {
    Duration spacing = Duration.ofMillis(100);
    recorder.fallback = r -> zipResponse(OasisErrorsTest.errorZip("1015", "Request too frequent"));
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> dataset("lmp_rt_5min", spacing, FAST).fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z")));
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, e.exitCode());
    assertEquals(3, server.getRequestCount());
    assertTrue(e.getMessage().contains("ERR_CODE 1015"), e.getMessage());
    for (int i = 1; i < 3; i++) {
      assertTrue(recorder.gapMillis(i) >= 1_100, "1015 waits spacing + 1 s, got " + recorder.gapMillis(i) + " ms");
    }
  }

  @Test
  void anHtmlPageAnsweredWith200IsKeptThenRejectedAtParse() {
    recorder.fallback = r -> status(200, "text/html", "<html><body><h1>Maintenance</h1></body></html>");
    Dataset ds = dataset("lmp_rt_5min");
    List<RawPayload> payloads = ds.fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    assertEquals(1, payloads.size());
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> ds.parse(payloads.get(0)));
    assertTrue(e.getMessage().contains(payloads.get(0).payloadId()) && e.getMessage().contains("HTML"), e.getMessage());
  }

  @Test
  void fuelMixFetchesOneFileperPacificDay() {
    recorder.fallback = r -> new MockResponse.Builder().code(200).setHeader("Content-Type", "text/csv")
        .body(new Buffer().write(resourceBytes("fuelsource_20241103.csv"))).build();
    Dataset ds = dataset("fuel_mix");
    assertEquals(RecordKind.FUEL_MIX, ds.kind());
    List<RawPayload> payloads = ds.fetch(key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"));
    assertEquals(1, payloads.size());
    assertEquals("/outlook/history/20241103/fuelsource.csv", recorder.url(0).encodedPath());
    List<CanonicalRecord> records = ds.parse(payloads.get(0));
    assertEquals(300 * 13, records.size());

    ds.fetch(key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-05T08:00:00Z"));
    assertEquals("/outlook/history/20241103/fuelsource.csv", recorder.url(1).encodedPath());
    assertEquals("/outlook/history/20241104/fuelsource.csv", recorder.url(2).encodedPath());
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void aMissingOutlookFileIsNotPublished() {
    recorder.fallback = r -> status(404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>");
    NotPublishedException e = assertThrows(NotPublishedException.class,
        () -> dataset("fuel_mix").fetch(key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z")));
    assertEquals(ExitCodes.NOT_PUBLISHED, e.exitCode());
    assertEquals(1, server.getRequestCount());
    assertTrue(e.getMessage().contains("/outlook/history/20241103/fuelsource.csv"), e.getMessage());
  }

  @Test
  void anEmptyOutlookFileIsNotPublished() {
    recorder.fallback = r -> status(200, "text/csv", "");
    NotPublishedException e = assertThrows(NotPublishedException.class,
        () -> dataset("fuel_mix").fetch(key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z")));
    assertTrue(e.getMessage().contains("2024-11-03") && e.getMessage().contains("empty body"), e.getMessage());
  }

  @Test
  void anUnknownDatasetIsAUsageError() {
    UsageException e = assertThrows(UsageException.class, () -> dataset("lmp_ha_hourly"));
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("lmp_ha_hourly"), e.getMessage());
  }

  @Test
  void theConnectorDeclaresItsDatasets() {
    CaisoConnector c = new CaisoConnector();
    assertEquals("caiso", c.market());
    assertEquals(List.of("lmp_da_hourly", "lmp_rt_5min", "lmp_rt_15min", "load_actual", "load_forecast", "fuel_mix"), c.datasetIds());
    assertTrue(java.util.ServiceLoader.load(io.carbon254.ingest.core.connector.MarketConnector.class).stream()
        .anyMatch(p -> p.type() == CaisoConnector.class), "registered for ServiceLoader");
    for (String id : c.datasetIds()) {
      assertEquals(id, dataset(id).id());
    }
  }

  @Test
  void withoutABaseUrlOverrideTheRealHostsAreUsed() {
    HttpUrl oasis = OasisDataset.url(OasisDataset.OASIS_HOST, OasisQuery.LMP_RT_5MIN,
        new io.carbon254.ingest.core.IntervalWindow(java.time.Instant.parse("2024-11-03T08:00:00Z"), java.time.Instant.parse("2024-11-03T09:00:00Z")));
    assertEquals("http://oasis.caiso.com/oasisapi/SingleZip?resultformat=6&queryname=PRC_INTVL_LMP&version=3"
        + "&startdatetime=20241103T08%3A00-0000&enddatetime=20241103T09%3A00-0000&market_run_id=RTM&grp_type=ALL_APNODES", oasis.toString());
    assertEquals("https://www.caiso.com/outlook/history/20241103/fuelsource.csv",
        OutlookFuelMixDataset.url(OutlookFuelMixDataset.OUTLOOK_HOST, java.time.LocalDate.of(2024, 11, 3)).toString());
  }

  /** The CAISO declaration with its {@code http:} block replaced, in a connectors directory of its own. */
  static java.nio.file.Path connectorsWithBudget(java.nio.file.Path dir, String http) throws java.io.IOException {
    String yaml = java.nio.file.Files.readString(CaisoTestSupport.repoRoot().resolve("connectors/caiso.yaml"));
    int at = yaml.indexOf("\nhttp:");
    int next = yaml.indexOf("\ndefaults:");
    assertTrue(at > 0 && next > at, "connectors/caiso.yaml has an http: block before defaults:");
    java.nio.file.Files.writeString(dir.resolve("caiso.yaml"), yaml.substring(0, at) + "\n" + http + yaml.substring(next));
    return dir;
  }

  @Test
  void aHungServerFailsThePartWithinTheBudgetOfConnectorsYamlExit3(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    connectorsWithBudget(dir, "http:\n  connect_timeout: 200ms\n  attempt_timeout: 400ms\n  part_timeout: 1500ms");
    recorder.fallback = r -> new MockResponse.Builder().onResponseStart(mockwebserver3.SocketEffect.Stall.INSTANCE).build();
    java.util.Map<String, String> env = new java.util.HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", dir.toString());
    env.put("INGEST_CAISO_BASE_URL", base());
    env.put("INGEST_CAISO_REQUEST_SPACING", "0ms");
    io.carbon254.ingest.core.config.IngestConfig config = io.carbon254.ingest.core.config.IngestConfig.of(env);
    io.carbon254.ingest.core.connector.ConnectorContext ctx = new io.carbon254.ingest.core.connector.ConnectorContext(
        io.carbon254.ingest.core.config.ConnectorSpec.load(config, "caiso"), config, java.time.Clock.systemUTC());
    // the default retry policy (5 attempts, 2 s backoff doubling) would take far longer than the budget
    Dataset ds = new CaisoConnector().onRetry(retryLog::add).dataset("lmp_rt_5min", ctx);
    long t0 = System.nanoTime();
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> ds.fetch(key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z")));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, e.exitCode());
    assertTrue(ms < 1_500 + 1_500, "the first part failed within its 1.5 s budget (+ margin): " + ms + " ms");
    assertTrue(e.getMessage().startsWith("caiso/lmp_rt_5min 2024-11-03T08:00:00Z..2024-11-03T09:00:00Z (part 1/2): "), e.getMessage());
    assertTrue(e.getMessage().contains("part budget of 1500ms (http.part_timeout"), e.getMessage());
    assertTrue(e.getMessage().matches("(?s).*gave up after [12] attempt\\(s\\).*"), e.getMessage());
    assertTrue(server.getRequestCount() <= 2, "the second part was never asked for: " + server.getRequestCount());
  }

  @Test
  void fuelMixFilesAreWholePacificDaysSoAPartialDayWindowIsAUsageErrorBeforeAnyRequest() {
    UsageException e = assertThrows(UsageException.class,
        () -> dataset("fuel_mix").fetch(key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-03T19:00:00Z")));
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("2024-11-03T19:00:00Z is not a Pacific midnight"), e.getMessage());
    assertEquals(0, server.getRequestCount());
  }
}
