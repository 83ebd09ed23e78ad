package io.carbon254.ingest.connectors.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.testing.RecordingDispatcher;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpFetcherTest {
  private static final HttpPolicy FAST =
      HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(20), Duration.ofMillis(80));
  private static final Instant NOW = Instant.parse("2024-11-03T10:00:00Z");

  private MockWebServer server;
  private RecordingDispatcher recorder;
  private final List<String> retryLog = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    recorder = new RecordingDispatcher();
    server.setDispatcher(recorder);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpFetcher fetcher(HttpPolicy policy, RequestSpacer spacer) {
    return new HttpFetcher("testmkt", policy, spacer, Clock.fixed(NOW, ZoneOffset.UTC)).onRetry(retryLog::add);
  }

  private HttpFetcher fetcher() {
    return fetcher(FAST, RequestSpacer.unshared(Duration.ZERO));
  }

  private static MockResponse status(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  private HttpUrl url() {
    return server.url("/api/data?x=1");
  }

  @Test
  void okAnswerIsReturnedWithWhatBronzeKeeps() {
    recorder.queue.add(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/csv").body("A,B\n1,2\n").build());
    HttpResult r = fetcher().get(url(), ResponseCheck.ACCEPT_ALL);
    assertEquals(200, r.status());
    assertEquals("text/csv", r.contentType());
    assertArrayEquals("A,B\n1,2\n".getBytes(StandardCharsets.UTF_8), r.body());
    assertEquals(NOW, r.receivedAt(), "receivedAt comes from the injected clock");
    assertEquals(1, r.attempts());
    assertEquals(url().toString(), r.url());
    assertTrue(recorder.requests.get(0).getHeaders().get("User-Agent").startsWith("254carbon-ingest/"));
  }

  @Test
  void a503IsRetriedAndTheSecondAttemptWins() {
    recorder.queue.add(status(503, "<html><body>Service Unavailable</body></html>"));
    recorder.queue.add(status(200, "payload"));
    HttpResult r = fetcher().get(url(), ResponseCheck.ACCEPT_ALL);
    assertEquals("payload", new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(2, r.attempts());
    assertEquals(2, server.getRequestCount());
    assertEquals(1, retryLog.size());
    assertTrue(retryLog.get(0).contains("HTTP 503") && retryLog.get(0).contains("Service Unavailable"), retryLog.get(0));
  }

  @Test
  void fiveHundredsUntilTheAttemptsRunOutAreUpstreamUnavailable() {
    for (int i = 0; i < 3; i++) {
      recorder.queue.add(status(500, "internal error"));
    }
    UpstreamUnavailableException e =
        assertThrows(UpstreamUnavailableException.class, () -> fetcher().get(url(), ResponseCheck.ACCEPT_ALL));
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, e.exitCode());
    assertTrue(e.getMessage().contains(url().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("after 3 attempts") && e.getMessage().contains("HTTP 500"), e.getMessage());
    assertEquals(3, server.getRequestCount());
    assertEquals(2, retryLog.size());
  }

  @Test
  void a404IsNotPublishedAndNotRetried() {
    recorder.queue.add(status(404, "<html><body><h1>404 Not Found</h1></body></html>"));
    NotPublishedException e = assertThrows(NotPublishedException.class, () -> fetcher().get(url(), ResponseCheck.ACCEPT_ALL));
    assertEquals(ExitCodes.NOT_PUBLISHED, e.exitCode());
    assertTrue(e.getMessage().contains("404"));
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void otherClientErrorsFailAtOnce() {
    recorder.queue.add(status(400, "bad request: unknown parameter"));
    UsageException e = assertThrows(UsageException.class, () -> fetcher().get(url(), ResponseCheck.ACCEPT_ALL));
    assertTrue(e.getMessage().contains("HTTP 400") && e.getMessage().contains("a retry will not help"), e.getMessage());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void badRequestsAndRefusedCredentialsAreUsageErrorsExit2NotUpstreamFailures() {
    for (int code : new int[] {400, 401, 403, 422}) {
      recorder.queue.add(status(code, "<html><body>nope</body></html>"));
      int before = server.getRequestCount();
      UsageException e = assertThrows(UsageException.class, () -> fetcher().get(url(), "testmkt/ds part 1/1", ResponseCheck.ACCEPT_ALL));
      assertEquals(ExitCodes.USAGE, e.exitCode(), code + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("HTTP " + code) && e.getMessage().contains("a retry will not help"), e.getMessage());
      assertTrue(e.getMessage().startsWith("testmkt/ds part 1/1: "), e.getMessage());
      if (code == 401 || code == 403) {
        assertTrue(e.getMessage().contains("credentials"), e.getMessage());
      }
      assertEquals(before + 1, server.getRequestCount(), code + " is not retried");
    }
  }

  @Test
  void a408RequestTimeoutIsRetriedLikeA5xx() {
    recorder.queue.add(status(408, "request timeout"));
    recorder.queue.add(status(200, "ok"));
    assertEquals(2, fetcher().get(url(), ResponseCheck.ACCEPT_ALL).attempts());
  }

  // --- time budgets -------------------------------------------------------------------------

  /** Attempts of 300 ms within a part of 1.5 s; the retry policy would allow many more attempts. */
  private static final HttpPolicy SMALL_BUDGET = HttpPolicy.defaults().withMaxAttempts(10)
      .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
      .withBudget(new io.carbon254.ingest.core.config.ConnectorSpec.HttpBudget(
          Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(1_500)));

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private void assertBudgetFailure(UpstreamUnavailableException e, long tookMs) {
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, e.exitCode());
    assertTrue(tookMs < 1_500 + 1_000, "failed within the part budget (+ margin): " + tookMs + " ms");
    assertTrue(tookMs >= 1_000, "used most of the budget before giving up: " + tookMs + " ms");
    String m = e.getMessage();
    assertTrue(m.startsWith("testmkt/ds 08:00..09:00 (part 2/3): "), m);
    assertTrue(m.contains("part budget of 1500ms (http.part_timeout, attempts of 300ms)"), m);
    java.util.regex.Matcher a = java.util.regex.Pattern.compile("gave up after (\\d+) attempt\\(s\\)").matcher(m);
    assertTrue(a.find(), m);
    int attempts = Integer.parseInt(a.group(1));
    assertTrue(attempts >= 2 && attempts <= 5, m);
    assertEquals(attempts, server.getRequestCount(), "the message counts the attempts made");
  }

  @Test
  void aServerThatNeverAnswersFailsThePartWithinItsBudgetExit3() {
    for (int i = 0; i < 10; i++) {
      recorder.queue.add(new MockResponse.Builder().onResponseStart(mockwebserver3.SocketEffect.Stall.INSTANCE).build());
    }
    long t0 = System.nanoTime();
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> fetcher(SMALL_BUDGET, RequestSpacer.unshared(Duration.ZERO)).get(url(), "testmkt/ds 08:00..09:00 (part 2/3)",
            ResponseCheck.ACCEPT_ALL));
    assertBudgetFailure(e, millisSince(t0));
    assertTrue(e.getMessage().contains("timeout"), e.getMessage());
  }

  @Test
  void aBodyDrippingInSlowlyIsCutAtTheAttemptBudgetNotHeldUntilItEnds() {
    // 4 KB at 64 bytes per 100 ms would take 6.4 s per attempt; each attempt must end at 300 ms.
    for (int i = 0; i < 10; i++) {
      recorder.queue.add(new MockResponse.Builder().code(200).body("x".repeat(4_096)).throttleBody(64, 100, TimeUnit.MILLISECONDS).build());
    }
    long t0 = System.nanoTime();
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> fetcher(SMALL_BUDGET, RequestSpacer.unshared(Duration.ZERO)).get(url(), "testmkt/ds 08:00..09:00 (part 2/3)",
            ResponseCheck.ACCEPT_ALL));
    assertBudgetFailure(e, millisSince(t0));
  }

  @Test
  void aBackoffOrRetryAfterThatWouldPassThePartBudgetEndsThePartAtOnce() {
    recorder.queue.add(new MockResponse.Builder().code(503).setHeader("Retry-After", "30").body("busy").build());
    long t0 = System.nanoTime();
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> fetcher(SMALL_BUDGET, RequestSpacer.unshared(Duration.ZERO)).get(url(), "testmkt/ds 08:00..09:00 (part 2/3)",
            ResponseCheck.ACCEPT_ALL));
    assertTrue(millisSince(t0) < 1_000, "no sleep past the budget: " + millisSince(t0) + " ms");
    assertEquals(1, server.getRequestCount());
    assertTrue(e.getMessage().contains("gave up after 1 attempt(s)") && e.getMessage().contains("HTTP 503"), e.getMessage());
  }

  @Test
  void aSpacingWaitLongerThanThePartBudgetIsNotSleptThrough() throws Exception {
    RequestSpacer spacer = RequestSpacer.unshared(Duration.ofSeconds(30));
    spacer.acquire(); // the next request may start in 30 s, far beyond the 1.5 s budget
    long t0 = System.nanoTime();
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
        () -> fetcher(SMALL_BUDGET, spacer).get(url(), "testmkt/ds 08:00..09:00 (part 2/3)", ResponseCheck.ACCEPT_ALL));
    assertTrue(millisSince(t0) < 1_000, millisSince(t0) + " ms");
    assertEquals(0, server.getRequestCount());
    assertTrue(e.getMessage().contains("gave up after 0 attempt(s)") && e.getMessage().contains("spacing"), e.getMessage());
  }

  @Test
  void theDefaultsFailAHungPartWithinAboutTwoMinutes() {
    HttpPolicy d = HttpPolicy.defaults();
    assertEquals(Duration.ofSeconds(30), d.callTimeout());
    assertEquals(Duration.ofMinutes(2), d.partTimeout());
    assertEquals(Duration.ofSeconds(10), d.connectTimeout());
    assertTrue(d.readTimeout().compareTo(d.callTimeout()) <= 0);
  }

  @Test
  void retryAfterSecondsIsHonoured() {
    recorder.queue.add(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").body("slow down").build());
    recorder.queue.add(status(200, "ok"));
    fetcher().get(url(), ResponseCheck.ACCEPT_ALL);
    assertEquals(2, recorder.arrivals.size());
    assertTrue(recorder.gapMillis(1) >= 1_000, "second attempt after " + recorder.gapMillis(1) + " ms");
  }

  @Test
  void a429WithoutRetryAfterWaitsAtLeastTheSpacing() {
    recorder.queue.add(status(429, "<html><body><p>too many</p></body></html>"));
    recorder.queue.add(status(200, "ok"));
    fetcher(FAST, RequestSpacer.unshared(Duration.ofMillis(400))).get(url(), ResponseCheck.ACCEPT_ALL);
    assertTrue(recorder.gapMillis(1) >= 390, "second attempt after " + recorder.gapMillis(1) + " ms");
  }

  @Test
  void requestsAreSpacedBySharedSpacer() {
    HttpFetcher f = fetcher(FAST, RequestSpacer.unshared(Duration.ofMillis(300)));
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      f.get(url(), ResponseCheck.ACCEPT_ALL);
    }
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    // The spacer spaces the starts of the requests: the third starts at least 600 ms after the first,
    // as the client sees it. Arrivals at the server carry its scheduling jitter on both ends of a gap.
    assertTrue(elapsedMs >= 600, "three requests in " + elapsedMs + " ms");
    for (int i = 1; i < 3; i++) {
      assertTrue(recorder.gapMillis(i) >= 200, "gap " + i + ": " + recorder.gapMillis(i) + " ms");
    }
  }

  @Test
  void aRetryableResponseCheckIsRetriedAfterItsDelay() {
    recorder.queue.add(status(200, "busy"));
    recorder.queue.add(status(200, "data"));
    ResponseCheck check = r -> {
      if (new String(r.body(), StandardCharsets.UTF_8).equals("busy")) {
        throw new RetryableResponseException("source says busy", Duration.ofMillis(500));
      }
    };
    HttpResult r = fetcher().get(url(), check);
    assertEquals("data", new String(r.body(), StandardCharsets.UTF_8));
    assertTrue(recorder.gapMillis(1) >= 500, "retried after " + recorder.gapMillis(1) + " ms");
    assertTrue(retryLog.get(0).contains("source says busy"));
  }

  @Test
  void aNotPublishedResponseCheckStopsAtOnce() {
    ResponseCheck check = r -> {
      throw new NotPublishedException("nothing yet");
    };
    assertThrows(NotPublishedException.class, () -> fetcher().get(url(), check));
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void aSlowServerTimesOutAndIsRetried() {
    MockResponse slow = new MockResponse.Builder().code(200).body("late").headersDelay(2, TimeUnit.SECONDS).build();
    recorder.queue.add(slow);
    recorder.queue.add(status(200, "on time"));
    HttpPolicy p = FAST.withTimeouts(Duration.ofMillis(500), Duration.ofMillis(300), Duration.ofSeconds(5));
    HttpResult r = fetcher(p, RequestSpacer.unshared(Duration.ZERO)).get(url(), ResponseCheck.ACCEPT_ALL);
    assertEquals("on time", new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(2, r.attempts());
    assertTrue(retryLog.get(0).contains("timeout"), retryLog.get(0));
  }

  @Test
  void aDeadServerIsUpstreamUnavailable() {
    HttpUrl dead = url();
    server.close();
    UpstreamUnavailableException e =
        assertThrows(UpstreamUnavailableException.class, () -> fetcher().get(dead, ResponseCheck.ACCEPT_ALL));
    assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
  }

  @Test
  void secretsAreRedactedInResultsMessagesAndLogsButSentToTheServer() {
    HttpUrl withKey = server.url("/api/v1/lmp?subscription-key=s3cr3t-value&Api_Token=tok123&date=2024-11-03");
    String shown = HttpFetcher.redact(withKey);
    assertFalse(shown.contains("s3cr3t-value") || shown.contains("tok123"), shown);
    assertTrue(shown.contains("date=2024-11-03"), shown);
    HttpUrl parsed = HttpUrl.get(shown);
    assertEquals("***", parsed.queryParameter("subscription-key"));
    assertEquals("***", parsed.queryParameter("Api_Token"));

    recorder.queue.add(status(503, "busy"));
    recorder.queue.add(status(200, "ok"));
    HttpResult r = fetcher().get(withKey, ResponseCheck.ACCEPT_ALL);
    assertEquals(shown, r.url());
    assertFalse(String.join("\n", retryLog).contains("s3cr3t-value"));
    assertEquals("s3cr3t-value", recorder.requests.get(0).getUrl().queryParameter("subscription-key"),
        "the real request still carries the key");

    for (int i = 0; i < 3; i++) {
      recorder.queue.add(status(500, "down"));
    }
    UpstreamUnavailableException e =
        assertThrows(UpstreamUnavailableException.class, () -> fetcher().get(withKey, ResponseCheck.ACCEPT_ALL));
    assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
    assertTrue(e.getMessage().contains("subscription-key=***"), e.getMessage());
  }

  @Test
  void redactLeavesOrdinaryUrlsAlone() {
    HttpUrl u = HttpUrl.get("http://oasis.caiso.com/oasisapi/SingleZip?resultformat=6&queryname=PRC_LMP&version=12");
    assertEquals(u.toString(), HttpFetcher.redact(u));
    HttpUrl p = HttpUrl.get("https://api.example/x?password=pw&client_secret=cs&keep=1");
    String r = HttpFetcher.redact(p);
    assertFalse(r.contains("pw") || r.contains("=cs"), r);
    assertTrue(r.contains("keep=1"));
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    assertEquals(Duration.ofSeconds(1), HttpFetcher.retryAfter("1"));
    assertEquals(Duration.ofSeconds(120), HttpFetcher.retryAfter(" 120 "));
    assertEquals(Duration.ZERO, HttpFetcher.retryAfter("-5"));
    assertNull(HttpFetcher.retryAfter(null));
    assertNull(HttpFetcher.retryAfter(""));
    assertNull(HttpFetcher.retryAfter("soon"));
    String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
    Duration d = HttpFetcher.retryAfter(in30s);
    assertTrue(d.compareTo(Duration.ofSeconds(27)) >= 0 && d.compareTo(Duration.ofSeconds(30)) <= 0, in30s + " -> " + d);
    assertEquals(Duration.ZERO, HttpFetcher.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), "a date in the past means now");
  }

  @Test
  void rebaseReplacesSchemeHostAndPortOnly() {
    HttpUrl real = HttpUrl.get("https://www.caiso.com/outlook/history/20241103/fuelsource.csv?_=0");
    HttpUrl r = HttpFetcher.rebase(real, "http://127.0.0.1:8099");
    assertEquals("http://127.0.0.1:8099/outlook/history/20241103/fuelsource.csv?_=0", r.toString());
    assertThrows(UsageException.class, () -> HttpFetcher.rebase(real, "not a url"));
  }
}
