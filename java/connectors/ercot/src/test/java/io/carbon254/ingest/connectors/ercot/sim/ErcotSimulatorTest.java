package io.carbon254.ingest.connectors.ercot.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator answers ERCOT's token, Public API archive, MIS and dashboard paths as the real services do. */
class ErcotSimulatorTest {
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  /** 2024-11-10 12:00 CST. */
  static final Instant NOW = Instant.parse("2024-11-10T18:00:00Z");
  static final int NODES = 20;
  static final AtomicInteger KEYS = new AtomicInteger();
  static ErcotSimulator sim;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    sim = ErcotSimulator.start(new SimulatorOptions(0, NODES, NOW));
    token = token(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  /** A fresh subscription key: each test has its own rate-limit budget. */
  static String key() {
    return "key-" + KEYS.incrementAndGet();
  }

  static HttpResponse<String> postToken(ErcotSimulator s, String form) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + ErcotSimulator.TOKEN_PATH))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String form(String username, String password, String grantType) {
    return "grant_type=" + grantType + "&username=" + q(username) + "&password=" + q(password) + "&response_type=id_token&scope="
        + q("openid " + ErcotSimulator.CLIENT_ID + " offline_access") + "&client_id=" + ErcotSimulator.CLIENT_ID;
  }

  static String token(ErcotSimulator s) throws Exception {
    HttpResponse<String> r = postToken(s, form("user@example.com", "secret", "password"));
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body()).get("id_token").asText();
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static HttpResponse<byte[]> get(ErcotSimulator s, String pathAndQuery, String key, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + pathAndQuery));
    if (key != null) {
      b.header("Ocp-Apim-Subscription-Key", key);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<byte[]> bulk(String emil, String body, String key) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/public-reports/archive/" + emil + "/download"))
        .header("Ocp-Apim-Subscription-Key", key).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode json(HttpResponse<byte[]> r) throws IOException {
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    return JSON.readTree(r.body());
  }

  static String listing(String emil, String from, String to, int page, int size) {
    return "/api/public-reports/archive/" + emil + "?postDatetimeFrom=" + from + "&postDatetimeTo=" + to + "&page=" + page
        + "&size=" + size;
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** The entries of a zip, in order: name to bytes. */
  static LinkedHashMap<String, byte[]> unzip(byte[] zip) throws IOException {
    LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
        out.put(e.getName(), z.readAllBytes());
      }
    }
    return out;
  }

  /** The one CSV of a document zip, checking the entry name and the CRLF line ends. */
  static List<String[]> csvRows(byte[] docZip, String expectedHeader) throws IOException {
    Map<String, byte[]> entries = unzip(docZip);
    assertEquals(1, entries.size());
    String name = entries.keySet().iterator().next();
    assertTrue(name.startsWith("cdr.") && name.endsWith(".csv") && !name.contains("_csv"), name);
    String csv = new String(entries.values().iterator().next(), StandardCharsets.UTF_8);
    assertTrue(csv.endsWith("\r\n"), "CRLF line ends");
    assertEquals(csv.split("\n", -1).length - 1, csv.split("\r\n", -1).length - 1, "every line ends with CRLF");
    String[] lines = csv.split("\r\n");
    assertEquals(expectedHeader, lines[0]);
    List<String[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      rows.add(lines[i].split(",", -1));
    }
    return rows;
  }

  @Test
  void theTokenIsAFreshJwtForAnyUserAnd400ForBadCredentials() throws Exception {
    for (String bad : List.of(form("user", "", "password"), form("", "secret", "password"), form("user", "secret", "client_credentials"),
        "grant_type=password&username=user")) {
      HttpResponse<String> r = postToken(sim, bad);
      assertEquals(400, r.statusCode(), bad);
      assertEquals("{\"error\":\"invalid_grant\",\"error_description\":\"AADB2C90225: The username or password provided in the request"
          + " are invalid.\"}", r.body());
    }
    HttpResponse<String> r = postToken(sim, form("user@example.com", "secret", "password"));
    assertEquals(200, r.statusCode());
    JsonNode t = JSON.readTree(r.body());
    assertEquals(List.of("access_token", "token_type", "expires_in", "refresh_token", "id_token"), fieldNames(t));
    assertEquals("Bearer", t.get("token_type").asText());
    assertEquals("3600", t.get("expires_in").asText());
    assertTrue(t.get("expires_in").isTextual());
    String jwt = t.get("id_token").asText();
    assertEquals(jwt, t.get("access_token").asText());
    String[] parts = jwt.split("\\.");
    assertEquals(3, parts.length);
    JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertEquals(ErcotSimulator.CLIENT_ID, payload.get("aud").asText());
    assertEquals(3600, payload.get("exp").asLong() - payload.get("nbf").asLong());
    assertNotEquals(jwt, token(sim), "every token is new");
    assertEquals(404, CLIENT.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + ErcotSimulator.TOKEN_PATH)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "GET of the token path");
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void theApiNeedsAKeyAndALiveToken() throws Exception {
    String list = listing("np6-905-cd", "2024-11-05T00:00:00", "2024-11-05T01:00:00", 1, 10);
    HttpResponse<byte[]> noKey = get(sim, list, null, token);
    assertEquals(401, noKey.statusCode());
    assertEquals("{\"statusCode\":401,\"message\":\"Access denied due to missing subscription key. Make sure to include subscription"
        + " key when making requests to an API.\"}", text(noKey));
    String key = key();
    for (String bad : new String[] {null, "not-a-token", token + "x"}) {
      HttpResponse<byte[]> r = get(sim, list, key, bad);
      assertEquals(401, r.statusCode());
      assertEquals("{\"statusCode\":401,\"message\":\"Invalid or expired token\"}", text(r));
    }
    assertEquals(4, json(get(sim, list, key, token)).get("_meta").get("totalRecords").asInt());
    try (ErcotSimulator shortLived = ErcotSimulator.start(new SimulatorOptions(0, 1, NOW)).withTokenLifetime(Duration.ofMillis(400))) {
      HttpResponse<String> issued = postToken(shortLived, form("u", "p", "password"));
      assertEquals("1", JSON.readTree(issued.body()).get("expires_in").asText(), "rounded up to a second");
      String t = JSON.readTree(issued.body()).get("id_token").asText();
      assertEquals(200, get(shortLived, list, key, t).statusCode());
      Thread.sleep(700);
      HttpResponse<byte[]> expired = get(shortLived, list, key, t);
      assertEquals(401, expired.statusCode());
      assertEquals("{\"statusCode\":401,\"message\":\"Invalid or expired token\"}", text(expired));
      assertEquals(200, get(shortLived, list, key, token(shortLived)).statusCode(), "a new token works");
    }
  }

  @Test
  void theThirtyFirstCallWithinAMinuteIs429WithoutRetryAfter() throws Exception {
    String key = key();
    String list = listing("np4-190-cd", "2024-11-01T00:00:00", "2024-11-02T00:00:00", 1, 10);
    for (int i = 0; i < ErcotSimulator.RATE_LIMIT; i++) {
      assertEquals(200, get(sim, list, key, token).statusCode(), "call " + (i + 1));
    }
    for (int i = 0; i < 3; i++) {
      HttpResponse<byte[]> r = get(sim, list, key, token);
      assertEquals(429, r.statusCode());
      assertEquals("{\"error_key\":\"throttled\",\"error_message\":\"Too Many Requests\"}", text(r));
      assertTrue(r.headers().firstValue("Retry-After").isEmpty());
    }
    assertEquals(200, get(sim, list, key(), token).statusCode(), "the limit is per subscription key");
    assertEquals(200, postToken(sim, form("u", "p", "password")).statusCode(), "the token is not an API call");
    assertEquals(200, get(sim, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=12331", null, null).statusCode(), "MIS has no limit");
    try (ErcotSimulator quick = ErcotSimulator.start(new SimulatorOptions(0, 1, NOW)).withRateLimit(2, Duration.ofMillis(300))) {
      String t = token(quick);
      assertEquals(200, get(quick, list, key, t).statusCode());
      assertEquals(200, get(quick, list, key, t).statusCode());
      assertEquals(429, get(quick, list, key, t).statusCode());
      Thread.sleep(400);
      assertEquals(200, get(quick, list, key, t).statusCode(), "the window trails");
    }
  }

  @Test
  void theArchiveListingPagesNewestFirst() throws Exception {
    String key = key();
    long t0 = System.nanoTime();
    JsonNode p1 = json(get(sim, listing("np6-905-cd", "2024-06-01T00:00:00", "2024-06-30T23:59:59", 1, 1000), key, token));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 1000, "a 30-day listing took " + millis + " ms");
    JsonNode meta = p1.get("_meta");
    assertEquals(30 * 96 + 30, meta.get("totalRecords").asInt(), "30 days of intervals and one retry a day");
    assertEquals(1000, meta.get("pageSize").asInt());
    assertEquals(3, meta.get("totalPages").asInt());
    assertEquals(1, meta.get("currentPage").asInt());
    assertEquals(2, meta.get("query").get("parameterCount").asInt());
    assertEquals("2024-06-01T00:00:00", meta.get("query").get("parameters").get("postDatetimeFrom").asText());
    assertEquals("postDatetime: DESC", meta.get("query").get("sortedBy").asText());
    assertEquals("NP6-905-CD", p1.get("product").get("emilId").asText());
    assertEquals(12301, p1.get("product").get("reportTypeId").asInt());
    assertEquals("Settlement Point Prices at Resource Nodes, Hubs and Load Zones", p1.get("product").get("name").asText());
    assertEquals("https://api.ercot.com/api/public-reports/archive/np6-905-cd", p1.get("_links").get("self").get("href").asText());
    assertEquals("https://api.ercot.com/api/public-reports", p1.get("_links").get("parent").get("href").asText());
    JsonNode first = p1.get("archives").get(0);
    assertEquals(List.of("docId", "friendlyName", "postDatetime", "_links"), fieldNames(first));
    assertEquals("SPPHLZNP6905_20240630_2345_csv", first.get("friendlyName").asText());
    assertEquals("2024-06-30T23:46:02.000", first.get("postDatetime").asText());
    assertEquals("https://api.ercot.com/api/public-reports/archive/np6-905-cd?download=" + first.get("docId").asLong(),
        first.get("_links").get("endpoint").get("href").asText());
    JsonNode p3 = json(get(sim, listing("np6-905-cd", "2024-06-01T00:00:00", "2024-06-30T23:59:59", 3, 1000), key, token));
    assertEquals(910, p3.get("archives").size());
    JsonNode oldest = p3.get("archives").get(909);
    assertEquals("SPPHLZNP6905_20240601_0000_csv", oldest.get("friendlyName").asText());
    assertEquals("2024-06-01T00:01:02.000", oldest.get("postDatetime").asText());
    JsonNode p2 = json(get(sim, listing("np6-905-cd", "2024-06-01T00:00:00", "2024-06-30T23:59:59", 2, 1000), key, token));
    Set<Long> ids = new HashSet<>();
    long previous = Long.MAX_VALUE;
    int retries = 0;
    for (JsonNode page : List.of(p1, p2, p3)) {
      for (JsonNode a : page.get("archives")) {
        long id = a.get("docId").asLong();
        assertTrue(id < previous, "newest first: ids fall with the posting time");
        previous = id;
        ids.add(id);
        retries += a.get("friendlyName").asText().startsWith("SPPHLZNP6905_retry_") ? 1 : 0;
      }
    }
    assertEquals(2910, ids.size());
    assertEquals(30, retries);
    JsonNode beyond = json(get(sim, listing("np6-905-cd", "2024-06-01T00:00:00", "2024-06-30T23:59:59", 4, 1000), key, token));
    assertEquals(0, beyond.get("archives").size());
    assertEquals(4, beyond.get("_meta").get("currentPage").asInt());

    JsonNode day = json(get(sim, listing("np6-905-cd", "2024-11-03T00:02:00", "2024-11-04T00:02:00", 1, 1000), key, token));
    assertEquals(100 + 1, day.get("_meta").get("totalRecords").asInt(), "the fall-back day: 25 hours and a retry");
    Map<String, String> posted = new HashMap<>();
    for (JsonNode a : day.get("archives")) {
      posted.put(a.get("friendlyName").asText(), a.get("postDatetime").asText());
    }
    assertEquals(101, posted.size(), "unique names");
    assertEquals("2024-11-03T01:16:02.000", posted.get("SPPHLZNP6905_20241103_0115_csv"));
    assertEquals("2024-11-03T01:16:02.000", posted.get("SPPHLZNP6905_20241103_0115_xhr_csv"), "the repeated hour, wall clock");
    assertEquals("2024-11-03T01:01:02.000", posted.get("SPPHLZNP6905_20241103_0200_csv"), "01:45-02:00 CDT");
    assertEquals("2024-11-03T02:01:02.000", posted.get("SPPHLZNP6905_20241103_0200_xhr_csv"), "01:45-02:00 CST");
    assertFalse(posted.containsKey("SPPHLZNP6905_20241103_0100_xhr_csv"), "_xhr follows the interval, not its end");
    assertEquals("2024-11-03T12:36:02.000", posted.get("SPPHLZNP6905_retry_20241103_1215_csv"));
    assertEquals("2024-11-04T00:01:02.000", posted.get("SPPHLZNP6905_20241104_0000_csv"), "midnight is the next day's 0000");
    JsonNode spring = json(get(sim, listing("np6-905-cd", "2024-03-10T01:30:00", "2024-03-10T03:20:00", 1, 1000), key, token));
    List<String> springNames = new ArrayList<>();
    spring.get("archives").forEach(a -> springNames.add(a.get("friendlyName").asText()));
    assertEquals(List.of("SPPHLZNP6905_20240310_0315_csv", "SPPHLZNP6905_20240310_0300_csv", "SPPHLZNP6905_20240310_0145_csv",
        "SPPHLZNP6905_20240310_0130_csv"), springNames, "01:45 CST-03:00 CDT is named 0300");

    JsonNode small = json(get(sim, "/api/public-reports/archive/NP6-905-CD?postDatetimeFrom=2024-11-05T00:00:00&postDatetimeTo="
        + "2024-11-05T01:00:00&size=3", key, token));
    assertEquals(4, small.get("_meta").get("totalRecords").asInt());
    assertEquals(2, small.get("_meta").get("totalPages").asInt());
    assertEquals(3, small.get("archives").size());
    JsonNode onlyFrom = json(get(sim, "/api/public-reports/archive/np4-190-cd?postDatetimeFrom=2024-11-01T00:00:00", key, token));
    assertEquals(9, onlyFrom.get("_meta").get("totalRecords").asInt(), "DAM of 11-02..11-10, the last posted 11-09 12:30:05");
    JsonNode none = json(get(sim, listing("np6-905-cd", "2030-01-01T00:00:00", "2030-01-02T00:00:00", 1, 1000), key, token));
    assertEquals(0, none.get("_meta").get("totalRecords").asInt());
    assertEquals(0, none.get("_meta").get("totalPages").asInt());
    assertEquals(0, none.get("archives").size());
    assertEquals(400, get(sim, "/api/public-reports/archive/np6-905-cd?page=1&size=10", key, token).statusCode(), "no range");
    assertEquals(400, get(sim, listing("np6-905-cd", "2024-11-05T00:00:00", "2024-11-05T01:00:00", 1, 1001), key, token).statusCode());
    assertEquals(400, get(sim, listing("np6-905-cd", "2024-11-05T00:00:00", "2024-11-05T01:00:00", 0, 10), key, token).statusCode());
    assertEquals(400, get(sim, listing("np6-905-cd", "11/05/2024", "2024-11-05T01:00:00", 1, 10), key, token).statusCode());
    assertEquals(404, get(sim, listing("np9-999-cd", "2024-11-05T00:00:00", "2024-11-05T01:00:00", 1, 10), key, token).statusCode());
  }

  @Test
  void aDocumentDownloadsAloneOrInBulk() throws Exception {
    String key = key();
    JsonNode list = json(get(sim, listing("np6-905-cd", "2024-11-05T00:00:00", "2024-11-05T02:00:00", 1, 1000), key, token));
    List<Long> ids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (JsonNode a : list.get("archives")) {
      ids.add(a.get("docId").asLong());
      names.add(a.get("friendlyName").asText());
    }
    assertEquals(8, ids.size());
    HttpResponse<byte[]> one = get(sim, "/api/public-reports/archive/np6-905-cd?download=" + ids.get(0), key, token);
    assertEquals(200, one.statusCode());
    assertEquals("application/zip", one.headers().firstValue("Content-Type").orElseThrow());
    String disposition = one.headers().firstValue("Content-Disposition").orElseThrow();
    assertEquals("attachment; filename=" + ids.get(0) + ".cdr.00012301.0000000000000000.20241105.014602.SPPHLZNP6905_20241105_0145_csv.zip",
        disposition);
    assertEquals("SPPHLZNP6905_20241105_0145_csv", names.get(0));
    Map<String, byte[]> inner = unzip(one.body());
    assertEquals(List.of("cdr.00012301.0000000000000000.20241105.014602.SPPHLZNP6905_20241105_0145.csv"), List.copyOf(inner.keySet()));
    assertEquals(404, get(sim, "/api/public-reports/archive/np6-905-cd?download=123", key, token).statusCode());
    assertEquals(404, get(sim, "/api/public-reports/archive/np4-190-cd?download=" + ids.get(0), key, token).statusCode(),
        "a document of another report");
    assertEquals(404, get(sim, "/api/public-reports/archive/np6-905-cd?download=" + (ids.get(0) + 8), key, token).statusCode(),
        "the xml twin is not in the archive");

    String body = "{\"docIds\":[\"" + ids.get(3) + "\"," + ids.get(0) + ",\"" + ids.get(5) + "\"]}";
    HttpResponse<byte[]> r = bulk("np6-905-cd", body, key);
    assertEquals(200, r.statusCode(), text(r));
    assertEquals("application/zip", r.headers().firstValue("Content-Type").orElseThrow());
    LinkedHashMap<String, byte[]> entries = unzip(r.body());
    List<String> entryNames = List.copyOf(entries.keySet());
    assertEquals(3, entryNames.size());
    int[] order = {3, 0, 5};
    for (int i = 0; i < 3; i++) {
      String n = entryNames.get(i);
      assertTrue(n.startsWith(ids.get(order[i]) + ".cdr.00012301.0000000000000000.") && n.endsWith("." + names.get(order[i]) + ".zip"), n);
      byte[] alone = get(sim, "/api/public-reports/archive/np6-905-cd?download=" + ids.get(order[i]), key, token).body();
      assertArrayEquals(alone, entries.get(n), "the same bytes as the single download");
    }
    assertEquals(400, bulk("np6-905-cd", "{\"docIds\":[]}", key).statusCode());
    assertEquals(400, bulk("np6-905-cd", "{}", key).statusCode());
    StringBuilder many = new StringBuilder("{\"docIds\":[");
    for (int i = 0; i <= 1000; i++) {
      many.append(i == 0 ? "" : ",").append(ids.get(0));
    }
    assertEquals(400, bulk("np6-905-cd", many.append("]}").toString(), key).statusCode(), "over 1000 ids");
    assertEquals(404, bulk("np6-905-cd", "{\"docIds\":[" + ids.get(0) + ",42]}", key).statusCode(), "an unknown id");
  }

  @Test
  void misListsCsvAndXmlTwinsWithinTheRetention() throws Exception {
    JsonNode list = json(get(sim, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=12301&_=1731261600000", null, null));
    JsonNode docs = list.get("ListDocsByRptTypeRes").get("DocumentList");
    int csv = 0;
    int xml = 0;
    Set<String> ids = new HashSet<>();
    OffsetDateTime previous = null;
    for (JsonNode entry : docs) {
      JsonNode d = entry.get("Document");
      String name = d.get("FriendlyName").asText();
      if (name.endsWith("_csv")) {
        csv++;
        assertTrue(d.get("ConstructedName").asText().endsWith(name + ".zip"));
      } else {
        assertTrue(name.endsWith("_xml") && d.get("ConstructedName").asText().endsWith(name + ".zip"), name);
        xml++;
      }
      assertTrue(ids.add(d.get("DocID").asText()));
      assertEquals(12301, d.get("ReportTypeID").asInt());
      assertEquals("Settlement Point Prices at Resource Nodes, Hubs and Load Zones", d.get("ReportName").asText());
      OffsetDateTime published = OffsetDateTime.parse(d.get("PublishDate").asText());
      assertTrue(published.toInstant().isAfter(NOW.minus(Duration.ofDays(7))) && published.toInstant().isBefore(NOW));
      assertEquals(published.plusDays(7).toInstant(), OffsetDateTime.parse(d.get("ExpiredDate").asText()).toInstant());
      assertTrue(previous == null || !published.isAfter(previous), "newest first");
      previous = published;
    }
    assertEquals(7 * 96 + 7, csv, "a week of intervals and retries");
    assertEquals(csv, xml);
    JsonNode newest = docs.get(0).get("Document");
    JsonNode newestCsv = docs.get(1).get("Document");
    assertEquals("SPPHLZNP6905_20241110_1145_xml", newest.get("FriendlyName").asText());
    assertEquals("SPPHLZNP6905_20241110_1145_csv", newestCsv.get("FriendlyName").asText());
    assertEquals("2024-11-10T11:46:02-06:00", newestCsv.get("PublishDate").asText());
    assertEquals(List.of("ExpiredDate", "ILMStatus", "SecurityStatus", "ContentSize", "Extension", "FileName", "ReportTypeID", "Prefix",
        "FriendlyName", "ConstructedName", "DocID", "PublishDate", "ReportName", "DocCount"), fieldNames(newestCsv));
    HttpResponse<byte[]> z = get(sim, ErcotSimulator.MIS_DOWNLOAD_PATH + "?doclookupId=" + newestCsv.get("DocID").asText(), null, null);
    assertEquals(200, z.statusCode());
    assertEquals(newestCsv.get("ContentSize").asLong(), z.body().length);
    HttpResponse<byte[]> x = get(sim, ErcotSimulator.MIS_DOWNLOAD_PATH + "?doclookupId=" + newest.get("DocID").asText(), null, null);
    Map<String, byte[]> xe = unzip(x.body());
    assertEquals(List.of("cdr.00012301.0000000000000000.20241110.114602.SPPHLZNP6905_20241110_1145.xml"), List.copyOf(xe.keySet()));
    assertTrue(new String(xe.values().iterator().next(), StandardCharsets.UTF_8).startsWith("<?xml"));
    assertEquals(newest.get("ContentSize").asLong(), x.body().length);

    // older than the retention: on the API archive, no longer on MIS
    String key = key();
    JsonNode old = json(get(sim, listing("np6-905-cd", "2024-11-02T10:00:00", "2024-11-02T10:10:00", 1, 10), key, token));
    long oldId = old.get("archives").get(0).get("docId").asLong();
    assertEquals(200, get(sim, "/api/public-reports/archive/np6-905-cd?download=" + oldId, key, token).statusCode());
    HttpResponse<byte[]> gone = get(sim, ErcotSimulator.MIS_DOWNLOAD_PATH + "?doclookupId=" + oldId, null, null);
    assertEquals(404, gone.statusCode());
    assertTrue(gone.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertEquals(404, get(sim, ErcotSimulator.MIS_DOWNLOAD_PATH + "?doclookupId=77", null, null).statusCode());

    Map<Integer, Duration> retention = Map.of(12331, Duration.ofDays(31), 12300, Duration.ofDays(5), 13101, Duration.ofDays(7),
        12312, Duration.ofDays(7));
    Set<String> offsets = new TreeSet<>();
    for (Map.Entry<Integer, Duration> e : retention.entrySet()) {
      JsonNode l = json(get(sim, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=" + e.getKey(), null, null))
          .get("ListDocsByRptTypeRes").get("DocumentList");
      assertTrue(l.size() > 0 && l.size() % 2 == 0, "csv and xml pairs of " + e.getKey());
      OffsetDateTime oldestPublished = null;
      for (JsonNode entry : l) {
        oldestPublished = OffsetDateTime.parse(entry.get("Document").get("PublishDate").asText());
        assertTrue(oldestPublished.toInstant().isAfter(NOW.minus(e.getValue())), e.getKey() + " within its retention");
        offsets.add(oldestPublished.getOffset().toString());
      }
      assertTrue(oldestPublished.toInstant().isBefore(NOW.minus(e.getValue()).plus(Duration.ofDays(1))), e.getKey() + " reaches back");
    }
    assertEquals(Set.of("-05:00", "-06:00"), offsets, "the DAM list spans the fall-back");
    assertEquals(2 * 30, json(get(sim, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=12331", null, null))
        .get("ListDocsByRptTypeRes").get("DocumentList").size(), "31 days back is 10-10 13:00 CDT, after that day's 12:30:05 posting");
    assertEquals(2 * 7 * 24, json(get(sim, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=12312", null, null))
        .get("ListDocsByRptTypeRes").get("DocumentList").size());
    assertEquals(0, json(get(sim, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=99999", null, null))
        .get("ListDocsByRptTypeRes").get("DocumentList").size());
  }

  /** The (DeliveryHour, DeliveryInterval, DSTFlag) of a day's NP6-905-CD documents, fetched in one bulk download. */
  static Set<String> sppIntervals(String from, String to, String deliveryDate, String key) throws Exception {
    JsonNode list = json(get(sim, listing("np6-905-cd", from, to, 1, 1000), key, token));
    StringBuilder ids = new StringBuilder("{\"docIds\":[");
    Map<String, String> names = new HashMap<>();
    for (JsonNode a : list.get("archives")) {
      ids.append(ids.charAt(ids.length() - 1) == '[' ? "" : ",").append(a.get("docId").asLong());
      names.put(a.get("docId").asText(), a.get("friendlyName").asText());
    }
    HttpResponse<byte[]> r = bulk("np6-905-cd", ids.append("]}").toString(), key);
    assertEquals(200, r.statusCode());
    Set<String> intervals = new HashSet<>();
    Map<String, String> plain = new HashMap<>();
    Map<String, String> retried = new HashMap<>();
    int types = 0;
    for (Map.Entry<String, byte[]> e : unzip(r.body()).entrySet()) {
      String docId = e.getKey().substring(0, e.getKey().indexOf('.'));
      boolean retry = names.get(docId).contains("_retry_");
      String flag = names.get(docId).contains("_xhr") ? "Y" : "N";
      List<String[]> rows = csvRows(e.getValue(), ReportFiles.SPP_HEADER);
      assertEquals(sim.settlementPoints().size() + 12, rows.size(), "every point, and an EW row per load zone and DC tie");
      Set<String> t = new TreeSet<>();
      for (String[] row : rows) {
        assertEquals(deliveryDate, row[0]);
        assertEquals(flag, row[6], "_xhr in the name exactly when the rows are of the repeated hour");
        intervals.add(row[1] + "/" + row[2] + "/" + row[6]);
        t.add(row[4]);
        assertTrue(row[5].matches("-?\\d+\\.\\d{2}"), row[5]);
        if (row[1].equals("13") && row[2].equals("1")) {
          (retry ? retried : plain).put(row[3] + "/" + row[4], row[5]);
        }
      }
      assertEquals(Set.of("AH", "HU", "LZ", "LZEW", "LZ_DC", "LZ_DCEW", "RN", "SH"), t);
      types++;
    }
    assertEquals(list.get("archives").size(), types);
    assertEquals(plain.keySet(), retried.keySet());
    for (Map.Entry<String, String> p : plain.entrySet()) {
      assertEquals(Math.round(Double.parseDouble(p.getValue()) * 100) + 100, Math.round(Double.parseDouble(retried.get(p.getKey())) * 100),
          "the retry adds 1.00 to " + p.getKey());
    }
    return intervals;
  }

  @Test
  void theSppDocumentsOfTheDstDaysCarry92And100Intervals() throws Exception {
    String key = key();
    Set<String> spring = sppIntervals("2024-03-10T00:02:00", "2024-03-11T00:02:00", "03/10/2024", key);
    assertEquals(92, spring.size());
    assertTrue(spring.stream().noneMatch(s -> s.startsWith("3/")), "no hour ending 3 on 2024-03-10");
    assertTrue(spring.stream().noneMatch(s -> s.endsWith("/Y")));
    Set<String> fall = sppIntervals("2024-11-03T00:02:00", "2024-11-04T00:02:00", "11/03/2024", key);
    assertEquals(100, fall.size());
    for (int i = 1; i <= 4; i++) {
      assertTrue(fall.contains("2/" + i + "/N") && fall.contains("2/" + i + "/Y"), "hour ending 2 twice");
    }
    assertEquals(4, fall.stream().filter(s -> s.endsWith("/Y")).count());
  }

  @Test
  void theDamOfTheFallBackDayHasHourEnding0200Twice() throws Exception {
    String key = key();
    JsonNode list = json(get(sim, listing("np4-190-cd", "2024-11-02T12:00:00", "2024-11-02T13:00:00", 1, 10), key, token));
    assertEquals(1, list.get("archives").size());
    JsonNode a = list.get("archives").get(0);
    assertEquals("DAMSPNP4190_csv", a.get("friendlyName").asText());
    assertEquals("2024-11-02T12:30:05.000", a.get("postDatetime").asText());
    HttpResponse<byte[]> z = get(sim, "/api/public-reports/archive/np4-190-cd?download=" + a.get("docId").asLong(), key, token);
    assertTrue(z.headers().firstValue("Content-Disposition").orElseThrow().endsWith(".cdr.00012331.0000000000000000.20241102.123005"
        + ".DAMSPNP4190_csv.zip"));
    List<String[]> rows = csvRows(z.body(), ReportFiles.DAM_HEADER);
    assertEquals(25 * sim.settlementPoints().size(), rows.size());
    Set<String> hours = new TreeSet<>();
    for (String[] row : rows) {
      assertEquals("11/03/2024", row[0]);
      hours.add(row[1] + "/" + row[4]);
    }
    assertTrue(hours.contains("02:00/N") && hours.contains("02:00/Y"));
    assertEquals(25, hours.size());
    assertTrue(hours.contains("01:00/N") && hours.contains("24:00/N"));

    JsonNode spring = json(get(sim, listing("np4-190-cd", "2024-03-09T12:00:00", "2024-03-09T13:00:00", 1, 10), key, token));
    List<String[]> springRows = csvRows(get(sim, "/api/public-reports/archive/np4-190-cd?download="
        + spring.get("archives").get(0).get("docId").asLong(), key, token).body(), ReportFiles.DAM_HEADER);
    Set<String> springHours = new TreeSet<>();
    springRows.forEach(row -> springHours.add(row[1]));
    assertEquals(23, springHours.size());
    assertFalse(springHours.contains("03:00"));
  }

  @Test
  void scedLmpsArePaddedAndEachHourHasAReRun() throws Exception {
    String key = key();
    JsonNode list = json(get(sim, listing("np6-788-cd", "2024-11-05T10:00:00", "2024-11-05T10:59:59", 1, 100), key, token));
    assertEquals(13, list.get("archives").size(), "twelve five-minute runs and the :32:41 re-run");
    Map<String, JsonNode> byName = new HashMap<>();
    list.get("archives").forEach(a -> byName.put(a.get("friendlyName").asText(), a));
    JsonNode rerun = byName.get("LMPSROSNODENP6788_20241105_103241_csv");
    assertEquals("2024-11-05T10:32:43.000", rerun.get("postDatetime").asText());
    long inSlot = byName.keySet().stream().filter(n -> n.matches("LMPSROSNODENP6788_20241105_103[0-4]\\d\\d_csv")).count();
    assertEquals(2, inSlot, "the 10:30 slot has two runs");
    HttpResponse<byte[]> z = get(sim, "/api/public-reports/archive/np6-788-cd?download=" + rerun.get("docId").asLong(), key, token);
    List<String[]> rows = csvRows(z.body(), ReportFiles.LMP_HEADER);
    assertEquals(sim.settlementPoints().size(), rows.size());
    for (String[] row : rows) {
      assertEquals("11/05/2024 10:32:41", row[0]);
      assertEquals("N", row[1]);
      assertEquals(12, row[3].length(), "'" + row[3] + "'");
      assertTrue(row[3].matches(" +-?\\d+\\.\\d{2}"), row[3]);
      assertEquals(String.format(java.util.Locale.ROOT, "%12.2f", Double.parseDouble(row[3].strip())), row[3]);
    }

    JsonNode repeated = json(get(sim, listing("np6-788-cd", "2024-11-03T01:00:00", "2024-11-03T01:59:59", 1, 100), key, token));
    assertEquals(26, repeated.get("archives").size(), "01:00-02:00 happens twice");
    JsonNode second = null;
    for (JsonNode a : repeated.get("archives")) {
      if (a.get("friendlyName").asText().equals("LMPSROSNODENP6788_20241103_013241_xhr_csv")) {
        second = a;
      }
    }
    List<String[]> secondRows = csvRows(get(sim, "/api/public-reports/archive/np6-788-cd?download=" + second.get("docId").asLong(), key,
        token).body(), ReportFiles.LMP_HEADER);
    assertEquals("11/03/2024 01:32:41", secondRows.get(0)[0]);
    assertEquals("Y", secondRows.get(0)[1]);
  }

  @Test
  void theLoadReportsHaveTheirHeadersAndHourFormats() throws Exception {
    String key = key();
    JsonNode actual = json(get(sim, listing("np6-345-cd", "2024-11-04T05:00:00", "2024-11-04T06:00:00", 1, 10), key, token));
    JsonNode a = actual.get("archives").get(0);
    assertEquals("ACTUALSYSLOADWZNP6345_csv", a.get("friendlyName").asText());
    assertEquals("2024-11-04T05:50:00.000", a.get("postDatetime").asText());
    List<String[]> rows = csvRows(get(sim, "/api/public-reports/archive/np6-345-cd?download=" + a.get("docId").asLong(), key, token).body(),
        ReportFiles.ACTUAL_HEADER);
    assertEquals(25, rows.size());
    assertEquals("11/03/2024", rows.get(0)[0]);
    assertEquals(List.of("01:00", "02:00", "02:00", "03:00"), List.of(rows.get(0)[1], rows.get(1)[1], rows.get(2)[1], rows.get(3)[1]));
    assertEquals(List.of("N", "N", "Y", "N"), List.of(rows.get(0)[11], rows.get(1)[11], rows.get(2)[11], rows.get(3)[11]));
    for (String[] row : rows) {
      long sum = 0;
      for (int i = 2; i <= 9; i++) {
        assertTrue(row[i].matches("\\d+\\.\\d{2}"), row[i]);
        sum += Math.round(Double.parseDouble(row[i]) * 100);
      }
      assertEquals(sum, Math.round(Double.parseDouble(row[10]) * 100), "TOTAL is the sum");
    }
    double coast = Double.parseDouble(rows.get(17)[2]);
    assertTrue(coast > 7_000 && coast < 16_000, "COAST " + coast);

    JsonNode forecast = json(get(sim, listing("np3-561-cd", "2024-11-09T23:00:00", "2024-11-09T23:59:59", 1, 10), key, token));
    JsonNode f = forecast.get("archives").get(0);
    assertEquals("LFCWEATHERNP3561_csv", f.get("friendlyName").asText());
    assertEquals("2024-11-09T23:30:00.000", f.get("postDatetime").asText());
    List<String[]> frows = csvRows(get(sim, "/api/public-reports/archive/np3-561-cd?download=" + f.get("docId").asLong(), key, token)
        .body(), ReportFiles.FORECAST_HEADER);
    assertEquals(8 * 24, frows.size(), "the posting day and seven more");
    assertEquals("11/09/2024", frows.get(0)[0]);
    assertEquals("1:00", frows.get(0)[1]);
    assertEquals("11/16/2024", frows.get(frows.size() - 1)[0]);
    assertEquals("24:00", frows.get(frows.size() - 1)[1]);
    for (String[] row : frows) {
      for (int i = 2; i <= 10; i++) {
        assertTrue(row[i].matches("\\d+(\\.\\d{1,4})?"), row[i]);
      }
    }
    JsonNode next = json(get(sim, listing("np3-561-cd", "2024-11-09T22:00:00", "2024-11-09T22:59:59", 1, 10), key, token));
    List<String[]> earlier = csvRows(get(sim, "/api/public-reports/archive/np3-561-cd?download="
        + next.get("archives").get(0).get("docId").asLong(), key, token).body(), ReportFiles.FORECAST_HEADER);
    assertNotEquals(String.join(",", earlier.get(100)), String.join(",", frows.get(100)), "each posting forecasts anew");

    JsonNode fall = json(get(sim, listing("np3-561-cd", "2024-11-03T00:00:00", "2024-11-03T00:59:59", 1, 10), key, token));
    List<String[]> fallRows = csvRows(get(sim, "/api/public-reports/archive/np3-561-cd?download="
        + fall.get("archives").get(0).get("docId").asLong(), key, token).body(), ReportFiles.FORECAST_HEADER);
    assertEquals(25 + 7 * 24, fallRows.size());
    assertEquals(List.of("2:00", "2:00"), List.of(fallRows.get(1)[1], fallRows.get(2)[1]));
    assertEquals(List.of("N", "Y"), List.of(fallRows.get(1)[11], fallRows.get(2)[11]));
  }

  @Test
  void theFuelMixCoversYesterdayWholeAndTodayUpToNow() throws Exception {
    Instant now = OffsetDateTime.parse("2024-11-04T18:00:30-06:00").toInstant();
    try (ErcotSimulator s = ErcotSimulator.start(new SimulatorOptions(0, 0, now))) {
      JsonNode mix = json(get(s, ErcotSimulator.FUEL_MIX_PATH, null, null));
      List<String> fuels = List.of("Coal and Lignite", "Hydro", "Nuclear", "Power Storage", "Solar", "Wind", "Natural Gas", "Other");
      assertEquals(fuels, fieldNames(mix.get("monthlyCapacity")));
      DateTimeFormatter stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssZ");
      assertTrue(OffsetDateTime.parse(mix.get("lastUpdated").asText(), stamp).toInstant().isBefore(now));
      assertEquals(List.of("2024-11-03", "2024-11-04"), fieldNames(mix.get("data")));
      Map<String, Integer> marks = new HashMap<>();
      Set<String> offsets = new TreeSet<>();
      for (String day : List.of("2024-11-03", "2024-11-04")) {
        JsonNode d = mix.get("data").get(day);
        int solarAlone = 0;
        Set<String> seen = new HashSet<>();
        Instant previous = Instant.MIN;
        for (String key : fieldNames(d)) {
          assertTrue(key.startsWith(day + " "), key);
          OffsetDateTime t = OffsetDateTime.parse(key, stamp);
          offsets.add(key.substring(key.length() - 5));
          assertTrue(t.toInstant().isAfter(previous), "in time order");
          previous = t.toInstant();
          assertTrue(t.toInstant().isBefore(now));
          List<String> f = fieldNames(d.get(key));
          if (f.equals(List.of("Solar"))) {
            solarAlone++;
          } else {
            assertTrue(t.getSecond() >= 56, key);
            assertTrue(seen.add(t.plusSeconds(5).withSecond(0).toString()), "one stamp per mark: " + key);
          }
          assertTrue(fuels.containsAll(f));
          for (String fuel : f) {
            JsonNode v = d.get(key).get(fuel);
            assertEquals(List.of("gen", "hsl", "seasonalCapacity"), fieldNames(v));
          }
        }
        assertTrue(solarAlone <= 1, day);
        marks.put(day, seen.size());
        if (day.equals("2024-11-03")) {
          assertEquals(1, solarAlone, "one split mark on a whole day");
          assertEquals(fieldNames(d).size(), seen.size() + 1);
        }
      }
      assertEquals(300, marks.get("2024-11-03"), "the 25-hour day, every five minutes");
      assertEquals(18 * 12, marks.get("2024-11-04"), "00:05 through 18:00");
      assertEquals(Set.of("-0500", "-0600"), offsets);
    }
  }

  @Test
  void concurrentDownloadsGetTheSameBytes() throws Exception {
    try (ErcotSimulator s = ErcotSimulator.start(new SimulatorOptions(0, 50, NOW))) {
      List<Document> docs = s.documents(Report.NP6_788_CD, NOW.minus(Duration.ofMinutes(30)), NOW);
      assertEquals(7, docs.size(), "six five-minute runs and a re-run");
      List<java.util.concurrent.Callable<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < 48; i++) {
        Document d = docs.get(i % docs.size());
        calls.add(() -> get(s, ErcotSimulator.MIS_DOWNLOAD_PATH + "?doclookupId=" + d.docId(), null, null).body());
      }
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<byte[]>> got = pool.invokeAll(calls);
        for (int i = 0; i < got.size(); i++) {
          assertArrayEquals(s.zip(docs.get(i % docs.size())), got.get(i).get());
        }
      } finally {
        pool.shutdownNow();
      }
      try (ErcotSimulator other = ErcotSimulator.start(new SimulatorOptions(0, 50, NOW))) {
        assertArrayEquals(s.zip(docs.get(0)), other.zip(other.document(docs.get(0).docId())), "deterministic bytes");
      }
    }
  }

  @Test
  void everythingElseIs404AndEveryRequestIsCounted() throws Exception {
    try (ErcotSimulator s = ErcotSimulator.start(new SimulatorOptions(0, 3, NOW))) {
      assertEquals(404, get(s, "/nothing/here", null, null).statusCode());
      assertEquals(404, get(s, "/api/public-reports/np6-905-cd/spp_node_zone_hub?deliveryDateFrom=2024-11-01", "k", null).statusCode());
      assertEquals(200, get(s, ErcotSimulator.MIS_LIST_PATH + "?reportTypeId=13101", null, null).statusCode());
      assertEquals(3, s.requests());
      assertEquals("GET /nothing/here", s.requestTargets().get(0));
      assertEquals(SettlementPoint.HUBS.size() + SettlementPoint.LOAD_ZONES.size() + SettlementPoint.DC_TIES.size() + 3,
          s.settlementPoints().size());
    }
  }

  @Test
  void resourceNodesAreUniqueRealisticNames() {
    List<SettlementPoint> rns = SettlementPoint.resourceNodes(5_000);
    Set<String> names = new HashSet<>();
    for (SettlementPoint p : rns) {
      assertTrue(p.name().matches("[A-Z0-9_]+") && !p.name().matches("(HB|LZ|DC)_.*"), p.name());
      assertEquals("RN", p.type());
      assertTrue(names.add(p.name()), p.name());
    }
    assertEquals(rns, SettlementPoint.resourceNodes(5_000), "deterministic");
    assertNull(sim.document(1));
  }
}
