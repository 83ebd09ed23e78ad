package io.carbon254.ingest.connectors.ercot;

import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * One ERCOT report document (its MIS zip, or the CSV itself) to canonical rows, streamed row by row.
 * Columns are found by name whatever their spelling ({@code DeliveryDate} / {@code Delivery Date},
 * {@code FAR_WEST} / {@code FarWest}, {@code RepeatedHourFlag} / {@code DSTFlag}); numbers may be
 * space-padded. Times are Central prevailing time, resolved by {@link ErcotClock}: a flag column
 * tells the repeated hour, a report without one numbers the hours of the day 1..25; a flag the
 * calendar contradicts, a skipped hour, or the same point and interval twice in the repeated hour
 * is a payload error naming the line. A document's rows carry its document id as their version: a
 * republication ({@code _retry}, a correction) is a later document and replaces them in Silver (a
 * file whose URL names no id, one not fetched from ERCOT, ranks by the posting time in its name).
 * Rows outside the payload's window are dropped: documents are chosen by their names or posting
 * times, and a forecast covers a week, a fetch keeps a window's share.
 */
final class ErcotCsvParser {
  private static final Pattern POSTED_IN_NAME = Pattern.compile("\\.(\\d{8})\\.(\\d{6})\\.");
  /** Weather-zone columns (normalized spelling) to canonical zone ids; the system total is the area ERCOT. */
  static final Map<String, String> ZONES = zones();

  private static Map<String, String> zones() {
    Map<String, String> z = new LinkedHashMap<>();
    z.put("COAST", "COAST");
    z.put("EAST", "EAST");
    z.put("FARWEST", "FAR_WEST");
    z.put("NORTH", "NORTH");
    z.put("NORTHC", "NORTH_C");
    z.put("NORTHCENTRAL", "NORTH_C");
    z.put("SOUTHERN", "SOUTHERN");
    z.put("SOUTHC", "SOUTH_C");
    z.put("SOUTHCENTRAL", "SOUTH_C");
    z.put("WEST", "WEST");
    z.put("TOTAL", "ERCOT");
    z.put("SYSTEMTOTAL", "ERCOT");
    return z;
  }

  private final ErcotReport report;
  private final NormalizationRules rules;

  ErcotCsvParser(ErcotReport report, NormalizationRules rules) {
    this.report = report;
    this.rules = rules;
  }

  /** The document id a payload's URL names ({@code doclookupId=} of the MIS, {@code download=} of the archive), or -1. */
  static long docId(RawPayload p) {
    HttpUrl url = HttpUrl.parse(p.url());
    String id = url == null ? null : url.queryParameter("doclookupId") != null ? url.queryParameter("doclookupId") : url.queryParameter("download");
    return id != null && id.strip().matches("\\d{1,18}") ? Long.parseLong(id.strip()) : -1;
  }

