package io.carbon254.ingest.connectors.ercot.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.carbon254.ingest.connectors.common.LoopbackServer;
import io.carbon254.ingest.connectors.common.LoopbackSimulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneRules;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A loopback stand-in for ERCOT's data services, all hosts on one server (the connector keeps each
 * URL's path): the Azure B2C ROPC token ({@code /ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token}),
 * the Public API archive ({@code /api/public-reports/archive/{emilId}} listing, {@code ?download=}
 * and the bulk {@code POST .../download}) behind {@code Ocp-Apim-Subscription-Key} and a bearer
 * token, limited to 30 calls in any trailing minute per key (HTTP 429 without Retry-After), the
 * MIS document list ({@code /misapp/servlets/IceDocListJsonWS}) and download
 * ({@code /misdownload/servlets/mirDownload}) within each report's retention, and the fuel-mix
 * dashboard ({@code /api/1/services/read/dashboards/fuel-mix.json}).
 *
 * <p>It posts NP6-905-CD (15-minute settlement point prices, one interval a day republished as
 * {@code _retry_}), NP4-190-CD (DAM settlement point prices), NP6-788-CD (SCED LMPs, irregular runs
 * and an hourly re-run), NP6-345-CD (actual load by weather zone) and NP3-561-CD (seven-day load
 * forecast) on their real schedules in Central prevailing time, each document a one-entry zip of
 * the real CSV, with an {@code _xml} twin on MIS. Nothing is posted at or after
 * {@code publishedUntil}; the archive holds everything posted since the nodal market began.
 */
public final class ErcotSimulator extends LoopbackSimulator {
  /** Central prevailing time, ERCOT's clock. */
  public static final ZoneId CPT = ZoneId.of("America/Chicago");
  public static final String CLIENT_ID = "fec253ea-0d06-4272-a5e6-b478baeecd70";
  public static final String TOKEN_PATH = "/ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token";
  public static final String API_PREFIX = "/api/public-reports";
  public static final String MIS_LIST_PATH = "/misapp/servlets/IceDocListJsonWS";
  public static final String MIS_DOWNLOAD_PATH = "/misdownload/servlets/mirDownload";
  public static final String FUEL_MIX_PATH = "/api/1/services/read/dashboards/fuel-mix.json";
  /** Calls per subscription key in any trailing {@link #RATE_WINDOW}. */
  public static final int RATE_LIMIT = 30;
  public static final Duration RATE_WINDOW = Duration.ofSeconds(60);
  public static final Duration TOKEN_LIFETIME = Duration.ofSeconds(3600);
  static final int MAX_PAGE_SIZE = 1000;
  static final int MAX_BULK = 1000;
  private static final String ARCHIVE = API_PREFIX + "/archive/";
  private static final String PUBLIC_HOST = "https://api.ercot.com";
  private static final DateTimeFormatter POST_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
  private static final DateTimeFormatter MIS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(CPT);
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long CACHE_BYTES = 64L << 20;
  static final byte[] MISSING_KEY = ("{\"statusCode\":401,\"message\":\"Access denied due to missing subscription key. Make sure to include"
      + " subscription key when making requests to an API.\"}").getBytes(StandardCharsets.UTF_8);
  static final byte[] BAD_TOKEN = "{\"statusCode\":401,\"message\":\"Invalid or expired token\"}".getBytes(StandardCharsets.UTF_8);
  static final byte[] THROTTLED = "{\"error_key\":\"throttled\",\"error_message\":\"Too Many Requests\"}".getBytes(StandardCharsets.UTF_8);
  static final byte[] BAD_CREDENTIALS = ("{\"error\":\"invalid_grant\",\"error_description\":\"AADB2C90225: The username or password"
      + " provided in the request are invalid.\"}").getBytes(StandardCharsets.UTF_8);
  private static final byte[] NOT_FOUND_HTML = "<html><body><h1>404 Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8);

