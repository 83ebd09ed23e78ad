package io.carbon254.ingest.connectors.pjm.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback stand-in for PJM Data Miner 2 ({@code /api/v1/<feed>}), answering its paths and
 * parameters in the real JSON envelope ({@code links}, {@code items}, {@code searchSpecification},
 * {@code totalRows}) with deterministic rows: {@code startRow}/{@code rowCount} paging (at most
 * 50,000, {@code next} link while rows remain), the {@code <from>to<to>} datetime filter on the
 * {@code _ept} or {@code _utc} field, inclusive at both ends, items not in time order, HTTP 401
 * without the {@code Ocp-Apim-Subscription-Key} header, 400 for a request without a datetime filter
 * or with a range outside one UTC calendar year (as the archive answers), and, when spacing is
 * enforced, HTTP 429 with {@code Retry-After}. The verified five-minute feed lags the unverified one
 * by two days; nothing at or after {@code publishedUntil} exists.
 */
public final class PjmSimulator extends LoopbackSimulator {
  static final ZoneId EPT = ZoneId.of("America/New_York");
  static final DateTimeFormatter JSON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  static final DateTimeFormatter FILTER = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm");
  static final Duration VERIFIED_LAG = Duration.ofDays(2);
  private static final JsonFactory JSON = new JsonFactory();

  /** A pricing node: id, name, PJM type, zone. */
  public record Node(String id, String name, String type, String zone) {}

  /** The twelve hubs and the zones, with their Data Miner pnode ids. */
  public static final List<Node> HUBS_AND_ZONES = List.of(
      new Node("51217", "EASTERN HUB", "HUB", null), new Node("51287", "WEST INT HUB", "HUB", null),
      new Node("51288", "WESTERN HUB", "HUB", null), new Node("4669664", "NEW JERSEY HUB", "HUB", null),
      new Node("33092311", "CHICAGO GEN HUB", "HUB", null), new Node("33092313", "CHICAGO HUB", "HUB", null),
      new Node("33092315", "N ILLINOIS HUB", "HUB", null), new Node("34497125", "AEP GEN HUB", "HUB", null),
      new Node("34497127", "AEP-DAYTON HUB", "HUB", null), new Node("34497151", "OHIO HUB", "HUB", null),
      new Node("35010337", "DOMINION HUB", "HUB", null), new Node("116013751", "ATSI GEN HUB", "HUB", null),
      new Node("1", "PJM-RTO", "ZONE", null), new Node("3", "MID-ATL/APS", "ZONE", null),
      new Node("51291", "AECO", "ZONE", "AECO"), new Node("51292", "BGE", "ZONE", "BGE"), new Node("51293", "DPL", "ZONE", "DPL"),
      new Node("51295", "JCPL", "ZONE", "JCPL"), new Node("51296", "METED", "ZONE", "METED"), new Node("51297", "PECO", "ZONE", "PECO"),
      new Node("51298", "PEPCO", "ZONE", "PEPCO"), new Node("51299", "PPL", "ZONE", "PPL"), new Node("51300", "PENELEC", "ZONE", "PENELEC"),
      new Node("51301", "PSEG", "ZONE", "PSEG"), new Node("7633629", "RECO", "ZONE", "RECO"), new Node("8394954", "APS", "ZONE", "APS"),
      new Node("8445784", "AEP", "ZONE", "AEP"), new Node("33092371", "COMED", "ZONE", "COMED"), new Node("34508503", "DAY", "ZONE", "DAY"),
      new Node("34964545", "DOM", "ZONE", "DOM"), new Node("37737283", "DUQ", "ZONE", "DUQ"), new Node("116013753", "ATSI", "ZONE", "ATSI"),
      new Node("124076095", "DEOK", "ZONE", "DEOK"), new Node("970242670", "EKPC", "ZONE", "EKPC"),
      new Node("1709725933", "OVEC", "ZONE", "OVEC"));
  static final String[] BUS_ZONES = {"AECO", "AEP", "APS", "ATSI", "BGE", "COMED", "DAY", "DEOK", "DOM", "DPL", "DUQ", "JCPL", "PECO",
    "PPL", "PSEG"};
  static final List<String> LOAD_AREAS = List.of("RTO", "AE", "AEP", "AP", "ATSI", "BC", "CE", "DAY", "DEOK", "DOM", "DPLCO", "DUQ",
      "EKPC", "JC", "ME", "PE", "PEPCO", "PL", "PN", "PS", "RECO");
  static final List<String> FORECAST_AREAS = List.of("RTO_COMBINED", "MID_ATLANTIC_REGION", "WESTERN_REGION", "SOUTHERN_REGION", "AEP",
      "AP", "ATSI", "COMED", "DAYTON", "DEOK", "DOMINION", "DUQUESNE", "EKPC");
  static final List<String> FUELS = List.of("Coal", "Gas", "Hydro", "Multiple Fuels", "Nuclear", "Oil", "Other", "Other Renewables",
      "Solar", "Storage", "Wind");

