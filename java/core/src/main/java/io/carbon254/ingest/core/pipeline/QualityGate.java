package io.carbon254.ingest.core.pipeline;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.quality.QualityRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.QualityResult;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The data-quality assertions run by {@code load} before Silver is touched, as the market's rules
 * declare them ({@link QualityRules}): {@code error} checks gate the load (exit 4, the rows go to
 * quarantine); {@code warn} checks are recorded in quality_results only, the rows loaded.
 */
public final class QualityGate {
  public static final String ERROR = QualityRules.ERROR;
  public static final String WARN = QualityRules.WARN;

  private QualityGate() {}

  /**
   * What the checks need besides the rows: the market's timezone (local market days for
   * completeness and the dated rules), the dataset's publication lag and freshness, the number of
   * locations of the previous interval in Silver (asked for only when location_set_shrink runs),
   * and the current instant.
   */
  public record Context(ZoneId zone, Duration lag, Duration freshness, Supplier<OptionalLong> previousLocations) {
    public static final Context DEFAULT = new Context(ZoneOffset.UTC, Duration.ZERO, Duration.ZERO, OptionalLong::empty);
  }

  /** The checks over a list of rows with the built-in rules (tests, small inputs); the stages feed a {@link Checks} row by row. */
  public static List<QualityResult> check(IntervalKey key, List<CanonicalRecord> rows, String runId, Instant now) {
    Checks c = start(key);
    for (CanonicalRecord r : rows) {
      c.add(r);
    }
    return c.results(runId, now);
  }

  /** Starts the built-in checks of one interval key (the rules of the first row's kind). */
  public static Checks start(IntervalKey key) {
    return new Checks(key, null, Context.DEFAULT);
  }

  /** Starts the checks in effect for one interval key: feed every row with {@link Checks#add}, then read {@link Checks#results}. */
  public static Checks start(IntervalKey key, Map<String, QualityRules.Rule> rules, Context context) {
    return new Checks(key, rules, context);
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

    /** Grid intervals held in [from, to) (epoch nanos; whole intervals of the series' length). */
    int intervals(long windowStart, long from, long to) {
      if (lengthNanos <= 0) {
        return 0;
      }
      int a = (int) Math.max(0, ceilDiv(from - windowStart, lengthNanos));
      int b = (int) Math.max(0, Math.floorDiv(to - windowStart, lengthNanos));
      return b <= a ? 0 : grid.get(a, b).cardinality();
    }

    long expected(long from, long to) {
      return lengthNanos <= 0 ? 0 : Math.max(0, (to - from) / lengthNanos);
    }

    private static long ceilDiv(long x, long y) {
      return -Math.floorDiv(-x, y);
    }
  }

  /**
   * A count with the first {@link QualityResult#MAX_INVOLVED} examples it names: those of the rows
   * added first, then those of the rows added later ({@link Checks#addLater}).
   */
  private static final class Tally {
    long count;
    private final List<String> first = new ArrayList<>();
    private final List<String> late = new ArrayList<>();

    void add(boolean later, String example) {
      count++;
      List<String> to = later ? late : first;
      if (to.size() < QualityResult.MAX_INVOLVED) {
        to.add(example);
      }
    }

    List<String> examples() {
      List<String> all = new ArrayList<>(first);
      all.addAll(late);
      return all.size() > QualityResult.MAX_INVOLVED ? all.subList(0, QualityResult.MAX_INVOLVED) : all;
    }
  }

  /**
   * The checks computed incrementally: counts, a compact index of (series, interval start) per row
   * for the unique natural key and completeness (one bit per grid interval of a series, exact),
   * and the first examples the results name. Memory grows with the series, not the rows.
   */
  public static final class Checks {
    private final IntervalKey key;
    private final Context context;
    private Map<String, QualityRules.Rule> rules;
    private final long windowStart;
    private final Map<List<Object>, Series> series = new LinkedHashMap<>();
    private final Set<String> subjects = new HashSet<>();
    private long rows;
    private RecordKind kind;
    private final Tally dups = new Tally();
    private final Tally outside = new Tally();
    private final Tally offGrid = new Tally();
    private final Tally badSum = new Tally();
    private final Tally outOfRange = new Tally();
    private final Tally beyondCap = new Tally();
    private final Map<String, Long> beyondEachCap = new LinkedHashMap<>();
    private long belowFloor;
    private long nullOrZero;
    private Instant newestEnd;
    private boolean later;