  private final List<SettlementPoint> points;
  private final Instant now;
  private final Duration enforcedSpacing;
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final Map<String, ArrayDeque<Long>> calls = new HashMap<>();
  private final Map<String, Long> lastCall = new HashMap<>();
  private final LinkedHashMap<Long, byte[]> zips = new LinkedHashMap<>(256, 0.75f, true);
  private long cachedBytes;
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong issued = new AtomicLong();
  private volatile Duration tokenLifetime = TOKEN_LIFETIME;
  private volatile int rateLimit = RATE_LIMIT;
  private volatile Duration rateWindow = RATE_WINDOW;

  private ErcotSimulator(LoopbackServer server, List<SettlementPoint> points, Instant now, Duration enforcedSpacing) {
    super(server);
    this.points = points;
    this.now = now;
    this.enforcedSpacing = enforcedSpacing == null ? Duration.ZERO : enforcedSpacing;
  }

  /**
   * Listens on 127.0.0.1:{@code o.port()} with {@code o.nodeCount()} resource nodes besides the hubs,
   * load zones and DC ties; "now" is {@code o.publishedUntil()} (null: the wall clock at start). A
   * non-zero {@code o.enforcedSpacing()} also answers 429 to API calls of one key closer than it.
   */
  public static ErcotSimulator start(SimulatorOptions o) {
    LoopbackServer s = LoopbackServer.bind(o.port());
    Instant until = o.publishedUntil() != null ? o.publishedUntil() : Instant.now();
    ErcotSimulator sim = new ErcotSimulator(s, SettlementPoint.all(o.nodeCount()), until, o.enforcedSpacing());
    s.serve(sim::handle);
    return sim;
  }

