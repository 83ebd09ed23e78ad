package io.carbon254.ingest.connectors.caiso.sim;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Plausible CAISO prices: a duck-curve system energy price (solar trough at midday, evening
 * ramp peak), zonal congestion, node losses, a small GHG adder in some hours, real-time noise and
 * rare spikes. Components are rounded to 5 decimals and the LMP is their sum, as OASIS publishes.
 */
final class PriceModel {
  static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
  static final List<String> HUBS = List.of("TH_NP15_GEN-APND", "TH_SP15_GEN-APND", "TH_ZP26_GEN-APND");
  static final List<String> DLAPS = List.of("DLAP_PGAE-APND", "DLAP_SCE-APND", "DLAP_SDGE-APND", "DLAP_VEA-APND");
  private static final String[] STEMS = {"ALAMO", "BELDEN", "CAPTJACK", "DIABLO", "ELDORADO", "FULTON", "GATES",
    "HUMBOLDT", "IVANPAH", "JEFFERSN", "KEARNY", "LODI", "MOSSLND", "NEWARK", "OTAY", "PITSBURG", "QUINTO",
    "RAVENSWD", "SYLMAR", "TESLA", "VACADIX", "WARNERV", "YUCCA", "ZAMORA"};

  record Components(double lmp, double energy, double congestion, double loss, double ghg) {}

  private PriceModel() {}

  /** Hubs, DLAPs, then {@code count} generated nodes with CAISO-style names. */
  static List<String> nodes(int count) {
    List<String> out = new ArrayList<>(HUBS);
    out.addAll(DLAPS);
    for (int i = 0; i < count; i++) {
      String stem = STEMS[i % STEMS.length];
      int kv = 1 + (int) (SimRandom.uniform(i, 7) * 7);
      out.add(String.format("%s_%d_N%03d", stem, kv, i / STEMS.length + 1));
    }
    return out;
  }

  static Components price(String market, int nodeIndex, Instant start) {
    ZonedDateTime local = start.atZone(PACIFIC);
    double h = local.getHour() + local.getMinute() / 60.0;
    long day = local.toLocalDate().toEpochDay();
    double dayLevel = 38 + 8 * SimRandom.normal(day, 11);
    double energy = dayLevel + 32 * Math.exp(-Math.pow(h - 19, 2) / 3.5) - 24 * Math.exp(-Math.pow(h - 12.5, 2) / 7)
        + 6 * Math.exp(-Math.pow(h - 7.5, 2) / 2);
    long minute = start.getEpochSecond() / 60;
    long mkt = market.hashCode();
    if (!market.equals("DAM")) {
      energy += 4 * SimRandom.normal(minute, mkt, 1);
      if (SimRandom.uniform(minute / 5, mkt, 2) > 0.995) {
        energy += 150 + 400 * SimRandom.uniform(minute, mkt, 3);
      }
    }
    double zone = nodeIndex < 3 ? (nodeIndex - 1) : ((nodeIndex % 5) - 2) / 2.0;
    double congestion = zone * (3 + 5 * Math.max(0, Math.sin((h - 8) / 24 * 2 * Math.PI))) * (1 + 0.3 * SimRandom.normal(day, nodeIndex, 4));
    double loss = energy * 0.02 * (SimRandom.uniform(nodeIndex, 5) - 0.4);
    double ghg = h >= 17 && h < 22 && nodeIndex % 4 == 0 ? 1.5 + SimRandom.uniform(day, nodeIndex, 6) : 0.0;
    double e = round(energy);
    double c = round(congestion);
    double l = round(loss);
    double g = round(ghg);
    return new Components(round(e + c + l + g), e, c, l, g);
  }

  static double round(double v) {
    return Math.round(v * 100000.0) / 100000.0;
  }
}
