package io.carbon254.ingest.connectors.miso.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paged JSON of MISO's Data Exchange ({@code apim.misoenergy.org}): the five-minute real-time
 * ex-post LMPs of a day ({@code /pricing/v1/real-time/{date}/lmp-expost}), the hourly actual demand
 * ({@code /lgi/v1/real-time/{date}/demand/actual}) and the hourly generation by fuel
 * ({@code /lgi/v1/real-time/{date}/generation/fuel-type}). Each answer is one page of a fixed size
 * in the envelope {@code {"data":[...],"page":{...}}}; a day's real-time data appear at 09:00 EST the
 * next day. The prices are the Public API's, the hourly figures the means of its five-minute values.
 */
final class DataExchange {
  /** The endpoints, by path. */
  enum Endpoint {
    LMP_EXPOST(Pattern.compile("/pricing/v1/real-time/([^/]+)/lmp-expost/?")),
    DEMAND_ACTUAL(Pattern.compile("/lgi/v1/real-time/([^/]+)/demand/actual/?")),
    FUEL_TYPE(Pattern.compile("/lgi/v1/real-time/([^/]+)/generation/fuel-type/?"));

    final Pattern path;

    Endpoint(Pattern path) {
      this.path = path;
    }
  }

  /** An endpoint and the date text its path carries. */
  record Route(Endpoint endpoint, String date) {}

  /** The rows of one answer: how many, and each by its index (computed as written, never all held). */
  interface Rows {
    long total();

    void write(JsonGenerator g, long index) throws IOException;
  }

  static final Duration PUBLICATION_DELAY = Duration.ofHours(24 + 9);
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern HH_MM = Pattern.compile("\\d{2}:\\d{2}");
  private static final DateTimeFormatter STRICT_DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

  private DataExchange() {}

  /** The endpoint a path names, or null. */
  static Route route(String path) {
    for (Endpoint e : Endpoint.values()) {
      Matcher m = e.path.matcher(path);
      if (m.matches()) {
        return new Route(e, m.group(1));
      }
    }
    return null;
  }

  /** The market day a path's date names; a {@link MisoSimulator.BadRequest} for one that is not {@code yyyy-MM-dd}. */
  static LocalDate date(String text) {
    if (!DATE.matcher(text).matches()) {
      throw new MisoSimulator.BadRequest("Invalid date '" + text + "': expected yyyy-MM-dd");
    }
    try {
      return LocalDate.parse(text, STRICT_DATE);
    } catch (DateTimeParseException e) {
      throw new MisoSimulator.BadRequest("Invalid date '" + text + "': expected yyyy-MM-dd");
    }
  }

  /** Whether the real-time data of {@code day} are out at {@code now} (09:00 EST the next day). */
  static boolean published(LocalDate day, Instant now) {
    return !now.isBefore(Formats.dayStart(day).plus(PUBLICATION_DELAY));
  }

  /** The rows of a request to {@code endpoint} for {@code day}, its query checked. */
  static Rows rows(Endpoint endpoint, LocalDate day, Map<String, String> q, List<MisoNode> nodes, Instant now) {
    return switch (endpoint) {
      case LMP_EXPOST -> {
        expect(q, "timeResolution", "5min");
        yield prices(day, interval(day, q.get("interval")), nodes, now);
      }
      case DEMAND_ACTUAL -> {
        expect(q, "timeResolution", "hourly");
        expect(q, "region", "MISO");
        yield demand(day);
      }
      case FUEL_TYPE -> {
        expect(q, "region", "MISO");
        yield fuel(day);
      }
    };
  }

  /** An optional parameter that, when given, must have the one value the simulator serves. */
  private static void expect(Map<String, String> q, String name, String value) {
    String v = q.get(name);
    if (v != null && !v.equalsIgnoreCase(value)) {
      throw new MisoSimulator.BadRequest("Invalid " + name + " '" + v + "': expected " + value);
    }
  }

  /** The interval starts the {@code interval} filter selects: every interval of the day without it, none off the grid. */
  private static List<Instant> interval(LocalDate day, String filter) {
    Instant start = Formats.dayStart(day);
    List<Instant> out = new ArrayList<>(Formats.INTERVALS_PER_DAY);
    if (filter == null) {
      for (int i = 0; i < Formats.INTERVALS_PER_DAY; i++) {
        out.add(start.plusSeconds(300L * i));
      }
      return out;
    }
    LocalTime t;
    try {
      if (!HH_MM.matcher(filter).matches()) {
        throw new DateTimeParseException("not HH:mm", filter, 0);
      }
      t = LocalTime.parse(filter);
    } catch (DateTimeParseException e) {
      throw new MisoSimulator.BadRequest("Invalid interval '" + filter + "': expected HH:mm");
    }
    if (t.getMinute() % 5 == 0) {
      out.add(start.plusSeconds(t.toSecondOfDay()));
    }
    return out;
  }

  private static void timeInterval(JsonGenerator g, String resolution, Instant start, Instant end, String value) throws IOException {
    g.writeObjectFieldStart("timeInterval");
    g.writeStringField("resolution", resolution);
    g.writeStringField("start", Formats.EXCHANGE_TIME.format(Formats.wall(start)));
    g.writeStringField("end", Formats.EXCHANGE_TIME.format(Formats.wall(end)));
    g.writeStringField("value", value);
    g.writeEndObject();
  }

