package io.carbon254.ingest.connectors.pjm.sim;

import java.time.Instant;
import java.time.ZoneId;

/** Deterministic load and generation shapes: a daily curve on Eastern time, scaled per area or fuel. */
final class LoadShape {
  private static final ZoneId EPT = ZoneId.of("America/New_York");

  private LoadShape() {}

  private static double daily(Instant t) {
    int minute = t.atZone(EPT).getHour() * 60 + t.atZone(EPT).getMinute();
    return 0.75 + 0.25 * Math.sin((minute - 9 * 60) / 1440.0 * 2 * Math.PI);
  }

  static double mw(String area, Instant t) {
    double scale = area.startsWith("RTO") ? 90_000 : 2_000 + Math.floorMod(area.hashCode(), 13) * 900;
    return scale * daily(t);
  }

  static double fuel(String fuel, Instant t) {
    double base = 500 + Math.floorMod(fuel.hashCode(), 23) * 1_200;
    if (fuel.equals("Solar")) {
      int h = t.atZone(EPT).getHour();
      return h < 6 || h > 19 ? 0 : base * Math.sin((h - 6) / 14.0 * Math.PI);
    }
    return base * daily(t);
  }
}
