package io.carbon254.ingest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntervalWindowTest {
  @Test
  void splitsAFallBackDayIntoOasisSizedPartsCoveringItExactly() {
    IntervalWindow day = IntervalWindow.parse("2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");
    List<IntervalWindow> parts = day.split(Duration.ofDays(1));
    assertEquals(List.of(IntervalWindow.parse("2024-11-03T07:00:00Z", "2024-11-04T07:00:00Z"),
        IntervalWindow.parse("2024-11-04T07:00:00Z", "2024-11-04T08:00:00Z")), parts);
    assertEquals(25, day.split(Duration.ofHours(1)).size());
  }

  @Test
  void rejectsEmptyOrReversedWindowsAndLocalTimesAsUsageErrors() {
    UsageException e = assertThrows(UsageException.class, () -> IntervalWindow.parse("2024-11-03T08:00:00Z", "2024-11-03T08:00:00Z"));
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertThrows(UsageException.class, () -> IntervalWindow.parse("2024-11-03T09:00:00Z", "2024-11-03T08:00:00Z"));
    UsageException local = assertThrows(UsageException.class, () -> IntervalWindow.parse("2024-11-03T01:00:00", "2024-11-03T02:00:00Z"));
    assertTrue(local.getMessage().contains("--interval-start"), local.getMessage());
  }

  @Test
  void explicitOffsetsAreConvertedToUtcAndTheWindowIsHalfOpen() {
    IntervalWindow w = IntervalWindow.parse("2024-11-03T01:00:00-07:00", "2024-11-03T01:00:00-08:00");
    assertEquals(Instant.parse("2024-11-03T08:00:00Z"), w.start());
    assertEquals(Duration.ofHours(1), w.length());
    assertTrue(w.contains(Instant.parse("2024-11-03T08:00:00Z")));
    assertTrue(!w.contains(Instant.parse("2024-11-03T09:00:00Z")));
  }
}