  /** {@code lmp-expost}: by node, then interval; {@code Final} once the final hourly report of the day is out. */
  private static Rows prices(LocalDate day, List<Instant> intervals, List<MisoNode> nodes, Instant now) {
    String stage = now.isBefore(ReportFile.RT_FINAL.publishedAt(day)) ? "Preliminary" : "Final";
    long total = (long) nodes.size() * intervals.size();
    return new Rows() {
      @Override
      public long total() {
        return total;
      }

      @Override
      public void write(JsonGenerator g, long index) throws IOException {
        MisoNode n = nodes.get((int) (index / intervals.size()));
        Instant t = intervals.get((int) (index % intervals.size()));
        long key = Hash.key(n.name());
        long mec = PriceShape.energy(t, PriceShape.RT_FIVE_MINUTE);
        long mcc = PriceShape.congestion(n, key, t, PriceShape.RT_FIVE_MINUTE);
        long mlc = PriceShape.loss(n, key, t, PriceShape.RT_FIVE_MINUTE);
        g.writeStartObject();
        g.writeStringField("interval", Formats.HH_MM.format(Formats.wall(t)));
        String start = Formats.EXCHANGE_TIME.format(Formats.wall(t));
        timeInterval(g, "5min", t, t.plus(Formats.FIVE_MINUTES), start);
        g.writeStringField("preliminaryFinal", stage);
        g.writeStringField("node", n.name());
        g.writeFieldName("lmp");
        g.writeNumber(Formats.jsonNumber(mec + mcc + mlc));
        g.writeFieldName("mcc");
        g.writeNumber(Formats.jsonNumber(mcc));
        g.writeFieldName("mec");
        g.writeNumber(Formats.jsonNumber(mec));
        g.writeFieldName("mlc");
        g.writeNumber(Formats.jsonNumber(mlc));
        g.writeEndObject();
      }
    };
  }

  /** One hourly row's own fields, after its {@code timeInterval} and {@code region}. */
  private interface HourRow {
    void write(JsonGenerator g, int he, Instant start) throws IOException;
  }

  /** The 24 hourly MISO-wide rows of {@code day}: {@code timeInterval}, {@code region}, then {@code row}'s fields. */
  private static Rows hourly(LocalDate day, HourRow row) {
    return new Rows() {
      @Override
      public long total() {
        return Formats.HOURS_PER_DAY;
      }

      @Override
      public void write(JsonGenerator g, long index) throws IOException {
        int he = (int) index + 1;
        Instant start = Formats.dayStart(day).plus(Formats.HOUR.multipliedBy(index));
        g.writeStartObject();
        timeInterval(g, "hourly", start, start.plus(Formats.HOUR), Integer.toString(he));
        g.writeStringField("region", "MISO");
        row.write(g, he, start);
        g.writeEndObject();
      }
    };
  }

  /** {@code demand/actual}: 24 hourly rows, each the mean of the hour's five-minute loads to one decimal. */
  private static Rows demand(LocalDate day) {
    return hourly(day, (g, he, start) -> {
      g.writeNullField("localResourceZone");
      g.writeFieldName("load");
      g.writeNumber(Formats.oneDecimal(Formats.meanTenths(PublicApi.hourlyLoadSum(day, he), Formats.INTERVALS_PER_HOUR)));
    });
  }

  /** {@code generation/fuel-type}: 24 hourly rows of the hour's mean generation by fuel to one decimal, and their sum. */
  private static Rows fuel(LocalDate day) {
    return hourly(day, (g, he, start) -> {
      long[] sums = new long[GridShape.CATEGORIES.size()];
      for (int i = 0; i < Formats.INTERVALS_PER_HOUR; i++) {
        long[] mw = GridShape.fuel(start.plusSeconds(300L * i));
        for (int c = 0; c < sums.length; c++) {
          sums[c] += mw[c];
        }
      }
      g.writeObjectFieldStart("fuelTypes");
      long total = 0;
      for (int c : GridShape.EXCHANGE_ORDER) {
        long tenths = Formats.meanTenths(sums[c], Formats.INTERVALS_PER_HOUR);
        total += tenths;
        g.writeFieldName(GridShape.EXCHANGE_NAMES.get(c));
        g.writeNumber(Formats.oneDecimal(tenths));
      }
      g.writeEndObject();
      g.writeFieldName("totalMw");
      g.writeNumber(Formats.oneDecimal(total));
      g.writeStringField("interval", Integer.toString(he));
    });
  }

  /** One page: rows {@code [(pageNumber − 1) · pageSize, pageNumber · pageSize)} and the {@code page} object. */
  static void page(JsonGenerator g, Rows rows, long pageNumber, int pageSize) throws IOException {
    long total = rows.total();
    long totalPages = (total + pageSize - 1) / pageSize;
    long from = (pageNumber - 1) * pageSize;
    long to = Math.min(total, from + pageSize);
    g.writeStartObject();
    g.writeArrayFieldStart("data");
    for (long i = from; i < to; i++) {
      rows.write(g, i);
    }
    g.writeEndArray();
    g.writeObjectFieldStart("page");
    g.writeNumberField("pageNumber", pageNumber);
    g.writeNumberField("pageSize", pageSize);
    g.writeNumberField("totalElements", total);
    g.writeNumberField("totalPages", totalPages);
    g.writeBooleanField("lastPage", pageNumber >= totalPages);
    g.writeEndObject();
    g.writeEndObject();
  }
}
