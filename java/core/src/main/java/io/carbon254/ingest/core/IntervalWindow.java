package io.carbon254.ingest.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A half-open UTC window {@code [start, end)}: the offset of every task run. */
public record IntervalWindow(Instant start, Instant end) {

  public IntervalWindow {
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    if (!end.isAfter(start)) {
      throw new UsageException(
          "interval end " + end + " must be after interval start " + start + " (half-open, UTC)");
    }
  }

  public static IntervalWindow parse(String start, String end) {
    return new IntervalWindow(Instants.parseUtc("--interval-start", start), Instants.parseUtc("--interval-end", end));
  }

  public Duration length() {
    return Duration.between(start, end);
  }

  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }

  /** Consecutive sub-windows no longer than {@code max}, covering this window exactly. */
  public List<IntervalWindow> split(Duration max) {
    List<IntervalWindow> parts = new ArrayList<>();
    Instant s = start;
    while (s.isBefore(end)) {
      Instant e = s.plus(max);
      if (e.isAfter(end)) {
        e = end;
      }
      parts.add(new IntervalWindow(s, e));
      s = e;
    }
    return parts;
  }

  @Override
  public String toString() {
    return start + ".." + end;
  }
}
