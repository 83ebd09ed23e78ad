package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.connectors.common.testing.MovableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.Secrets;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP base of the next markets: credentials, paging, streamed JSON, quota, the shared client, masking. */
class HttpBaseTest {
  private static final HttpPolicy FAST =
      HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(10), Duration.ofMillis(40));

  private MockWebServer server;
  private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile Function<RecordedRequest, MockResponse> answer = r -> json(200, "{}");
  private final MovableClock clock = new MovableClock(Instant.parse("2024-11-03T10:00:00Z"));

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
  }

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.add(request);
        return answer.apply(request);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpFetcher fetcher() {
    return new HttpFetcher("testmkt", FAST, RequestSpacer.unshared(Duration.ZERO), clock);
  }

  private HttpUrl url(String path) {
    return server.url(path);
  }

  @Test
  void anApiKeyTravelsInItsHeaderOnlyAndIsMaskedWhereverTheAnswerEchoesIt() {
    String key = "pjm-key-7d1c9b0e42";
    IngestConfig config = IngestConfig.of(Map.of("TESTMKT_API_KEY", key));
    HttpFetcher f = fetcher().withAuth(Auth.apiKeyHeader("Ocp-Apim-Subscription-Key", "TESTMKT_API_KEY", config, "the test API"));
    HttpResult ok = f.get(url("/api/v1/da_hrl_lmps?rowCount=1"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(key, requests.get(0).getHeaders().get("Ocp-Apim-Subscription-Key"));
    assertFalse(ok.url().contains(key), ok.url());

    // a server that echoes the key in an error body and a URL that carries it: neither shows it
    answer = r -> json(400, "{\"message\":\"subscription " + key + " is not allowed\"}");
    UsageException e = assertThrows(UsageException.class,
        () -> f.get(url("/api/v1/da_hrl_lmps?subscription-key=" + key + "&note=" + key), null, ResponseCheck.ACCEPT_ALL));
    assertFalse(e.getMessage().contains(key), e.getMessage());
    assertTrue(e.getMessage().contains(Secrets.MASK), e.getMessage());
    assertEquals("subscription *** is not allowed", Secrets.mask("subscription " + key + " is not allowed"));

    UsageException missing = assertThrows(UsageException.class,
        () -> Auth.apiKeyHeader("Ocp-Apim-Subscription-Key", "TESTMKT_OTHER_KEY", IngestConfig.of(Map.of()), "PJM Data Miner 2"));
    assertEquals("TESTMKT_OTHER_KEY is not set: PJM Data Miner 2 (sent as the Ocp-Apim-Subscription-Key header) needs it "
        + "(the environment or a Kubernetes secret)", missing.getMessage());
  }

  @Test
  void basicAuthenticationFromTwoVariables() {
    IngestConfig config = IngestConfig.of(Map.of("TESTMKT_USER", "alice", "TESTMKT_PASSWORD", "s3cret-pass"));
    fetcher().withAuth(Auth.basic("TESTMKT_USER", "TESTMKT_PASSWORD", config, "the test API"))
        .get(url("/x"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals("Basic YWxpY2U6czNjcmV0LXBhc3M=", requests.get(0).getHeaders().get("Authorization"));
  }

  @Test
  void aBearerTokenIsObtainedByPostReusedRenewedBeforeExpiryAndOnceAfterA401() {
    AtomicInteger issued = new AtomicInteger();
    answer = r -> {
      if (r.getUrl().encodedPath().equals("/token")) {
        return json(200, "{\"id_token\":\"tok-" + issued.incrementAndGet() + "-abcdef\",\"expires_in\":3600}");
      }
      String auth = r.getHeaders().get("Authorization");
      return auth != null && auth.equals("Bearer tok-3-abcdef") && r.getUrl().encodedPath().equals("/expired-early")
          ? json(401, "{\"statusCode\":401}") : json(200, "{\"seen\":\"" + auth + "\"}");
    };
    HttpFetcher tokens = fetcher();
    HttpRequest login = HttpRequest.form(url("/token"), new LinkedHashMap<>(Map.of("grant_type", "password", "username", "u")));
    Auth.BearerToken bearer = new Auth.BearerToken(login, req -> tokens.send(req, "token", ResponseCheck.ACCEPT_ALL), "id_token",
        Duration.ofMinutes(5), clock);
    HttpFetcher api = fetcher().withAuth(bearer);

    api.get(url("/a"), null, ResponseCheck.ACCEPT_ALL);
    api.get(url("/b"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(1, bearer.obtained(), "one token for both requests");
    RecordedRequest post = requests.get(0);
    assertEquals("POST", post.getMethod());
    assertEquals("application/x-www-form-urlencoded", post.getHeaders().get("Content-Type"));
    assertEquals("Bearer tok-1-abcdef", requests.get(1).getHeaders().get("Authorization"));

    clock.advance(Duration.ofMinutes(54));
    api.get(url("/c"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(1, bearer.obtained(), "54 minutes into a 60-minute token: still used");
    clock.advance(Duration.ofMinutes(2));
    api.get(url("/d"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(2, bearer.obtained(), "within 5 minutes of its expiry: renewed before the request");

    // a 401 drops the token: one more attempt, at once, with a new one
    bearer.renew();
    HttpResult r = api.get(url("/expired-early"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(200, r.status());
    assertEquals(4, bearer.obtained());
    assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("tok-4"));

    // a 401 that a new token does not cure is a credentials problem: exit 2, not a loop
    answer = req -> req.getUrl().encodedPath().equals("/token") ? json(200, "{\"id_token\":\"tok-x-abcdef\",\"expires_in\":3600}")
        : json(401, "{}");
    UsageException refused = assertThrows(UsageException.class, () -> api.get(url("/e"), null, ResponseCheck.ACCEPT_ALL));
    assertTrue(refused.getMessage().contains("HTTP 401"), refused.getMessage());
  }

  static String page(long total, int from, int n) {
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < n; i++) {
      items.append(i == 0 ? "" : ",").append("{\"row\":").append(from + i).append('}');
    }
    return "{\"items\":[" + items + "],\"searchSpecification\":{},\"totalRows\":" + total + ",\"links\":[]}";
  }

  @Test
  void rowOffsetPagingAsksForEveryRowOnceAndStopsAtTheTotal() {
    answer = r -> {
      int start = Integer.parseInt(r.getUrl().queryParameter("startRow"));
      int count = Integer.parseInt(r.getUrl().queryParameter("rowCount"));
      return json(200, page(5, start, Math.min(count, 5 - start + 1)));
    };
    List<Long> rows = new ArrayList<>();
    int pages = fetcher().pages(HttpRequest.get(url("/api/v1/da_hrl_lmps?datetime_beginning_ept=x")),
        Paging.rowOffset("startRow", "rowCount", 2, 1, Paging.Total.jsonField("totalRows"), Paging.Count.jsonArray("items")),
        "pjm/lmp_da_hourly", ResponseCheck.ACCEPT_ALL, p -> {
          try {
            JsonStream.forEachItem(new ByteArrayInputStream(p.body()), "items", n -> rows.add(n.get("row").asLong()));
          } catch (java.io.IOException e) {
            throw new AssertionError(e);
          }
        });
    assertEquals(3, pages);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rows);
    assertEquals(List.of("1", "3", "5"), requests.stream().map(r -> r.getUrl().queryParameter("startRow")).toList());
    assertTrue(requests.stream().allMatch(r -> "x".equals(r.getUrl().queryParameter("datetime_beginning_ept"))), "the filter stays");
  }

  @Test
  void aTotalThatChangesOrAnEmptyPageThatPromisedMoreFailsInsteadOfLoopingOrStoppingShort() {
    AtomicInteger n = new AtomicInteger();
    answer = r -> json(200, page(n.incrementAndGet() == 1 ? 4 : 6, 1, 2));
    Paging offsets = Paging.rowOffset("startRow", "rowCount", 2, 1, Paging.Total.jsonField("totalRows"), Paging.Count.jsonArray("items"));
    PayloadRejectedException changed = assertThrows(PayloadRejectedException.class,
        () -> fetcher().pages(HttpRequest.get(url("/p")), offsets, null, ResponseCheck.ACCEPT_ALL, p -> {}));
    assertTrue(changed.getMessage().contains("row total changed from 4 to 6"), changed.getMessage());

    answer = r -> json(200, page(10, 1, 0));
    PayloadRejectedException empty = assertThrows(PayloadRejectedException.class,
        () -> fetcher().pages(HttpRequest.get(url("/p")), offsets, null, ResponseCheck.ACCEPT_ALL, p -> {}));
    assertTrue(empty.getMessage().contains("page 1 is empty although the source counts 10 rows"), empty.getMessage());
  }

  @Test
  void pageNumberPagingReadsTheNestedPageCount() {
    answer = r -> json(200, "{\"_meta\":{\"totalRecords\":5,\"pageSize\":2,\"totalPages\":3,\"currentPage\":"
        + r.getUrl().queryParameter("page") + "},\"data\":[[1],[2]]}");
    int pages = fetcher().pages(HttpRequest.get(url("/api/public-reports/np6-905-cd/spp_node_zone_hub")),
        Paging.pageNumber("page", "size", 2, 1, Paging.Total.jsonField("_meta.totalPages"), Paging.Count.jsonArray("data")), null,
        ResponseCheck.ACCEPT_ALL, p -> {});
    assertEquals(3, pages);
    assertEquals(List.of("1", "2", "3"), requests.stream().map(r -> r.getUrl().queryParameter("page")).toList());
  }

  @Test
  void cursorPagingFollowsTheCursorAndRefusesOneThatPointsAtItself() {
    answer = r -> {
      String c = r.getUrl().queryParameter("cursor");
      return json(200, c == null ? "{\"next\":\"c2\",\"items\":[1]}" : c.equals("c2") ? "{\"next\":\"c3\",\"items\":[2]}"
          : "{\"next\":null,\"items\":[3]}");
    };
    Paging cursor = Paging.cursor("cursor", Paging.CursorOf.jsonField("next"));
    assertEquals(3, fetcher().pages(HttpRequest.get(url("/c")), cursor, null, ResponseCheck.ACCEPT_ALL, p -> {}));
    answer = r -> json(200, "{\"next\":\"same\",\"items\":[1]}");
    requests.clear();
    assertThrows(PayloadRejectedException.class,
        () -> fetcher().pages(HttpRequest.get(url("/c?cursor=same")), cursor, null, ResponseCheck.ACCEPT_ALL, p -> {}));
    assertEquals(1, requests.size());
  }

  @Test
  void theDailyQuotaStopsTheRequestsOfTheDayWithAMessageThatSaysSoAndResetsAtMidnightUtc() {
    DailyQuota quota = DailyQuota.unshared("testmkt", 2, clock);
    HttpFetcher f = fetcher().withQuota(quota);
    f.get(url("/1"), null, ResponseCheck.ACCEPT_ALL);
    f.get(url("/2"), null, ResponseCheck.ACCEPT_ALL);
    UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class, () -> f.get(url("/3"), null, ResponseCheck.ACCEPT_ALL));
    assertTrue(e.getMessage().contains("the daily request quota of testmkt (2 requests per UTC day) is used up for 2024-11-03"),
        e.getMessage());
    assertEquals(2, requests.size(), "the third request was not sent");
    clock.set(Instant.parse("2024-11-04T00:00:01Z"));
    f.get(url("/4"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(3, requests.size());
  }

  @Test
  void aRefusalCheckReadsA4xxBeforeTheDefaultMappingAndMayLeaveItToTheDefault() {
    answer = r -> r.getTarget().startsWith("/quota") ? json(403, "{\"statusCode\": 403, \"message\": \"Out of call volume quota.\"}")
        : json(403, "{\"statusCode\": 403, \"message\": \"Forbidden\"}");
    List<Integer> seen = new ArrayList<>();
    HttpFetcher f = fetcher().withRefusalCheck(r -> {
      seen.add(r.status());
      if (new String(r.body(), StandardCharsets.UTF_8).contains("quota")) {
        throw new UpstreamUnavailableException("quota used up: " + r.url());
      }
    });
    UpstreamUnavailableException quota = assertThrows(UpstreamUnavailableException.class, () -> f.get(url("/quota"), null, ResponseCheck.ACCEPT_ALL));
    assertTrue(quota.getMessage().startsWith("quota used up: http://"), quota.getMessage());
    UsageException other = assertThrows(UsageException.class, () -> f.get(url("/other"), null, ResponseCheck.ACCEPT_ALL));
    assertTrue(other.getMessage().contains("HTTP 403"), other.getMessage());
    assertEquals(List.of(403, 403), seen);
    assertEquals(2, requests.size(), "a refusal is not retried");
    answer = r -> json(429, "{}");
    assertThrows(UpstreamUnavailableException.class, () -> f.get(url("/busy"), null, ResponseCheck.ACCEPT_ALL));
    assertEquals(List.of(403, 403), seen, "408, 429 and 5xx are retried, not read as refusals");
  }

  @Test
  void credentialsBuiltAtTheFirstRequestAreBuiltOnceAndNotBeforeARequestNeedsThem() {
    AtomicInteger built = new AtomicInteger();
    Auth auth = Auth.atFirstRequest(() -> {
      built.incrementAndGet();
      return Auth.apiKeyHeader("X-Key", "TESTMKT_KEY", IngestConfig.of(Map.of("TESTMKT_KEY", "k-123")), "testmkt");
    });
    assertEquals(0, built.get());
    HttpFetcher f = fetcher().withAuth(auth);
    f.get(url("/a"), null, ResponseCheck.ACCEPT_ALL);
    f.get(url("/b"), null, ResponseCheck.ACCEPT_ALL);
    assertEquals(1, built.get());
    assertEquals("k-123", requests.get(1).getHeaders().get("X-Key"));
    Auth missing = Auth.atFirstRequest(() -> Auth.apiKeyHeader("X-Key", "TESTMKT_KEY", IngestConfig.of(Map.of()), "testmkt"));
    DailyQuota quota = DailyQuota.unshared("testmkt", 10, clock);
    UsageException e = assertThrows(UsageException.class,
        () -> fetcher().withAuth(missing).withQuota(quota).get(url("/c"), null, ResponseCheck.ACCEPT_ALL));
    assertTrue(e.getMessage().contains("TESTMKT_KEY"), e.getMessage());
    assertEquals(2, requests.size(), "no request without the key");
    assertEquals(0, quota.used(), "a request never sent takes nothing from the quota");
  }

  @Test
  void everyFetcherIsAViewOfTheOneClientOfTheProcess() {
    HttpFetcher a = fetcher();
    HttpFetcher b = new HttpFetcher("othermkt", FAST.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3)),
        RequestSpacer.unshared(Duration.ZERO), clock);
    assertSame(a.client().connectionPool(), b.client().connectionPool());
    assertSame(a.client().dispatcher(), b.client().dispatcher());
    assertEquals(3_000, b.client().callTimeoutMillis());
  }

  @Test
  void jsonItemsAreStreamedOneAtATimeAndATopLevelFieldIsFoundAfterThem() throws Exception {
    StringBuilder big = new StringBuilder("{\"links\":[{\"rel\":\"self\"}],\"items\":[");
    for (int i = 0; i < 20_000; i++) {
      big.append(i == 0 ? "" : ",").append("{\"pnode_id\":").append(i).append(",\"total_lmp_da\":").append(i / 100.0).append('}');
    }
    big.append("],\"totalRows\":20000}");
    byte[] body = big.toString().getBytes(StandardCharsets.UTF_8);
    long[] sum = {0};
    long n = JsonStream.forEachItem(new ByteArrayInputStream(body), "items", (JsonNode item) -> sum[0] += item.get("pnode_id").asLong());
    assertEquals(20_000, n);
    assertEquals(199_990_000L, sum[0]);
    assertEquals(20_000L, JsonStream.longAt(body, "totalRows").orElseThrow());
    assertNotNull(JsonStream.topLevel(body, "links").orElseThrow().get(0));
    assertEquals(0, JsonStream.forEachItem(new ByteArrayInputStream("{\"items\":[]}".getBytes(StandardCharsets.UTF_8)), "items", x -> {}));
    java.io.IOException notThere = assertThrows(java.io.IOException.class,
        () -> JsonStream.forEachItem(new ByteArrayInputStream("{\"error\":\"no data\"}".getBytes(StandardCharsets.UTF_8)), "items", x -> {}));
    assertEquals("no 'items' array in the object", notThere.getMessage());
  }
}
