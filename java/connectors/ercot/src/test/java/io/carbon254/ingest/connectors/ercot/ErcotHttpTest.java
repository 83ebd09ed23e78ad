package io.carbon254.ingest.connectors.ercot;

import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.key;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.zip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.connectors.common.HttpPolicy;
import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.connectors.common.testing.MovableClock;
import io.carbon254.ingest.connectors.common.testing.RecordingDispatcher;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * ERCOT over HTTP against a scripted MIS and Public API: the MIS document list and one download per
 * chosen document (no credentials), the archive listing paged to totalPages, single and bulk
 * downloads, the Azure B2C token (obtained once, reused, renewed at expiry and after a 401), the
 * throttle's 429 and a backfill planned ahead into one listing and one bulk download.
 */
class ErcotHttpTest {
  static final String KEY = "ercot-test-subscription-key-0123456789";
  /** Characters a form must encode. */
  static final String PASSWORD = "p&ss=w0rd +ercot%";
  static final String TOKEN_PATH = "/ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token";
  static final String MIS_LIST_PATH = "/misapp/servlets/IceDocListJsonWS";
  static final String MIS_DOWNLOAD_PATH = "/misdownload/servlets/mirDownload";
  static final String ARCHIVE = "/api/public-reports/archive/";
  static final ZoneId CPT = ZoneId.of("America/Chicago");
  static final Instant NOW = Instant.parse("2024-11-06T18:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  /** 09:00-10:00 CST on 2024-11-05: four 15-minute intervals, files named 0915, 0930, 0945, 1000. */
  static final IntervalKey HOUR = key("spp_rt_15min", "2024-11-05T15:00:00Z", "2024-11-05T16:00:00Z");
  /** The Central day 2024-11-05 (CST all day): its actual load is posted early on 2024-11-06. */
  static final IntervalKey DAY = key("load_actual", "2024-11-05T06:00:00Z", "2024-11-06T06:00:00Z");

  // ---------------------------------------------------------------------------------------------
  // wiring

  static Map<String, String> env(MockWebServer server, String transport) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("INGEST_CONNECTORS_DIR", ConnectorContract.repoRoot().resolve("connectors").toString());
    env.put("INGEST_ERCOT_REQUEST_SPACING", "0ms");
    env.put("INGEST_ERCOT_BASE_URL", server.url("/").toString());
    env.put("INGEST_ERCOT_TRANSPORT", transport);
    env.put("ERCOT_API_KEY", KEY);
    env.put("ERCOT_USERNAME", ErcotTestSupport.USER);
    env.put("ERCOT_PASSWORD", PASSWORD);
    return env;
  }

