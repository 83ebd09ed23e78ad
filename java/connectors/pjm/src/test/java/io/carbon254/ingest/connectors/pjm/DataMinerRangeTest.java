package io.carbon254.ingest.connectors.pjm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.carbon254.ingest.core.IntervalWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Data Miner's inclusive-end datetime filter: adjacent windows never overlap or leave a gap, the fall-back hours included. */
class DataMinerRangeTest {
  static final ZoneId EPT = ZoneId.of("America/New_York");

  static IntervalWindow w(String s, String e) {
    return new IntervalWindow(Instant.parse(s), Instant.parse(e));
  }

  @Test
  void aMarketDayIsItsFirstToItsLastHourInEpt() {
    DataMinerRange fall = DataMinerRange.of(w("2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z"), "datetime_beginning", Duration.ofHours(1));
    assertEquals("datetime_beginning_ept", fall.field());
    assertEquals("11/03/2024 00:00to11/03/2024 23:00", fall.value());
    DataMinerRange spring = DataMinerRange.of(w("2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"), "datetime_beginning", Duration.ofHours(1));
    assertEquals("03/10/2024 00:00to03/10/2024 23:00", spring.value());
    DataMinerRange fiveMin = DataMinerRange.of(w("2024-07-01T16:00:00Z", "2024-07-01T17:00:00Z"), "datetime_beginning", Duration.ofMinutes(5));
    assertEquals("07/01/2024 12:00to07/01/2024 12:55", fiveMin.value());
    DataMinerRange forecast = DataMinerRange.of(w("2024-07-01T04:00:00Z", "2024-07-02T04:00:00Z"), "forecast_datetime_beginning",
        Duration.ofHours(1));
    assertEquals("forecast_datetime_beginning_ept", forecast.field());
  }

  @Test
  void eachRepeatedFallBackHourAloneIsFilteredOnUtc() {
    DataMinerRange edt = DataMinerRange.of(w("2024-11-03T05:00:00Z", "2024-11-03T06:00:00Z"), "datetime_beginning", Duration.ofMinutes(5));
    DataMinerRange est = DataMinerRange.of(w("2024-11-03T06:00:00Z", "2024-11-03T07:00:00Z"), "datetime_beginning", Duration.ofMinutes(5));
    assertEquals("datetime_beginning_utc", edt.field());
    assertEquals("11/03/2024 05:00to11/03/2024 05:55", edt.value());
    assertEquals("datetime_beginning_utc", est.field());
    assertEquals("11/03/2024 06:00to11/03/2024 06:55", est.value());
    // both hours in one window read unambiguously in EPT
    DataMinerRange both = DataMinerRange.of(w("2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z"), "datetime_beginning", Duration.ofMinutes(5));
    assertEquals("datetime_beginning_ept", both.field());
    assertEquals("11/03/2024 01:00to11/03/2024 01:55", both.value());
  }

  /** The interval beginnings a filter selects, as Data Miner reads it: every grid instant whose field reads inside the range, both ends included. */
  static List<Instant> selected(DataMinerRange r, Duration step, Instant from, Instant to) {
    ZoneId zone = r.field().endsWith("_utc") ? ZoneOffset.UTC : EPT;
    String[] ends = r.value().split("to");
    LocalDateTime a = LocalDateTime.parse(ends[0], DataMinerRange.MINUTES);
    LocalDateTime b = LocalDateTime.parse(ends[1], DataMinerRange.MINUTES);
    List<Instant> out = new ArrayList<>();
    for (Instant t = from; t.isBefore(to); t = t.plus(step)) {
      LocalDateTime wall = LocalDateTime.ofInstant(t, zone);
      if (!wall.isBefore(a) && !wall.isAfter(b)) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void hourlyWindowsOfTwoYearsSelectEachFiveMinuteIntervalExactlyOnce() {
    Duration step = Duration.ofMinutes(5);
    Instant start = Instant.parse("2024-01-01T00:00:00Z");
    Instant end = Instant.parse("2025-12-31T00:00:00Z");
    Map<Instant, Integer> hits = new HashMap<>();
    Map<String, Instant> ranges = new HashMap<>();
    for (Instant s = start; s.isBefore(end); s = s.plus(Duration.ofHours(1))) {
      IntervalWindow hour = new IntervalWindow(s, s.plus(Duration.ofHours(1)));
      DataMinerRange r = DataMinerRange.of(hour, "datetime_beginning", step);
      Instant prev = ranges.put(r.field() + "=" + r.value(), s);
      if (prev != null) {
        fail("windows " + prev + " and " + s + " send the same filter " + r.value());
      }
      List<Instant> sel = selected(r, step, s.minus(Duration.ofHours(3)), s.plus(Duration.ofHours(4)));
      assertEquals(12, sel.size(), hour + ": " + r);
      for (Instant t : sel) {
        assertTrue(hour.contains(t), hour + " selects " + t + " (" + r + ")");
        hits.merge(t, 1, Integer::sum);
      }
    }
    assertTrue(hits.values().stream().allMatch(n -> n == 1));
    assertEquals(Duration.between(start, end).toMinutes() / 5, hits.size(), "no gap");
  }

  @Test
  void marketDaysOfTwoYearsNeverShareAnHour() {
    Duration step = Duration.ofHours(1);
    Map<Instant, Integer> hits = new HashMap<>();
    for (LocalDate d = LocalDate.of(2024, 1, 1); d.isBefore(LocalDate.of(2026, 1, 1)); d = d.plusDays(1)) {
      IntervalWindow day = new IntervalWindow(d.atStartOfDay(EPT).toInstant(), d.plusDays(1).atStartOfDay(EPT).toInstant());
      DataMinerRange r = DataMinerRange.of(day, "datetime_beginning", step);
      assertEquals("datetime_beginning_ept", r.field(), d.toString());
      List<Instant> sel = selected(r, step, day.start().minus(Duration.ofDays(1)), day.end().plus(Duration.ofDays(1)));
      assertEquals(day.length().toHours(), sel.size(), d + ": " + r.value());
      sel.forEach(t -> hits.merge(t, 1, Integer::sum));
    }
    assertTrue(hits.values().stream().allMatch(n -> n == 1));
  }

  @Test
  void longRangesSplitAtUtcYearsAndUnder366Days() {
    List<IntervalWindow> parts = DataMinerRange.split(w("2023-11-01T04:00:00Z", "2025-03-01T05:00:00Z"));
    assertEquals(List.of(w("2023-11-01T04:00:00Z", "2024-01-01T00:00:00Z"), w("2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        w("2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z"), w("2025-01-01T00:00:00Z", "2025-03-01T05:00:00Z")), parts);
    assertEquals(List.of(w("2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z")), DataMinerRange.split(w("2024-11-03T04:00:00Z",
        "2024-11-04T05:00:00Z")));
    // the split points are interval boundaries: the ranges of the parts meet without sharing an hour
    DataMinerRange a = DataMinerRange.of(parts.get(0), "datetime_beginning", Duration.ofHours(1));
    DataMinerRange b = DataMinerRange.of(parts.get(1), "datetime_beginning", Duration.ofHours(1));
    assertEquals("12/31/2023 18:00", a.value().split("to")[1]);
    assertEquals("12/31/2023 19:00", b.value().split("to")[0]);
  }
}