    private Checks(IntervalKey key, Map<String, QualityRules.Rule> rules, Context context) {
      this.key = key;
      this.rules = rules;
      this.context = context;
      this.windowStart = SeriesKey.instant(key.window().start());
    }

    public long rows() {
      return rows;
    }

    /** The local market day whose rules apply: that of the interval key's start. */
    public LocalDate day() {
      return LocalDate.ofInstant(key.window().start(), context.zone());
    }

    private QualityRules.Rule rule(String name) {
      return rules.get(name);
    }

    /**
     * Adds a row counted after every row given to {@link #add}: the results are those of the rows of
     * {@code add} followed by those of {@code addLater} (normalize streams the rows outside the
     * window in between, and the gate reads them as coming last).
     */
    public void addLater(CanonicalRecord r) {
      later = true;
      try {
        add(r);
      } finally {
        later = false;
      }
    }

    public void add(CanonicalRecord r) {
      if (rows++ == 0) {
        kind = switch (r) {
          case PriceRecord p -> RecordKind.PRICES;
          case LoadRecord l -> RecordKind.LOAD;
          case FuelMixRecord f -> RecordKind.FUEL_MIX;
        };
        if (rules == null) {
          rules = QualityRules.builtIn(kind);
        }
      }
      Duration len = Duration.between(r.intervalStart(), r.intervalEnd());
      List<Object> sk = SeriesKey.of(r);
      Series s = series.get(sk);
      String mixed = null;
      if (s == null) {
        s = new Series(SeriesKey.text(sk), len);
        series.put(sk, s);
        subjects.add(r.subject());
      } else if (!s.length.equals(len)) {
        mixed = r.naturalKey() + " lasts " + Durations.format(len) + ", its series " + Durations.format(s.length);
      }
      if (!s.add(windowStart, SeriesKey.instant(r.intervalStart()))) {
        dups.add(later, r.naturalKey());
      }
      if (newestEnd == null || r.intervalEnd().isAfter(newestEnd)) {
        newestEnd = r.intervalEnd();
      }
      String why = placement(r, len);
      if (why != null) {
        outside.add(later, r.naturalKey() + why);
      } else {
        String grid = gridProblem(r, len);
        if (grid == null) {
          grid = mixed;
        }
        if (grid != null) {
          offGrid.add(later, grid);
        }
      }
      String sum = sumProblem(r);
      if (sum != null) {
        badSum.add(later, sum);
      }
      String range = rangeProblem(r);
      if (range != null) {
        outOfRange.add(later, range);
      }
      String cap = capProblem(r, true);
      if (cap != null) {
        beyondCap.add(later, cap);
      }
      if (value(r) == 0 || Double.isNaN(value(r))) {
        nullOrZero++;
      }
    }

    private String placement(CanonicalRecord r, Duration len) {
      if (len.isNegative() || len.isZero()) {
        return " ends before it starts";
      }
      return key.window().contains(r.intervalStart()) ? null : " starts outside the window " + key.window();
    }

    private String gridProblem(CanonicalRecord r, Duration len) {
      if (len.isNegative() || len.isZero()) {
        return null;
      }
      if (r.intervalStart().getEpochSecond() % len.getSeconds() != 0 || r.intervalStart().getNano() != 0) {
        return r.naturalKey() + " is off the " + Durations.format(len) + " grid";
      }
      QualityRules.Rule g = rule("interval_grid");
      if (g != null && !g.durations("durations").isEmpty() && !g.durations("durations").contains(len)) {
        return r.naturalKey() + " lasts " + Durations.format(len) + ", not " + g.durations("durations").stream()
            .map(Durations::format).toList();
      }
      return null;
    }

