package io.carbon254.ingest.connectors.miso.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * The JSON documents of MISO's Public API ({@code public-api.misoenergy.org}): the five-minute
 * ex-post LMPs of today so far and of yesterday, today's real-time total load with the hourly
 * cleared load and the medium-term forecast, and the fuel mix of today, yesterday and the latest
 * interval. Only intervals that have ended by the simulator's "now" appear; every time is EST.
 */
final class PublicApi {
  private PublicApi() {}

  /** The end (exclusive) of the intervals of {@code day} that have ended at {@code now}: the start of the first one that has not. */
  static Instant endedBy(LocalDate day, Instant now) {
    Instant dayEnd = Formats.dayStart(day.plusDays(1));
    Instant last = Formats.lastEndedInterval(now).plus(Formats.FIVE_MINUTES);
    return last.isBefore(dayEnd) ? last : dayEnd;
  }

  /**
   * {@code GetRealTimeFiveMinExPost/Rolling} and {@code /Previous}: {@code headers} and one
   * {@code data} row of strings per interval and node (interval start, node, LMP, MLC, MCC), by
   * interval then node, for the intervals of {@code day} starting before {@code end}.
   */
  static void fiveMinutePrices(JsonGenerator g, List<MisoNode> nodes, LocalDate day, Instant end) throws IOException {
    long[] keys = new long[nodes.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = Hash.key(nodes.get(i).name());
    }
    g.writeStartObject();
    g.writeArrayFieldStart("headers");
    for (String h : new String[] {"INTERVAL", "CPNODE", "LMP", "MLC", "MCC"}) {
      g.writeString(h);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("data");
    for (Instant t = Formats.dayStart(day); t.isBefore(end); t = t.plus(Formats.FIVE_MINUTES)) {
      String interval = Formats.PUBLIC_INTERVAL.format(Formats.wall(t));
      long energy = PriceShape.energy(t, PriceShape.RT_FIVE_MINUTE);
      for (int i = 0; i < keys.length; i++) {
        MisoNode n = nodes.get(i);
        long mcc = PriceShape.congestion(n, keys[i], t, PriceShape.RT_FIVE_MINUTE);
        long mlc = PriceShape.loss(n, keys[i], t, PriceShape.RT_FIVE_MINUTE);
        g.writeStartArray();
        g.writeString(interval);
        g.writeString(n.name());
        g.writeString(Formats.twoDecimals(energy + mcc + mlc));
        g.writeString(Formats.twoDecimals(mlc));
        g.writeString(Formats.twoDecimals(mcc));
        g.writeEndArray();
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * {@code RealTimeTotalLoad}: today's cleared load of every hour that has ended, the forecast of all
   * 24 hours and the load of every five-minute interval that has ended, under a {@code RefId} naming
   * today and the start of the last interval.
   */
  static void totalLoad(JsonGenerator g, LocalDate today, Instant now) throws IOException {
    Instant start = Formats.dayStart(today);
    Instant end = endedBy(today, now);
    g.writeStartObject();
    g.writeObjectFieldStart("LoadInfo");
    g.writeStringField("RefId", Formats.refId(today, lastTime(start, end)));
    g.writeArrayFieldStart("ClearedMW");
    for (int he = 1; he <= Formats.HOURS_PER_DAY && !start.plus(Formats.HOUR.multipliedBy(he)).isAfter(now); he++) {
      g.writeStartObject();
      g.writeObjectFieldStart("ClearedMWHourly");
      g.writeStringField("Hour", Integer.toString(he));
      g.writeStringField("Value", Long.toString(Formats.mean(hourlyLoadSum(today, he), Formats.INTERVALS_PER_HOUR)));
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("MediumTermLoadForecast");
    for (int he = 1; he <= Formats.HOURS_PER_DAY; he++) {
      g.writeStartObject();
      g.writeObjectFieldStart("Forecast");
      g.writeStringField("HourEnding", Integer.toString(he));
      g.writeStringField("LoadForecast", Long.toString(GridShape.forecast(today, he)));
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("FiveMinTotalLoad");
    for (Instant t = start; t.isBefore(end); t = t.plus(Formats.FIVE_MINUTES)) {
      g.writeStartObject();
      g.writeObjectFieldStart("Load");
      g.writeStringField("Time", Formats.HH_MM.format(Formats.wall(t)));
      g.writeStringField("Value", Long.toString(GridShape.load(t)));
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }

  /** The sum of the twelve five-minute loads of hour ending {@code he} of {@code day}. */
  static long hourlyLoadSum(LocalDate day, int he) {
    Instant hourStart = Formats.dayStart(day).plus(Formats.HOUR.multipliedBy(he - 1L));
    long sum = 0;
    for (int i = 0; i < Formats.INTERVALS_PER_HOUR; i++) {
      sum += GridShape.load(hourStart.plusSeconds(300L * i));
    }
    return sum;
  }

  /**
   * {@code FuelMix/Today}, {@code FuelMix/Yesterday} ({@code TotalMW} "0") and {@code FuelMix} (the
   * latest interval only, {@code TotalMW} its sum): the eight categories of every interval in
   * {@code [from, end)}, under a {@code RefId} naming {@code day} and the start of the last interval.
   */
  static void fuelMix(JsonGenerator g, LocalDate day, Instant from, Instant end, boolean latest) throws IOException {
    long total = 0;
    if (latest) {
      for (long mw : GridShape.fuel(from)) {
        total += mw;
      }
    }
    g.writeStartObject();
    g.writeStringField("RefId", Formats.refId(day, lastTime(Formats.dayStart(day), end)));
    g.writeStringField("TotalMW", Long.toString(total));
    g.writeObjectFieldStart("Fuel");
    g.writeArrayFieldStart("Type");
    for (Instant t = from; t.isBefore(end); t = t.plus(Formats.FIVE_MINUTES)) {
      String interval = Formats.FUEL_INTERVAL.format(Formats.wall(t));
      long[] mw = GridShape.fuel(t);
      for (int c = 0; c < mw.length; c++) {
        String category = GridShape.CATEGORIES.get(c);
        g.writeStartObject();
        g.writeStringField("INTERVALEST", interval);
        g.writeStringField("CATEGORY", category);
        g.writeStringField("ACT", Long.toString(mw[c]));
        g.writeStringField("FUEL_CATEGORY", category + "  (" + String.format(Locale.US, "%,d", mw[c]) + " MW)");
        g.writeEndObject();
      }
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }

  /** HH:mm of the last interval starting in {@code [dayStart, end)}; 00:00 when there is none yet. */
  private static String lastTime(Instant dayStart, Instant end) {
    Instant last = end.minus(Formats.FIVE_MINUTES);
    return Formats.HH_MM.format(Formats.wall(last.isBefore(dayStart) ? dayStart : last));
  }
}
