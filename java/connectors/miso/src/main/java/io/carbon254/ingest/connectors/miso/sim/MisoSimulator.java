package io.carbon254.ingest.connectors.miso.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.carbon254.ingest.connectors.common.LoopbackServer;
import io.carbon254.ingest.connectors.common.LoopbackSimulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback stand-in for MISO's three data hosts on one server (their paths do not collide):
 *
 * <ul>
 *   <li>the market reports ({@code docs.misoenergy.org}): {@code GET /marketreports/YYYYMMDD_<report>.csv}
 *       for {@code da_expost_lmp}, {@code da_exante_lmp}, {@code rt_lmp_prelim} and {@code rt_lmp_final},
 *       no credentials, the real CSV as {@code application/octet-stream} once the report is out
 *       (day-ahead at 17:00 EST the day before, preliminary real-time at 05:00 EST the day after,
 *       final at 00:00 EST five days after), else Azure's 404 {@code BlobNotFound} XML;</li>
 *   <li>the Public API ({@code public-api.misoenergy.org}): the five-minute ex-post LMPs of today and
 *       yesterday, the real-time total load and the fuel mix, no credentials, intervals that have
 *       ended by "now" only; the retired data broker answers {@code {"error":"no data"}};</li>
 *   <li>the Data Exchange ({@code apim.misoenergy.org}): paged real-time LMPs, actual demand and
 *       generation by fuel behind {@code Ocp-Apim-Subscription-Key} (401 without it or with another
 *       key), a day's data from 09:00 EST the next day, HTTP 429 with {@code Retry-After} under a rate
 *       limit or the enforced spacing, HTTP 403 past the daily call quota.</li>
 * </ul>
 *
 * <p>MISO's clock is EST (UTC−5) all year, so every market day has 24 hours. "Now" is
 * {@code SimulatorOptions.publishedUntil}: nothing at or after it exists. Every path serves the same
 * nodes in the same order ({@link #nodes()}); every value is a deterministic function of node,
 * interval and market. Large answers are written as they are computed (chunked). Test hooks: a
 * bot challenge, no data on the Public API, failures of the next requests, the key, the page size,
 * the rate limit and the quota.
 */
public final class MisoSimulator extends LoopbackSimulator {
  /** The subscription key the Data Exchange accepts unless {@link #withKey} says otherwise. */
  public static final String DEFAULT_KEY = "demo-key-of-the-simulator";
  /** The eight trading hubs, served on every path. */
  public static final List<String> HUBS = MisoNode.HUBS;
  public static final String MARKET_REPORTS = "/marketreports/";
  public static final String FIVE_MIN_ROLLING = "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling";
  public static final String FIVE_MIN_PREVIOUS = "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous";
  public static final String TOTAL_LOAD = "/api/RealTimeTotalLoad";
  public static final String FUEL_MIX = "/api/FuelMix";
  public static final String FUEL_MIX_TODAY = "/api/FuelMix/Today";
  public static final String FUEL_MIX_YESTERDAY = "/api/FuelMix/Yesterday";
  /** The retired real-time data broker: it answers HTTP 200 {@code {"error":"no data"}} to every query. */
  public static final String DATA_BROKER = "/MISORTWDDataBroker/DataBrokerServices.asmx";
  public static final int DEFAULT_PAGE_SIZE = 1_000;
  public static final int DEFAULT_DAILY_QUOTA = 24_000;

  static final String NO_DATA = "{\"error\":\"no data\"}";
  static final String MISSING_KEY = "{\"statusCode\": 401, \"message\": \"Access denied due to missing subscription key\"}";
  static final String INVALID_KEY = "{\"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key. Make sure to"
      + " provide a valid key for an active subscription.\"}";
  static final String RATE_LIMITED = "{\"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in 1 seconds.\"}";
  static final String DATE_NOT_FOUND = "{\"statusCode\": 404, \"message\": \"Date not found\"}";
  static final String RESOURCE_NOT_FOUND = "{\"statusCode\": 404, \"message\": \"Resource not found\"}";
  static final String CHALLENGE = "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
      + "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"><meta name=\"robots\" content=\"noindex,nofollow\">"
      + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"></head><body><div class=\"main-wrapper\" role=\"main\">"
      + "<div class=\"main-content\"><noscript><div class=\"h2\"><span id=\"challenge-error-text\">Enable JavaScript and cookies to"
      + " continue</span></div></noscript></div></div></body></html>";
  private static final String JSON_TYPE = "application/json; charset=utf-8";
  private static final Pattern REPORT_FILE = Pattern.compile("(\\d{8})_([a-z_]+)\\.csv");
  private static final DateTimeFormatter AZURE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSS'Z'");
  private static final JsonFactory JSON = new JsonFactory();

  private final List<MisoNode> nodes;
  private final Instant now;
  private final Duration enforcedSpacing;
  private final AtomicLong blobRequests = new AtomicLong();
  private final ArrayDeque<Long> window = new ArrayDeque<>();
  private long lastExchangeNanos;
  private boolean anyExchangeCall;
  private LocalDate quotaDay;
  private long quotaUsed;
  private int failCount;
  private int failStatus;
  private volatile String key = DEFAULT_KEY;
  private volatile int pageSize = DEFAULT_PAGE_SIZE;
  private volatile int rateLimit;
  private volatile Duration rateWindow;
  private volatile int dailyQuota = DEFAULT_DAILY_QUOTA;
  private volatile boolean botChallenge;
  private volatile boolean noData;

  private MisoSimulator(LoopbackServer server, List<MisoNode> nodes, Instant now, Duration enforcedSpacing) {
    super(server);
    this.nodes = nodes;
    this.now = now;
    this.enforcedSpacing = enforcedSpacing == null ? Duration.ZERO : enforcedSpacing;
  }

  /**
   * Listens on 127.0.0.1:{@code o.port()} (0: a free port) with {@code o.nodeCount()} nodes in all
   * (the hubs, load zones and interfaces always, generator nodes for the rest); "now" is
   * {@code o.publishedUntil()} (null: the wall clock at start). A non-zero {@code o.enforcedSpacing()}
   * answers 429 to a Data Exchange request closer than it to the previous one.
   */
  public static MisoSimulator start(SimulatorOptions o) {
    LoopbackServer s = LoopbackServer.bind(o.port());
    Instant until = o.publishedUntil() != null ? o.publishedUntil() : Instant.now();
    MisoSimulator sim = new MisoSimulator(s, MisoNode.all(o.nodeCount()), until, o.enforcedSpacing());
    s.serve(sim::handle);
    return sim;
  }

  /** The Data Exchange accepts {@code subscriptionKey} and no other (default {@link #DEFAULT_KEY}). */
  public MisoSimulator withKey(String subscriptionKey) {
    if (subscriptionKey == null || subscriptionKey.isBlank()) {
      throw new IllegalArgumentException("a subscription key must not be blank");
    }
    this.key = subscriptionKey;
    return this;
  }

  /** The Data Exchange's pages hold {@code size} rows (default 1,000). */
  public MisoSimulator withPageSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a page holds at least one row, got " + size);
    }
    this.pageSize = size;
    return this;
  }

  /** At most {@code calls} Data Exchange calls in any trailing {@code window}, HTTP 429 beyond (default: no limit). */
  public MisoSimulator withRateLimit(int calls, Duration window) {
    if (calls < 1 || window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a rate limit must be positive: " + calls + " per " + window);
    }
    synchronized (this.window) {
      this.rateLimit = calls;
      this.rateWindow = window;
      this.window.clear();
    }
    return this;
  }

  /** At most {@code calls} Data Exchange calls per UTC day of the wall clock, HTTP 403 beyond (default 24,000). */
  public MisoSimulator withDailyQuota(int calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("a daily quota must not be negative, got " + calls);
    }
    this.dailyQuota = calls;
    return this;
  }

  /** While on, every path answers the CDN's bot challenge: HTTP 403 {@code text/html} with {@code cf-mitigated: challenge}. */
  public MisoSimulator withBotChallenge(boolean on) {
    this.botChallenge = on;
    return this;
  }

  /** From now on every Public API path answers HTTP 200 {@code {"error":"no data"}}, as the API does when its feed is down. */
  public MisoSimulator withNoData() {
    this.noData = true;
    return this;
  }

  /** The next {@code count} requests, whatever their path, answer HTTP {@code status} with a short text body. */
  public MisoSimulator failNext(int count, int status) {
    if (count < 0 || status < 200 || status > 599) {
      throw new IllegalArgumentException("failNext needs a count >= 0 and a status 200..599, got " + count + ", " + status);
    }
    synchronized (this) {
      this.failCount = count;
      this.failStatus = status;
    }
    return this;
  }

  /** The simulator's "now": nothing at or after it exists. */
  public Instant publishedUntil() {
    return now;
  }

  /** Every node served, in the order every path lists them: hubs, load zones, interfaces, generator nodes. */
  public List<MisoNode> nodes() {
    return nodes;
  }

  // --- dispatch ----------------------------------------------------------------------------------

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        int failure = takeFailure();
        if (failure != 0) {
          send(ex, failure, "text/plain; charset=utf-8", "simulated failure: HTTP " + failure);
        } else if (botChallenge) {
          ex.getResponseHeaders().set("cf-mitigated", "challenge");
          ex.getResponseHeaders().set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate");
          send(ex, 403, "text/html; charset=UTF-8", CHALLENGE);
        } else {
          route(ex);
        }
      } catch (BadRequest e) {
        if (ex.getResponseCode() == -1) {
          send(ex, 400, JSON_TYPE, "{\"statusCode\": 400, \"message\": \"" + escape(e.getMessage()) + "\"}");
        }
      } catch (RuntimeException e) {
        if (ex.getResponseCode() == -1) {
          send(ex, 500, "text/plain; charset=utf-8", "simulator error: " + e);
        }
      }
    }
  }

  private synchronized int takeFailure() {
    if (failCount > 0) {
      failCount--;
      return failStatus;
    }
    return 0;
  }

  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (!ex.getRequestMethod().equals("GET")) {
      ex.getResponseHeaders().set("Allow", "GET");
      send(ex, 405, "text/plain; charset=utf-8", "Method Not Allowed");
    } else if (path.startsWith(MARKET_REPORTS)) {
      marketReport(ex, path.substring(MARKET_REPORTS.length()));
    } else if (path.equalsIgnoreCase(DATA_BROKER)) {
      send(ex, 200, JSON_TYPE, NO_DATA);
    } else if (path.regionMatches(true, 0, "/api/", 0, 5)) {
      publicApi(ex, path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    } else if (path.startsWith("/pricing/") || path.startsWith("/lgi/")) {
      dataExchange(ex, path);
    } else {
      send(ex, 404, "text/html; charset=utf-8", "<html><body><h1>404 Not Found</h1></body></html>");
    }
  }

  // --- market reports ----------------------------------------------------------------------------

  private void marketReport(HttpExchange ex, String name) throws IOException {
    Matcher m = REPORT_FILE.matcher(name);
    ReportFile report = m.matches() ? ReportFile.ofFile(m.group(2)) : null;
    LocalDate day = null;
    if (report != null) {
      try {
        day = LocalDate.parse(m.group(1), DateTimeFormatter.BASIC_ISO_DATE);
      } catch (DateTimeParseException e) {
        day = null;
      }
    }
    if (day == null || now.isBefore(report.publishedAt(day))) {
      blobNotFound(ex, name);
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
    ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=" + name);
    ex.sendResponseHeaders(200, 0);
    try (Writer w = new OutputStreamWriter(new BufferedOutputStream(ex.getResponseBody(), 1 << 16), StandardCharsets.UTF_8)) {
      report.write(day, nodes, w);
    }
  }

  /** Azure blob storage's answer for a file that is not there (yet). */
  private void blobNotFound(HttpExchange ex, String name) throws IOException {
    UUID id = UUID.nameUUIDFromBytes((blobRequests.incrementAndGet() + "/" + name).getBytes(StandardCharsets.UTF_8));
    String body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not"
        + " exist.\nRequestId:" + id + "\nTime:" + AZURE_TIME.format(LocalDateTime.ofInstant(now, ZoneOffset.UTC))
        + "</Message></Error>";
    ex.getResponseHeaders().set("x-ms-error-code", "BlobNotFound");
    send(ex, 404, "application/xml", body);
  }

  // --- Public API --------------------------------------------------------------------------------

  private void publicApi(HttpExchange ex, String path) throws IOException {
    if (noData) {
      send(ex, 200, JSON_TYPE, NO_DATA);
      return;
    }
    LocalDate today = Formats.day(now);
    LocalDate yesterday = today.minusDays(1);
    if (path.equalsIgnoreCase(FIVE_MIN_ROLLING)) {
      streamJson(ex, g -> PublicApi.fiveMinutePrices(g, nodes, today, PublicApi.endedBy(today, now)));
    } else if (path.equalsIgnoreCase(FIVE_MIN_PREVIOUS)) {
      streamJson(ex, g -> PublicApi.fiveMinutePrices(g, nodes, yesterday, Formats.dayStart(today)));
    } else if (path.equalsIgnoreCase(TOTAL_LOAD)) {
      streamJson(ex, g -> PublicApi.totalLoad(g, today, now));
    } else if (path.equalsIgnoreCase(FUEL_MIX_TODAY)) {
      streamJson(ex, g -> PublicApi.fuelMix(g, today, Formats.dayStart(today), PublicApi.endedBy(today, now), false));
    } else if (path.equalsIgnoreCase(FUEL_MIX_YESTERDAY)) {
      streamJson(ex, g -> PublicApi.fuelMix(g, yesterday, Formats.dayStart(yesterday), Formats.dayStart(today), false));
    } else if (path.equalsIgnoreCase(FUEL_MIX)) {
      Instant last = Formats.lastEndedInterval(now);
      streamJson(ex, g -> PublicApi.fuelMix(g, Formats.day(last), last, last.plus(Formats.FIVE_MINUTES), true));
    } else {
      send(ex, 404, JSON_TYPE, "{\"Message\":\"No HTTP resource was found that matches the request URI '"
          + escape(ex.getRequestURI().getPath()) + "'.\"}");
    }
  }

  // --- Data Exchange -----------------------------------------------------------------------------

  private void dataExchange(HttpExchange ex, String path) throws IOException {
    String given = ex.getRequestHeaders().getFirst("Ocp-Apim-Subscription-Key");
    if (given == null || given.isBlank()) {
      send(ex, 401, JSON_TYPE, MISSING_KEY);
      return;
    }
    if (!given.strip().equals(key)) {
      send(ex, 401, JSON_TYPE, INVALID_KEY);
      return;
    }
    if (throttled()) {
      ex.getResponseHeaders().set("Retry-After", "1");
      send(ex, 429, JSON_TYPE, RATE_LIMITED);
      return;
    }
    String quota = overQuota();
    if (quota != null) {
      send(ex, 403, JSON_TYPE, quota);
      return;
    }
    DataExchange.Route r = DataExchange.route(path);
    if (r == null) {
      send(ex, 404, JSON_TYPE, RESOURCE_NOT_FOUND);
      return;
    }
    LocalDate day = DataExchange.date(r.date());
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    long pageNumber = pageNumber(q.get("pageNumber"));
    if (!DataExchange.published(day, now)) {
      send(ex, 404, JSON_TYPE, DATE_NOT_FOUND);
      return;
    }
    DataExchange.Rows rows = DataExchange.rows(r.endpoint(), day, q, nodes, now);
    int size = pageSize;
    streamJson(ex, g -> DataExchange.page(g, rows, pageNumber, size));
  }

  private static long pageNumber(String text) {
    if (text == null) {
      return 1;
    }
    try {
      long n = Long.parseLong(text.strip());
      if (n >= 1 && n <= Integer.MAX_VALUE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadRequest("Invalid pageNumber '" + text + "': expected a whole number from 1");
  }

  /** The rate limit and the enforced spacing: true when this call is refused. */
  private boolean throttled() {
    long t = System.nanoTime();
    synchronized (window) {
      boolean tooSoon = !enforcedSpacing.isZero() && anyExchangeCall && t - lastExchangeNanos < enforcedSpacing.toNanos();
      anyExchangeCall = true;
      lastExchangeNanos = t;
      if (tooSoon) {
        return true;
      }
      if (rateLimit > 0) {
        long span = rateWindow.toNanos();
        while (!window.isEmpty() && t - window.peekFirst() >= span) {
          window.pollFirst();
        }
        if (window.size() >= rateLimit) {
          return true;
        }
        window.addLast(t);
      }
      return false;
    }
  }

  /** Counts this call against today's quota (UTC day of the wall clock); the 403 body once it is used up, else null. */
  private synchronized String overQuota() {
    Instant wall = Instant.now();
    LocalDate today = LocalDate.ofInstant(wall, ZoneOffset.UTC);
    if (!today.equals(quotaDay)) {
      quotaDay = today;
      quotaUsed = 0;
    }
    if (quotaUsed >= dailyQuota) {
      long left = Duration.between(wall, today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)).toSeconds();
      String hms = String.format("%02d:%02d:%02d", left / 3600, left / 60 % 60, left % 60);
      return "{\"statusCode\": 403, \"message\": \"Out of call volume quota. Quota will be replenished in " + hms + ".\"}";
    }
    quotaUsed++;
    return null;
  }

  // --- helpers -----------------------------------------------------------------------------------

  /** A request the Data Exchange refuses with HTTP 400. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  @FunctionalInterface
  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  /** HTTP 200 JSON written as it is generated (chunked). */
  private static void streamJson(HttpExchange ex, JsonBody body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", JSON_TYPE);
    ex.sendResponseHeaders(200, 0);
    try (OutputStream os = new BufferedOutputStream(ex.getResponseBody(), 1 << 16); JsonGenerator g = JSON.createGenerator(os)) {
      body.write(g);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
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

  private static String escape(String s) {
    return Objects.toString(s, "").replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean empty = status == 204 || status == 304;
    ex.sendResponseHeaders(status, empty ? -1 : bytes.length);
    if (!empty) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    }
  }
}