    private String sumProblem(CanonicalRecord r) {
      QualityRules.Rule c = rule("price_components_sum");
      if (c == null || !(r instanceof PriceRecord p) || p.energy() == null || p.congestion() == null || p.loss() == null) {
        return null;
      }
      double sum = p.energy() + p.congestion() + p.loss() + (p.ghg() == null ? 0 : p.ghg());
      return Math.abs(sum - p.price()) > c.number("tolerance") ? p.naturalKey() + " price " + p.price() + " vs components " + sum : null;
    }

    private String rangeProblem(CanonicalRecord r) {
      QualityRules.Rule c = rule("value_range");
      if (c == null) {
        return null;
      }
      double v = value(r);
      return v < c.number("min") || v > c.number("max") ? r.naturalKey() + " = " + v : null;
    }

    /** Beyond the lowest cap in effect (or below the floor); {@code count}: tally each cap it passes. */
    private String capProblem(CanonicalRecord r, boolean count) {
      QualityRules.Rule c = rule("price_bounds");
      if (c == null || !(r instanceof PriceRecord p)) {
        return null;
      }
      String first = null;
      for (Map.Entry<String, Double> cap : c.caps().entrySet()) {
        if (p.price() > cap.getValue()) {
          if (count) {
            beyondEachCap.merge(cap.getKey(), 1L, Long::sum);
          }
          if (first == null) {
            first = p.naturalKey() + " = " + p.price() + " above " + cap.getKey() + " " + cap.getValue();
          }
        }
      }
      if (first == null && c.has("min") && p.price() < c.number("min")) {
        if (count) {
          belowFloor++;
        }
        first = p.naturalKey() + " = " + p.price() + " below the floor " + c.number("min");
      }
      return first;
    }

    private static double value(CanonicalRecord r) {
      return switch (r) {
        case PriceRecord p -> p.price();
        case LoadRecord l -> l.mw();
        case FuelMixRecord f -> f.mw();
      };
    }

    /** The series (as text) whose completeness is below the rule's ratio, with each short day's counts. */
    private Map<String, String> incomplete(double minRatio, double[] worst) {
      Map<String, String> out = new LinkedHashMap<>();
      long winEnd = SeriesKey.instant(key.window().end());
      // pieces of the window: its local market days (the whole window when it lies within one day)
      List<long[]> pieces = new ArrayList<>();
      List<LocalDate> days = new ArrayList<>();
      LocalDate d = LocalDate.ofInstant(key.window().start(), context.zone());
      long from = windowStart;
      while (from < winEnd) {
        long next = SeriesKey.instant(d.plusDays(1).atStartOfDay(context.zone()).toInstant());
        long to = Math.min(next, winEnd);
        pieces.add(new long[] {from, to});
        days.add(d);
        from = to;
        d = d.plusDays(1);
      }
      Map<String, Series> byText = new LinkedHashMap<>();
      for (Series s : series.values()) {
        byText.putIfAbsent(s.text, s);
      }
      worst[0] = 1.0;
      for (Series s : byText.values()) {
        StringBuilder why = new StringBuilder();
        for (int i = 0; i < pieces.size(); i++) {
          long expected = s.expected(pieces.get(i)[0], pieces.get(i)[1]);
          if (expected == 0) {
            continue;
          }
          int have = s.intervals(windowStart, pieces.get(i)[0], pieces.get(i)[1]);
          double ratio = Math.min(1.0, have / (double) expected);
          worst[0] = Math.min(worst[0], ratio);
          if (ratio < minRatio) {
            if (!why.isEmpty()) {
              why.append(", ");
            }
            why.append(have).append(" of ").append(expected).append(" intervals");
            if (pieces.size() > 1 || expected * s.lengthNanos >= Duration.ofHours(23).toNanos()) {
              why.append(" on ").append(days.get(i));
            }
          }
        }
        if (!why.isEmpty()) {
          out.put(s.text, why.toString());
        }
      }
      return out;
    }

