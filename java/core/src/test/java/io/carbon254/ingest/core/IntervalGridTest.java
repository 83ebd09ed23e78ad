package io.carbon254.ingest.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class IntervalGridTest {
  static final ZoneId LA = ZoneId.of("America/Los_Angeles");
  static final IntervalGrid FIVE = IntervalGrid.of("5min", LA);
  static final IntervalGrid QUARTER = IntervalGrid.of("15min", LA);
  static final IntervalGrid HOURLY = IntervalGrid.of("hourly", LA);
  static final IntervalGrid DAILY = IntervalGrid.of("daily", LA);

  static Instant t(String s) {
    return Instant.parse(s);
  }

  static IntervalWindow w(String start, String end) {
    return IntervalWindow.parse(start, end);
  }

  static UsageException rejected(IntervalGrid g, IntervalWindow w) {
    return assertThrows(UsageException.class, () -> g.check("caiso/x", w, g.defaultMaxWindow()));
  }

  @Test
  void cadencesMapToTheirStepsAndUnknownOnesAreRefused() {
    assertEquals(Duration.ofMinutes(5), FIVE.step());
    assertEquals(Duration.ofMinutes(15), QUARTER.step());
    assertEquals(Duration.ofHours(1), HOURLY.step());
    assertTrue(DAILY.daily());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntervalGrid.of("weekly", LA));
    assertTrue(e.getMessage().contains("weekly") && e.getMessage().contains("5min, 15min, hourly, daily"), e.getMessage());
    assertEquals(Duration.ofDays(1), FIVE.defaultMaxWindow());
    assertEquals(Duration.ofDays(31), DAILY.defaultMaxWindow());
  }

  @Test
  void intradayGridsAreUtcMultiplesOfTheStep() {
    assertTrue(FIVE.contains(t("2024-11-03T08:05:00Z")));
    assertFalse(FIVE.contains(t("2024-11-03T08:02:00Z")));
    assertFalse(FIVE.contains(t("2024-11-03T08:05:00.001Z")), "a fraction of a second is off the grid");
    assertTrue(QUARTER.contains(t("2024-11-03T08:45:00Z")));
    assertFalse(QUARTER.contains(t("2024-11-03T08:50:00Z")));
    assertTrue(HOURLY.contains(t("2024-11-03T09:00:00Z")));
    assertFalse(HOURLY.contains(t("2024-11-03T09:30:00Z")));
    assertEquals(t("2024-11-03T08:00:00Z"), FIVE.nearest(t("2024-11-03T08:02:00Z")));
    assertEquals(t("2024-11-03T08:05:00Z"), FIVE.nearest(t("2024-11-03T08:07:00Z")));
    assertEquals(t("2024-11-03T08:05:00Z"), FIVE.nearest(t("2024-11-03T08:03:00Z")));
    assertEquals(t("2024-11-03T08:00:00Z"), FIVE.nearest(t("2024-11-03T08:02:30Z")), "a tie goes to the earlier instant");
  }

  @Test
  void dailyGridIsPacificMidnightsWith23_24And25HourDays() {
    assertTrue(DAILY.contains(t("2024-11-03T07:00:00Z")), "PDT midnight");
    assertTrue(DAILY.contains(t("2024-11-04T08:00:00Z")), "PST midnight after the fall-back day");
    assertFalse(DAILY.contains(t("2024-11-04T07:00:00Z")), "23:00 PST on Nov 3");
    assertEquals(t("2024-11-04T08:00:00Z"), DAILY.next(t("2024-11-03T07:00:00Z")));
    assertEquals(Duration.ofHours(25), Duration.between(t("2024-11-03T07:00:00Z"), DAILY.next(t("2024-11-03T07:00:00Z"))));
    assertEquals(Duration.ofHours(23), Duration.between(t("2024-03-10T08:00:00Z"), DAILY.next(t("2024-03-10T08:00:00Z"))));
    assertEquals(t("2024-11-04T08:00:00Z"), DAILY.nearest(t("2024-11-04T07:00:00Z")));
    assertEquals(t("2024-11-03T07:00:00Z"), DAILY.floor(t("2024-11-04T07:59:59Z")));
  }

  @Test
  void validWindowsPass() {
    assertDoesNotThrow(() -> FIVE.check("caiso/lmp_rt_5min", w("2024-11-03T08:00:00Z", "2024-11-03T08:05:00Z"), Duration.ofDays(1)));
    assertDoesNotThrow(() -> FIVE.check("caiso/lmp_rt_5min", w("2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z"), Duration.ofDays(1)));
    assertDoesNotThrow(() -> FIVE.check("caiso/lmp_rt_5min", w("2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"), Duration.ofDays(1)),
        "1d admits the whole 25-hour fall-back day");
    assertDoesNotThrow(() -> DAILY.check("caiso/d", w("2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"), Duration.ofDays(31)), "25 h day");
    assertDoesNotThrow(() -> DAILY.check("caiso/d", w("2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z"), Duration.ofDays(31)), "23 h day");
    assertDoesNotThrow(() -> DAILY.check("caiso/d", w("2024-11-01T07:00:00Z", "2024-11-05T08:00:00Z"), Duration.ofDays(31)),
        "several whole local days");
    assertDoesNotThrow(() -> DAILY.check("caiso/d", w("2024-11-01T07:00:00Z", "2024-12-02T08:00:00Z"), Duration.ofDays(31)),
        "exactly 31 local days");
  }

  @Test
  void anOffGridFiveMinuteWindowNamesTheNearestValidOne() {
    UsageException e = rejected(FIVE, w("2024-11-03T08:02:00Z", "2024-11-03T08:07:00Z"));
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("are not on the 5-minute grid of caiso/x; nearest valid interval"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(5-minute grid: UTC multiples of 5 minutes)"), e.getMessage());
    assertTrue(e.getMessage().contains(
        "nearest valid interval: --interval-start 2024-11-03T08:00:00Z --interval-end 2024-11-03T08:05:00Z"), e.getMessage());
    UsageException one = rejected(FIVE, w("2024-11-03T08:00:00Z", "2024-11-03T08:01:00Z"));
    assertTrue(one.getMessage().startsWith("--interval-end 2024-11-03T08:01:00Z is not on the 5-minute grid"), one.getMessage());
    assertTrue(one.getMessage().contains("nearest valid interval: --interval-start 2024-11-03T08:00:00Z --interval-end 2024-11-03T08:05:00Z"),
        "an end rounding onto the start moves one step on: " + one.getMessage());
  }

  @Test
  void aDailyWindowEndingAnHourEarlyOnTheFallBackDayIsRefusedWithThe25HourDay() {
    UsageException e = rejected(DAILY, w("2024-11-03T07:00:00Z", "2024-11-04T07:00:00Z"));
    assertTrue(e.getMessage().contains("--interval-end 2024-11-04T07:00:00Z is not on the daily grid"), e.getMessage());
    assertTrue(e.getMessage().contains("America/Los_Angeles"), e.getMessage());
    assertTrue(e.getMessage().contains("nearest valid interval: --interval-start 2024-11-03T07:00:00Z --interval-end 2024-11-04T08:00:00Z"), e.getMessage());
    UsageException spring = rejected(DAILY, w("2024-03-10T08:00:00Z", "2024-03-11T08:00:00Z"));
    assertTrue(spring.getMessage().contains("nearest valid interval: --interval-start 2024-03-10T08:00:00Z --interval-end 2024-03-11T07:00:00Z"),
        "the 23-hour spring-forward day: " + spring.getMessage());
    UsageException utc = rejected(DAILY, w("2024-11-05T00:00:00Z", "2024-11-06T00:00:00Z"));
    assertTrue(utc.getMessage().startsWith("--interval-start 2024-11-05T00:00:00Z and --interval-end 2024-11-06T00:00:00Z are not"),
        utc.getMessage());
    assertTrue(utc.getMessage().contains("nearest valid interval: --interval-start 2024-11-05T08:00:00Z --interval-end 2024-11-06T08:00:00Z"), utc.getMessage());
  }

  @Test
  void aWindowLongerThanTheMaximumIsCutToIt() {
    UsageException e = rejected(FIVE, w("2024-11-04T08:00:00Z", "2024-11-06T08:00:00Z"));
    assertTrue(e.getMessage().contains("(2d) is longer than the maximum window of caiso/x (max_window 1d"), e.getMessage());
    assertTrue(e.getMessage().contains("nearest valid interval: --interval-start 2024-11-04T08:00:00Z --interval-end 2024-11-05T08:00:00Z"), e.getMessage());
    UsageException fall = rejected(FIVE, w("2024-11-03T07:00:00Z", "2024-11-04T09:00:00Z"));
    assertTrue(fall.getMessage().contains("nearest valid interval: --interval-start 2024-11-03T07:00:00Z --interval-end 2024-11-04T08:00:00Z"), "a local day: " + fall.getMessage());
    UsageException daily = rejected(DAILY, w("2024-11-01T07:00:00Z", "2024-12-03T08:00:00Z"));
    assertTrue(daily.getMessage().contains("nearest valid interval: --interval-start 2024-11-01T07:00:00Z --interval-end 2024-12-02T08:00:00Z"),
        "31 local days from Nov 1 (across the fall-back day): " + daily.getMessage());
    UsageException hours = assertThrows(UsageException.class,
        () -> HOURLY.check("caiso/h", w("2024-11-04T08:00:00Z", "2024-11-04T15:00:00Z"), Duration.ofHours(6)));
    assertTrue(hours.getMessage().contains("nearest valid interval: --interval-start 2024-11-04T08:00:00Z --interval-end 2024-11-04T14:00:00Z"),
        hours.getMessage());
  }

  @Test
  void offGridAndTooLongAreBothNamed() {
    UsageException e = rejected(QUARTER, w("2024-11-04T08:10:00Z", "2024-11-06T08:00:00Z"));
    assertTrue(e.getMessage().contains("--interval-start 2024-11-04T08:10:00Z is not on the 15-minute grid"), e.getMessage());
    assertTrue(e.getMessage().contains("longer than the maximum window"), e.getMessage());
    assertTrue(e.getMessage().contains("nearest valid interval: --interval-start 2024-11-04T08:15:00Z --interval-end 2024-11-05T08:15:00Z"), e.getMessage());
  }
}
