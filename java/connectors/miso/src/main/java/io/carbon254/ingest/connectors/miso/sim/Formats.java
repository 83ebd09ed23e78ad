package io.carbon254.ingest.connectors.miso.sim;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * MISO's clock and the way its payloads write times and numbers. The clock is Eastern Standard
 * Time, UTC−5 all year: market day D is {@code [D 05:00Z, D+1 05:00Z)}, 24 hours on every day
 * including the US daylight-saving days, 288 five-minute intervals. Prices are held in whole cents
 * and loads in whole MW (hourly means in tenths), so every written number is exact.
 */
final class Formats {
  static final ZoneOffset EST = ZoneOffset.ofHours(-5);
  static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
  static final Duration HOUR = Duration.ofHours(1);
  static final int INTERVALS_PER_DAY = 288;
  static final int INTERVALS_PER_HOUR = 12;
  static final int HOURS_PER_DAY = 24;

  /** The market day in a report's second line: {@code 07/14/2026}. */
  static final DateTimeFormatter REPORT_DAY = DateTimeFormatter.ofPattern("MM/dd/uuuu", Locale.US);
  /** The Public API's price interval: {@code 2026-07-27T00:00:00}. */
  static final DateTimeFormatter PUBLIC_INTERVAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.US);
  /** The Public API's fuel-mix interval: {@code 2026-07-27 12:00:00 AM}. */
  static final DateTimeFormatter FUEL_INTERVAL = DateTimeFormatter.ofPattern("uuuu-MM-dd h:mm:ss a", Locale.US);
  /** The day in a Public API {@code RefId}: {@code 27-Jul-2026}. */
  static final DateTimeFormatter REF_DAY = DateTimeFormatter.ofPattern("dd-MMM-uuuu", Locale.US);
  /** The Data Exchange's times: {@code 2024-11-03 13:05:00.000}. */
  static final DateTimeFormatter EXCHANGE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS", Locale.US);
  static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm", Locale.US);

  private Formats() {}

  /** The first instant of market day {@code day}. */
  static Instant dayStart(LocalDate day) {
    return day.atStartOfDay().toInstant(EST);
  }

  /** The market day an instant falls in. */
  static LocalDate day(Instant t) {
    return LocalDate.ofInstant(t, EST);
  }

  /** An instant on MISO's wall clock. */
  static LocalDateTime wall(Instant t) {
    return LocalDateTime.ofInstant(t, EST);
  }

  /** The start of the latest five-minute interval that has ended at {@code now}. */
  static Instant lastEndedInterval(Instant now) {
    long s = now.getEpochSecond() - 300;
    return Instant.ofEpochSecond(Math.floorDiv(s, 300) * 300);
  }

  /** {@code {"RefId"}} of the Public API: the day and the time of an interval, {@code 27-Jul-2026 - Interval 08:10 EST}. */
  static String refId(LocalDate day, String hhmm) {
    return REF_DAY.format(day) + " - Interval " + hhmm + " EST";
  }

  /**
   * A price as the market reports write it: at most two decimals, no trailing zeros, no leading
   * zero ({@code .92}, {@code -.94}, {@code 29}, {@code 26.7}, {@code 0}).
   */
  static String reportNumber(long cents) {
    if (cents == 0) {
      return "0";
    }
    StringBuilder b = new StringBuilder(10);
    appendReportNumber(b, cents);
    return b.toString();
  }

  /** {@link #reportNumber} into a builder (the report rows are built without intermediate strings). */
  static void appendReportNumber(StringBuilder b, long cents) {
    if (cents == 0) {
      b.append('0');
      return;
    }
    if (cents < 0) {
      b.append('-');
    }
    long a = Math.abs(cents);
    long whole = a / 100;
    long frac = a % 100;
    if (whole > 0) {
      b.append(whole);
    }
    if (frac != 0) {
      b.append('.');
      if (frac % 10 == 0) {
        b.append(frac / 10);
      } else {
        if (frac < 10) {
          b.append('0');
        }
        b.append(frac);
      }
    }
  }

  /** A price with exactly two decimals, as the Public API's string cells: {@code 24.58}, {@code -1.94}, {@code 0.05}. */
  static String twoDecimals(long cents) {
    long a = Math.abs(cents);
    long frac = a % 100;
    return (cents < 0 ? "-" : "") + (a / 100) + (frac < 10 ? ".0" : ".") + frac;
  }

  /** A price as a JSON number with at most two decimals and no trailing zeros: {@code 21.6}, {@code 0.02}, {@code 29}. */
  static String jsonNumber(long cents) {
    if (cents == 0) {
      return "0";
    }
    long a = Math.abs(cents);
    long frac = a % 100;
    String sign = cents < 0 ? "-" : "";
    if (frac == 0) {
      return sign + (a / 100);
    }
    String f = frac % 10 == 0 ? Long.toString(frac / 10) : (frac < 10 ? "0" : "") + frac;
    return sign + (a / 100) + "." + f;
  }

  /** A value held in tenths, with exactly one decimal: {@code 93419.5}, {@code -12.0}. */
  static String oneDecimal(long tenths) {
    long a = Math.abs(tenths);
    return (tenths < 0 ? "-" : "") + (a / 10) + "." + (a % 10);
  }

  /** The mean of {@code n} whole values summing to {@code sum}, in tenths, halves rounded away from zero. */
  static long meanTenths(long sum, int n) {
    return mean(sum * 10, n);
  }

  /** {@code sum / n} rounded to a whole number, halves away from zero (exact: no floating point). */
  static long mean(long sum, int n) {
    long rounded = (2 * Math.abs(sum) + n) / (2L * n);
    return sum < 0 ? -rounded : rounded;
  }
}
