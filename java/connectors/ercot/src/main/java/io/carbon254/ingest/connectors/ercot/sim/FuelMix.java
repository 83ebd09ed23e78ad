package io.carbon254.ingest.connectors.ercot.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The fuel-mix dashboard ({@code /api/1/services/read/dashboards/fuel-mix.json}): yesterday whole
 * and today up to now, one entry per five-minute mark stamped 1 to 4 s before the mark with its
 * real offset, once a day one mark split over two stamps 2 s apart (Solar alone on the earlier).
 */
final class FuelMix {
  static final List<String> FUELS = List.of("Coal and Lignite", "Hydro", "Nuclear", "Power Storage", "Solar", "Wind", "Natural Gas",
      "Other");
  private static final int COAL = 0;
  private static final int HYDRO = 1;
  private static final int NUCLEAR = 2;
  private static final int STORAGE = 3;
  private static final int SOLAR = 4;
  private static final int WIND = 5;
  private static final int GAS = 6;
  private static final int OTHER = 7;
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssZ").withZone(ErcotSimulator.CPT);
  private static final JsonFactory JSON = new JsonFactory();

  private FuelMix() {}

  /** The installed capacity of each fuel in a month, in MW. */
  static int[] monthlyCapacity(YearMonth m) {
    int months = (m.getYear() - 2024) * 12 + m.getMonthValue() - 1;
    return new int[] {13_568, 574, 5_153, Math.max(1_000, 9_800 + 450 * months), Math.max(2_000, 24_500 + 600 * months),
      Math.max(20_000, 39_200 + 150 * months), 61_200, 1_180};
  }

  /** The stamp of a five-minute mark: 1 to 4 s before it (seconds 56..59). */
  static Instant stamp(long markSecond) {
    return Instant.ofEpochSecond(markSecond - 1 - Math.floorMod(Shapes.hash(markSecond, 0xF0E1), 4));
  }

