package io.carbon254.ingest.connectors.caiso.sim;

import com.sun.net.httpserver.HttpExchange;
import io.carbon254.ingest.connectors.caiso.OasisQuery;
import io.carbon254.ingest.connectors.caiso.OasisTime;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A loopback stand-in for OASIS ({@code /oasisapi/SingleZip}) and caiso.com Today's Outlook
 * history ({@code /outlook/history/YYYYMMDD/fuelsource.csv}), answering the real paths and
 * parameters with deterministic real-format payloads: SingleZip CSV (resultformat=6) with the
 * real headers of each report, rows unsorted, the OASIS error zip (ERR_CODE 1000) for data not
 * yet published, and, when spacing is enforced, the real HTTP 429 throttle page.
 */
public final class CaisoSimulator extends LoopbackSimulator {
  private static final DateTimeFormatter YMD = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(PriceModel.PACIFIC);
  private static final DateTimeFormatter GEN = DateTimeFormatter.ofPattern("yyyyMMdd_HH_mm_ss").withZone(ZoneOffset.UTC);
  private static final long ZIP_TIME = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
  static final String THROTTLE_PAGE =
      "<html><body><p>CAISO Acceptable Use Policy Violation. Please retry your request after 5 seconds.</p></body></html>";

  private final List<String> nodes;
  private final Instant publishedUntil;
  private final Duration enforcedSpacing;
  private long lastRequestNanos = Long.MIN_VALUE;

  private CaisoSimulator(LoopbackServer server, List<String> nodes, Instant publishedUntil, Duration enforcedSpacing) {
    super(server);
    this.nodes = nodes;
    this.publishedUntil = publishedUntil;
    this.enforcedSpacing = enforcedSpacing;
  }

  public static CaisoSimulator start(SimulatorOptions o) {
    return start(o, o.enforcedSpacing());
  }

  /** @param enforcedSpacing answer 429 to requests closer than this (zero: never) */
  public static CaisoSimulator start(SimulatorOptions o, Duration enforcedSpacing) {
    LoopbackServer s = LoopbackServer.bind(o.port());
    Instant until = o.publishedUntil() != null ? o.publishedUntil() : Instant.now();
    CaisoSimulator sim = new CaisoSimulator(s, PriceModel.nodes(Math.max(0, o.nodeCount())), until, enforcedSpacing);
    s.serve(sim::handle);
    return sim;
  }

  public List<String> nodes() {
    return nodes;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        route(ex);
      } catch (RuntimeException e) {
        send(ex, 500, "text/plain", ("simulator error: " + e).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private void route(HttpExchange ex) throws IOException {
    if (throttled()) {
      send(ex, 429, "text/html", THROTTLE_PAGE.getBytes(StandardCharsets.UTF_8));
      return;
    }
    String path = ex.getRequestURI().getPath();
    if (path.equals("/oasisapi/SingleZip")) {
      oasis(ex, query(ex.getRequestURI().getRawQuery()));
    } else if (path.startsWith("/outlook/history/") && path.endsWith("/fuelsource.csv")) {
      outlook(ex, path.substring("/outlook/history/".length(), path.length() - "/fuelsource.csv".length()));
    } else {
      send(ex, 404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8));
    }
  }

  private synchronized boolean throttled() {
    if (enforcedSpacing.isZero()) {
      return false;
    }
    long now = System.nanoTime();
    boolean tooSoon = lastRequestNanos != Long.MIN_VALUE && now - lastRequestNanos < enforcedSpacing.toNanos();
    lastRequestNanos = now;
    return tooSoon;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int i = kv.indexOf('=');
        if (i > 0) {
          q.put(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT),
              URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private void oasis(HttpExchange ex, Map<String, String> q) throws IOException {
    String name = q.get("queryname");
    Instant start;
    Instant end;
    try {
      start = OasisTime.parseQuery(q.get("startdatetime"));
      end = OasisTime.parseQuery(q.get("enddatetime"));
    } catch (RuntimeException e) {
      send(ex, 200, "application/x-zip-compressed", errorZip(name, "1002", "Invalid startdatetime/enddatetime", Instant.EPOCH, Instant.EPOCH));
      return;
    }
    OasisQuery oq = name == null ? null : OasisQuery.forQueryName(name, q.get("market_run_id"));
    if (oq == null || !"6".equals(q.get("resultformat"))) {
      send(ex, 200, "application/x-zip-compressed", errorZip(name, "1002", "Invalid request: unsupported queryname/market_run_id/resultformat", start, end));
      return;
    }
    Instant horizon = switch (oq) {
      case LMP_DA_HOURLY -> publishedUntil.plus(Duration.ofHours(20));
      case LOAD_FORECAST -> publishedUntil.plus(Duration.ofDays(7));
      default -> publishedUntil;
    };
    Instant until = end.isAfter(horizon) ? horizon : end;
    String csv = switch (oq.queryName()) {
      case "SLD_FCST" -> OasisCsv.load(oq, start, until, q.get("market_run_id"));
      default -> OasisCsv.prices(oq, nodes, start, until);
    };
    if (csv == null) {
      send(ex, 200, "application/x-zip-compressed", errorZip(name, "1000", "No data returned for the specified selection", start, end));
      return;
    }
    String entry = YMD.format(start) + "_" + YMD.format(end) + "_" + name + "_N_" + GEN.format(end) + "_v1.csv";
    send(ex, 200, "application/x-zip-compressed", zip(entry, csv.getBytes(StandardCharsets.UTF_8)));
  }

  private void outlook(HttpExchange ex, String ymd) throws IOException {
    LocalDate day;
    try {
      day = LocalDate.parse(ymd, DateTimeFormatter.ofPattern("yyyyMMdd"));
    } catch (RuntimeException e) {
      send(ex, 404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8));
      return;
    }
    Instant dayStart = day.atStartOfDay(PriceModel.PACIFIC).toInstant();
    if (!dayStart.isBefore(publishedUntil)) {
      send(ex, 404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8));
      return;
    }
    send(ex, 200, "text/csv", OasisCsv.fuelSource(day, publishedUntil).getBytes(StandardCharsets.UTF_8));
  }

  static byte[] zip(String entryName, byte[] data) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(bos)) {
        ZipEntry e = new ZipEntry(entryName);
        e.setTime(ZIP_TIME);
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The OASIS error answer: a zip holding an OASISReport XML with ERR_CODE and ERR_DESC. */
  public static byte[] errorZip(String queryName, String code, String desc, Instant start, Instant end) {
    String xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd">
        <m:MessageHeader>
        \t<m:TimeDate>%s</m:TimeDate>
        \t<m:Source>OASIS</m:Source>
        \t<m:Version>v20131201</m:Version>
        </m:MessageHeader>
        <m:MessagePayload>
        <m:RTO>
        <m:name>CAISO</m:name>
        <m:ERROR>
        <m:ERR_CODE>%s</m:ERR_CODE>
        <m:ERR_DESC>%s</m:ERR_DESC>
        </m:ERROR>
        </m:RTO>
        </m:MessagePayload>
        </m:OASISReport>""".formatted(end, code, desc);
    String entry = YMD.format(start) + "_" + YMD.format(end) + "_" + queryName + "_N_" + GEN.format(end) + "_v1.xml";
    return zip(entry, xml.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
