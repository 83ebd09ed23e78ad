package io.carbon254.ingest.connectors.miso.sim;

import java.time.Instant;
import java.time.LocalDateTime;

/**
 * Deterministic LMP components in cents, from the node, the interval start and the market: a system
 * energy price with a daily shape on EST (the same for every node of an interval), and per-node
 * congestion and loss components within −$15..+$15. LMP = energy + congestion + loss exactly. The
 * day-ahead ex-ante and ex-post runs differ; the real-time hourly prices are the means of the
 * five-minute ones, and the final hourly prices move the preliminary congestion by a few cents on
 * many node-hours (on every hub-hour), so a revision shows.
 */
final class PriceShape {
  static final int DA_EXPOST = 0;
  static final int DA_EXANTE = 1;
  static final int RT_FIVE_MINUTE = 2;
  private static final long COMPONENT_LIMIT = 1_500;

  private PriceShape() {}

  /** The energy component of the interval starting at {@code start}, the same for every node. */
  static long energy(Instant start, int market) {
    LocalDateTime w = Formats.wall(start);
    double h = w.getHour() + w.getMinute() / 60.0;
    long day = w.toLocalDate().toEpochDay();
    long hourSlot = Math.floorDiv(start.getEpochSecond(), 3600);
    double level = 0.85 + 0.4 * Hash.uniform(day, 71, 0);
    double shape = 0.35 * Math.exp(-(h - 8) * (h - 8) / 8) + Math.exp(-(h - 18) * (h - 18) / 10);
    double v = 20 + 34 * shape * level + 1.5 * Hash.normal(hourSlot, day, 72);
    if (market == RT_FIVE_MINUTE) {
      long slot = Math.floorDiv(start.getEpochSecond(), 300);
      v += 3.0 * Hash.normal(slot, 73, 0);
      if (Hash.uniform(slot, 74, 0) < 0.01) {
        v += 20 + 40 * Hash.uniform(slot, 75, 0);
      }
    } else {
      v += 0.8 * Hash.normal(hourSlot, 76, market);
    }
    return Math.round(v * 100);
  }

  private static double scale(MisoNode n) {
    return switch (n.type()) {
      case MisoNode.HUB -> 1.5;
      case MisoNode.LOADZONE -> 3.0;
      case MisoNode.INTERFACE -> 5.0;
      default -> 6.0;
    };
  }

  /** The congestion component (MCC) of a node in the interval starting at {@code start}. */
  static long congestion(MisoNode n, long nodeKey, Instant start, int market) {
    double scale = scale(n);
    long hourSlot = Math.floorDiv(start.getEpochSecond(), 3600);
    double v = 0.6 * scale * Hash.signed(nodeKey, 81, 0) + 0.5 * scale * Hash.signed(nodeKey, hourSlot, 82 + market);
    if (market == RT_FIVE_MINUTE) {
      v += 0.4 * Hash.signed(nodeKey, Math.floorDiv(start.getEpochSecond(), 300), 85);
    }
    return clamp(Math.round(v * 100));
  }

  /** The loss component (MLC) of a node in the interval starting at {@code start}. */
  static long loss(MisoNode n, long nodeKey, Instant start, int market) {
    long hourSlot = Math.floorDiv(start.getEpochSecond(), 3600);
    double v = (n.type().equals(MisoNode.HUB) ? 0.8 : 2.2) * Hash.signed(nodeKey, 91, 0)
        + 0.5 * Hash.signed(nodeKey, hourSlot, 92 + market);
    if (market == RT_FIVE_MINUTE) {
      v += 0.1 * Hash.signed(nodeKey, Math.floorDiv(start.getEpochSecond(), 300), 95);
    }
    return clamp(Math.round(v * 100));
  }

  /** The hourly {@code {energy, congestion, loss}} of a day-ahead run for the hour starting at {@code start}. */
  static long[] dayAhead(MisoNode n, long nodeKey, Instant start, int market, long energy) {
    return new long[] {energy, congestion(n, nodeKey, start, market), loss(n, nodeKey, start, market)};
  }

  /** The preliminary real-time hourly {@code {energy, congestion, loss}}: each the mean of its twelve five-minute values. */
  static long[] realTimeHourly(MisoNode n, long nodeKey, Instant hourStart, long[] fiveMinuteEnergy) {
    long e = 0;
    long c = 0;
    long l = 0;
    for (int i = 0; i < Formats.INTERVALS_PER_HOUR; i++) {
      Instant t = hourStart.plusSeconds(300L * i);
      e += fiveMinuteEnergy[i];
      c += congestion(n, nodeKey, t, RT_FIVE_MINUTE);
      l += loss(n, nodeKey, t, RT_FIVE_MINUTE);
    }
    return new long[] {meanCents(e), meanCents(c), meanCents(l)};
  }

  /** The twelve five-minute energy components of the hour starting at {@code hourStart} (shared by every node). */
  static long[] fiveMinuteEnergy(Instant hourStart) {
    long[] e = new long[Formats.INTERVALS_PER_HOUR];
    for (int i = 0; i < e.length; i++) {
      e[i] = energy(hourStart.plusSeconds(300L * i), RT_FIVE_MINUTE);
    }
    return e;
  }

  /** How much the final real-time congestion of a node-hour differs from the preliminary one: never zero on a hub, zero on about half the other node-hours. */
  static long finalRevision(MisoNode n, long nodeKey, Instant hourStart) {
    long hourSlot = Math.floorDiv(hourStart.getEpochSecond(), 3600);
    if (!n.type().equals(MisoNode.HUB) && Hash.uniform(nodeKey, hourSlot, 101) >= 0.5) {
      return 0;
    }
    long size = 1 + (long) (40 * Hash.uniform(nodeKey, hourSlot, 102));
    return Hash.uniform(nodeKey, hourSlot, 103) < 0.5 ? -size : size;
  }

  /** The final congestion: the preliminary one revised, kept within the component range. */
  static long revisedCongestion(long preliminary, long revision) {
    long v = preliminary + revision;
    return Math.abs(v) > COMPONENT_LIMIT ? preliminary - revision : v;
  }

  private static long meanCents(long sum) {
    return Formats.mean(sum, Formats.INTERVALS_PER_HOUR);
  }

  private static long clamp(long cents) {
    return Math.max(-COMPONENT_LIMIT, Math.min(COMPONENT_LIMIT, cents));
  }
}
