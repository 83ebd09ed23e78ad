package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One MISO LMP market report to canonical rows. The file as MISO writes it: a preamble (title, the
 * market day {@code MM/DD/YYYY}, a blank line, {@code ,,,All Hours-Ending are Eastern Standard Time
 * (EST)}; any of them may be missing, none may contradict the file), the header
 * {@code Node,Type,Value,HE 1,…,HE 24}, then the rows grouped by {@code Value}: every node's
 * {@code LMP} row, then every node's {@code MCC} row, then every {@code MLC} row, so a node's three
 * rows are far apart and are folded per node (the only state kept: 72 numbers per node) into one
 * canonical row per node and hour with price = LMP, congestion = MCC, loss = MLC and
 * energy = LMP − MCC − MLC. Numbers may lack a leading zero ({@code .92}, {@code -.94}) or decimals
 * ({@code 29}); a blank cell is an hour MISO did not price (no row). {@code Type} gives the location
 * type (Hub, Loadzone, Interface, Gennode); other {@code Value} rows (none today) are skipped.
 *
 * <p>A header without the 24 hours, an hour 25 (EST has none), a node's value given twice, a node
 * without an LMP row, a number that is not one, or a preamble date other than the file's day is a
 * payload error (exit 4) naming the line. Rows outside the payload's window are dropped: one file
 * holds a whole market day and a window may be part of one.
 */
final class MarketReportParser {
  static final String MARKET = "miso";
  private static final int PREAMBLE_LINES = 12;
  private static final Pattern DATE_LINE = Pattern.compile("^\\s*(\\d{1,2}/\\d{1,2}/\\d{4})\\s*,*\\s*$");
  private static final DateTimeFormatter US_DATE = DateTimeFormatter.ofPattern("M/d/uuuu");
  private static final DateTimeFormatter MISO_DATE = DateTimeFormatter.ofPattern("MM/dd/uuuu");
  private static final String[] VALUES = {"LMP", "MCC", "MLC"};
  private static final Map<String, String> LOCATION_TYPES = Map.of(
      "HUB", "hub", "LOADZONE", "zone", "INTERFACE", "interface", "GENNODE", "node");

  private final MarketReport report;
  private final NormalizationRules rules;

  MarketReportParser(MarketReport report, NormalizationRules rules) {
    this.report = report;
    this.rules = rules;
  }

  /** What the preamble said, and where the header starts. */
  private record Preamble(String title, LocalDate day, int headerOffset, int headerLine) {}

  /** One node's numbers: LMP, MCC, MLC for hours 1..24 (NaN: not given), and which rows were seen. */
  private static final class Node {
    final String type;
    final double[] v = new double[3 * MisoClock.HOURS_PER_DAY];
    final int[] rowLine = new int[3];

    Node(String type) {
      this.type = type;
      Arrays.fill(v, Double.NaN);
    }
  }