    public List<QualityResult> results(String runId, Instant now) {
      if (rules == null) {
        rules = QualityRules.builtIn(RecordKind.PRICES);
      }
      List<QualityResult> out = new ArrayList<>();
      QualityRules.Rule rule;
      if ((rule = rule("row_count")) != null) {
        double min = rule.number("min_rows");
        boolean ok = rows >= min;
        out.add(new QualityResult("row_count", rule.severity(), ok, rows, min, ok ? "" : rows == 0 ? "no rows for the interval"
            : rows + " rows, fewer than " + (long) min, runId, now, "min_rows " + (long) min, List.of(), 0));
      }
      if ((rule = rule("unique_natural_key")) != null) {
        out.add(tallied(rule, dups, "first duplicate: ", "no natural key twice", runId, now));
      }
      if ((rule = rule("interval_in_window")) != null) {
        out.add(tallied(rule, outside, "e.g. ", "inside " + key.window(), runId, now));
      }
      if ((rule = rule("interval_grid")) != null) {
        out.add(tallied(rule, offGrid, "off-grid, mixed or unexpected interval lengths, e.g. ", rule.durations("durations").isEmpty()
            ? "on the grid of the row's length" : "lengths " + rule.durations("durations").stream().map(Durations::format).toList(), runId, now));
      }
      if ((rule = rule("completeness")) != null) {
        double min = rule.number("min_ratio");
        double[] worst = {1.0};
        Map<String, String> short_ = incomplete(min, worst);
        List<String> involved = short_.entrySet().stream().limit(QualityResult.MAX_INVOLVED)
            .map(e -> e.getKey() + ": " + e.getValue()).toList();
        boolean ok = short_.isEmpty() && rows > 0;
        String details = ok ? "" : rows == 0 ? "no rows" : short_.size() + " of " + series.size() + " series short, e.g. "
            + involved.getFirst();
        out.add(new QualityResult("completeness", rule.severity(), ok, worst[0], min, details, runId, now,
            "min_ratio " + trim(min) + " per location and local market day", involved, short_.size()));
      }
      if (kind == RecordKind.PRICES && (rule = rule("price_components_sum")) != null) {
        out.add(tallied(rule, badSum, "", "tolerance " + trim(rule.number("tolerance")), runId, now));
      }
      if ((rule = rule("value_range")) != null) {
        out.add(tallied(rule, outOfRange, "e.g. ", "[" + trim(rule.number("min")) + ", " + trim(rule.number("max")) + "]", runId, now));
      }
      if (kind == RecordKind.PRICES && (rule = rule("price_bounds")) != null) {
        StringBuilder th = new StringBuilder();
        rule.caps().forEach((n, v) -> th.append(th.isEmpty() ? "" : ", ").append(n).append(' ').append(trim(v)));
        if (rule.has("min")) {
          th.append(th.isEmpty() ? "" : ", ").append("floor ").append(trim(rule.number("min")));
        }
        StringBuilder details = new StringBuilder();
        beyondEachCap.forEach((n, c) -> details.append(details.isEmpty() ? "" : ", ").append(c).append(" above ").append(n));
        if (belowFloor > 0) {
          details.append(details.isEmpty() ? "" : ", ").append(belowFloor).append(" below the floor");
        }
        if (beyondCap.count > 0) {
          details.append("; flagged, loaded; e.g. ").append(beyondCap.examples().getFirst());
        }
        double lowest = rule.caps().values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        out.add(new QualityResult("price_bounds", rule.severity(), beyondCap.count == 0, beyondCap.count, lowest,
            details.toString(), runId, now, th.toString() + (rule.from().map(f -> " (since " + f + ")").orElse("")),
            beyondCap.examples(), beyondCap.count));
      }
      if ((rule = rule("all_null_or_zero")) != null) {
        boolean ok = rows == 0 || nullOrZero < rows;
        out.add(new QualityResult("all_null_or_zero", rule.severity(), ok, nullOrZero, rows, ok ? ""
            : "every one of the " + rows + " values is zero or missing", runId, now, "fewer than every row", List.of(), 0));
      }
      if ((rule = rule("location_set_shrink")) != null) {
        OptionalLong prev = rows == 0 ? OptionalLong.empty() : context.previousLocations().get();
        double max = rule.number("max_drop_ratio");
        if (prev.isPresent() && prev.getAsLong() > 0) {
          double drop = Math.max(0, (prev.getAsLong() - subjects.size()) / (double) prev.getAsLong());
          boolean ok = drop <= max;
          out.add(new QualityResult("location_set_shrink", rule.severity(), ok, drop, max, ok ? ""
              : subjects.size() + " locations against " + prev.getAsLong() + " in the previous interval in Silver", runId, now,
              "max_drop_ratio " + trim(max), List.of(), Math.max(0, prev.getAsLong() - subjects.size())));
        } else {
          out.add(new QualityResult("location_set_shrink", rule.severity(), true, 0, max,
              "no previous interval in Silver to compare with", runId, now, "max_drop_ratio " + trim(max), List.of(), 0));
        }
      }
      if ((rule = rule("freshness")) != null && newestEnd != null) {
        // the newest interval the source should have published by now, given its lag
        Instant promised = key.window().end();
        Instant published = now.minus(context.lag());
        if (published.isBefore(promised)) {
          promised = published;
        }
        double behind = Math.max(0, Duration.between(newestEnd, promised).toSeconds());
        double allowed = context.freshness().toSeconds();
        boolean ok = behind <= allowed || !promised.isAfter(key.window().start());
        out.add(new QualityResult("freshness", rule.severity(), ok, behind, allowed, ok ? ""
            : "the newest interval ends " + newestEnd + ", " + Durations.format(Duration.ofSeconds((long) behind))
            + " before " + promised + " (lag " + Durations.format(context.lag()) + ")", runId, now,
            "freshness " + Durations.format(context.freshness()), List.of(), 0));
      }
      return out;
    }