  void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    long id = docId(p);
    String[] entry = {null};
    try (InputStream in = open(p, entry); CsvReader csv = new CsvReader(in)) {
      Instant posted = entry[0] == null ? null : postedInName(report, entry[0]);
      // every fetched document names its id; a file from elsewhere ranks by its posting time, else its fetch
      long version = id >= 0 ? id : (posted != null ? posted : p.fetchedAt()).toEpochMilli();
      Columns c = new Columns(p, entry[0], csv);
      switch (report) {
        case SPP_DA_HOURLY, SPP_RT_15MIN, LMP_RT_SCED -> prices(p, c, csv, version, posted, out);
        case LOAD_ACTUAL, LOAD_FORECAST -> loads(p, c, csv, version, posted, out);
      }
    } catch (IOException e) {
      throw new PayloadRejectedException(p.payloadId(), "unreadable " + report.emilId + " document: " + e.getMessage(), e);
    }
  }

  /** The CSV of the document's zip (its one .csv entry), or the body itself when it is a CSV. */
  private InputStream open(RawPayload p, String[] entry) {
    byte[] b = p.body();
    if (SafeZip.looksLikeZip(b)) {
      try {
        List<String> names = SafeZip.entryNames(b, SafeZip.Limits.defaults());
        String csv = names.stream().filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".csv")).findFirst()
            .orElseThrow(() -> new PayloadRejectedException(p.payloadId(), "the " + report.emilId + " zip holds no CSV (entries: " + names + ")"));
        entry[0] = csv;
        return SafeZip.open(b, csv, SafeZip.Limits.defaults());
      } catch (SafeZip.ZipRejected e) {
        throw new PayloadRejectedException(p.payloadId(), "the " + report.emilId + " zip is not usable: " + e.getMessage());
      }
    }
    String head = new String(b, 0, Math.min(b.length, 200), java.nio.charset.StandardCharsets.UTF_8).strip();
    if (head.isEmpty() || head.startsWith("<") || !head.contains(",")) {
      throw new PayloadRejectedException(p.payloadId(), "not an ERCOT report (a zip or a CSV): "
          + (head.isEmpty() ? "an empty body" : "'" + head.replaceAll("\\s+", " ").substring(0, Math.min(80, head.replaceAll("\\s+", " ").length())) + "'"));
    }
    return new ByteArrayInputStream(b);
  }

  /**
   * The posting time in an ERCOT file name ({@code cdr.00012301.0000000000000000.20241103.011602.SPPHLZNP6905_20241103_0115.csv}):
   * in the repeated hour, the occurrence after the interval the name's own tail stands for.
   */
  static Instant postedInName(ErcotReport report, String name) {
    Matcher m = POSTED_IN_NAME.matcher(name);
    if (!m.find()) {
      return null;
    }
    try {
      LocalDateTime local = LocalDateTime.parse(m.group(1) + m.group(2), DateTimeFormatter.ofPattern("uuuuMMddHHmmss"));
      String tail = name.substring(m.end()).replaceAll("(?i)\\.(csv|xml|zip)$", "");
      return ErcotClock.posted(local, report.postedNotBefore(tail), ErcotDocument.xhr(name));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The header by normalized name (upper case, letters and digits only). */
  private static final class Columns {
    final RawPayload p;
    final String file;
    final Map<String, Integer> byName = new HashMap<>();

    Columns(RawPayload p, String file, CsvReader csv) {
      this.p = p;
      this.file = file;
      List<String> h = csv.header();
      if (h.isEmpty()) {
        throw new PayloadRejectedException(p.payloadId(), where() + "is empty (no header)");
      }
      for (int i = 0; i < h.size(); i++) {
        byName.putIfAbsent(norm(h.get(i)), i);
      }
    }

    static String norm(String s) {
      return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    }

    String where() {
      return file == null ? "" : file + " ";
    }

    int optional(String... names) {
      for (String n : names) {
        Integer i = byName.get(norm(n));
        if (i != null) {
          return i;
        }
      }
      return -1;
    }

    int required(String... names) {
      int i = optional(names);
      if (i < 0) {
        throw new PayloadRejectedException(p.payloadId(), where() + "has no " + String.join(" / ", names) + " column (header: "
            + byName.keySet() + ")");
      }
      return i;
    }
  }

  private PayloadRejectedException bad(RawPayload p, Columns c, CsvReader csv, String why) {
    return new PayloadRejectedException(p.payloadId(), c.where() + "line " + csv.line() + ": " + why);
  }

  private static String cell(CsvReader csv, int i) {
    String v = csv.get(i);
    return v == null ? "" : v.strip();
  }

  private void prices(RawPayload p, Columns c, CsvReader csv, long version, Instant posted, RowSink<? super CanonicalRecord> out)
      throws IOException {
    IntervalWindow w = p.key().window();
    boolean sced = report == ErcotReport.LMP_RT_SCED;
    boolean quarters = report == ErcotReport.SPP_RT_15MIN;
    int date = sced ? -1 : c.required("DeliveryDate", "OperDay");
    int hour = sced ? -1 : quarters ? c.required("DeliveryHour", "HourEnding") : c.required("HourEnding", "DeliveryHour");
    int interval = quarters ? c.required("DeliveryInterval") : -1;
    int time = sced ? c.required("SCEDTimestamp") : -1;
    int flag = c.optional("DSTFlag", "RepeatedHourFlag", "RepeatHourFlag");
    int point = c.required("SettlementPoint", "SettlementPointName");
    int type = c.optional("SettlementPointType");
    int price = sced ? c.required("LMP") : c.required("SettlementPointPrice", "SPP");
    if (sced && flag < 0) {
      throw new PayloadRejectedException(p.payloadId(), c.where() + "has no RepeatedHourFlag column: a SCED time in the repeated hour cannot be told apart");
    }
    Map<String, LocalDate> dateCache = new HashMap<>();
    Set<String> repeated = new HashSet<>();
    String priceType = sced ? "LMP" : "SPP";
    while (csv.next()) {
      try {
        String name = cell(csv, point);
        if (name.isEmpty()) {
          throw bad(p, c, csv, "no settlement point");
        }
        String t = type < 0 ? "" : cell(csv, type).toUpperCase(Locale.ROOT);
        String id = t.endsWith("EW") ? name + "_EW" : name; // energy-weighted load zone prices beside the plain ones
        Boolean f = flag < 0 ? null : ErcotClock.flag(cell(csv, flag));
        Instant start;
        Instant scedAt = null;
        if (sced) {
          if (f == null) {
            throw bad(p, c, csv, "blank RepeatedHourFlag");
          }
          scedAt = ErcotClock.scedTime(cell(csv, time), f);
          start = Instant.ofEpochSecond(scedAt.getEpochSecond() - Math.floorMod(scedAt.getEpochSecond(), 300));
        } else {
          String ds = cell(csv, date);
          LocalDate day = dateCache.get(ds);
          if (day == null) {
            day = ErcotClock.date(ds);
            dateCache.put(ds, day);
          }
          int h = ErcotClock.hourEnding(cell(csv, hour));
          if (quarters) {
            String q = cell(csv, interval);
            if (!q.matches("\\d{1,2}")) {
              throw bad(p, c, csv, "DeliveryInterval '" + q + "' is not 1..4");
            }
            start = f == null && flag < 0 ? ErcotClock.elapsedHourStart(day, h).plus(Duration.ofMinutes(15L * (Integer.parseInt(q) - 1)))
                : ErcotClock.quarterStart(day, h, Integer.parseInt(q), f == null ? Boolean.FALSE : f);
          } else {
            start = flag < 0 ? ErcotClock.elapsedHourStart(day, h) : ErcotClock.hourStart(day, h, f == null ? Boolean.FALSE : f);
          }
        }
        if (inRepeatedHour(start) && !repeated.add(id + "|" + start + (sced ? "|" + scedAt : ""))) {
          throw bad(p, c, csv, id + " at " + start + " appears twice: the file's DST flags do not tell its repeated hour apart");
        }
        if (!w.contains(start)) {
          continue;
        }
        double v;
        try {
          v = csv.number(price);
        } catch (NumberFormatException e) {
          throw bad(p, c, csv, "price '" + cell(csv, price) + "' of " + name + " is not a number");
        }
        if (!Double.isFinite(v)) {
          throw bad(p, c, csv, "price of " + name + " is not finite");
        }
        out.accept(new PriceRecord("ercot", report.dataset, report.marketRun, priceType, id, null, locationType(id), start,
            start.plus(report.resolution), v, null, null, null, null, "USD", "MWh",
            new Provenance(version, sced ? scedAt : posted, p.fetchedAt(), p.payloadId()), null));
      } catch (ErcotClock.BadTime e) {
        throw bad(p, c, csv, e.getMessage());
      }
    }
  }

  private void loads(RawPayload p, Columns c, CsvReader csv, long version, Instant posted, RowSink<? super CanonicalRecord> out)
      throws IOException {
    IntervalWindow w = p.key().window();
    int date = c.required("OperDay", "DeliveryDate");
    int hour = c.required("HourEnding", "DeliveryHour");
    int flag = c.optional("DSTFlag", "RepeatedHourFlag", "RepeatHourFlag");
    List<Integer> zoneCols = new ArrayList<>();
    List<String> zoneIds = new ArrayList<>();
    c.byName.forEach((n, i) -> {
      String z = ZONES.get(n);
      if (z != null) {
        zoneCols.add(i);
        zoneIds.add(z);
      }
    });
    if (zoneCols.isEmpty()) {
      throw new PayloadRejectedException(p.payloadId(), c.where() + "has no weather-zone column (COAST, EAST, FAR_WEST, … TOTAL): header "
          + c.byName.keySet());
    }
    Set<String> repeated = new HashSet<>();
    while (csv.next()) {
      Instant start;
      try {
        LocalDate day = ErcotClock.date(cell(csv, date));
        int h = ErcotClock.hourEnding(cell(csv, hour));
        Boolean f = flag < 0 ? null : ErcotClock.flag(cell(csv, flag));
        start = flag < 0 ? ErcotClock.elapsedHourStart(day, h) : ErcotClock.hourStart(day, h, f == null ? Boolean.FALSE : f);
      } catch (ErcotClock.BadTime e) {
        throw bad(p, c, csv, e.getMessage());
      }
      if (inRepeatedHour(start) && !repeated.add(start.toString())) {
        throw bad(p, c, csv, "the hour starting " + start + " appears twice: the file's DST flags do not tell its repeated hour apart");
      }
      if (!w.contains(start)) {
        continue;
      }
      for (int k = 0; k < zoneCols.size(); k++) {
        int i = zoneCols.get(k);
        if (csv.isBlank(i)) {
          continue; // a zone without a value this hour: no row, rather than a zero
        }
        double mw;
        try {
          mw = csv.number(i);
        } catch (NumberFormatException e) {
          throw bad(p, c, csv, zoneIds.get(k) + " '" + cell(csv, i) + "' is not a number");
        }
        out.accept(new LoadRecord("ercot", report.dataset, report.marketRun, zoneIds.get(k), start, start.plus(report.resolution), mw, "MW",
            new Provenance(version, posted, p.fetchedAt(), p.payloadId()), null));
      }
    }
  }

  /** Whether an interval starts in an hour whose wall-clock time occurs twice (fall back). */
  private static boolean inRepeatedHour(Instant start) {
    LocalDateTime local = LocalDateTime.ofInstant(start, ErcotClock.CPT);
    return ErcotClock.CPT.getRules().getValidOffsets(local).size() > 1;
  }

  private String locationType(String id) {
    return rules.locationType("ercot", id);
  }
}
