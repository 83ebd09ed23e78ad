package io.carbon254.ingest.core;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The instants a dataset's intervals start and end on, from its {@code cadence} in
 * connectors/&lt;market&gt;.yaml: {@code 5min}, {@code 15min} and {@code hourly} are fixed steps of
 * UTC time (whole multiples of the step since the epoch); {@code daily} is the start of each
 * market-local day in the market's time zone, so a day is 23, 24 or 25 hours long. {@link #check}
 * tells a requested window that is off the grid or longer than the dataset's maximum from one that
 * fits, and names the nearest window that does.
 *
 * @param step the grid step; for {@code daily} one (local) day
 */
public record IntervalGrid(String cadence, ZoneId zone, Duration step) {
  public static final List<String> CADENCES = List.of("5min", "15min", "hourly", "daily");
  private static final Duration DAY = Duration.ofDays(1);

  public IntervalGrid {
    requireNonNull(cadence, "cadence is null");
    requireNonNull(zone, "zone is null");
    requireNonNull(step, "step is null");
  }

  /** @throws IllegalArgumentException for a cadence other than {@link #CADENCES} */
  public static IntervalGrid of(String cadence, ZoneId zone) {
    Duration step =
        switch (String.valueOf(cadence)) {
          case "5min" -> Duration.ofMinutes(5);
          case "15min" -> Duration.ofMinutes(15);
          case "hourly" -> Duration.ofHours(1);
          case "daily" -> DAY;
          default ->
              throw new IllegalArgumentException("'" + cadence + "' is not a cadence the task JAR knows (" + String.join(", ", CADENCES) + ")");
        };
    return new IntervalGrid(cadence, zone, step);
  }

  public boolean daily() {
    return cadence.equals("daily");
  }

  /** The maximum window when the dataset declares no {@code max_window}: 1d for intraday cadences, 31d for daily. */
  public Duration defaultMaxWindow() {
    return daily() ? Duration.ofDays(31) : DAY;
  }

  /** True when {@code t} is a grid instant (an interval may start or end there). */
  public boolean contains(Instant t) {
    return floor(t).equals(t);
  }

  /** The last grid instant at or before {@code t}. */
  public Instant floor(Instant t) {
    if (daily()) {
      return dayStart(t.atZone(zone).toLocalDate());
    }
    long s = step.getSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), s) * s);
  }

  /** The first grid instant after {@code t}. */
  public Instant next(Instant t) {
    Instant f = floor(t);
    return daily() ? dayStart(f.atZone(zone).toLocalDate().plusDays(1)) : f.plus(step);
  }

  /** The grid instant closest to {@code t} (the earlier one on a tie). */
  public Instant nearest(Instant t) {
    Instant f = floor(t);
    if (f.equals(t)) {
      return t;
    }
    Instant n = next(t);
    return Duration.between(f, t).compareTo(Duration.between(t, n)) <= 0 ? f : n;
  }

  /**
   * The latest end a window starting at {@code start} may have. A maximum of whole days counts
   * market-local days (the same wall-clock time that many days later), so {@code 1d} admits the
   * 25-hour fall-back day; any other maximum is plain elapsed time.
   */
  public Instant latestEnd(Instant start, Duration maxWindow) {
    if (maxWindow.toMillis() % DAY.toMillis() == 0) {
      return start.atZone(zone).plusDays(maxWindow.toDays()).toInstant();
    }
    return start.plus(maxWindow);
  }

  /**
   * Accepts {@code w} when both ends are on this grid and it is no longer than {@code maxWindow};
   * otherwise a usage error (exit 2) naming {@code dataset} and the nearest valid window.
   */
  public void check(String dataset, IntervalWindow w, Duration maxWindow) {
    requireNonNull(w, "w is null");
    requireNonNull(maxWindow, "maxWindow is null");
    boolean startOk = contains(w.start());
    boolean endOk = contains(w.end());
    boolean tooLong = w.end().isAfter(latestEnd(w.start(), maxWindow));
    if (startOk && endOk && !tooLong) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (!startOk || !endOk) {
      String which = !startOk && !endOk ? "--interval-start " + w.start() + " and --interval-end " + w.end() + " are"
          : !startOk ? "--interval-start " + w.start() + " is" : "--interval-end " + w.end() + " is";
      problems.add(which + " not on the " + describe() + " of " + dataset);
    }
    if (tooLong) {
      problems.add("interval " + w + " (" + Durations.format(w.length()) + ") is longer than the maximum window of " + dataset
          + " (max_window " + Durations.format(maxWindow) + "; longer ranges: ingest backfill)");
    }
    IntervalWindow n = nearestValid(w, maxWindow);
    throw new UsageException(String.join("; ", problems) + "; nearest valid interval: --interval-start " + n.start()
        + " --interval-end " + n.end() + " (" + describe() + ": " + explain() + ")");
  }

  /** The valid window closest to {@code w}: both ends moved to the nearest grid instant, then cut to the maximum. */
  public IntervalWindow nearestValid(IntervalWindow w, Duration maxWindow) {
    Instant s = nearest(w.start());
    Instant e = nearest(w.end());
    if (!e.isAfter(s)) {
      e = next(s);
    }
    Instant limit = latestEnd(s, maxWindow);
    if (e.isAfter(limit)) {
      e = floor(limit);
      if (!e.isAfter(s)) {
        e = next(s);
      }
    }
    return new IntervalWindow(s, e);
  }

  /** {@code 5-minute grid}, {@code hourly grid}, {@code daily grid}. */
  public String describe() {
    return switch (cadence) {
      case "5min" -> "5-minute grid";
      case "15min" -> "15-minute grid";
      case "hourly" -> "hourly grid";
      default -> "daily grid";
    };
  }

  private String explain() {
    return switch (cadence) {
      case "5min" -> "UTC multiples of 5 minutes";
      case "15min" -> "UTC multiples of 15 minutes";
      case "hourly" -> "whole UTC hours";
      default -> "local midnights in " + zone.getId() + "; a local day has 23, 24 or 25 hours";
    };
  }

  private Instant dayStart(LocalDate d) {
    return d.atStartOfDay(zone).toInstant();
  }
}