  static byte[] json(Instant now) {
    LocalDate today = now.minusNanos(1).atZone(ErcotSimulator.CPT).toLocalDate();
    LocalDate yesterday = today.minusDays(1);
    int[] capacity = monthlyCapacity(YearMonth.from(today));
    ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 17);
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      Instant latest = latestStamp(yesterday, today, now);
      g.writeStringField("lastUpdated", STAMP.format(lastUpdated(latest, now)));
      g.writeObjectFieldStart("monthlyCapacity");
      for (int f = 0; f < FUELS.size(); f++) {
        g.writeNumberField(FUELS.get(f), capacity[f]);
      }
      g.writeEndObject();
      g.writeObjectFieldStart("data");
      for (LocalDate day : List.of(yesterday, today)) {
        g.writeObjectFieldStart(day.toString());
        long from = day.atStartOfDay(ErcotSimulator.CPT).toEpochSecond();
        long to = day.plusDays(1).atStartOfDay(ErcotSimulator.CPT).toEpochSecond();
        int marks = (int) ((to - from) / 300);
        int split = Math.floorMod(Shapes.hash(day.toEpochDay(), 0x5B17), marks);
        for (int i = 0; i < marks; i++) {
          long mark = from + 300L * (i + 1);
          Instant stamp = stamp(mark);
          if (!stamp.isBefore(now)) {
            break;
          }
          double[] gen = generation(Instant.ofEpochSecond(mark));
          if (i == split) {
            Instant early = stamp.minusSeconds(2);
            g.writeObjectFieldStart(STAMP.format(early));
            fuel(g, SOLAR, gen, capacity);
            g.writeEndObject();
            g.writeObjectFieldStart(STAMP.format(stamp));
            for (int f = 0; f < FUELS.size(); f++) {
              if (f != SOLAR) {
                fuel(g, f, gen, capacity);
              }
            }
            g.writeEndObject();
          } else {
            g.writeObjectFieldStart(STAMP.format(stamp));
            for (int f = 0; f < FUELS.size(); f++) {
              fuel(g, f, gen, capacity);
            }
            g.writeEndObject();
          }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static Instant latestStamp(LocalDate yesterday, LocalDate today, Instant now) {
    Instant latest = null;
    for (LocalDate day : List.of(yesterday, today)) {
      long from = day.atStartOfDay(ErcotSimulator.CPT).toEpochSecond();
      long to = day.plusDays(1).atStartOfDay(ErcotSimulator.CPT).toEpochSecond();
      for (long mark = from + 300; mark <= to; mark += 300) {
        Instant s = stamp(mark);
        if (s.isBefore(now)) {
          latest = s;
        }
      }
    }
    return latest;
  }

  /** A few seconds after the latest stamp, never at or after now. */
  private static Instant lastUpdated(Instant latest, Instant now) {
    Instant t = latest.plusSeconds(8);
    Instant cap = now.minusSeconds(1);
    if (t.isAfter(cap)) {
      t = cap.isAfter(latest) ? cap : latest;
    }
    return Instant.ofEpochSecond(t.getEpochSecond());
  }

  private static void fuel(JsonGenerator g, int f, double[] gen, int[] capacity) throws IOException {
    g.writeObjectFieldStart(FUELS.get(f));
    g.writeNumberField("gen", round2(gen[f]));
    g.writeNumberField("hsl", round2(headroom(f, gen[f], capacity[f])));
    g.writeNumberField("seasonalCapacity", (double) capacity[f]);
    g.writeEndObject();
  }

  private static double headroom(int f, double gen, int capacity) {
    return switch (f) {
      case STORAGE -> capacity * 0.62;
      case SOLAR, WIND -> gen * 1.06;
      case NUCLEAR -> 5_020;
      default -> Math.min(capacity, gen * 1.12 + 150);
    };
  }

  /** The generation of each fuel at an instant, in MW (Power Storage negative while charging). */
  static double[] generation(Instant t) {
    ZonedDateTime z = t.atZone(ErcotSimulator.CPT);
    double h = z.getHour() + z.getMinute() / 60.0;
    long day = z.toLocalDate().toEpochDay();
    long s = t.getEpochSecond();
    int[] cap = monthlyCapacity(YearMonth.from(z));
    double[] g = new double[FUELS.size()];
    g[NUCLEAR] = 4_960 + 40 * (Shapes.uniform(day, 51) - 0.5) + 3 * Shapes.normal(s, 52, 0);
    double sun = h > 7 && h < 19.5 ? Math.sin(Math.PI * (h - 7) / 12.5) : 0;
    g[SOLAR] = cap[SOLAR] * 0.8 * sun * (0.6 + 0.4 * Shapes.uniform(day, 53)) * (1 + 0.02 * Shapes.normal(s, 54, 0));
    g[WIND] = Math.max(400, cap[WIND] * (0.12 + 0.45 * Shapes.uniform(day, 55) + 0.12 * Math.cos((h - 2) / 24 * 2 * Math.PI))
        * (1 + 0.015 * Shapes.normal(s, 56, 0)));
    g[HYDRO] = 150 + 150 * Shapes.uniform(day, 57) + 5 * Shapes.normal(s, 58, 0);
    g[OTHER] = 70 + 50 * Shapes.uniform(day, 59) + 2 * Shapes.normal(s, 60, 0);
    if (h >= 9 && h < 15) {
      g[STORAGE] = -(800 + 1_200 * Shapes.uniform(day, 61)) * (1 + 0.05 * Shapes.normal(s, 62, 0));
    } else if (h >= 17 && h < 22) {
      g[STORAGE] = (1_500 + 2_500 * Shapes.uniform(day, 63)) * Math.sin(Math.PI * (h - 17) / 5) + 50;
    } else {
      g[STORAGE] = 300 * (Shapes.uniform(s, 64) - 0.5);
    }
    g[COAL] = Math.max(4_000, Math.min(12_500, 6_500 + 3_000 * Math.sin((h - 10) / 24 * 2 * Math.PI) + 400 * Shapes.normal(day, 65, 0)));
    double rest = 0;
    for (int f = 0; f < g.length; f++) {
      if (f != GAS) {
        rest += g[f];
      }
    }
    g[GAS] = Math.max(2_500, Shapes.systemLoad(t) - rest);
    return g;
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
