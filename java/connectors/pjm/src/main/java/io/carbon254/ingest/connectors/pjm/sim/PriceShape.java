package io.carbon254.ingest.connectors.pjm.sim;

import java.time.Instant;
import java.time.ZoneId;

/** Deterministic LMP components per node and interval: system energy, congestion, marginal loss. */
final class PriceShape {
  private static final ZoneId EPT = ZoneId.of("America/New_York");

  private PriceShape() {}

  static double[] components(String run, int node, Instant t) {
    int hour = t.atZone(EPT).getHour();
    long s = t.getEpochSecond() / 300;
    double energy = 28 + 14 * Math.sin((hour - 7) / 24.0 * 2 * Math.PI) + (run.equals("rt") ? ((s * 7919) % 11) * 0.3 : 0);
    double congestion = ((node * 31L + hour * 17L) % 23 - 11) * 0.11;
    double loss = ((node * 13L + hour) % 9 - 4) * 0.07;
    return new double[] {energy, congestion, loss};
  }
}