  private final List<Node> nodes;
  private final Instant publishedUntil;
  private final Duration enforcedSpacing;
  private long lastRequestNanos = Long.MIN_VALUE;

  private PjmSimulator(LoopbackServer server, List<Node> nodes, Instant publishedUntil, Duration enforcedSpacing) {
    super(server);
    this.nodes = nodes;
    this.publishedUntil = publishedUntil;
    this.enforcedSpacing = enforcedSpacing;
  }

  /** The hubs and zones, then {@code count} generator and load buses. */
  public static List<Node> nodes(int count) {
    List<Node> all = new ArrayList<>(HUBS_AND_ZONES);
    for (int i = 0; i < count; i++) {
      String zone = BUS_ZONES[i % BUS_ZONES.length];
      all.add(new Node(Long.toString(2_100_000_000L + i), zone + " BUS" + i, i % 3 == 0 ? "LOAD" : "GEN", zone));
    }
    return List.copyOf(all);
  }

  public static PjmSimulator start(SimulatorOptions o) {
    LoopbackServer s = LoopbackServer.bind(o.port());
    Instant until = o.publishedUntil() != null ? o.publishedUntil() : Instant.now();
    PjmSimulator sim = new PjmSimulator(s, nodes(Math.max(0, o.nodeCount())), until, o.enforcedSpacing());
    s.serve(sim::handle);
    return sim;
  }

