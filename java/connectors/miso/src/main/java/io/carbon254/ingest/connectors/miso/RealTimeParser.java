package io.carbon254.ingest.connectors.miso;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.connectors.common.JsonStream;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real-time payloads to canonical rows: the Public API's display JSON and the Data Exchange's
 * pages, told apart by their path ({@code /api/…} or {@code /v1/…}). Every time is EST.
 *
 * <ul>
 *   <li>Five-minute ex-post LMPs of the Public API: {@code {"headers": [...], "data": [[...], ...]}},
 *       columns by name ({@code INTERVAL} the interval's start, {@code CPNODE}, {@code LMP},
 *       {@code MLC}, {@code MCC}; cells strings or numbers), streamed row by row; energy = LMP − MCC − MLC.
 *   <li>The Data Exchange's LMPs: {@code data[]} of {@code timeInterval {start, end}}, {@code node},
 *       {@code lmp}, {@code mec}, {@code mcc}, {@code mlc}, {@code preliminaryFinal}; energy = mec; a
 *       {@code Final} row is the higher version.
 *   <li>Load: the Public API's {@code LoadInfo.FiveMinTotalLoad} ({@code Time} HH:mm of the day
 *       {@code RefId} names) and the Data Exchange's hourly {@code load} by {@code region}.
 *   <li>Fuel mix: the Public API's {@code Fuel.Type[]} ({@code INTERVALEST}, {@code CATEGORY},
 *       {@code ACT}) and the Data Exchange's hourly {@code fuelTypes} by {@code region}.
 * </ul>
 *
 * The Public API's five-minute load and fuel values are averaged per hour, for hours whose twelve
 * intervals are all present (provisional rows; the Data Exchange's settled hour replaces them).
 * Rows outside the payload's window are dropped (a Public API answer holds a whole day). A missing
 * field, a number that is not one, or an interval of the wrong length is a payload error (exit 4).
 */
final class RealTimeParser {
  static final String MARKET = MarketReportParser.MARKET;
  static final String AREA = "MISO";
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter EXCHANGE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss[.SSS]");
  private static final DateTimeFormatter REF_DAY = new DateTimeFormatterBuilder().parseCaseInsensitive()
      .appendPattern("d-MMM-uuuu").toFormatter(Locale.ENGLISH);
  private static final List<DateTimeFormatter> FUEL_TIMES = List.of(
      new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern("uuuu-MM-dd h:mm:ss a").toFormatter(Locale.ENGLISH),
      new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern("M/d/uuuu h:mm:ss a").toFormatter(Locale.ENGLISH),
      DateTimeFormatter.ofPattern("M/d/uuuu H:mm:ss"),
      DateTimeFormatter.ofPattern("uuuu-MM-dd H:mm:ss"),
      DateTimeFormatter.ISO_LOCAL_DATE_TIME);
  private static final Pattern REF_ID = Pattern.compile("^\\s*(\\d{1,2}-[A-Za-z]{3}-\\d{4})");
  private static final int PER_HOUR = 12;

  private final RealTimeFeed feed;
  private final NormalizationRules rules;

  RealTimeParser(RealTimeFeed feed, NormalizationRules rules) {
    this.feed = feed;
    this.rules = rules;
  }

  void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    boolean exchange = p.url().contains("/v1/");
    try {
      if (exchange) {
        exchange(p, out);
      } else {
        switch (feed) {
          case LMP_RT_5MIN -> publicLmps(p, out);
          case LOAD_ACTUAL -> publicLoad(p, out);
          case FUEL_MIX -> publicFuelMix(p, out);
        }
      }
    } catch (IOException e) {
      throw new PayloadRejectedException(p.payloadId(), "not a MISO " + (exchange ? "Data Exchange" : "Public API") + " answer for "
          + feed.dataset + ": " + e.getMessage(), e);
    }
  }

  // ---- the Public API

  private void publicLmps(RawPayload p, RowSink<? super CanonicalRecord> out) throws IOException {
    IntervalWindow w = p.key().window();
    Provenance prov = new Provenance(Versions.PROVISIONAL.of(p.fetchedAt()), null, p.fetchedAt(), p.payloadId());
    try (JsonParser j = FACTORY.createParser(new ByteArrayInputStream(p.body()))) {
      j.setCodec(MAPPER);
      if (j.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object");
      }
      int[] col = null;
      boolean sawData = false;
      while (j.nextToken() == JsonToken.FIELD_NAME) {
        String field = j.currentName();
        JsonToken t = j.nextToken();
        if (field.equals("headers")) {
          col = columns(p, j.readValueAsTree());
        } else if (field.equals("data")) {
          if (col == null) {
            throw new PayloadRejectedException(p.payloadId(), "the 'data' rows come before their 'headers'");
          }
          if (t != JsonToken.START_ARRAY) {
            throw new IOException("'data' is not an array");
          }
          sawData = true;
          int row = 0;
          while (j.nextToken() == JsonToken.START_ARRAY) {
            row++;
            JsonNode r = j.readValueAsTree();
            Instant start = est(p, "data[" + row + "].INTERVAL", cell(p, r, col[0], row, "INTERVAL"), DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            if (!w.contains(start)) {
              continue;
            }
            String node = cell(p, r, col[1], row, "CPNODE");
            double lmp = number(p, cell(p, r, col[2], row, "LMP"), "data[" + row + "].LMP");
            Double mlc = col[3] < 0 ? null : number(p, cell(p, r, col[3], row, "MLC"), "data[" + row + "].MLC");
            Double mcc = col[4] < 0 ? null : number(p, cell(p, r, col[4], row, "MCC"), "data[" + row + "].MCC");
            Double energy = mcc == null || mlc == null ? null : MarketReportParser.cents(lmp - mcc - mlc);
            out.accept(price(node, start, lmp, energy, mcc, mlc, prov));
          }
        } else {
          j.skipChildren();
        }
      }
      if (!sawData) {
        throw new IOException("no 'data' array");
      }
    }
  }

  private static int[] columns(RawPayload p, JsonNode headers) {
    if (headers == null || !headers.isArray()) {
      throw new PayloadRejectedException(p.payloadId(), "'headers' is not an array");
    }
    List<String> names = new ArrayList<>();
    headers.forEach(h -> names.add(h.asText().strip().toUpperCase(Locale.ROOT)));
    int[] col = {names.indexOf("INTERVAL"), names.indexOf("CPNODE"), names.indexOf("LMP"), names.indexOf("MLC"), names.indexOf("MCC")};
    if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
      throw new PayloadRejectedException(p.payloadId(), "the headers " + names + " lack INTERVAL, CPNODE or LMP");
    }
    return col;
  }

  private static String cell(RawPayload p, JsonNode row, int i, int n, String name) {
    JsonNode c = row.get(i);
    if (c == null || c.isNull() || c.asText().isBlank()) {
      throw new PayloadRejectedException(p.payloadId(), "data[" + n + "] has no " + name);
    }
    return c.asText().strip();
  }

  private void publicLoad(RawPayload p, RowSink<? super CanonicalRecord> out) throws IOException {
    JsonNode info = JsonStream.topLevel(p.body(), "LoadInfo").orElseThrow(() -> new IOException("no 'LoadInfo' object"));
    LocalDate day = refDay(p, info.path("RefId").asText(null));
    JsonNode loads = info.path("FiveMinTotalLoad");
    if (!loads.isArray()) {
      throw new IOException("no 'LoadInfo.FiveMinTotalLoad' array");
    }
    Map<Instant, Hour> hours = new TreeMap<>();
    int i = 0;
    for (JsonNode e : loads) {
      i++;
      JsonNode load = e.path("Load");
      String where = "FiveMinTotalLoad[" + i + "]";
      String time = text(p, load, "Time", where);
      LocalTime t;
      try {
        t = LocalTime.parse(time.length() == 4 ? "0" + time : time);
      } catch (DateTimeParseException x) {
        throw new PayloadRejectedException(p.payloadId(), where + ".Time '" + time + "' is not HH:mm");
      }
      add(hours, MisoClock.of(day.atTime(t)), number(p, text(p, load, "Value", where), where + ".Value"));
    }
    Provenance prov = new Provenance(Versions.PROVISIONAL.of(p.fetchedAt()), null, p.fetchedAt(), p.payloadId());
    completeHours(p, hours, (start, mw) -> out.accept(new LoadRecord(MARKET, feed.dataset, "ACTUAL", AREA, start,
        start.plus(feed.resolution), mw, "MW", prov, null)));
  }

  private void publicFuelMix(RawPayload p, RowSink<? super CanonicalRecord> out) throws IOException {
    JsonNode fuel = JsonStream.topLevel(p.body(), "Fuel").orElseThrow(() -> new IOException("no 'Fuel' object"));
    JsonNode types = fuel.path("Type");
    if (!types.isArray()) {
      throw new IOException("no 'Fuel.Type' array");
    }
    Map<String, Map<Instant, Hour>> byFuel = new TreeMap<>();
    int i = 0;
    for (JsonNode e : types) {
      i++;
      String where = "Fuel.Type[" + i + "]";
      Instant at = est(p, where + ".INTERVALEST", text(p, e, "INTERVALEST", where), null);
      String category = text(p, e, "CATEGORY", where);
      add(byFuel.computeIfAbsent(rules.fuel(MARKET, category), k -> new TreeMap<>()), at, number(p, text(p, e, "ACT", where), where + ".ACT"));
    }
    Provenance prov = new Provenance(Versions.PROVISIONAL.of(p.fetchedAt()), null, p.fetchedAt(), p.payloadId());
    byFuel.forEach((f, hours) -> completeHours(p, hours, (start, mw) -> out.accept(new FuelMixRecord(MARKET, feed.dataset, AREA, f,
        start, start.plus(feed.resolution), mw, "MW", prov, null))));
  }

  /** One hour's five-minute values: their sum, which slots are filled, and whether one came twice. */
  private static final class Hour {
    double sum;
    long slots;
    boolean twice;

    int count() {
      return Long.bitCount(slots);
    }
  }

  /** Adds a five-minute value to its hour. */
  private static void add(Map<Instant, Hour> hours, Instant at, double v) {
    Instant start = at.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    Hour h = hours.computeIfAbsent(start, k -> new Hour());
    long slot = 1L << (Duration.between(start, at).toMinutes() / 5);
    h.twice |= (h.slots & slot) != 0;
    h.slots |= slot;
    h.sum += v;
  }

  private interface HourSink {
    void accept(Instant start, double mw);
  }

  /** The mean of every hour whose twelve five-minute values are all present, inside the payload's window. */
  private static void completeHours(RawPayload p, Map<Instant, Hour> hours, HourSink out) {
    IntervalWindow w = p.key().window();
    for (Map.Entry<Instant, Hour> e : hours.entrySet()) {
      Hour h = e.getValue();
      if (h.twice) {
        throw new PayloadRejectedException(p.payloadId(), "a five-minute interval of the hour from " + e.getKey() + " appears twice");
      }
      if (h.count() == PER_HOUR && w.contains(e.getKey())) {
        out.accept(e.getKey(), Math.round(h.sum / PER_HOUR * 10) / 10.0);
      }
    }
  }

  private static LocalDate refDay(RawPayload p, String refId) {
    Matcher m = refId == null ? null : REF_ID.matcher(refId);
    if (m == null || !m.find()) {
      throw new PayloadRejectedException(p.payloadId(), "'RefId' " + (refId == null ? "is missing" : "'" + refId + "' names no day")
          + " (expected like '27-Jul-2026 - Interval 08:10 EST')");
    }
    try {
      return LocalDate.parse(m.group(1), REF_DAY);
    } catch (DateTimeParseException e) {
      throw new PayloadRejectedException(p.payloadId(), "'RefId' '" + refId + "' names no day");
    }
  }

  // ---- the Data Exchange

  private void exchange(RawPayload p, RowSink<? super CanonicalRecord> out) throws IOException {
    IntervalWindow w = p.key().window();
    int[] n = {0};
    JsonStream.forEachItem(new ByteArrayInputStream(p.body()), "data", row -> {
      String where = "data[" + (++n[0]) + "]";
      JsonNode ti = row.path("timeInterval");
      Instant start = est(p, where + ".timeInterval.start", text(p, ti, "start", where + ".timeInterval"), EXCHANGE_TIME);
      Instant end = est(p, where + ".timeInterval.end", text(p, ti, "end", where + ".timeInterval"), EXCHANGE_TIME);
      if (!Duration.between(start, end).equals(feed.resolution)) {
        throw new PayloadRejectedException(p.payloadId(), where + ": the interval " + start + ".." + end + " is not "
            + feed.resolution.toMinutes() + " minutes long");
      }
      if (!w.contains(start)) {
        return;
      }
      switch (feed) {
        case LMP_RT_5MIN -> {
          String pf = row.path("preliminaryFinal").asText("");
          Versions stage = pf.equalsIgnoreCase("Final") ? Versions.FINAL : Versions.PROVISIONAL;
          Provenance prov = new Provenance(stage.of(p.fetchedAt()), null, p.fetchedAt(), p.payloadId());
          double lmp = num(p, row, "lmp", where);
          Double mcc = optNum(p, row, "mcc", where);
          Double mlc = optNum(p, row, "mlc", where);
          Double mec = optNum(p, row, "mec", where);
          Double energy = mec != null ? mec : mcc == null || mlc == null ? null : MarketReportParser.cents(lmp - mcc - mlc);
          out.accept(price(text(p, row, "node", where), start, lmp, energy, mcc, mlc, prov));
        }
        case LOAD_ACTUAL -> out.accept(new LoadRecord(MARKET, feed.dataset, "ACTUAL", area(row), start, end, num(p, row, "load", where),
            "MW", new Provenance(Versions.FINAL.of(p.fetchedAt()), null, p.fetchedAt(), p.payloadId()), null));
        case FUEL_MIX -> {
          JsonNode fuels = row.path("fuelTypes");
          if (!fuels.isObject()) {
            throw new PayloadRejectedException(p.payloadId(), where + " has no 'fuelTypes' object");
          }
          Provenance prov = new Provenance(Versions.FINAL.of(p.fetchedAt()), null, p.fetchedAt(), p.payloadId());
          for (Iterator<Map.Entry<String, JsonNode>> it = fuels.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNull()) {
              continue;
            }
            out.accept(new FuelMixRecord(MARKET, feed.dataset, area(row), rules.fuel(MARKET, f.getKey()), start, end,
                num(p, fuels, f.getKey(), where + ".fuelTypes"), "MW", prov, null));
          }
        }
      }
    });
  }

  private static String area(JsonNode row) {
    String r = row.path("region").asText("");
    return r.isBlank() ? AREA : r.strip().toUpperCase(Locale.ROOT);
  }

  // ---- shared

  private PriceRecord price(String node, Instant start, double lmp, Double energy, Double mcc, Double mlc, Provenance prov) {
    return new PriceRecord(MARKET, feed.dataset, "RT", "LMP", node, node, rules.locationType(MARKET, node), start,
        start.plus(feed.resolution), lmp, energy, mcc, mlc, null, "USD", "MWh", prov, null);
  }

  private static Instant est(RawPayload p, String where, String text, DateTimeFormatter f) {
    List<DateTimeFormatter> tried = f == null ? FUEL_TIMES : List.of(f);
    for (DateTimeFormatter fmt : tried) {
      try {
        return MisoClock.of(LocalDateTime.parse(text.strip(), fmt));
      } catch (DateTimeParseException e) {
        // the next format
      }
    }
    throw new PayloadRejectedException(p.payloadId(), where + " '" + text + "' is not a time MISO writes");
  }

  private static String text(RawPayload p, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || v.asText().isBlank()) {
      throw new PayloadRejectedException(p.payloadId(), where + " has no '" + field + "'");
    }
    return v.asText().strip();
  }

  private static double number(RawPayload p, String text, String where) {
    try {
      return Double.parseDouble(text.replace(",", "").strip());
    } catch (NumberFormatException e) {
      throw new PayloadRejectedException(p.payloadId(), where + " '" + text + "' is not a number");
    }
  }

  private static double num(RawPayload p, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new PayloadRejectedException(p.payloadId(), where + " has no '" + field + "'");
    }
    return v.isNumber() ? v.asDouble() : number(p, v.asText(), where + "." + field);
  }

  private static Double optNum(RawPayload p, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : num(p, n, field, where);
  }
}
