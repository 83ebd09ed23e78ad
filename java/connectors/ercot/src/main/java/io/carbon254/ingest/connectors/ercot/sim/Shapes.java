package io.carbon254.ingest.connectors.ercot.sim;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * Deterministic prices, loads and generation: daily shapes on Central prevailing time with noise
 * from a seeded hash, so the same inputs give the same value in every run and JVM.
 */
final class Shapes {
  static final int DAM = 0;
  static final int RT15 = 1;
  static final int SCED = 2;

  /** The weather zones of the load reports, in NP6-345-CD column order, with a typical load in MW. */
  static final List<String> WEATHER_ZONES = List.of("COAST", "EAST", "FAR_WEST", "NORTH", "NORTH_C", "SOUTHERN", "SOUTH_C", "WEST");
  private static final double[] ZONE_MW = {11_200, 1_450, 6_100, 1_050, 12_400, 3_150, 6_700, 1_300};

  private Shapes() {}

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long hash(long... keys) {
    long h = 0x2545F4914F6CDD1DL;
    for (long k : keys) {
      h = mix(h ^ k) + 0x9E3779B97F4A7C15L;
    }
    return mix(h);
  }

  /** Uniform in [0, 1). */
  static double uniform(long... keys) {
    return (hash(keys) >>> 11) * 0x1.0p-53;
  }

  /** Roughly normal(0, 1). */
  static double normal(long a, long b, long c) {
    double s = 0;
    for (int i = 0; i < 4; i++) {
      s += uniform(a, b, c, i);
    }
    return (s - 2.0) * Math.sqrt(3.0);
  }

  /** A stable 64-bit key of a name (FNV-1a). */
  static long key(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  private static double localHour(Instant t) {
    ZonedDateTime z = t.atZone(ErcotSimulator.CPT);
    return z.getHour() + z.getMinute() / 60.0 + z.getSecond() / 3600.0;
  }

  private static long localDay(Instant t) {
    return t.atZone(ErcotSimulator.CPT).toLocalDate().toEpochDay();
  }

  /** 0 at night, a morning shoulder, 1 at the evening peak. */
  private static double dailyPriceShape(double h) {
    return 0.35 * Math.exp(-(h - 8) * (h - 8) / 8) + Math.exp(-(h - 18) * (h - 18) / 10);
  }

  /** What the prices of one interval (or SCED run) share: the local hour, the day, the system price. */
  record PriceClock(double hour, long day, long slot, long hourBucket, int market, double system) {}

  /** The clock of the interval (or SCED run) starting at {@code start} in a market ({@link #DAM}, {@link #RT15}, {@link #SCED}). */
  static PriceClock priceClock(Instant start, int market) {
    double h = localHour(start);
    long day = localDay(start);
    double level = 0.85 + 0.4 * uniform(day, 77);
    double system = 23 + 50 * dailyPriceShape(h) * level;
    long slot = Math.floorDiv(start.getEpochSecond(), market == DAM ? 3600 : market == RT15 ? 900 : 300);
    system += switch (market) {
      case DAM -> 1.5 * normal(slot, day, 11);
      case RT15 -> 3.5 * normal(slot, day, 12) + (uniform(slot, 13) < 0.01 ? 15 + 25 * uniform(slot, 14) : 0);
      default -> 4.0 * normal(slot, start.getEpochSecond(), 15) + (uniform(slot, 16) < 0.01 ? 15 + 30 * uniform(slot, 17) : 0);
    };
    return new PriceClock(h, day, slot, Math.floorDiv(start.getEpochSecond(), 3600), market, system);
  }

  /** The price of a settlement point in cents: $15..$120 with a daily shape, resource nodes now and then negative at night. */
  static long priceCents(SettlementPoint p, PriceClock c) {
    long pk = key(p.name());
    double basis = switch (p.type()) {
      case "HU", "SH", "AH" -> (uniform(pk, c.hourBucket(), 21) - 0.5) * 1.6;
      case "LZ", "LZ_DC" -> (uniform(pk, c.hourBucket(), 22) - 0.5) * 4.0;
      default -> (uniform(pk, c.hourBucket(), 23) - 0.5) * 12.0 + (uniform(pk, 24) - 0.5) * 6.0;
    };
    double price = within15To120(c.system() + basis);
    double h = c.hour();
    if (p.type().equals("RN") && (h < 6 || h >= 23) && uniform(pk, c.day(), (long) h, c.market(), 25) < 0.06) {
      price = -(0.5 + 24 * uniform(pk, c.slot(), 26));
    }
    return Math.round(price * 100);
  }

  /** Squeezes a price into $15..$120 without piling values up on the bounds. */
  static double within15To120(double v) {
    if (v < 18) {
      return 15 + 3 * Math.exp((v - 18) / 3);
    }
    if (v > 110) {
      return 120 - 10 * Math.exp((110 - v) / 10);
    }
    return v;
  }

  /** The energy-weighted twin of a load zone's price: a few cents off. */
  static long energyWeightedCents(SettlementPoint p, Instant start, long cents) {
    return cents + Math.round((uniform(key(p.name()), start.getEpochSecond(), 31) - 0.5) * 60);
  }

  /** The load of a weather zone in the hour starting at {@code start}, in MW. */
  static double zoneLoad(int zone, Instant start) {
    double h = localHour(start);
    LocalDate d = start.atZone(ErcotSimulator.CPT).toLocalDate();
    double season = 1 + 0.22 * Math.cos((d.getDayOfYear() - 205) / 365.25 * 2 * Math.PI);
    double daily = 0.80 + 0.20 * Math.sin((h - 11) / 24 * 2 * Math.PI);
    if (WEATHER_ZONES.get(zone).equals("FAR_WEST")) {
      daily = 0.95 + 0.05 * daily;
      season = 1;
    }
    double weather = 1 + 0.05 * (uniform(d.toEpochDay(), zone, 41) - 0.5);
    return ZONE_MW[zone] * season * daily * weather;
  }

  /** The actual (metered) load: the shape with a little hourly noise. */
  static double actualLoad(int zone, Instant start) {
    return zoneLoad(zone, start) * (1 + 0.008 * normal(start.getEpochSecond(), zone, 42));
  }

  /** The forecast made at {@code posted} for the hour starting at {@code start}: the error grows with the horizon. */
  static double forecastLoad(int zone, Instant start, Instant posted) {
    double horizon = Math.max(0, (start.getEpochSecond() - posted.getEpochSecond()) / 3600.0);
    double err = (0.004 + 0.035 * Math.min(1, horizon / 168)) * normal(start.getEpochSecond(), posted.getEpochSecond() / 3600, zone);
    return zoneLoad(zone, start) * (1 + err);
  }

  /** The system load in MW at an instant (the sum of the zones). */
  static double systemLoad(Instant t) {
    double s = 0;
    for (int z = 0; z < WEATHER_ZONES.size(); z++) {
      s += zoneLoad(z, t);
    }
    return s;
  }
}
