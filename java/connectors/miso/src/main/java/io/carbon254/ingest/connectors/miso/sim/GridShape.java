package io.carbon254.ingest.connectors.miso.sim;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Deterministic system load and generation by fuel, per five-minute interval, in whole MW: a
 * seasonal and daily shape on EST with a little interval noise. Natural gas fills what the other
 * fuels leave of the load; battery storage charges (negative) around midday and discharges in the
 * evening. The hourly figures of the Data Exchange are the means of these five-minute values.
 */
final class GridShape {
  /** The fuel-mix categories of the Public API, in the order it lists them. */
  static final List<String> CATEGORIES = List.of("Battery Storage", "Coal", "Hydro", "Natural Gas", "Nuclear", "Other", "Solar",
      "Wind");
  /** The Data Exchange's name of each category, same order. */
  static final List<String> EXCHANGE_NAMES = List.of("storage", "coal", "water", "gas", "nuclear", "other", "solar", "wind");
  /** The Data Exchange's order of its {@code fuelTypes} fields, as indexes into {@link #CATEGORIES}. */
  static final int[] EXCHANGE_ORDER = {1, 3, 4, 2, 7, 6, 5, 0};
  static final int BATTERY = 0;
  static final int COAL = 1;
  static final int HYDRO = 2;
  static final int GAS = 3;
  static final int NUCLEAR = 4;
  static final int OTHER = 5;
  static final int SOLAR = 6;
  static final int WIND = 7;

  private GridShape() {}

  private static double hour(LocalDateTime w) {
    return w.getHour() + w.getMinute() / 60.0;
  }

  /** The system load of the five-minute interval starting at {@code start}. */
  static long load(Instant start) {
    LocalDateTime w = Formats.wall(start);
    LocalDate d = w.toLocalDate();
    double h = hour(w);
    double season = 1 + 0.15 * Math.cos((d.getDayOfYear() - 200) / 365.25 * 2 * Math.PI);
    double daily = 0.84 + 0.16 * Math.sin((h - 10.5) / 24 * 2 * Math.PI);
    double weather = 1 + 0.04 * Hash.signed(d.toEpochDay(), 51, 0);
    return Math.round(80_000 * season * daily * weather + 180 * Hash.normal(start.getEpochSecond() / 300, 52, 0));
  }

  /** The day-ahead forecast of the mean load in hour ending {@code he} of {@code day}: the actual mean a little off. */
  static long forecast(LocalDate day, int he) {
    Instant hourStart = Formats.dayStart(day).plus(Formats.HOUR.multipliedBy(he - 1L));
    long sum = 0;
    for (int i = 0; i < Formats.INTERVALS_PER_HOUR; i++) {
      sum += load(hourStart.plusSeconds(300L * i));
    }
    return Math.round(sum / (double) Formats.INTERVALS_PER_HOUR * (1 + 0.015 * Hash.normal(day.toEpochDay(), he, 53)));
  }

  /** The generation by fuel of the interval starting at {@code start}, in {@link #CATEGORIES} order. */
  static long[] fuel(Instant start) {
    LocalDateTime w = Formats.wall(start);
    long day = w.toLocalDate().toEpochDay();
    long slot = start.getEpochSecond() / 300;
    double h = hour(w);
    long[] mw = new long[CATEGORIES.size()];
    mw[NUCLEAR] = Math.round(11_400 + 300 * Hash.signed(day, 61, 0) + 20 * Hash.normal(slot, 61, 1));
    mw[COAL] = Math.round(0.24 * load(start) * (0.9 + 0.2 * Hash.uniform(day, 62, 0)) + 60 * Hash.normal(slot, 62, 1));
    mw[HYDRO] = Math.round(1_150 + 150 * Math.sin(h / 24 * 2 * Math.PI) + 15 * Hash.normal(slot, 63, 1));
    double windLevel = 0.15 + 0.75 * Hash.uniform(day, 64, 0);
    mw[WIND] = Math.max(0, Math.round(28_000 * windLevel * (0.85 + 0.15 * Math.cos((h - 3) / 24 * 2 * Math.PI))
        + 120 * Hash.normal(slot, 64, 1)));
    mw[SOLAR] = h < 6 || h >= 19.5 ? 0
        : Math.max(0, Math.round(11_000 * (0.55 + 0.45 * Hash.uniform(day, 65, 0)) * Math.sin((h - 6) / 13.5 * Math.PI)
            + 40 * Hash.normal(slot, 65, 1)));
    mw[OTHER] = Math.round(380 + 60 * Hash.uniform(day, 66, 0) + 10 * Hash.normal(slot, 66, 1));
    if (h >= 10 && h < 15) {
      mw[BATTERY] = -Math.round(120 + 280 * Hash.uniform(slot, 67, 0));
    } else if (h >= 17 && h < 21) {
      mw[BATTERY] = Math.round(150 + 450 * Hash.uniform(slot, 67, 1));
    } else {
      mw[BATTERY] = Math.round(40 * Hash.signed(slot, 67, 2));
    }
    long rest = 0;
    for (int i = 0; i < mw.length; i++) {
      rest += i == GAS ? 0 : mw[i];
    }
    mw[GAS] = Math.max(1_500, load(start) - rest);
    return mw;
  }
}
