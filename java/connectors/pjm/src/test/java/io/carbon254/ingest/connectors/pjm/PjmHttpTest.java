package io.carbon254.ingest.connectors.pjm;

import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.KEY;
import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.testing.RecordingDispatcher;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** Data Miner over HTTP: paging to totalRows, the filter, the key header (never shown), retries, the unverified fallback. */
class PjmHttpTest {
  static final IntervalKey DAY = key("lmp_da_hourly", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z");

  /** A page of {@code n} day-ahead items starting at row {@code first} of {@code total}. */
  static MockResponse page(int first, int n, int total) {
    StringBuilder b = new StringBuilder("{\"links\":[],\"items\":[");
    for (int i = 0; i < n; i++) {
      int row = first + i;
      int hour = row % 25;
      String t = java.time.Instant.parse("2024-11-03T04:00:00Z").plusSeconds(3600L * hour).toString().replace("Z", "");
      b.append(i == 0 ? "" : ",").append("{\"datetime_beginning_utc\":\"").append(t).append("\",\"pnode_id\":").append(1000 + row / 25)
          .append(",\"pnode_name\":\"N").append(row / 25).append("\",\"type\":\"GEN\",\"total_lmp_da\":").append(20 + hour)
          .append(",\"row_is_current\":true,\"version_nbr\":1}");
    }
    b.append("],\"searchSpecification\":{},\"totalRows\":").append(total).append('}');
    return json(200, b.toString());
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", PjmTestSupport.JSON).body(new Buffer().writeUtf8(body)).build();
  }

  /** The test environment against {@code server}, pages of 20 rows. */
  static Map<String, String> twentyRowPages(MockWebServer server) {
    Map<String, String> env = PjmTestSupport.env(server.url("/").toString());
    env.put("INGEST_PJM_ROW_COUNT", "20");
    return env;
  }

  @Test
  void pagesUntilTotalRowsWithTheKeyInAHeaderAndTheInclusiveEndFilter() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      RecordingDispatcher d = new RecordingDispatcher();
      server.setDispatcher(d);
      d.queue.add(page(0, 20, 50));
      d.queue.add(json(429, "{ \"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in 1 seconds.\" }"));
      d.queue.add(page(20, 20, 50));
      d.queue.add(json(503, "{\"message\":\"Service Unavailable\"}"));
      d.queue.add(page(40, 10, 50));
      server.start();
      Map<String, String> env = twentyRowPages(server);
      List<String> retries = new ArrayList<>();
      Dataset ds = PjmTestSupport.dataset("lmp_da_hourly", env, retries::add);
      List<RawPayload> payloads = ds.fetch(DAY);
      assertEquals(3, payloads.size(), "three pages of 20, 20 and 10 rows");
      assertEquals(List.of(0, 1, 2), payloads.stream().map(RawPayload::part).toList());
      assertEquals(5, d.requests.size(), "two retried answers");
      List<String> starts = new ArrayList<>();
      for (RecordedRequest r : d.requests) {
        assertEquals(KEY, r.getHeaders().get("Ocp-Apim-Subscription-Key"));
        assertEquals("/api/v1/da_hrl_lmps", r.getUrl().encodedPath());
        assertEquals("11/03/2024 00:00to11/03/2024 23:00", r.getUrl().queryParameter("datetime_beginning_ept"));
        assertEquals("20", r.getUrl().queryParameter("rowCount"));
        starts.add(r.getUrl().queryParameter("startRow"));
      }
      assertEquals(List.of("1", "21", "21", "41", "41"), starts);
      assertEquals(2, retries.size(), "a retry notice for the 429 and the 503: " + retries);
      Set<String> keys = new HashSet<>();
      long rows = 0;
      for (RawPayload p : payloads) {
        assertFalse(p.url().contains(KEY), "no key in Bronze's URL");
        assertFalse(new String(p.body(), StandardCharsets.UTF_8).contains(KEY));
        for (CanonicalRecord r : ds.parse(p)) {
          assertTrue(keys.add(r.naturalKey()));
          assertFalse(java.util.Arrays.toString(r.values()).contains(KEY), "no key in a row (the events' content)");
          rows++;
        }
      }
      assertEquals(50, rows);
      assertTrue(retries.stream().noneMatch(s -> s.contains(KEY)), "no key in the retry log");
    }
  }

  @Test
  void aTotalThatChangesWhilePagingFailsInsteadOfLosingRows() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      RecordingDispatcher d = new RecordingDispatcher();
      server.setDispatcher(d);
      d.queue.add(page(0, 20, 50));
      d.queue.add(page(20, 20, 70));
      server.start();
      Map<String, String> env = twentyRowPages(server);
      var x = assertThrows(io.carbon254.ingest.core.PayloadRejectedException.class,
          () -> PjmTestSupport.dataset("lmp_da_hourly", env, s -> {}).fetch(DAY));
      assertTrue(x.getMessage().contains("changed from 50 to 70"), x.getMessage());
    }
  }

  @Test
  void withoutPjmApiKeyAFetchIsAUsageErrorNamingTheVariableButParsingNeedsNoKey() {
    Map<String, String> env = PjmTestSupport.env("http://127.0.0.1:9");
    env.remove("PJM_API_KEY");
    Dataset ds = PjmTestSupport.dataset("lmp_da_hourly", env, s -> {});
    UsageException x = assertThrows(UsageException.class, () -> ds.fetch(DAY));
    assertEquals(ExitCodes.USAGE, x.exitCode());
    assertTrue(x.getMessage().contains("PJM_API_KEY is not set"), x.getMessage());
    assertEquals(75, ds.parse(PjmTestSupport.payload(DAY, "da_hrl_lmps", "da_hrl_lmps_20241103.json")).size());
  }

  @Test
  void anHourTheVerifiedFeedLacksComesFromTheUnverifiedOne() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      RecordingDispatcher d = new RecordingDispatcher();
      server.setDispatcher(d);
      d.queue.add(json(200, new String(PjmTestSupport.resource("no_data.json"), StandardCharsets.UTF_8)));
      d.queue.add(json(200, new String(PjmTestSupport.resource("rt_unverified_fivemin_lmps_20241103_0500Z-0600Z.json"),
          StandardCharsets.UTF_8)));
      server.start();
      IntervalKey hour = key("lmp_rt_5min", "2024-11-03T05:00:00Z", "2024-11-03T06:00:00Z");
      Dataset ds = PjmTestSupport.dataset("lmp_rt_5min", server.url("/").toString());
      List<RawPayload> payloads = ds.fetch(hour);
      assertEquals(List.of("/api/v1/rt_fivemin_hrl_lmps", "/api/v1/rt_unverified_fivemin_lmps"),
          d.requests.stream().map(r -> r.getUrl().encodedPath()).toList());
      // the first of the two 01:00 EPT hours: the UTC filter, so the EST hour is not asked for
      assertEquals("11/03/2024 05:00to11/03/2024 05:55", d.url(0).queryParameter("datetime_beginning_utc"));
      assertEquals(1, payloads.size(), "the empty verified page is not stored");
      List<CanonicalRecord> rows = ds.parse(payloads.get(0));
      assertEquals(24, rows.size());
      assertTrue(rows.stream().allMatch(r -> r.version() < DataMinerParser.STEP), "unverified: below any verified version");
    }
  }

  @Test
  void aRejectedKeyEndsTheFetchWithoutRetrying() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      RecordingDispatcher d = new RecordingDispatcher(r -> json(401,
          "{ \"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key. Make sure to provide a valid key.\" }"));
      server.setDispatcher(d);
      server.start();
      Dataset ds = PjmTestSupport.dataset("lmp_da_hourly", server.url("/").toString());
      RuntimeException x = assertThrows(RuntimeException.class, () -> ds.fetch(DAY));
      assertTrue(x instanceof io.carbon254.ingest.core.IngestException, x.toString());
      assertEquals(1, d.requests.size(), "a fixed key is not renewed: one request");
      assertTrue(x.getMessage().contains("401"), x.getMessage());
      assertFalse(x.getMessage().contains(KEY));
    }
  }
}
