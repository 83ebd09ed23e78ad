package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.core.IntervalWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * MISO's clock: Eastern Standard Time, UTC−5 all year. MISO ignores daylight saving time, so every
 * market day has 24 hours, the US DST days included: day D is {@code [D 05:00Z, D+1 05:00Z)} and
 * hour ending h starts at {@code D 00:00 EST + (h − 1) h}. Every wall-clock time a MISO payload
 * carries (market reports, the Public API, the Data Exchange) is EST.
 */
final class MisoClock {
  static final ZoneOffset EST = ZoneOffset.ofHours(-5);
  static final int HOURS_PER_DAY = 24;

  private MisoClock() {}

  /** The first instant of market day {@code day}. */
  static Instant dayStart(LocalDate day) {
    return day.atStartOfDay().toInstant(EST);
  }

  /** The market day an instant falls in. */
  static LocalDate day(Instant t) {
    return LocalDate.ofInstant(t, EST);
  }

  /** The start of hour ending {@code he} (1..24) of {@code day}. */
  static Instant hourEnding(LocalDate day, int he) {
    if (he < 1 || he > HOURS_PER_DAY) {
      throw new IllegalArgumentException("MISO hours end 1..24 (EST has no 25th hour), got " + he);
    }
    return dayStart(day).plus(Duration.ofHours(he - 1L));
  }

  /** An EST wall-clock time to UTC. */
  static Instant of(LocalDateTime est) {
    return est.toInstant(EST);
  }

  /** The market days a window touches, in order (a window inside one day gives one). */
  static List<LocalDate> days(IntervalWindow w) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = day(w.start()); dayStart(d).isBefore(w.end()); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  /** The part of window {@code w} inside market day {@code day}. */
  static IntervalWindow within(IntervalWindow w, LocalDate day) {
    Instant s = dayStart(day);
    Instant e = dayStart(day.plusDays(1));
    return new IntervalWindow(w.start().isAfter(s) ? w.start() : s, w.end().isBefore(e) ? w.end() : e);
  }
}
