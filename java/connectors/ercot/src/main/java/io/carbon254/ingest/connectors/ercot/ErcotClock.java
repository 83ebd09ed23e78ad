package io.carbon254.ingest.connectors.ercot;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * ERCOT's clock: Central prevailing time (CPT) written without an offset, in every encoding its
 * reports use, to UTC. The repeated hour of the fall-back day is told apart by a flag
 * ({@code DSTFlag} / {@code RepeatedHourFlag} = Y on its second, CST occurrence) or, in reports
 * without one, by numbering the hours 1..25; a flag that contradicts the calendar (Y on an hour
 * that is not repeated) or an hour the calendar skips (spring forward) is an error, never a guess.
 */
final class ErcotClock {
  static final ZoneId CPT = ZoneId.of("America/Chicago");
  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("MM/dd/uuuu");
  static final DateTimeFormatter SCED = DateTimeFormatter.ofPattern("MM/dd/uuuu HH:mm:ss");

  private ErcotClock() {}

  /** Why a time could not be read; the parser adds file, line and column. */
  static final class BadTime extends Exception {
    BadTime(String message) {
      super(message);
    }
  }

  /** {@code MM/DD/YYYY} (also {@code M/D/YYYY}). */
  static LocalDate date(String s) throws BadTime {
    String t = s == null ? "" : s.strip();
    try {
      return LocalDate.parse(t, DATE);
    } catch (DateTimeParseException e) {
      String[] p = t.split("/");
      if (p.length == 3 && p[2].length() == 4) {
        try {
          return LocalDate.of(Integer.parseInt(p[2]), Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        } catch (RuntimeException e2) {
          // falls through
        }
      }
      throw new BadTime("not a date MM/DD/YYYY: '" + t + "'");
    }
  }

  /**
   * An hour-ending label as an hour number: {@code 01:00}, {@code 1:00}, {@code 1}, {@code 01},
   * {@code 24:00}, {@code 25} (space-padded or not); 1..25.
   */
  static int hourEnding(String s) throws BadTime {
    String t = s == null ? "" : s.strip();
    String h = t;
    if (t.endsWith(":00")) {
      h = t.substring(0, t.length() - 3);
    }
    if (!h.matches("\\d{1,2}")) {
      throw new BadTime("not an hour ending like 01:00, 1:00 or 1: '" + t + "'");
    }
    int n = Integer.parseInt(h);
    if (n < 1 || n > 25) {
      throw new BadTime("hour ending " + n + " is outside 1..25");
    }
    return n;
  }

  /** Y, N or blank (no flag); anything else is an error. */
  static Boolean flag(String s) throws BadTime {
    String t = s == null ? "" : s.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (t.equalsIgnoreCase("Y") || t.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (t.equalsIgnoreCase("N") || t.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    throw new BadTime("a DST flag is Y or N, not '" + t + "'");
  }

  /**
   * The UTC instant of a local wall-clock time: the repeated flag picks the second (standard time)
   * occurrence of an ambiguous time and is an error on any other; a time inside the spring-forward
   * gap is an error.
   *
   * @param repeated null when the report has no flag: an ambiguous time is then an error
   */
  static Instant resolve(LocalDateTime local, Boolean repeated, String what) throws BadTime {
    List<ZoneOffset> offsets = CPT.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      throw new BadTime(what + " " + local + " does not exist in Central time: the clocks skip it (spring forward)");
    }
    if (offsets.size() == 1) {
      if (Boolean.TRUE.equals(repeated)) {
        throw new BadTime(what + " " + local + " is flagged as the repeated hour, but it is not repeated on " + local.toLocalDate());
      }
      return local.toInstant(offsets.get(0));
    }
    if (repeated == null) {
      throw new BadTime(what + " " + local + " occurs twice (fall back) and the report says neither which");
    }
    return wallClock(local, repeated);
  }

  /** Start of hour-ending {@code he} (1..24) of {@code day} on the wall clock, the flag resolving the repeated hour. */
  static Instant hourStart(LocalDate day, int he, Boolean repeated) throws BadTime {
    if (he > 24) {
      throw new BadTime("hour ending " + he + " with a DST flag column: hours run 1..24 and the flag marks the repeated one");
    }
    return resolve(day.atTime(he - 1, 0), repeated, "hour ending " + he + " (starting");
  }

  /**
   * Start of hour {@code he} (1..25) counted from local midnight, for reports without a flag: the
   * fall-back day has hours 1..25, the spring-forward day 1..23.
   */
  static Instant elapsedHourStart(LocalDate day, int he) throws BadTime {
    Instant midnight = day.atStartOfDay(CPT).toInstant();
    long hours = Duration.between(midnight, day.plusDays(1).atStartOfDay(CPT).toInstant()).toHours();
    if (he > hours) {
      throw new BadTime("hour ending " + he + ": " + day + " has " + hours + " hours in Central time");
    }
    return midnight.plus(Duration.ofHours(he - 1));
  }

  /** Start of {@code DeliveryHour} {@code hour} (1..24), {@code DeliveryInterval} {@code interval} (1..4): 15-minute intervals. */
  static Instant quarterStart(LocalDate day, int hour, int interval, Boolean repeated) throws BadTime {
    if (hour < 1 || hour > 24) {
      throw new BadTime("DeliveryHour " + hour + " is outside 1..24");
    }
    if (interval < 1 || interval > 4) {
      throw new BadTime("DeliveryInterval " + interval + " is outside 1..4");
    }
    return resolve(day.atTime(hour - 1, (interval - 1) * 15), repeated, "DeliveryHour " + hour + " interval " + interval + " (starting");
  }

  /** A SCED timestamp {@code MM/DD/YYYY HH:MM:SS}, the RepeatedHourFlag resolving the repeated hour. */
  static Instant scedTime(String s, Boolean repeated) throws BadTime {
    String t = s == null ? "" : s.strip();
    LocalDateTime local;
    try {
      local = LocalDateTime.parse(t, SCED);
    } catch (DateTimeParseException e) {
      try {
        local = LocalDateTime.parse(t, DateTimeFormatter.ofPattern("MM/dd/uuuu HH:mm"));
      } catch (DateTimeParseException e2) {
        throw new BadTime("not a SCED timestamp MM/DD/YYYY HH:MM:SS: '" + t + "'");
      }
    }
    return resolve(local, repeated, "SCED time");
  }

  /**
   * A posting time as ERCOT writes it (the MIS {@code PublishDate}, the archive's {@code postDatetime},
   * the time in a file name): Central wall clock. In the repeated hour the two occurrences are told
   * apart by what was posted: a file is posted after the interval (or SCED run) it holds, so the
   * first occurrence at or after {@code notBefore} is taken; without one, {@code _xhr} in the name
   * picks the second. (ERCOT has written wrong offsets in that hour: the offset is not trusted.)
   */
  static Instant posted(LocalDateTime local, Instant notBefore, boolean xhr) {
    List<ZoneOffset> offsets = CPT.getRules().getValidOffsets(local);
    if (offsets.size() < 2 || notBefore == null) {
      return wallClock(local, xhr);
    }
    Instant first = wallClock(local, false);
    return first.isBefore(notBefore.minusSeconds(60)) ? wallClock(local, true) : first;
  }

  /** A wall-clock time, ambiguous ones by {@code secondOccurrence}; a time in the spring-forward gap is read as after it. */
  static Instant wallClock(LocalDateTime local, boolean secondOccurrence) {
    List<ZoneOffset> offsets = CPT.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      return local.atZone(CPT).toInstant(); // shifted forward by the gap
    }
    if (offsets.size() == 1) {
      return local.toInstant(offsets.get(0));
    }
    // the earlier offset in time (CDT, -05:00) is the first occurrence, CST the repeated one
    ZoneOffset cdt = offsets.get(0).getTotalSeconds() > offsets.get(1).getTotalSeconds() ? offsets.get(0) : offsets.get(1);
    ZoneOffset cst = cdt == offsets.get(0) ? offsets.get(1) : offsets.get(0);
    return local.toInstant(secondOccurrence ? cst : cdt);
  }

  /** The local wall-clock text of an instant ({@code yyyy-MM-dd'T'HH:mm:ss}), as the archive's filters take it. */
  static String wallText(Instant t) {
    return LocalDateTime.ofInstant(t, CPT).format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"));
  }
}