  @Test
  void withoutABaseUrlOverrideTheArchiveKeepsItsOwnHost() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("INGEST_CONNECTORS_DIR", ConnectorContract.repoRoot().resolve("connectors").toString());
    ErcotDataset d = (ErcotDataset) dataset("spp_rt_15min", env, Clock.systemUTC(), s -> {});
    assertEquals("https://api.ercot.com/api/public-reports/archive/np6-905-cd", d.archive().archiveUrl(ErcotReport.SPP_RT_15MIN).toString());
    env.put("INGEST_ERCOT_BASE_URL", "http://127.0.0.1:9");
    ErcotDataset moved = (ErcotDataset) dataset("spp_rt_15min", env, Clock.systemUTC(), s -> {});
    assertEquals("http://127.0.0.1:9/api/public-reports/archive/np6-905-cd", moved.archive().archiveUrl(ErcotReport.SPP_RT_15MIN).toString());
  }

  static Dataset dataset(String id, Map<String, String> env, Clock clock, Consumer<String> log) {
    IngestConfig cfg = IngestConfig.of(env);
    return new ErcotConnector().withPolicy(ErcotTestSupport.FAST).onRetry(log).dataset(id, new ConnectorContext(ConnectorSpec.load(cfg, "ercot"), cfg, clock));
  }

  // ---------------------------------------------------------------------------------------------
  // bodies in ERCOT's formats

  static String wall(Instant t, String pattern) {
    return t.atZone(CPT).format(DateTimeFormatter.ofPattern(pattern));
  }

  /** One document of a listing: the MIS document list and the archive listing both name documents so. */
  record Doc(long id, String friendlyName, String constructedName, Instant posted) {
    /** The MIS's PublishDate: wall clock with its offset. */
    String publishDate() {
      return wall(posted, "uuuu-MM-dd'T'HH:mm:ssxxx"); // 2024-11-05T09:16:02-06:00
    }

    /** The archive's postDatetime: Central wall clock, no offset, milliseconds. */
    String postDatetime() {
      return wall(posted, "uuuu-MM-dd'T'HH:mm:ss.SSS");
    }
  }

  /** The NP6-905-CD file of the 15-minute interval starting {@code start}: named by the interval's END, posted a minute after it. */
  static Doc sppDoc(long id, Instant start, boolean retry, boolean xml, Duration postedAfterEnd) {
    Instant end = start.plus(Duration.ofMinutes(15));
    Instant posted = end.plus(postedAfterEnd);
    String name = "SPPHLZNP6905_" + (retry ? "retry_" : "") + wall(end, "uuuuMMdd_HHmm") + (xml ? "_xml" : "_csv");
    String constructed = "cdr.00012301.0000000000000000." + wall(posted, "uuuuMMdd.HHmmss") + "." + name + ".zip";
    return new Doc(id, name, constructed, posted);
  }

  static Doc sppDoc(long id, Instant start) {
    return sppDoc(id, start, false, false, Duration.ofSeconds(62));
  }

  /** The CSV of one NP6-905-CD file: three settlement points of one interval. */
  static String sppCsv(Instant start, double base) {
    LocalDateTime local = LocalDateTime.ofInstant(start, CPT);
    String date = local.format(DateTimeFormatter.ofPattern("MM/dd/uuuu"));
    String hour = String.format("%02d", local.getHour() + 1);
    int interval = local.getMinute() / 15 + 1;
    StringBuilder b = new StringBuilder("DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag\n");
    String[][] points = {{"HB_HOUSTON", "HU"}, {"LZ_NORTH", "LZ"}, {"AMOCOOIL_CC1", "RN"}};
    for (int i = 0; i < points.length; i++) {
      b.append(date).append(',').append(hour).append(',').append(interval).append(',').append(points[i][0]).append(',').append(points[i][1])
          .append(',').append(String.format(java.util.Locale.ROOT, "%.2f", base + i)).append(",N\n");
    }
    return b.toString();
  }

  /** A document's own zip, as the MIS and the archive serve it: one CSV named like the file. */
  static byte[] sppZip(Doc d, Instant start, double base) {
    String entry = d.constructedName().replace("_csv.zip", ".csv");
    return zip(entry, sppCsv(start, base));
  }

  static final Instant LOAD_POSTED = Instant.parse("2024-11-06T11:50:00Z"); // 05:50:00 CST the next day

  static Doc loadDoc(long id, Instant posted, boolean xml) {
    String name = "ACTUALSYSLOADWZNP6345" + (xml ? "_xml" : "_csv");
    return new Doc(id, name, "cdr.00013101.0000000000000000." + wall(posted, "uuuuMMdd.HHmmss") + "." + name + ".zip", posted);
  }

  /** NP6-345-CD of operating day 2024-11-05: 24 hours of 9 areas. */
  static byte[] loadZip(Instant posted) {
    StringBuilder b = new StringBuilder("OperDay,HourEnding,COAST,EAST,FAR_WEST,NORTH,NORTH_C,SOUTHERN,SOUTH_C,WEST,TOTAL,DSTFlag\n");
    for (int h = 1; h <= 24; h++) {
      b.append("11/05/2024,").append(String.format("%02d:00", h));
      double total = 0;
      for (int z = 0; z < 8; z++) {
        double v = 1000 * (z + 1) + h;
        total += v;
        b.append(',').append(String.format(java.util.Locale.ROOT, "%.2f", v));
      }
      b.append(',').append(String.format(java.util.Locale.ROOT, "%.2f", total)).append(",N\n");
    }
    return zip("cdr.00013101.0000000000000000." + wall(posted, "uuuuMMdd.HHmmss") + ".ACTUALSYSLOADWZNP6345.csv", b.toString());
  }

  static String misList(List<Doc> docs) {
    StringBuilder b = new StringBuilder("{\"ListDocsByRptTypeRes\":{\"DocumentList\":[");
    for (int i = 0; i < docs.size(); i++) {
      Doc d = docs.get(i);
      b.append(i == 0 ? "" : ",").append("{\"Document\":{\"ExpiredDate\":\"").append(d.posted().plus(Duration.ofDays(7)).atZone(CPT)
              .toOffsetDateTime()).append("\",\"ILMStatus\":\"EXT\",\"SecurityStatus\":\"P\",\"ContentSize\":\"4217\",")
          .append("\"Extension\":\"").append(d.friendlyName().endsWith("_xml") ? "xml" : "zip").append("\",\"FileName\":\"\",")
          .append("\"ReportTypeID\":\"12301\",\"Prefix\":\"cdr\",\"FriendlyName\":\"").append(d.friendlyName())
          .append("\",\"ConstructedName\":\"").append(d.constructedName()).append("\",\"DocID\":\"").append(d.id())
          .append("\",\"PublishDate\":\"").append(d.publishDate()).append("\",\"ReportName\":\"Settlement Point Prices at Resource Nodes, Hubs and Load Zones\"}}");
    }
    return b.append("]}}").toString();
  }

  static String listingPage(String emil, List<Doc> docs, int page, int totalPages, int totalRecords) {
    StringBuilder b = new StringBuilder("{\"_meta\":{\"totalRecords\":").append(totalRecords).append(",\"pageSize\":1000,\"totalPages\":")
        .append(totalPages).append(",\"currentPage\":").append(page)
        .append(",\"query\":{\"parameterCount\":2,\"sortedBy\":\"postDatetime: DESC\"}},\"product\":{\"emilId\":\"")
        .append(emil.toUpperCase(java.util.Locale.ROOT)).append("\",\"name\":\"x\",\"reportTypeId\":1},\"archives\":[");
    for (int i = 0; i < docs.size(); i++) {
      Doc d = docs.get(i);
      b.append(i == 0 ? "" : ",").append("{\"docId\":").append(d.id()).append(",\"friendlyName\":\"")
          .append(d.friendlyName().replaceAll("_csv$", "")).append("\",\"postDatetime\":\"").append(d.postDatetime())
          .append("\",\"_links\":{\"endpoint\":{\"href\":\"https://api.ercot.com/api/public-reports/archive/").append(emil)
          .append("?download=").append(d.id()).append("\"}}}");
    }
    return b.append("],\"_links\":{\"self\":{\"href\":\"https://api.ercot.com/api/public-reports/archive/").append(emil)
        .append("\"},\"parent\":{\"href\":\"https://api.ercot.com/api/public-reports\"}}}").toString();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(new Buffer().writeUtf8(body)).build();
  }

  static MockResponse bytes(String contentType, byte[] body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", contentType).body(new Buffer().write(body)).build();
  }

  /** The form fields of a POST body. */
  static Map<String, String> form(RecordedRequest r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : r.getBody().utf8().split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * ERCOT as the tests script it: the B2C token endpoint (id tokens id-token-1, -2, … in turn), the
   * MIS list and downloads, the archive listing (by page), single and bulk downloads. Answers queued
   * under a path in {@link #first} come before the normal ones (a 401, a 429).
   */
  static final class FakeErcot implements Function<RecordedRequest, MockResponse> {
    final AtomicInteger tokens = new AtomicInteger();
    final Map<String, Deque<MockResponse>> first = new ConcurrentHashMap<>();
    final Map<String, String> misLists = new ConcurrentHashMap<>();
    final Map<String, List<String>> listingPages = new ConcurrentHashMap<>();
    final Map<Long, byte[]> docs = new ConcurrentHashMap<>();
    final Map<Long, String> names = new ConcurrentHashMap<>();
    final Set<Long> leftOutOfBulk = ConcurrentHashMap.newKeySet();
    final List<String> bulkBodies = new CopyOnWriteArrayList<>();

    void answerFirst(String path, MockResponse... answers) {
      first.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(answers));
    }

    void doc(Doc d, byte[] zip) {
      docs.put(d.id(), zip);
      names.put(d.id(), d.constructedName());
    }

    @Override
    public MockResponse apply(RecordedRequest r) {
      String path = r.getUrl().encodedPath();
      Deque<MockResponse> pre = first.get(path);
      if (pre != null) {
        synchronized (pre) {
          MockResponse m = pre.poll();
          if (m != null) {
            return m;
          }
        }
      }
      if (path.equals(TOKEN_PATH) && r.getMethod().equals("POST")) {
        int n = tokens.incrementAndGet();
        return json(200, "{\"access_token\":\"access-token-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":\"3600\","
            + "\"refresh_token\":\"refresh-" + n + "\",\"id_token\":\"id-token-" + n + "\",\"id_token_expires_in\":\"3600\","
            + "\"profile_info\":\"eyJ2ZXIiOiIxLjAifQ\",\"scope\":\"openid " + ErcotConnector.CLIENT_ID + " offline_access\"}");
      }
      if (path.equals(MIS_LIST_PATH)) {
        String list = misLists.get(r.getUrl().queryParameter("reportTypeId"));
        return list == null ? json(200, "{\"ListDocsByRptTypeRes\":{\"DocumentList\":[]}}") : json(200, list);
      }
      if (path.equals(MIS_DOWNLOAD_PATH)) {
        byte[] z = docs.get(Long.parseLong(r.getUrl().queryParameter("doclookupId")));
        return z == null ? json(404, "{}") : bytes("application/octet-stream", z);
      }
      if (path.startsWith(ARCHIVE)) {
        String rest = path.substring(ARCHIVE.length());
        if (rest.endsWith("/download") && r.getMethod().equals("POST")) {
          String body = r.getBody().utf8();
          bulkBodies.add(body);
          Map<String, byte[]> entries = new LinkedHashMap<>();
          try {
            for (JsonNode id : JSON.readTree(body).get("docIds")) {
              long docId = Long.parseLong(id.asText());
              if (docs.containsKey(docId) && !leftOutOfBulk.contains(docId)) {
                entries.put(docId + "." + names.get(docId), docs.get(docId));
              }
            }
          } catch (IOException e) {
            return json(400, "{\"error\":\"bad body\"}");
          }
          return bytes("application/zip", zip(entries));
        }
        String download = r.getUrl().queryParameter("download");
        if (download != null) {
          byte[] z = docs.get(Long.parseLong(download));
          return z == null ? json(404, "{}") : bytes("application/zip", z);
        }
        List<String> pages = listingPages.get(rest);
        int page = Integer.parseInt(r.getUrl().queryParameter("page"));
        return pages == null ? json(200, listingPage(rest, List.of(), 1, 0, 0)) : json(200, pages.get(page - 1));
      }
      return json(404, "{\"error\":\"not scripted: " + path + "\"}");
    }
  }

  static List<RecordedRequest> requestsTo(RecordingDispatcher d, String path) {
    return d.requests.stream().filter(r -> r.getUrl().encodedPath().equals(path)).toList();
  }

  static void assertApiCredentials(RecordedRequest r, String idToken) {
    assertEquals("Bearer " + idToken, r.getHeaders().get("Authorization"), r.getRequestLine());
    assertEquals(KEY, r.getHeaders().get("Ocp-Apim-Subscription-Key"), r.getRequestLine());
  }

  static void assertNoCredentials(RecordedRequest r) {
    assertNull(r.getHeaders().get("Authorization"), r.getRequestLine());
    assertNull(r.getHeaders().get("Ocp-Apim-Subscription-Key"), r.getRequestLine());
  }

  /** A started loopback server answering with {@code d}. */
  static MockWebServer serve(RecordingDispatcher d) throws java.io.IOException {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(d);
    server.start();
    return server;
  }

  /** The four interval starts of {@link #HOUR}. */
  static List<Instant> quarters(IntervalKey k) {
    List<Instant> out = new ArrayList<>();
    for (Instant s = k.window().start(); s.isBefore(k.window().end()); s = s.plus(Duration.ofMinutes(15))) {
      out.add(s);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // MIS

  @Test
  void theMisListThenOneDownloadPerChosenFileTheRetryInsteadOfTheFileItReplacesTheXmlTwinNotAndNoCredentialsSent() throws Exception {
    FakeErcot ercot = new FakeErcot();
    RecordingDispatcher d = new RecordingDispatcher(ercot);
    try (MockWebServer server = serve(d)) {
      List<Instant> q = quarters(HOUR);
      List<Doc> window = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Doc doc = sppDoc(1050000100L + i * 10, q.get(i));
        window.add(doc);
        ercot.doc(doc, sppZip(doc, q.get(i), 20 + i * 10));
      }
      Doc xmlTwin = sppDoc(1050000101L, q.get(0), false, true, Duration.ofSeconds(62));
      ercot.doc(xmlTwin, "<xml/>".getBytes(StandardCharsets.UTF_8));
      // the 09:15-09:30 CST interval republished four minutes after its first file
      Doc retry = sppDoc(1050000115L, q.get(1), true, false, Duration.ofMinutes(5));
      ercot.doc(retry, sppZip(retry, q.get(1), 99));
      Doc before = sppDoc(1050000090L, q.get(0).minus(Duration.ofMinutes(15)));
      Doc after = sppDoc(1050000140L, HOUR.window().end());
      ercot.doc(before, sppZip(before, q.get(0).minus(Duration.ofMinutes(15)), 1));
      ercot.doc(after, sppZip(after, HOUR.window().end(), 1));
      List<Doc> listed = new ArrayList<>(List.of(after, window.get(3), window.get(2), retry, window.get(1), xmlTwin, window.get(0), before));
      ercot.misLists.put("12301", misList(listed));

      Dataset ds = dataset("spp_rt_15min", env(server, "mis"), Clock.fixed(NOW, ZoneOffset.UTC), s -> {});
      List<RawPayload> payloads = ds.fetch(HOUR);

      assertEquals(5, d.requests.size(), "one list and four downloads: " + d.requests);
      assertEquals(MIS_LIST_PATH, d.url(0).encodedPath());
      assertEquals("12301", d.url(0).queryParameter("reportTypeId"));
      // one document per interval, the latest: the _retry of 09:15-09:30 CST in place of its first file
      List<Long> expected = List.of(window.get(0).id(), retry.id(), window.get(2).id(), window.get(3).id());
      List<Long> downloaded = new ArrayList<>();
      for (int i = 1; i < d.requests.size(); i++) {
        assertEquals("GET", d.requests.get(i).getMethod());
        assertEquals(MIS_DOWNLOAD_PATH, d.url(i).encodedPath());
        downloaded.add(Long.parseLong(d.url(i).queryParameter("doclookupId")));
      }
      assertEquals(expected, downloaded, "the window's files by posting time, the _retry of 09:15-09:30 among them");
      assertFalse(downloaded.contains(window.get(1).id()), "the file the _retry replaces is not downloaded as well");
      assertFalse(downloaded.contains(xmlTwin.id()), "the _xml twin is not downloaded");
      assertFalse(downloaded.contains(before.id()) || downloaded.contains(after.id()), "files of other intervals are not downloaded");
      for (RecordedRequest r : d.requests) {
        assertNoCredentials(r);
      }

      assertEquals(4, payloads.size());
      assertEquals(List.of(0, 1, 2, 3), payloads.stream().map(RawPayload::part).toList());
      for (int i = 0; i < payloads.size(); i++) {
        RawPayload p = payloads.get(i);
        assertTrue(p.url().contains(MIS_DOWNLOAD_PATH + "?doclookupId=" + expected.get(i)), p.url());
        assertArrayEquals(ercot.docs.get(expected.get(i)), p.body());
        assertEquals(200, p.httpStatus());
      }
      List<CanonicalRecord> rows = new ArrayList<>();
      payloads.forEach(p -> rows.addAll(ds.parse(p)));
      assertEquals(12, rows.size(), "three settlement points per file");
      Set<String> keys = new HashSet<>();
      rows.forEach(r -> keys.add(r.naturalKey()));
      assertEquals(12, keys.size(), "four intervals of three points, no row twice");
      for (CanonicalRecord r : rows) {
        assertTrue(HOUR.window().contains(r.intervalStart()), r.toString());
      }
      List<CanonicalRecord> republished = ds.parse(payloads.get(1));
      assertTrue(republished.stream().allMatch(r -> r.version() == retry.id() && r.intervalStart().equals(q.get(1))),
          "the retry's rows carry its document id as their version: " + republished);
      assertEquals(99.0, ((PriceRecord) republished.get(0)).price(), 1e-9);
      PriceRecord hub = (PriceRecord) ds.parse(payloads.get(0)).get(0);
      assertEquals("HB_HOUSTON", hub.locationId());
      assertEquals("hub", hub.locationType());
      assertEquals(q.get(0), hub.intervalStart());
      assertEquals(window.get(0).posted(), hub.provenance().publishedAt(), "published_at from the entry's name");
    }
  }

  @Test
  void aMisListLackingAnIntervalIsNotPublishedNamingItAndAnEmptyListToo() throws Exception {
    FakeErcot ercot = new FakeErcot();
    RecordingDispatcher d = new RecordingDispatcher(ercot);
    try (MockWebServer server = serve(d)) {
      List<Instant> q = quarters(HOUR);
      List<Doc> listed = new ArrayList<>();
      for (int i : new int[] {3, 1, 0}) { // 09:30-09:45 CST (15:30Z) has no file yet
        Doc doc = sppDoc(1050000100L + i * 10, q.get(i));
        listed.add(doc);
        ercot.doc(doc, sppZip(doc, q.get(i), 20));
      }
      ercot.misLists.put("12301", misList(listed));
      Dataset ds = dataset("spp_rt_15min", env(server, "mis"), Clock.fixed(NOW, ZoneOffset.UTC), s -> {});
      NotPublishedException x = assertThrows(NotPublishedException.class, () -> ds.fetch(HOUR));
      assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
      assertTrue(x.getMessage().contains("2024-11-05T15:30:00Z"), x.getMessage());
      assertTrue(x.getMessage().contains("NP6-905-CD"), x.getMessage());
      assertEquals(1, d.requests.size(), "the list only: nothing downloaded for an incomplete window");

      ercot.misLists.put("12301", "{\"ListDocsByRptTypeRes\":{\"DocumentList\":[]}}");
      Dataset fresh = dataset("spp_rt_15min", env(server, "mis"), Clock.fixed(NOW, ZoneOffset.UTC), s -> {});
      NotPublishedException empty = assertThrows(NotPublishedException.class, () -> fresh.fetch(HOUR));
      assertEquals(ExitCodes.NOT_PUBLISHED, empty.exitCode());
      assertEquals(2, d.requests.size());
      assertEquals(MIS_LIST_PATH, d.url(1).encodedPath());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the Public API: token, credentials

  /** The API's answers for {@link #DAY}: one NP6-345-CD document posted 05:50 CST the next day. */
  static Doc scriptDay(FakeErcot ercot) {
    Doc doc = loadDoc(1049870001L, LOAD_POSTED, false);
    ercot.doc(doc, loadZip(LOAD_POSTED));
    ercot.listingPages.put("np6-345-cd", List.of(listingPage("np6-345-cd", List.of(doc), 1, 1, 1)));
    return doc;
  }

  @Test
  void theApiPathPostsTheRopcTokenFirstSendsBothCredentialsReusesTheTokenAndRenewsItAfterExpiry() throws Exception {
    FakeErcot ercot = new FakeErcot();
    RecordingDispatcher d = new RecordingDispatcher(ercot);
    try (MockWebServer server = serve(d)) {
      Doc doc = scriptDay(ercot);
      MovableClock clock = new MovableClock(NOW);
      List<String> log = new CopyOnWriteArrayList<>();
      Dataset ds = dataset("load_actual", env(server, "api"), clock, log::add);

      List<RawPayload> payloads = ds.fetch(DAY);
      assertEquals(3, d.requests.size(), "token, listing, download: " + d.requests);
      RecordedRequest token = d.requests.get(0);
      assertEquals("POST", token.getMethod());
      assertEquals(TOKEN_PATH, token.getUrl().encodedPath());
      assertTrue(token.getHeaders().get("Content-Type").startsWith("application/x-www-form-urlencoded"), token.getHeaders().toString());
      Map<String, String> f = form(token);
      assertEquals("password", f.get("grant_type"));
      assertEquals(ErcotTestSupport.USER, f.get("username"));
      assertEquals(PASSWORD, f.get("password"), "the password form-encoded and decoded intact");
      assertEquals("id_token", f.get("response_type"));
      assertEquals(ErcotConnector.CLIENT_ID, f.get("client_id"));
      assertEquals("openid " + ErcotConnector.CLIENT_ID + " offline_access", f.get("scope"));
      assertNoCredentials(token);
      assertNull(token.getUrl().query(), "no credentials in the token URL");

      RecordedRequest listing = d.requests.get(1);
      assertEquals("GET", listing.getMethod());
      assertEquals(ARCHIVE + "np6-345-cd", listing.getUrl().encodedPath());
      assertApiCredentials(listing, "id-token-1");
      RecordedRequest download = d.requests.get(2);
      assertEquals(ARCHIVE + "np6-345-cd", download.getUrl().encodedPath());
      assertEquals(Long.toString(doc.id()), download.getUrl().queryParameter("download"));
      assertApiCredentials(download, "id-token-1");
      for (RecordedRequest r : d.requests) {
        assertFalse(r.getUrl().toString().contains(KEY) || r.getUrl().toString().contains("id-token"), "credentials in headers only: " + r.getUrl());
      }

      assertEquals(1, payloads.size());
      RawPayload p = payloads.get(0);
      assertTrue(p.url().endsWith("?download=" + doc.id()), p.url());
      assertFalse(p.url().contains(KEY));
      List<CanonicalRecord> rows = ds.parse(p);
      assertEquals(24 * 9, rows.size(), "24 hours of 8 weather zones and the total");
      assertTrue(rows.stream().allMatch(r -> r.version() == doc.id()));
      assertEquals(Set.of("COAST", "EAST", "FAR_WEST", "NORTH", "NORTH_C", "SOUTHERN", "SOUTH_C", "WEST", "ERCOT"),
          rows.stream().map(r -> ((LoadRecord) r).area()).collect(java.util.stream.Collectors.toSet()));

      ds.fetch(DAY);
      assertEquals(5, d.requests.size(), "the second fetch: listing and download, no token: " + d.requests);
      assertEquals(1, ercot.tokens.get(), "the token is reused within its hour");
      assertApiCredentials(d.requests.get(3), "id-token-1");
      assertApiCredentials(d.requests.get(4), "id-token-1");

      clock.advance(Duration.ofMinutes(61));
      ds.fetch(DAY);
      assertEquals(8, d.requests.size(), d.requests.toString());
      assertEquals(2, ercot.tokens.get(), "past its expiry a new token is requested");
      assertEquals(TOKEN_PATH, d.url(5).encodedPath());
      assertEquals("POST", d.requests.get(5).getMethod());
      assertApiCredentials(d.requests.get(6), "id-token-2");
      assertApiCredentials(d.requests.get(7), "id-token-2");
      assertTrue(log.stream().noneMatch(s -> s.contains(PASSWORD) || s.contains("id-token-") || s.contains(KEY)), log.toString());
    }
  }

  @Test
  void anApi401RenewsTheTokenOnceAndRetriesASecond401IsAUsageError() throws Exception {
    String unauthorized = "{ \"statusCode\": 401, \"message\": \"Unauthorized. Access token is missing or invalid.\" }";
    try (MockWebServer server = new MockWebServer()) {
      FakeErcot ercot = new FakeErcot();
      RecordingDispatcher d = new RecordingDispatcher(ercot);
      server.setDispatcher(d);
      server.start();
      Doc doc = scriptDay(ercot);
      ercot.answerFirst(ARCHIVE + "np6-345-cd", json(401, unauthorized));
      List<String> log = new CopyOnWriteArrayList<>();
      Dataset ds = dataset("load_actual", env(server, "api"), new MovableClock(NOW), log::add);
      List<RawPayload> payloads = ds.fetch(DAY);
      assertEquals(1, payloads.size());
      assertEquals(List.of("POST " + TOKEN_PATH, "GET " + ARCHIVE + "np6-345-cd", "POST " + TOKEN_PATH, "GET " + ARCHIVE + "np6-345-cd",
          "GET " + ARCHIVE + "np6-345-cd"), d.requests.stream().map(r -> r.getMethod() + " " + r.getUrl().encodedPath()).toList());
      assertEquals(2, ercot.tokens.get(), "exactly one new token after the 401");
      assertApiCredentials(d.requests.get(1), "id-token-1");
      assertApiCredentials(d.requests.get(3), "id-token-2");
      assertEquals(d.url(1), d.url(3), "the refused request is sent again");
      assertEquals(Long.toString(doc.id()), d.url(4).queryParameter("download"));
      assertApiCredentials(d.requests.get(4), "id-token-2");
    }
    try (MockWebServer server = new MockWebServer()) {
      FakeErcot ercot = new FakeErcot();
      RecordingDispatcher d = new RecordingDispatcher(ercot);
      server.setDispatcher(d);
      server.start();
      scriptDay(ercot);
      ercot.answerFirst(ARCHIVE + "np6-345-cd", json(401, unauthorized), json(401, unauthorized));
      Dataset ds = dataset("load_actual", env(server, "api"), new MovableClock(NOW), s -> {});
      UsageException x = assertThrows(UsageException.class, () -> ds.fetch(DAY));
      assertEquals(ExitCodes.USAGE, x.exitCode());
      assertTrue(x.getMessage().contains("401"), x.getMessage());
      assertFalse(x.getMessage().contains(PASSWORD) || x.getMessage().contains(KEY) || x.getMessage().contains("id-token-"), x.getMessage());
      assertEquals(4, d.requests.size(), "token, 401, token, 401: no third token: " + d.requests);
      assertEquals(2, ercot.tokens.get());
    }
  }

  @Test
  void withoutThePasswordOrTheKeyTheApiTransportIsAUsageErrorNamingItBeforeAnyRequestButTheMisNeedsNone() throws Exception {
    FakeErcot ercot = new FakeErcot();
    RecordingDispatcher d = new RecordingDispatcher(ercot);
    try (MockWebServer server = serve(d)) {
      scriptDay(ercot);
      Map<String, String> noPassword = env(server, "api");
      noPassword.remove("ERCOT_PASSWORD");
      UsageException x = assertThrows(UsageException.class,
          () -> dataset("load_actual", noPassword, new MovableClock(NOW), s -> {}).fetch(DAY));
      assertEquals(ExitCodes.USAGE, x.exitCode());
      assertTrue(x.getMessage().contains("ERCOT_PASSWORD"), x.getMessage());
      assertEquals(0, d.requests.size(), "nothing sent without the password: " + d.requests);

      Map<String, String> noKey = env(server, "api");
      noKey.remove("ERCOT_API_KEY");
      UsageException k = assertThrows(UsageException.class, () -> dataset("load_actual", noKey, new MovableClock(NOW), s -> {}).fetch(DAY));
      assertEquals(ExitCodes.USAGE, k.exitCode());
      assertTrue(k.getMessage().contains("ERCOT_API_KEY"), k.getMessage());
      assertEquals(0, d.requests.size(), "nothing sent without the key: " + d.requests);

      Map<String, String> blankUser = env(server, "api");
      blankUser.put("ERCOT_USERNAME", "  ");
      UsageException u = assertThrows(UsageException.class, () -> dataset("load_actual", blankUser, new MovableClock(NOW), s -> {}).fetch(DAY));
      assertTrue(u.getMessage().contains("ERCOT_USERNAME"), u.getMessage());
      assertEquals(0, d.requests.size());

      // the same dataset from the MIS: no credential variable at all
      Doc csv = loadDoc(1049870001L, LOAD_POSTED, false);
      Doc xml = loadDoc(1049870002L, LOAD_POSTED, true);
      ercot.misLists.put("13101", misList(List.of(xml, csv)));
      Map<String, String> none = env(server, "mis");
      none.remove("ERCOT_PASSWORD");
      none.remove("ERCOT_API_KEY");
      none.remove("ERCOT_USERNAME");
      Dataset mis = dataset("load_actual", none, new MovableClock(NOW), s -> {});
      List<RawPayload> payloads = mis.fetch(DAY);
      assertEquals(1, payloads.size());
      assertEquals(2, d.requests.size(), d.requests.toString());
      assertEquals(MIS_LIST_PATH, d.url(0).encodedPath());
      assertEquals("13101", d.url(0).queryParameter("reportTypeId"));
      assertEquals(MIS_DOWNLOAD_PATH, d.url(1).encodedPath());
      assertEquals(Long.toString(csv.id()), d.url(1).queryParameter("doclookupId"));
      d.requests.forEach(ErcotHttpTest::assertNoCredentials);
      assertEquals(24 * 9, mis.parse(payloads.get(0)).size());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the archive: listing, bulk

  @Test
  void theArchiveListingPagesToTotalPagesInThousandsWithCentralWallClockFiltersAndNoneListedIsNotPublished() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      FakeErcot ercot = new FakeErcot();
      RecordingDispatcher d = new RecordingDispatcher(ercot);
      server.setDispatcher(d);
      server.start();
      // page 1: a document inside the widened filter but posted before the window's documents can be (23:30 CST the same day)
      Doc early = loadDoc(1049860001L, Instant.parse("2024-11-06T05:30:00Z"), false);
      Doc doc = loadDoc(1049870001L, LOAD_POSTED, false);
      ercot.doc(early, loadZip(early.posted()));
      ercot.doc(doc, loadZip(LOAD_POSTED));
      ercot.listingPages.put("np6-345-cd", List.of(listingPage("np6-345-cd", List.of(early), 1, 2, 2),
          listingPage("np6-345-cd", List.of(doc), 2, 2, 2)));
      Dataset ds = dataset("load_actual", env(server, "api"), new MovableClock(NOW), s -> {});
      List<RawPayload> payloads = ds.fetch(DAY);

      List<RecordedRequest> listings = d.requests.stream()
          .filter(r -> r.getUrl().encodedPath().equals(ARCHIVE + "np6-345-cd") && r.getUrl().queryParameter("download") == null).toList();
      assertEquals(2, listings.size(), d.requests.toString());
      for (int i = 0; i < 2; i++) {
        var u = listings.get(i).getUrl();
        assertEquals(Integer.toString(i + 1), u.queryParameter("page"));
        assertEquals("1000", u.queryParameter("size"));
        // the window's documents are posted from 00:00 CST 11/06 until 00:00 CST 11/07, widened by an hour each side
        assertEquals("2024-11-05T23:00:00", u.queryParameter("postDatetimeFrom"));
        assertEquals("2024-11-07T01:00:00", u.queryParameter("postDatetimeTo"));
        assertApiCredentials(listings.get(i), "id-token-1");
      }
      List<RecordedRequest> downloads = d.requests.stream().filter(r -> r.getUrl().queryParameter("download") != null).toList();
      assertEquals(1, downloads.size(), "only the document posted in the day after the window");
      assertEquals(Long.toString(doc.id()), downloads.get(0).getUrl().queryParameter("download"));
      assertEquals(1, payloads.size());
      assertEquals(4, d.requests.size(), "token, two listing pages, one download");
    }
    try (MockWebServer server = new MockWebServer()) {
      FakeErcot ercot = new FakeErcot();
      RecordingDispatcher d = new RecordingDispatcher(ercot);
      server.setDispatcher(d);
      server.start();
      ercot.listingPages.put("np6-345-cd", List.of(listingPage("np6-345-cd", List.of(), 1, 0, 0)));
      Dataset ds = dataset("load_actual", env(server, "api"), new MovableClock(NOW), s -> {});
      NotPublishedException x = assertThrows(NotPublishedException.class, () -> ds.fetch(DAY));
      assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
      assertTrue(x.getMessage().contains("NP6-345-CD"), x.getMessage());
      assertEquals(2, d.requests.size(), "token and one listing page, nothing downloaded: " + d.requests);
    }
  }

  /** The archive's NP6-905-CD documents of {@code keys}' intervals (named by interval end, posted a minute later). */
  static List<Doc> scriptQuarters(FakeErcot ercot, List<IntervalKey> keys) {
    List<Doc> docs = new ArrayList<>();
    long id = 1049900000L;
    for (IntervalKey k : keys) {
      for (Instant s : quarters(k)) {
        Doc doc = sppDoc(id++, s);
        docs.add(doc);
        ercot.doc(doc, sppZip(doc, s, 30 + docs.size()));
      }
    }
    List<Doc> newestFirst = new ArrayList<>(docs);
    java.util.Collections.reverse(newestFirst);
    ercot.listingPages.put("np6-905-cd", List.of(listingPage("np6-905-cd", newestFirst, 1, 1, docs.size())));
    return docs;
  }

  @Test
  void manyDocumentsComeInOneBulkPostAnsweredByOneZipOfTheirZipsAndOneLackingFailsAsUpstreamUnavailable() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      FakeErcot ercot = new FakeErcot();
      RecordingDispatcher d = new RecordingDispatcher(ercot);
      server.setDispatcher(d);
      server.start();
      List<Doc> docs = scriptQuarters(ercot, List.of(HOUR));
      Dataset ds = dataset("spp_rt_15min", env(server, "api"), new MovableClock(NOW), s -> {});
      List<RawPayload> payloads = ds.fetch(HOUR);

      assertEquals(List.of("POST " + TOKEN_PATH, "GET " + ARCHIVE + "np6-905-cd", "POST " + ARCHIVE + "np6-905-cd/download"),
          d.requests.stream().map(r -> r.getMethod() + " " + r.getUrl().encodedPath()).toList());
      var listing = d.url(1);
      assertEquals("2024-11-05T08:00:00", listing.queryParameter("postDatetimeFrom"), "the window's start (09:00 CST) less an hour");
      assertEquals("2024-11-05T13:00:00", listing.queryParameter("postDatetimeTo"), "its end, two hours of republications, an hour more");
      RecordedRequest bulk = d.requests.get(2);
      assertApiCredentials(bulk, "id-token-1");
      assertTrue(bulk.getHeaders().get("Content-Type").startsWith("application/json"), bulk.getHeaders().toString());
      JsonNode body = JSON.readTree(bulk.getBody().utf8());
      assertEquals(1, body.size(), "only docIds: " + body);
      List<String> asked = new ArrayList<>();
      body.get("docIds").forEach(n -> asked.add(n.asText()));
      assertEquals(docs.stream().map(x -> Long.toString(x.id())).toList(), asked);
      assertNull(bulk.getUrl().query());

      assertEquals(4, payloads.size(), "one payload per document");
      for (int i = 0; i < 4; i++) {
        RawPayload p = payloads.get(i);
        assertEquals(i, p.part());
        assertTrue(p.url().endsWith(ARCHIVE + "np6-905-cd?download=" + docs.get(i).id()), p.url());
        assertArrayEquals(ercot.docs.get(docs.get(i).id()), p.body(), "the document's own zip, as its single download would be");
        assertEquals("application/zip", p.contentType());
        List<CanonicalRecord> rows = ds.parse(p);
        assertEquals(3, rows.size());
        Instant start = quarters(HOUR).get(i);
        long id = docs.get(i).id();
        assertTrue(rows.stream().allMatch(r -> r.intervalStart().equals(start) && r.version() == id), rows.toString());
      }
    }
    try (MockWebServer server = new MockWebServer()) {
      FakeErcot ercot = new FakeErcot();
      RecordingDispatcher d = new RecordingDispatcher(ercot);
      server.setDispatcher(d);
      server.start();
      List<Doc> docs = scriptQuarters(ercot, List.of(HOUR));
      ercot.leftOutOfBulk.add(docs.get(2).id());
      Dataset ds = dataset("spp_rt_15min", env(server, "api"), new MovableClock(NOW), s -> {});
      UpstreamUnavailableException x = assertThrows(UpstreamUnavailableException.class, () -> ds.fetch(HOUR));
      assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, x.exitCode());
      assertTrue(x.getMessage().contains(Long.toString(docs.get(2).id())), x.getMessage());
      assertEquals(1, requestsTo(d, ARCHIVE + "np6-905-cd/download").size(), "the bulk answer is not asked again within the fetch");
    }
  }

  @Test
  void aThrottled429WithoutRetryAfterIsRetriedAndTheFetchSucceeds() throws Exception {
    FakeErcot ercot = new FakeErcot();
    RecordingDispatcher d = new RecordingDispatcher(ercot);
    try (MockWebServer server = serve(d)) {
      Doc doc = scriptDay(ercot);
      ercot.answerFirst(ARCHIVE + "np6-345-cd", json(429, "{\"error_key\":\"throttled\",\"error_message\":\"Too Many Requests\"}"));
      List<String> log = new CopyOnWriteArrayList<>();
      Dataset ds = dataset("load_actual", env(server, "api"), new MovableClock(NOW), log::add);
      List<RawPayload> payloads = ds.fetch(DAY);
      assertEquals(1, payloads.size());
      assertTrue(payloads.get(0).url().endsWith("?download=" + doc.id()));
      assertEquals(List.of("POST " + TOKEN_PATH, "GET " + ARCHIVE + "np6-345-cd", "GET " + ARCHIVE + "np6-345-cd", "GET " + ARCHIVE + "np6-345-cd"),
          d.requests.stream().map(r -> r.getMethod() + " " + r.getUrl().encodedPath()).toList());
      assertEquals(d.url(1), d.url(2), "the throttled listing is asked again");
      assertEquals(1, ercot.tokens.get(), "a 429 is no reason for a new token");
      assertEquals(1, log.size(), "one retry notice: " + log);
      assertTrue(log.get(0).contains("429") && log.get(0).contains("retrying"), log.get(0));
    }
  }

  @Test
  void aPlannedBackfillOfEightHoursIsOneListingAndOneBulkDownload() throws Exception {
    FakeErcot ercot = new FakeErcot();
    RecordingDispatcher d = new RecordingDispatcher(ercot);
    try (MockWebServer server = serve(d)) {
      List<IntervalKey> keys = new ArrayList<>();
      for (int h = 0; h < 8; h++) {
        Instant s = HOUR.window().start().plus(Duration.ofHours(h));
        keys.add(new IntervalKey("ercot", "spp_rt_15min", new IntervalWindow(s, s.plus(Duration.ofHours(1)))));
      }
      List<Doc> docs = scriptQuarters(ercot, keys);
      assertEquals(32, docs.size());
      List<String> log = new CopyOnWriteArrayList<>();
      Dataset ds = dataset("spp_rt_15min", env(server, "api"), new MovableClock(NOW), log::add);
      ds.plan(keys);
      int total = 0;
      Set<Long> versions = new HashSet<>();
      for (IntervalKey k : keys) {
        List<RawPayload> payloads = ds.fetch(k);
        assertEquals(4, payloads.size(), k.toString());
        for (RawPayload p : payloads) {
          for (CanonicalRecord r : ds.parse(p)) {
            assertTrue(k.window().contains(r.intervalStart()), r + " in " + k);
            versions.add(r.version());
          }
        }
        total += payloads.size();
      }
      assertEquals(32, total);
      assertEquals(32, versions.size(), "every document's rows, each document once");
      assertEquals(1, ercot.tokens.get());
      List<RecordedRequest> listings = d.requests.stream()
          .filter(r -> r.getUrl().encodedPath().equals(ARCHIVE + "np6-905-cd") && r.getUrl().queryParameter("download") == null).toList();
      assertEquals(1, listings.size(), "one listing for the eight windows: " + d.requests);
      assertEquals("2024-11-05T08:00:00", listings.get(0).getUrl().queryParameter("postDatetimeFrom"));
      assertEquals("2024-11-05T20:00:00", listings.get(0).getUrl().queryParameter("postDatetimeTo"), "23:00Z + 2 h + 1 h");
      assertEquals(1, requestsTo(d, ARCHIVE + "np6-905-cd/download").size(), "one bulk download");
      assertEquals(32, JSON.readTree(ercot.bulkBodies.get(0)).get("docIds").size());
      assertEquals(0, d.requests.stream().filter(r -> r.getUrl().queryParameter("download") != null).count(), "no single downloads");
      assertEquals(3, d.requests.size(), "token, listing, bulk: " + d.requests);
      assertTrue(log.isEmpty(), "no retry, no failed plan: " + log);
    }
  }
}