  void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    byte[] b = p.body();
    Preamble pre = preamble(p, b);
    MarketReport.Named named = MarketReport.named(p.url());
    LocalDate day = named != null ? named.day() : pre.day() != null ? pre.day() : MisoClock.day(p.key().window().start());
    if (pre.day() != null && !pre.day().equals(day)) {
      throw new PayloadRejectedException(p.payloadId(), "the report is dated " + MISO_DATE.format(pre.day()) + " but was fetched as "
          + day + " (" + p.url() + ")");
    }
    Versions stage = named != null ? MarketReport.stage(named.file())
        : pre.title() != null && pre.title().toLowerCase(Locale.ROOT).contains("final") ? Versions.FINAL : Versions.PROVISIONAL;
    long version = stage.of(p.fetchedAt());
    Map<String, Node> nodes = new LinkedHashMap<>();
    try (CsvReader csv = new CsvReader(new ByteArrayInputStream(b, pre.headerOffset(), b.length - pre.headerOffset()))) {
      int node = csv.column("Node");
      int type = csv.column("Type");
      int value = csv.column("Value");
      int[] he = new int[MisoClock.HOURS_PER_DAY];
      for (int h = 1; h <= MisoClock.HOURS_PER_DAY; h++) {
        he[h - 1] = csv.column("HE " + h);
        if (he[h - 1] < 0) {
          throw new PayloadRejectedException(p.payloadId(), "line " + pre.headerLine() + ": the header has no 'HE " + h
              + "' column (a MISO report has HE 1 .. HE 24): " + csv.header());
        }
      }
      if (csv.column("HE 25") >= 0) {
        throw new PayloadRejectedException(p.payloadId(), "line " + pre.headerLine() + ": the header has an 'HE 25' column;"
            + " MISO reports are in EST, whose days all have 24 hours");
      }
      if (node < 0 || type < 0 || value < 0) {
        throw new PayloadRejectedException(p.payloadId(), "line " + pre.headerLine() + ": the header lacks Node, Type or Value: "
            + csv.header());
      }
      while (csv.next()) {
        int line = pre.headerLine() + csv.line() - 1;
        String id = csv.get(node).strip();
        if (id.isEmpty()) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": a row without a Node");
        }
        int k = Arrays.asList(VALUES).indexOf(csv.get(value).strip().toUpperCase(Locale.ROOT));
        if (k < 0) {
          continue;
        }
        Node n = nodes.computeIfAbsent(id, x -> new Node(csv.get(type).strip()));
        if (n.rowLine[k] != 0) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": a second " + VALUES[k] + " row for node " + id
              + " (the first is on line " + n.rowLine[k] + ")");
        }
        n.rowLine[k] = line;
        for (int h = 0; h < MisoClock.HOURS_PER_DAY; h++) {
          if (csv.isBlank(he[h])) {
            continue;
          }
          try {
            n.v[k * MisoClock.HOURS_PER_DAY + h] = csv.number(he[h]);
          } catch (NumberFormatException e) {
            throw new PayloadRejectedException(p.payloadId(), "line " + line + ", HE " + (h + 1) + " of " + id + " " + VALUES[k]
                + ": '" + csv.get(he[h]) + "' is not a number");
          }
        }
      }
    } catch (IOException e) {
      throw new PayloadRejectedException(p.payloadId(), "unreadable MISO report: " + e.getMessage(), e);
    }
    emit(p, day, version, nodes, out);
  }

  private void emit(RawPayload p, LocalDate day, long version, Map<String, Node> nodes, RowSink<? super CanonicalRecord> out) {
    IntervalWindow w = p.key().window();
    Provenance prov = new Provenance(version, null, p.fetchedAt(), p.payloadId());
    for (Map.Entry<String, Node> e : nodes.entrySet()) {
      Node n = e.getValue();
      if (n.rowLine[0] == 0) {
        int line = n.rowLine[1] != 0 ? n.rowLine[1] : n.rowLine[2];
        throw new PayloadRejectedException(p.payloadId(), "line " + line + ": node " + e.getKey() + " has no LMP row");
      }
      String locationType = locationType(e.getKey(), n.type);
      for (int h = 1; h <= MisoClock.HOURS_PER_DAY; h++) {
        double lmp = n.v[h - 1];
        Instant start = MisoClock.hourEnding(day, h);
        if (Double.isNaN(lmp) || !w.contains(start)) {
          continue;
        }
        Double mcc = value(n.v[MisoClock.HOURS_PER_DAY + h - 1]);
        Double mlc = value(n.v[2 * MisoClock.HOURS_PER_DAY + h - 1]);
        Double energy = mcc == null || mlc == null ? null : cents(lmp - mcc - mlc);
        out.accept(new PriceRecord(MARKET, report.dataset, report.marketRun, "LMP", e.getKey(), e.getKey(), locationType, start,
            start.plusSeconds(3600), lmp, energy, mcc, mlc, null, "USD", "MWh", prov, null));
      }
    }
  }

  private String locationType(String id, String type) {
    String t = LOCATION_TYPES.get(type.toUpperCase(Locale.ROOT));
    return t != null ? t : rules.locationType(MARKET, id);
  }

  private static Double value(double d) {
    return Double.isNaN(d) ? null : d;
  }

  /** A difference of prices given to the cent, without the binary noise of the subtraction. */
  static double cents(double d) {
    return Math.round(d * 1e6) / 1e6;
  }

  /** Reads the preamble up to the header line; a report without one is a payload error. */
  private static Preamble preamble(RawPayload p, byte[] b) {
    String title = null;
    LocalDate day = null;
    int offset = 0;
    if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      offset = 3;
    }
    for (int line = 1; line <= PREAMBLE_LINES && offset < b.length; line++) {
      int eol = offset;
      while (eol < b.length && b[eol] != '\n') {
        eol++;
      }
      String text = new String(b, offset, eol - offset, StandardCharsets.UTF_8).replace("\r", "").strip();
      if (text.regionMatches(true, 0, "Node,", 0, 5)) {
        return new Preamble(title, day, offset, line);
      }
      Matcher m = DATE_LINE.matcher(text);
      if (m.matches()) {
        try {
          day = LocalDate.parse(m.group(1), US_DATE);
        } catch (DateTimeParseException e) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": '" + text + "' is not a date");
        }
      } else if (text.toLowerCase(Locale.ROOT).contains("hours-ending") || text.toLowerCase(Locale.ROOT).contains("hour ending")) {
        String t = text.toLowerCase(Locale.ROOT);
        if (!t.contains("eastern standard time") && !t.contains("(est)")) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": '" + text.replaceAll("^,+", "")
              + "': the report does not say its hours are EST");
        }
      } else if (!text.isEmpty() && title == null && line == 1) {
        if (text.startsWith("<") || text.startsWith("{")) {
          throw new PayloadRejectedException(p.payloadId(), "not a MISO market report (a CSV): '" + shorten(text) + "'");
        }
        title = text;
      }
      offset = eol + 1;
    }
    String head = new String(b, 0, Math.min(b.length, 120), StandardCharsets.UTF_8).strip();
    throw new PayloadRejectedException(p.payloadId(), b.length == 0 ? "an empty body, not a MISO market report"
        : "no header line 'Node,Type,Value,HE 1,…,HE 24' in the first " + PREAMBLE_LINES + " lines of the report: '" + shorten(head) + "'");
  }

  private static String shorten(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 80 ? one : one.substring(0, 80) + "…";
  }
}