  /** Tokens issued from now on expire after {@code lifetime} (default one hour); {@code expires_in} says so, rounded up. */
  public ErcotSimulator withTokenLifetime(Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("token lifetime must be positive: " + lifetime);
    }
    this.tokenLifetime = lifetime;
    return this;
  }

  /** At most {@code calls} API calls per subscription key in any trailing {@code window} (default 30 in 60 s). */
  public ErcotSimulator withRateLimit(int calls, Duration window) {
    if (calls < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("rate limit must be positive: " + calls + " per " + window);
    }
    synchronized (this.calls) {
      this.rateLimit = calls;
      this.rateWindow = window;
    }
    return this;
  }

  /** The simulator's "now": nothing is posted at or after it. */
  public Instant publishedUntil() {
    return now;
  }

  /** Every settlement point the price reports carry, sorted by name. */
  public List<SettlementPoint> settlementPoints() {
    return points;
  }

  /** The csv documents of a report posted in [from, to) and before now, oldest first. */
  public List<Document> documents(Report report, Instant from, Instant to) {
    return Schedule.posted(report, from, to.isAfter(now) ? now : to);
  }

  /** The document with this id (csv or {@code _xml} twin) if it is posted before now, else null. */
  public Document document(long docId) {
    Document d = Schedule.byId(docId);
    return d != null && d.posted().isBefore(now) ? d : null;
  }

  /** A document's zip, as both download paths answer it. */
  public byte[] zip(Document d) {
    synchronized (zips) {
      byte[] z = zips.get(d.docId());
      if (z != null) {
        return z;
      }
    }
    byte[] z = ReportFiles.zip(d, points);
    synchronized (zips) {
      if (zips.put(d.docId(), z) == null) {
        cachedBytes += z.length;
      }
      var it = zips.entrySet().iterator();
      while (cachedBytes > CACHE_BYTES && it.hasNext()) {
        cachedBytes -= it.next().getValue().length;
        it.remove();
      }
    }
    return z;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        route(ex);
      } catch (BadRequest e) {
        send(ex, 400, "application/json", message(400, e.getMessage()));
      } catch (RuntimeException e) {
        send(ex, 500, "application/json", message(500, "simulator error: " + e));
      }
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    if (path.equalsIgnoreCase(TOKEN_PATH) && method.equals("POST")) {
      token(ex, q);
    } else if (path.startsWith(ARCHIVE) && path.endsWith("/download") && method.equals("POST")) {
      String emil = path.substring(ARCHIVE.length(), path.length() - "/download".length());
      if (emil.contains("/")) {
        notFoundJson(ex);
      } else if (admitted(ex)) {
        bulk(ex, emil);
      }
    } else if (path.startsWith(ARCHIVE) && path.indexOf('/', ARCHIVE.length()) < 0 && method.equals("GET")) {
      if (admitted(ex)) {
        archive(ex, path.substring(ARCHIVE.length()), q);
      }
    } else if (path.equals(MIS_LIST_PATH) && method.equals("GET")) {
      misList(ex, q);
    } else if (path.equals(MIS_DOWNLOAD_PATH) && method.equals("GET")) {
      misDownload(ex, q);
    } else if (path.equals(FUEL_MIX_PATH) && method.equals("GET")) {
      send(ex, 200, "application/json", FuelMix.json(now));
    } else if (path.startsWith(API_PREFIX + "/")) {
      notFoundJson(ex);
    } else {
      send(ex, 404, "text/html", NOT_FOUND_HTML);
    }
  }

  // --- token -------------------------------------------------------------------------------------

  private void token(HttpExchange ex, Map<String, String> q) throws IOException {
    Map<String, String> form = new LinkedHashMap<>(q);
    form.putAll(query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
    String user = form.get("username");
    String password = form.get("password");
    if (!"password".equals(form.get("grant_type")) || user == null || user.isBlank() || password == null || password.isBlank()) {
      send(ex, 400, "application/json", BAD_CREDENTIALS);
      return;
    }
    Duration lifetime = tokenLifetime;
    Instant issuedAt = Instant.now();
    Instant expiry = issuedAt.plus(lifetime);
    String t = jwt(user, issuedAt, expiry);
    if (tokens.size() > 10_000) {
      tokens.values().removeIf(e -> !e.isAfter(issuedAt));
    }
    tokens.put(t, expiry);
    long secs = (lifetime.toMillis() + 999) / 1000;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("access_token", t);
      g.writeStringField("token_type", "Bearer");
      g.writeStringField("expires_in", Long.toString(secs));
      g.writeStringField("refresh_token", base64(randomBytes(48)));
      g.writeStringField("id_token", t);
      g.writeEndObject();
    }
    send(ex, 200, "application/json", buf.toByteArray());
  }

  private String jwt(String user, Instant issuedAt, Instant expiry) {
    long n = issued.incrementAndGet();
    String header = "{\"alg\":\"RS256\",\"kid\":\"simulator\",\"typ\":\"JWT\"}";
    String payload = "{\"aud\":\"" + CLIENT_ID + "\",\"iss\":\"https://ercotb2c.b2clogin.com/ercotb2c.onmicrosoft.com/v2.0/\""
        + ",\"exp\":" + expiry.getEpochSecond() + ",\"nbf\":" + issuedAt.getEpochSecond() + ",\"iat\":" + issuedAt.getEpochSecond()
        + ",\"sub\":\"" + Long.toHexString(Shapes.key(user)) + "\",\"tfp\":\"B2C_1_PUBAPI-ROPC-FLOW\",\"jti\":\"" + n + "-"
        + base64(randomBytes(9)) + "\"}";
    return base64(header.getBytes(StandardCharsets.UTF_8)) + "." + base64(payload.getBytes(StandardCharsets.UTF_8)) + "."
        + base64(randomBytes(64));
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static String base64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  // --- API gate ----------------------------------------------------------------------------------

  /** The subscription key, the bearer token and the rate limit, answering 401 or 429 when one fails. */
  private boolean admitted(HttpExchange ex) throws IOException {
    String key = ex.getRequestHeaders().getFirst("Ocp-Apim-Subscription-Key");
    if (key == null || key.isBlank()) {
      key = query(ex.getRequestURI().getRawQuery()).get("subscription-key");
    }
    if (key == null || key.isBlank()) {
      send(ex, 401, "application/json", MISSING_KEY);
      return false;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
    Instant expiry = token == null ? null : tokens.get(token);
    if (expiry == null || !Instant.now().isBefore(expiry)) {
      send(ex, 401, "application/json", BAD_TOKEN);
      return false;
    }
    if (!admit(key.strip())) {
      send(ex, 429, "application/json", THROTTLED);
      return false;
    }
    return true;
  }

  private boolean admit(String key) {
    long t = System.nanoTime();
    synchronized (calls) {
      ArrayDeque<Long> d = calls.computeIfAbsent(key, k -> new ArrayDeque<>());
      long window = rateWindow.toNanos();
      while (!d.isEmpty() && t - d.peekFirst() >= window) {
        d.pollFirst();
      }
      if (d.size() >= rateLimit) {
        return false;
      }
      Long last = lastCall.get(key);
      if (!enforcedSpacing.isZero() && last != null && t - last < enforcedSpacing.toNanos()) {
        return false;
      }
      d.addLast(t);
      lastCall.put(key, t);
      return true;
    }
  }

  // --- archive -----------------------------------------------------------------------------------

  private void archive(HttpExchange ex, String emil, Map<String, String> q) throws IOException {
    Report r = Report.ofEmilId(emil);
    if (r == null) {
      notFoundJson(ex);
      return;
    }
    String download = param(q, "download");
    if (download != null) {
      Document d = archived(r, parseId(download));
      if (d == null) {
        send(ex, 404, "application/json", message(404, "Document not found: " + download));
        return;
      }
      ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=" + d.docId() + "." + d.constructedName());
      send(ex, 200, "application/zip", zip(d));
      return;
    }
    String fromText = param(q, "postDatetimeFrom");
    String toText = param(q, "postDatetimeTo");
    if (fromText == null && toText == null) {
      throw new BadRequest("postDatetimeFrom or postDatetimeTo is required");
    }
    Instant from = fromText == null ? Schedule.HISTORY_START : lowerBound(localTime("postDatetimeFrom", fromText));
    Instant to = toText == null ? now : upperBound(localTime("postDatetimeTo", toText));
    if (to.isAfter(now)) {
      to = now;
    }
    long size = number(q, "size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    long page = number(q, "page", 1, 1, Integer.MAX_VALUE);
    long skip = (page - 1) * size;
    List<Document> selected = new ArrayList<>();
    long total = 0;
    for (Instant hi = to; hi.isAfter(from); ) {
      Instant lo = hi.minus(Duration.ofDays(1));
      if (lo.isBefore(from)) {
        lo = from;
      }
      List<Document> chunk = Schedule.posted(r, lo, hi);
      for (int i = chunk.size() - 1; i >= 0; i--, total++) {
        if (total >= skip && total < skip + size) {
          selected.add(chunk.get(i));
        }
      }
      hi = lo;
    }
    String lower = r.emilId().toLowerCase(Locale.ROOT);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256 + 220 * selected.size());
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeObjectFieldStart("_meta");
      g.writeNumberField("totalRecords", total);
      g.writeNumberField("pageSize", size);
      g.writeNumberField("totalPages", (total + size - 1) / size);
      g.writeNumberField("currentPage", page);
      g.writeObjectFieldStart("query");
      Map<String, String> echoed = new LinkedHashMap<>(q);
      echoed.keySet().removeIf(k -> k.equalsIgnoreCase("page") || k.equalsIgnoreCase("size"));
      g.writeNumberField("parameterCount", echoed.size());
      g.writeObjectFieldStart("parameters");
      for (Map.Entry<String, String> e : echoed.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeStringField("sortedBy", "postDatetime: DESC");
      g.writeEndObject();
      g.writeEndObject();
      g.writeObjectFieldStart("product");
      g.writeStringField("emilId", r.emilId());
      g.writeStringField("name", r.reportName());
      g.writeNumberField("reportTypeId", r.reportTypeId());
      g.writeEndObject();
      g.writeArrayFieldStart("archives");
      for (Document d : selected) {
        g.writeStartObject();
        g.writeNumberField("docId", d.docId());
        g.writeStringField("friendlyName", d.friendlyName());
        g.writeStringField("postDatetime", POST_DATETIME.format(d.posted().atZone(CPT).toLocalDateTime()));
        g.writeObjectFieldStart("_links");
        g.writeObjectFieldStart("endpoint");
        g.writeStringField("href", PUBLIC_HOST + ARCHIVE + lower + "?download=" + d.docId());
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("_links");
      g.writeObjectFieldStart("self");
      g.writeStringField("href", PUBLIC_HOST + ARCHIVE + lower);
      g.writeEndObject();
      g.writeObjectFieldStart("parent");
      g.writeStringField("href", PUBLIC_HOST + API_PREFIX);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    }
    send(ex, 200, "application/json", buf.toByteArray());
  }

  /** A csv document of {@code r} in the archive (posted before now), or null. */
  private Document archived(Report r, long docId) {
    Document d = docId < 0 ? null : document(docId);
    return d != null && !d.xml() && d.report() == r ? d : null;
  }

  private void bulk(HttpExchange ex, String emil) throws IOException {
    Report r = Report.ofEmilId(emil);
    if (r == null) {
      notFoundJson(ex);
      return;
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(ex.getRequestBody().readAllBytes());
    } catch (IOException e) {
      throw new BadRequest("the body must be JSON {\"docIds\":[...]}");
    }
    JsonNode ids = body == null ? null : body.get("docIds");
    if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_BULK) {
      throw new BadRequest("docIds must list 1 to " + MAX_BULK + " document ids");
    }
    LinkedHashSet<Long> wanted = new LinkedHashSet<>();
    for (JsonNode id : ids) {
      if (id.isIntegralNumber()) {
        wanted.add(id.asLong());
      } else if (id.isTextual()) {
        wanted.add(parseId(id.asText()));
      } else {
        throw new BadRequest("not a document id: " + id);
      }
    }
    List<Document> docs = new ArrayList<>();
    for (long id : wanted) {
      Document d = archived(r, id);
      if (d == null) {
        send(ex, 404, "application/json", message(404, "Document not found: " + id));
        return;
      }
      docs.add(d);
    }
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      for (Document d : docs) {
        byte[] inner = zip(d);
        ZipEntry e = new ZipEntry(d.docId() + "." + d.constructedName());
        e.setMethod(ZipEntry.STORED);
        e.setSize(inner.length);
        CRC32 crc = new CRC32();
        crc.update(inner);
        e.setCrc(crc.getValue());
        e.setTimeLocal(d.posted().atZone(CPT).toLocalDateTime());
        z.putNextEntry(e);
        z.write(inner);
        z.closeEntry();
      }
    }
    send(ex, 200, "application/zip", bos.toByteArray());
  }

  // --- MIS ---------------------------------------------------------------------------------------

  /** The documents (csv and xml twins) MIS lists for a report: posted in (now - retention, now), newest first. */
  List<Document> misDocuments(Report r) {
    List<Document> csv = Schedule.posted(r, now.minus(r.misRetention()).plusNanos(1), now);
    List<Document> out = new ArrayList<>(2 * csv.size());
    for (int i = csv.size() - 1; i >= 0; i--) {
      out.add(csv.get(i).xmlTwin());
      out.add(csv.get(i));
    }
    return out;
  }

  private boolean onMis(Document d) {
    return d.posted().isBefore(now) && d.posted().isAfter(now.minus(d.report().misRetention()));
  }

  private void misList(HttpExchange ex, Map<String, String> q) throws IOException {
    Report r;
    try {
      String id = param(q, "reportTypeId");
      r = id == null ? null : Report.ofReportTypeId(Integer.parseInt(id.strip()));
    } catch (NumberFormatException e) {
      r = null;
    }
    List<Document> docs = r == null ? List.of() : misDocuments(r);
    long[] sizes = docs.parallelStream().mapToLong(d -> zip(d).length).toArray();
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256 + 600 * docs.size());
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeObjectFieldStart("ListDocsByRptTypeRes");
      g.writeArrayFieldStart("DocumentList");
      for (int i = 0; i < docs.size(); i++) {
        Document d = docs.get(i);
        g.writeStartObject();
        g.writeObjectFieldStart("Document");
        g.writeStringField("ExpiredDate", MIS_TIME.format(d.posted().plus(d.report().misRetention())));
        g.writeStringField("ILMStatus", "EXT");
        g.writeStringField("SecurityStatus", "P");
        g.writeStringField("ContentSize", Long.toString(sizes[i]));
        g.writeStringField("Extension", "zip");
        g.writeStringField("FileName", "");
        g.writeNumberField("ReportTypeID", d.report().reportTypeId());
        g.writeStringField("Prefix", "cdr");
        g.writeStringField("FriendlyName", d.friendlyName());
        g.writeStringField("ConstructedName", d.constructedName());
        g.writeStringField("DocID", Long.toString(d.docId()));
        g.writeStringField("PublishDate", MIS_TIME.format(d.posted()));
        g.writeStringField("ReportName", d.report().reportName());
        g.writeStringField("DocCount", "0");
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }
    send(ex, 200, "application/json", buf.toByteArray());
  }

  private void misDownload(HttpExchange ex, Map<String, String> q) throws IOException {
    String id = param(q, "doclookupId");
    Document d;
    try {
      d = id == null ? null : document(Long.parseLong(id.strip()));
    } catch (NumberFormatException e) {
      d = null;
    }
    if (d == null || !onMis(d)) {
      send(ex, 404, "text/html", NOT_FOUND_HTML);
      return;
    }
    ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=" + d.constructedName());
    send(ex, 200, "application/zip", zip(d));
  }

  // --- helpers -----------------------------------------------------------------------------------

  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  private static LocalDateTime localTime(String name, String text) {
    try {
      return LocalDateTime.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " must be yyyy-MM-ddTHH:mm:ss, got '" + text + "'");
    }
  }

  /** The first instant whose wall clock is at or after {@code t} (the earlier of a repeated hour). */
  static Instant lowerBound(LocalDateTime t) {
    ZoneRules rules = CPT.getRules();
    if (rules.getValidOffsets(t).isEmpty()) {
      return rules.getTransition(t).getInstant();
    }
    return t.atZone(CPT).withEarlierOffsetAtOverlap().toInstant();
  }

  /** The first instant whose wall clock is after {@code t} (past the later of a repeated hour): an exclusive end. */
  static Instant upperBound(LocalDateTime t) {
    ZoneRules rules = CPT.getRules();
    if (rules.getValidOffsets(t).isEmpty()) {
      return rules.getTransition(t).getInstant();
    }
    return t.atZone(CPT).withLaterOffsetAtOverlap().toInstant().plusNanos(1);
  }

  private static long parseId(String text) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new BadRequest("not a document id: '" + text + "'");
    }
  }

  private static String param(Map<String, String> q, String name) {
    String v = null;
    for (Map.Entry<String, String> e : q.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        v = e.getValue();
      }
    }
    return v;
  }

  private static long number(Map<String, String> q, String name, long dflt, long min, long max) {
    String v = param(q, name);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new BadRequest(name + " must be between " + min + " and " + max);
    }
    return n;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String kv : raw.split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  private static byte[] message(int status, String message) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeNumberField("statusCode", status);
      g.writeStringField("message", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static void notFoundJson(HttpExchange ex) throws IOException {
    send(ex, 404, "application/json", message(404, "Resource not found"));
  }

  private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }
}