    private QualityResult tallied(QualityRules.Rule rule, Tally t, String prefix, String threshold, String runId, Instant now) {
      boolean ok = t.count == 0;
      return new QualityResult(rule.name(), rule.severity(), ok, t.count, 0, ok ? "" : t.count + " row(s), " + prefix
          + t.examples().getFirst(), runId, now, threshold, t.examples(), t.count);
    }

    /**
     * Why a row of this interval is held when the gate failed on {@code failed} (error checks): the
     * first failing check that names the row itself (its series short, its price off its
     * components, its value out of range, off the grid), else empty (the row is held with the
     * interval). For the quarantine's second pass over the staged rows.
     */
    public java.util.Optional<String[]> rowProblem(CanonicalRecord r, Set<String> failed, Map<String, String> incompleteSeries) {
      Duration len = Duration.between(r.intervalStart(), r.intervalEnd());
      if (failed.contains("completeness")) {
        String why = incompleteSeries.get(SeriesKey.text(SeriesKey.of(r)));
        if (why != null) {
          return java.util.Optional.of(new String[] {"completeness", "its series has " + why});
        }
      }
      String p;
      if (failed.contains("interval_in_window") && (p = placement(r, len)) != null) {
        return java.util.Optional.of(new String[] {"interval_in_window", "the row" + p});
      }
      if (failed.contains("interval_grid") && (p = gridProblem(r, len)) != null) {
        return java.util.Optional.of(new String[] {"interval_grid", p});
      }
      if (failed.contains("price_components_sum") && (p = sumProblem(r)) != null) {
        return java.util.Optional.of(new String[] {"price_components_sum", p});
      }
      if (failed.contains("value_range") && (p = rangeProblem(r)) != null) {
        return java.util.Optional.of(new String[] {"value_range", p});
      }
      if (failed.contains("price_bounds") && (p = capProblem(r, false)) != null) {
        return java.util.Optional.of(new String[] {"price_bounds", p});
      }
      return java.util.Optional.empty();
    }

    /** The series short of the completeness rule, by their text (for {@link #rowProblem}). */
    public Map<String, String> incompleteSeries() {
      QualityRules.Rule c = rule("completeness");
      return c == null ? Map.of() : incomplete(c.number("min_ratio"), new double[1]);
    }
  }

  private static String trim(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

}