  public List<Node> priceNodes() {
    return nodes;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        route(ex);
      } catch (BadRequest e) {
        send(ex, 400, error400(e.field, e.getMessage()), null);
      } catch (RuntimeException e) {
        send(ex, 500, ("{\"message\":\"simulator error: " + e.toString().replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8), null);
      }
    }
  }

  private synchronized boolean throttled() {
    long now = System.nanoTime();
    boolean tooSoon = !enforcedSpacing.isZero() && lastRequestNanos != Long.MIN_VALUE && now - lastRequestNanos < enforcedSpacing.toNanos();
    lastRequestNanos = now;
    return tooSoon;
  }

  private void route(HttpExchange ex) throws IOException {
    String key = ex.getRequestHeaders().getFirst("Ocp-Apim-Subscription-Key");
    if (key == null || key.isBlank()) {
      send(ex, 401, ("{ \"statusCode\": 401, \"message\": \"Access denied due to missing subscription key. Make sure to include"
          + " subscription key when making requests to an API.\" }").getBytes(StandardCharsets.UTF_8), null);
      return;
    }
    if (throttled()) {
      long secs = Math.max(1, enforcedSpacing.toSeconds());
      send(ex, 429, ("{ \"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in " + secs + " seconds.\" }")
          .getBytes(StandardCharsets.UTF_8), Long.toString(secs));
      return;
    }
    String path = ex.getRequestURI().getPath();
    if (!path.startsWith("/api/v1/")) {
      send(ex, 404, "{ \"statusCode\": 404, \"message\": \"Resource not found\" }".getBytes(StandardCharsets.UTF_8), null);
      return;
    }
    Feed feed = Feed.of(path.substring("/api/v1/".length()));
    if (feed == null) {
      send(ex, 404, "{ \"statusCode\": 404, \"message\": \"Resource not found\" }".getBytes(StandardCharsets.UTF_8), null);
      return;
    }
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    long startRow = number(q, "startRow", 1, 1, Long.MAX_VALUE);
    long rowCount = number(q, "rowCount", 25, 1, 50_000);
    List<Instant> intervals = intervals(feed, q);
    Rows rows = rows(feed, intervals);
    send(ex, 200, page(ex, feed, q, rows, startRow, rowCount), null);
  }

  /** The feeds the simulator serves: the field its filter is on, its interval length, its row kind. */
  enum Feed {
    DA_HRL_LMPS("da_hrl_lmps", "datetime_beginning", Duration.ofHours(1), "da"),
    RT_HRL_LMPS("rt_hrl_lmps", "datetime_beginning", Duration.ofHours(1), "rt"),
    RT_FIVEMIN_HRL_LMPS("rt_fivemin_hrl_lmps", "datetime_beginning", Duration.ofMinutes(5), "rt"),
    RT_UNVERIFIED_FIVEMIN_LMPS("rt_unverified_fivemin_lmps", "datetime_beginning", Duration.ofMinutes(5), "rt"),
    HRL_LOAD_METERED("hrl_load_metered", "datetime_beginning", Duration.ofHours(1), null),
    LOAD_FRCSTD_7_DAY("load_frcstd_7_day", "forecast_datetime_beginning", Duration.ofHours(1), null),
    GEN_BY_FUEL("gen_by_fuel", "datetime_beginning", Duration.ofHours(1), null);

    final String path;
    final String timeField;
    final Duration step;
    final String lmp;

    Feed(String path, String timeField, Duration step, String lmp) {
      this.path = path;
      this.timeField = timeField;
      this.step = step;
      this.lmp = lmp;
    }

    static Feed of(String path) {
      for (Feed f : values()) {
        if (f.path.equals(path)) {
          return f;
        }
      }
      return null;
    }
  }

  static final class BadRequest extends RuntimeException {
    final String field;

    BadRequest(String field, String message) {
      super(message);
      this.field = field;
    }
  }

  private static byte[] error400(String field, String message) {
    return ("{\"errors\":[{\"field\":\"" + field + "\",\"message\":\"" + message.replace("\"", "'") + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static long number(Map<String, String> q, String name, long dflt, long min, long max) {
    String v = null;
    for (Map.Entry<String, String> e : q.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        v = e.getValue();
      }
    }
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.strip());
      if (n < min || n > max) {
        throw new BadRequest(name, name + " must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadRequest(name, "The value '" + v + "' is not valid for " + name + ".");
    }
  }

  /** The interval beginnings the request's datetime filter selects, in time order (published ones only). */
  List<Instant> intervals(Feed feed, Map<String, String> q) {
    String ept = q.get(feed.timeField + "_ept");
    String utc = q.get(feed.timeField + "_utc");
    if ((ept == null) == (utc == null)) {
      throw new BadRequest(feed.timeField + "_ept", "a datetime filter on " + feed.timeField + "_ept or " + feed.timeField
          + "_utc is required for this feed");
    }
    boolean local = ept != null;
    String range = local ? ept : utc;
    String field = feed.timeField + (local ? "_ept" : "_utc");
    int to = range.indexOf("to");
    if (to < 0) {
      throw new BadRequest(field, "expected '<from>to<to>', got '" + range + "'");
    }
    LocalDateTime from;
    LocalDateTime until;
    try {
      from = LocalDateTime.parse(range.substring(0, to).strip(), FILTER);
      until = LocalDateTime.parse(range.substring(to + 2).strip(), FILTER);
    } catch (DateTimeParseException e) {
      throw new BadRequest(field, "not a MM/dd/yyyy HH:mm range: '" + range + "'");
    }
    ZoneId zone = local ? EPT : ZoneOffset.UTC;
    Instant first = from.atZone(zone).withEarlierOffsetAtOverlap().toInstant();
    Instant last = until.atZone(zone).withLaterOffsetAtOverlap().toInstant();
    if (last.isBefore(first)) {
      throw new BadRequest(field, "the range ends before it begins");
    }
    if (Duration.between(first, last).compareTo(Duration.ofDays(366)) >= 0
        || first.atOffset(ZoneOffset.UTC).getYear() != last.atOffset(ZoneOffset.UTC).getYear()) {
      throw new BadRequest(field, "archived data: the range must lie within one calendar year (UTC) and span under 366 days");
    }
    Instant limit = publishedUntil;
    if (feed == Feed.RT_FIVEMIN_HRL_LMPS) {
      limit = publishedUntil.minus(VERIFIED_LAG);
    }
    List<Instant> out = new ArrayList<>();
    long step = feed.step.toSeconds();
    Instant t = Instant.ofEpochSecond(Math.floorDiv(first.getEpochSecond() + step - 1, step) * step);
    for (; !t.isAfter(last); t = t.plus(feed.step)) {
      LocalDateTime wall = LocalDateTime.ofInstant(t, zone);
      if (!wall.isBefore(from) && !wall.isAfter(until) && t.isBefore(limit)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The rows of a request: a count and the row at an index (computed, never all held). */
  record Rows(long total, int subjects, List<Instant> intervals) {}

  private Rows rows(Feed feed, List<Instant> intervals) {
    int subjects = switch (feed) {
      case HRL_LOAD_METERED -> LOAD_AREAS.size();
      case LOAD_FRCSTD_7_DAY -> FORECAST_AREAS.size();
      case GEN_BY_FUEL -> FUELS.size();
      default -> nodes.size();
    };
    return new Rows((long) subjects * intervals.size(), subjects, intervals);
  }

  private byte[] page(HttpExchange ex, Feed feed, Map<String, String> q, Rows rows, long startRow, long rowCount) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 16);
    String self = "https://api.pjm.com" + ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery();
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeArrayFieldStart("links");
      link(g, "self", self);
      if (startRow + rowCount <= rows.total()) {
        link(g, "next", self.replaceAll("(?i)startRow=\\d+", "startRow=" + (startRow + rowCount)));
      }
      if (startRow > 1) {
        link(g, "previous", self.replaceAll("(?i)startRow=\\d+", "startRow=" + Math.max(1, startRow - rowCount)));
      }
      link(g, "metadata", "https://api.pjm.com/api/v1/" + feed.path + "/metadata");
      g.writeEndArray();
      g.writeArrayFieldStart("items");
      long end = Math.min(rows.total(), startRow - 1 + rowCount);
      for (long i = startRow - 1; i < end; i++) {
        // newest interval first, subjects interleaved: not in time order, as Data Miner answers
        int subject = (int) (i % rows.subjects());
        Instant t = rows.intervals().get(rows.intervals().size() - 1 - (int) (i / rows.subjects()));
        g.writeStartObject();
        item(g, feed, subject, t);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("searchSpecification");
      g.writeNumberField("rowCount", rowCount);
      g.writeStringField("order", "Asc");
      g.writeNumberField("startRow", startRow);
      g.writeBooleanField("isActiveMetadata", true);
      g.writeArrayFieldStart("fields");
      g.writeEndArray();
      g.writeArrayFieldStart("filters");
      for (Map.Entry<String, String> e : q.entrySet()) {
        if (e.getKey().startsWith(feed.timeField)) {
          g.writeStartObject();
          g.writeStringField(e.getKey(), e.getValue());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeNumberField("totalRows", rows.total());
      g.writeEndObject();
    }
    return buf.toByteArray();
  }

  private static void link(JsonGenerator g, String rel, String href) throws IOException {
    g.writeStartObject();
    g.writeStringField("rel", rel);
    g.writeStringField("href", href);
    g.writeEndObject();
  }

  private static void times(JsonGenerator g, String field, Instant t) throws IOException {
    g.writeStringField(field + "_utc", JSON_TIME.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC)));
    g.writeStringField(field + "_ept", JSON_TIME.format(LocalDateTime.ofInstant(t, EPT)));
  }

  private void item(JsonGenerator g, Feed feed, int subject, Instant t) throws IOException {
    switch (feed) {
      case HRL_LOAD_METERED -> {
        times(g, "datetime_beginning", t);
        String area = LOAD_AREAS.get(subject);
        g.writeStringField("nerc_region", "RFC");
        g.writeStringField("mkt_region", subject == 0 ? "RTO" : "WEST");
        g.writeStringField("zone", area);
        g.writeStringField("load_area", area);
        g.writeNumberField("mw", round3(LoadShape.mw(area, t)));
        g.writeBooleanField("is_verified", t.isBefore(publishedUntil.minus(VERIFIED_LAG)));
      }
      case LOAD_FRCSTD_7_DAY -> {
        Instant evaluated = t.truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofHours(13));
        times(g, "evaluated_at_datetime", evaluated);
        times(g, "forecast_datetime_beginning", t);
        times(g, "forecast_datetime_ending", t.plus(feed.step));
        String area = FORECAST_AREAS.get(subject);
        g.writeStringField("forecast_area", area);
        g.writeNumberField("forecast_load_mw", Math.round(LoadShape.mw(area, t) * 1.02));
      }
      case GEN_BY_FUEL -> {
        times(g, "datetime_beginning", t);
        String fuel = FUELS.get(subject);
        double mw = round3(LoadShape.fuel(fuel, t));
        g.writeStringField("fuel_type", fuel);
        g.writeNumberField("mw", mw);
        g.writeNumberField("percentage_of_total", Math.round(mw / 1000.0) / 100.0);
        g.writeBooleanField("is_renewable", fuel.equals("Solar") || fuel.equals("Wind") || fuel.equals("Hydro")
            || fuel.equals("Other Renewables"));
      }
      default -> {
        Node n = nodes.get(subject);
        times(g, "datetime_beginning", t);
        g.writeStringField("pnode_id", n.id());
        g.writeStringField("pnode_name", n.name());
        g.writeStringField("voltage", n.type().equals("HUB") || n.type().equals("ZONE") ? null : "138 KV");
        g.writeStringField("equipment", null);
        g.writeStringField("type", n.type());
        g.writeStringField("zone", n.zone());
        double[] c = PriceShape.components(feed.lmp, subject, t);
        g.writeNumberField("system_energy_price_" + feed.lmp, round6(c[0]));
        g.writeNumberField("total_lmp_" + feed.lmp, round6(c[0] + c[1] + c[2]));
        g.writeNumberField("congestion_price_" + feed.lmp, round6(c[1]));
        g.writeNumberField("marginal_loss_price_" + feed.lmp, round6(c[2]));
        if (feed != Feed.RT_UNVERIFIED_FIVEMIN_LMPS) {
          g.writeBooleanField("row_is_current", true);
          g.writeNumberField("version_nbr", 1);
        }
      }
    }
  }

  static double round6(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  static double round3(double v) {
    return Math.round(v * 1e3) / 1e3;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null) {
      return q;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  private static void send(HttpExchange ex, int status, byte[] body, String retryAfter) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if (retryAfter != null) {
      ex.getResponseHeaders().set("Retry-After", retryAfter);
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }
}
