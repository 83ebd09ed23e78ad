package io.carbon254.ingest.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.UsageException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class RangeCommandsTest {
  static final ZoneId LA = ZoneId.of("America/Los_Angeles");

  @Test
  void dailyWindowsFollowThePacificCalendarAcrossFallBack() {
    List<IntervalWindow> w = RangeCommands.windows(LA, LocalDate.parse("2024-11-02"), LocalDate.parse("2024-11-04"), Duration.ofDays(1));
    assertEquals(List.of(IntervalWindow.parse("2024-11-02T07:00:00Z", "2024-11-03T07:00:00Z"),
        IntervalWindow.parse("2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z")), w);
    assertEquals(Duration.ofHours(25), w.get(1).length());
    assertEquals(23 * 12, RangeCommands.windows(LA, LocalDate.parse("2024-03-10"), LocalDate.parse("2024-03-11"), Duration.ofMinutes(5)).size());
  }

  @Test
  void backfillDryRunListsEveryIntervalOfBothDatesIncluded() {
    String[] out = IngestCliTest.captureOut(() -> IngestCli.execute("backfill", "--market", "caiso", "--dataset", "lmp_da_hourly",
        "--from", "2024-11-02", "--to", "2024-11-03", "--dry-run"));
    assertEquals("caiso lmp_da_hourly 2024-11-02T07:00:00Z 2024-11-03T07:00:00Z\n"
        + "caiso lmp_da_hourly 2024-11-03T07:00:00Z 2024-11-04T08:00:00Z\n", out[0]);
    String[] rt = IngestCliTest.captureOut(() -> IngestCli.execute("backfill", "--market", "caiso", "--dataset", "lmp_rt_15min",
        "--from", "2024-11-03", "--to", "2024-11-03", "--dry-run"));
    assertEquals(100, rt[0].lines().count(), "25 hours of 15-minute intervals");
  }

  @Test
  void aReversedRangeIsAUsageError() {
    assertThrows(UsageException.class,
        () -> RangeCommands.windows(LA, LocalDate.parse("2024-11-03"), LocalDate.parse("2024-11-03"), Duration.ofDays(1)));
  }
}
