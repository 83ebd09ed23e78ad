package io.carbon254.ingest.core.pipeline;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.sink.QualityResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The data-quality assertions run by {@code load} before Silver is touched. {@code error} checks
 * gate the load (exit 4); {@code warn} checks are recorded in quality_results only.
 */
public final class QualityGate {
  public static final String ERROR = "error";
  public static final String WARN = "warn";
  static final double PRICE_MIN = -5_000;
  static final double PRICE_MAX = 20_000;
  static final double COMPONENT_TOLERANCE = 0.011;

  private QualityGate() {}

  public static List<QualityResult> check(IntervalKey key, List<CanonicalRecord> rows, String runId, Instant now) {
    List<QualityResult> out = new ArrayList<>();
    out.add(result("row_count", ERROR, !rows.isEmpty(), rows.size(), 1, rows.isEmpty() ? "no rows for the interval" : "", runId, now));

    Set<String> keys = new HashSet<>();
    String firstDup = null;
    int dups = 0;
    for (CanonicalRecord r : rows) {
      if (!keys.add(r.naturalKey())) {
        dups++;
        if (firstDup == null) {
          firstDup = r.naturalKey();
        }
      }
    }
    out.add(result("unique_natural_key", ERROR, dups == 0, dups, 0, dups == 0 ? "" : "first duplicate: " + firstDup, runId, now));

    int outside = 0;
    int offGrid = 0;
    String example = "";
    Map<String, Set<Instant>> series = new HashMap<>();
    Map<String, Duration> seriesLength = new HashMap<>();
    int mixedLength = 0;
    for (CanonicalRecord r : rows) {
      Duration len = Duration.between(r.intervalStart(), r.intervalEnd());
      if (!key.window().contains(r.intervalStart()) || len.isNegative() || len.isZero()) {
        outside++;
        example = r.naturalKey();
      } else if (r.intervalStart().getEpochSecond() % len.getSeconds() != 0) {
        offGrid++;
        example = r.naturalKey();
      }
      String s = seriesOf(r);
      series.computeIfAbsent(s, x -> new HashSet<>()).add(r.intervalStart());
      Duration prev = seriesLength.putIfAbsent(s, len);
      if (prev != null && !prev.equals(len)) {
        mixedLength++;
      }
    }
    out.add(result("interval_in_window", ERROR, outside == 0, outside, 0, outside == 0 ? "" : "e.g. " + example, runId, now));
    out.add(result("interval_grid", ERROR, offGrid == 0 && mixedLength == 0, offGrid + mixedLength, 0,
        offGrid + mixedLength == 0 ? "" : "off-grid or mixed interval lengths, e.g. " + example, runId, now));

    double worst = 1.0;
    String worstSeries = "";
    for (Map.Entry<String, Set<Instant>> e : series.entrySet()) {
      long expected = Math.max(1, key.window().length().toSeconds() / seriesLength.get(e.getKey()).toSeconds());
      double ratio = Math.min(1.0, e.getValue().size() / (double) expected);
      if (ratio < worst) {
        worst = ratio;
        worstSeries = e.getKey() + " has " + e.getValue().size() + " of " + expected + " intervals";
      }
    }
    out.add(result("completeness", WARN, worst >= 1.0, worst, 1.0, worstSeries, runId, now));

    int badSum = 0;
    int outOfRange = 0;
    String sumExample = "";
    String rangeExample = "";
    for (CanonicalRecord r : rows) {
      switch (r) {
        case PriceRecord p -> {
          if (p.energy() != null && p.congestion() != null && p.loss() != null) {
            double sum = p.energy() + p.congestion() + p.loss() + (p.ghg() == null ? 0 : p.ghg());
            if (Math.abs(sum - p.price()) > COMPONENT_TOLERANCE) {
              badSum++;
              sumExample = p.naturalKey() + " price " + p.price() + " vs components " + sum;
            }
          }
          if (p.price() < PRICE_MIN || p.price() > PRICE_MAX) {
            outOfRange++;
            rangeExample = p.naturalKey() + " = " + p.price();
          }
        }
        case LoadRecord l -> {
          if (l.mw() < 0 || l.mw() > 1_000_000) {
            outOfRange++;
            rangeExample = l.naturalKey() + " = " + l.mw();
          }
        }
        case FuelMixRecord f -> {
          if (Math.abs(f.mw()) > 1_000_000) {
            outOfRange++;
            rangeExample = f.naturalKey() + " = " + f.mw();
          }
        }
      }
    }
    if (!rows.isEmpty() && rows.get(0) instanceof PriceRecord) {
      out.add(result("price_components_sum", ERROR, badSum == 0, badSum, 0, sumExample, runId, now));
    }
    out.add(result("value_range", ERROR, outOfRange == 0, outOfRange, 0, rangeExample, runId, now));
    return out;
  }

  /** The series a row belongs to: its natural key without the interval start. */
  static String seriesOf(CanonicalRecord r) {
    String nk = r.naturalKey();
    return nk.substring(0, nk.lastIndexOf('|'));
  }

  private static QualityResult result(String check, String severity, boolean passed, double observed, double expected,
      String details, String runId, Instant now) {
    return new QualityResult(check, severity, passed, observed, expected, details, runId, now);
  }
}
