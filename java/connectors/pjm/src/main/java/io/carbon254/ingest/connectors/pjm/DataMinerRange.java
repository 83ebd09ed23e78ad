package io.carbon254.ingest.connectors.pjm;

import io.carbon254.ingest.core.IntervalWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The datetime filter of one Data Miner request. Data Miner's range {@code <from>to<to>} is
 * inclusive at both ends and written in minutes, so the range of {@code [start, end)} is the first
 * interval's beginning to the last one's ({@code end - resolution}): adjacent windows never share
 * an interval. The filter is on the EPT field ({@code datetime_beginning_ept}, Eastern prevailing
 * time, no offset) as PJM documents it; on the fall-back day EPT repeats 01:00-01:59 unflagged, so a
 * window whose EPT range would also match an instant outside it (a window that holds one of the two
 * repeated hours but not the other) filters on the UTC field instead ({@code datetime_beginning_utc},
 * the same syntax). Whole market days never need it.
 */
record DataMinerRange(String field, String value, IntervalWindow window) {
  static final ZoneId EPT = ZoneId.of("America/New_York");
  static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm");
  /** Archived feeds refuse a range over 365 days. */
  static final Duration MAX_SPAN = Duration.ofDays(365);

  /** The filter of {@code part} for a feed whose datetime field is {@code timeField} and whose intervals last {@code resolution}. */
  static DataMinerRange of(IntervalWindow part, String timeField, Duration resolution) {
    Instant first = part.start();
    Instant last = part.end().minus(resolution);
    LocalDateTime from = LocalDateTime.ofInstant(first, EPT);
    LocalDateTime to = LocalDateTime.ofInstant(last, EPT);
    if (ambiguous(part, from, to, resolution)) {
      return new DataMinerRange(timeField + "_utc", range(LocalDateTime.ofInstant(first, ZoneOffset.UTC),
          LocalDateTime.ofInstant(last, ZoneOffset.UTC)), part);
    }
    return new DataMinerRange(timeField + "_ept", range(from, to), part);
  }

  private static String range(LocalDateTime from, LocalDateTime to) {
    return MINUTES.format(from) + "to" + MINUTES.format(to);
  }

  /** True when an interval beginning within an hour outside the window reads, in EPT, inside its range. */
  static boolean ambiguous(IntervalWindow part, LocalDateTime from, LocalDateTime to, Duration resolution) {
    for (Instant t = part.start().minus(Duration.ofHours(1)); t.isBefore(part.start()); t = t.plus(resolution)) {
      if (inside(LocalDateTime.ofInstant(t, EPT), from, to)) {
        return true;
      }
    }
    Instant after = part.end().plus(Duration.ofHours(1));
    for (Instant t = part.end(); t.isBefore(after); t = t.plus(resolution)) {
      if (inside(LocalDateTime.ofInstant(t, EPT), from, to)) {
        return true;
      }
    }
    return false;
  }

  private static boolean inside(LocalDateTime t, LocalDateTime from, LocalDateTime to) {
    return !t.isBefore(from) && !t.isAfter(to);
  }

  /**
   * The window split so that each part lies inside one UTC calendar year and spans at most 365
   * days (what the archived feeds accept); a window inside one year and under that is one part.
   */
  static List<IntervalWindow> split(IntervalWindow w) {
    List<IntervalWindow> parts = new ArrayList<>();
    Instant s = w.start();
    while (s.isBefore(w.end())) {
      Instant yearEnd = LocalDateTime.ofInstant(s, ZoneOffset.UTC).toLocalDate().withDayOfYear(1).plusYears(1)
          .atStartOfDay().toInstant(ZoneOffset.UTC);
      Instant e = min(min(w.end(), yearEnd), s.plus(MAX_SPAN));
      parts.add(new IntervalWindow(s, e));
      s = e;
    }
    return parts;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
