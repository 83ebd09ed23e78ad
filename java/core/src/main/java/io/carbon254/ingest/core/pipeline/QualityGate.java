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
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /** The checks over a list of rows (tests, small inputs); the stages feed a {@link Checks} row by row. */
  public static List<QualityResult> check(IntervalKey key, List<CanonicalRecord> rows, String runId, Instant now) {
    Checks c = start(key);
    for (CanonicalRecord r : rows) {
      c.add(r);
    }
    return c.results(runId, now);
  }

  /** Starts the checks of one interval key: feed every row with {@link Checks#add}, then read {@link Checks#results}. */
  public static Checks start(IntervalKey key) {
    return new Checks(key);
  }

  /** One series' intervals: a bit per grid slot of the window, a set for starts off that grid. */
  private static final class Series {
    final String text;
    final Duration length;
    final long lengthNanos;
    final BitSet grid = new BitSet();
    LongSet extra;

    Series(String text, Duration length) {
      this.text = text;
      this.length = length;
      this.lengthNanos = length.toNanos();
    }

    /** Adds a start; false if the series had it already (a duplicate natural key). */
    boolean add(long windowStart, long start) {
      long off = start - windowStart;
      if (lengthNanos > 0 && off >= 0 && off % lengthNanos == 0 && off / lengthNanos < (1 << 24)) {
        int i = (int) (off / lengthNanos);
        if (grid.get(i)) {
          return false;
        }
        grid.set(i);
        return true;
      }
      if (extra == null) {
        extra = new LongSet();
      }
      return extra.add(start, 0) < 0;
    }

    int intervals() {
      return grid.cardinality() + (extra == null ? 0 : extra.size());
    }
  }

  /**
   * The checks computed incrementally: counts, a compact index of (series, interval start) per row
   * for the unique natural key and completeness (one bit per grid interval of a series, exact),
   * and the first/last examples the messages name. Memory grows with the series, not the rows.
   */
  public static final class Checks {
    private final IntervalKey key;
    private final long windowStart;
    private final Map<List<Object>, Series> series = new LinkedHashMap<>();
    private long rows;
    private String firstDup;
    private int dups;
    private int outside;
    private int offGrid;
    private String example = "";
    private int mixedLength;
    private boolean prices;
    private int badSum;
    private int outOfRange;
    private String sumExample = "";
    private String rangeExample = "";
    private String lateFirstDup;
    private String lateSumExample;
    private String lateRangeExample;

    private Checks(IntervalKey key) {
      this.key = key;
      this.windowStart = SeriesKey.instant(key.window().start());
    }

    public long rows() {
      return rows;
    }

    /**
     * Adds a row counted after every row given to {@link #add}: the results are those of the rows of
     * {@code add} followed by those of {@code addLater} (normalize streams the rows outside the
     * window in between, and the gate reads them as coming last).
     */
    public void addLater(CanonicalRecord r) {
      String dup = firstDup;
      String sum = sumExample;
      String range = rangeExample;
      add(r);
      if (dup == null && firstDup != null) {
        if (lateFirstDup == null) {
          lateFirstDup = firstDup;
        }
        firstDup = null;
      }
      if (!sumExample.equals(sum)) {
        lateSumExample = sumExample;
        sumExample = sum;
      }
      if (!rangeExample.equals(range)) {
        lateRangeExample = rangeExample;
        rangeExample = range;
      }
    }

    public void add(CanonicalRecord r) {
      if (rows++ == 0) {
        prices = r instanceof PriceRecord;
      }
      Duration len = Duration.between(r.intervalStart(), r.intervalEnd());
      List<Object> sk = SeriesKey.of(r);
      Series s = series.get(sk);
      if (s == null) {
        s = new Series(SeriesKey.text(sk), len);
        series.put(sk, s);
      } else if (!s.length.equals(len)) {
        mixedLength++;
      }
      if (!s.add(windowStart, SeriesKey.instant(r.intervalStart()))) {
        dups++;
        if (firstDup == null) {
          firstDup = r.naturalKey();
        }
      }
      if (!key.window().contains(r.intervalStart()) || len.isNegative() || len.isZero()) {
        outside++;
        example = r.naturalKey();
      } else if (r.intervalStart().getEpochSecond() % len.getSeconds() != 0) {
        offGrid++;
        example = r.naturalKey();
      }
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

    public List<QualityResult> results(String runId, Instant now) {
      List<QualityResult> out = new ArrayList<>();
      boolean empty = rows == 0;
      out.add(result("row_count", ERROR, !empty, rows, 1, empty ? "no rows for the interval" : "", runId, now));
      String dup = firstDup != null ? firstDup : lateFirstDup;
      String sumEx = lateSumExample != null ? lateSumExample : sumExample;
      String rangeEx = lateRangeExample != null ? lateRangeExample : rangeExample;
      out.add(result("unique_natural_key", ERROR, dups == 0, dups, 0, dups == 0 ? "" : "first duplicate: " + dup, runId, now));
      out.add(result("interval_in_window", ERROR, outside == 0, outside, 0, outside == 0 ? "" : "e.g. " + example, runId, now));
      out.add(result("interval_grid", ERROR, offGrid == 0 && mixedLength == 0, offGrid + mixedLength, 0,
          offGrid + mixedLength == 0 ? "" : "off-grid or mixed interval lengths, e.g. " + example, runId, now));
      // Iterated as a HashMap of the series texts filled in first-seen order, as the checks always were.
      Map<String, Series> byText = new HashMap<>();
      for (Series s : series.values()) {
        byText.putIfAbsent(s.text, s);
      }
      double worst = 1.0;
      String worstSeries = "";
      for (Map.Entry<String, Series> e : byText.entrySet()) {
        long expected = Math.max(1, key.window().length().toSeconds() / e.getValue().length.toSeconds());
        int have = e.getValue().intervals();
        double ratio = Math.min(1.0, have / (double) expected);
        if (ratio < worst) {
          worst = ratio;
          worstSeries = e.getKey() + " has " + have + " of " + expected + " intervals";
        }
      }
      out.add(result("completeness", WARN, worst >= 1.0, worst, 1.0, worstSeries, runId, now));
      if (prices) {
        out.add(result("price_components_sum", ERROR, badSum == 0, badSum, 0, sumEx, runId, now));
      }
      out.add(result("value_range", ERROR, outOfRange == 0, outOfRange, 0, rangeEx, runId, now));
      return out;
    }
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
