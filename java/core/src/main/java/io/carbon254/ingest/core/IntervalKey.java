package io.carbon254.ingest.core;

import static java.util.Objects.requireNonNull;

/** {@code (market, dataset, interval_start_utc, interval_end_utc)}: what one task run reads and writes. */
public record IntervalKey(String market, String dataset, IntervalWindow window) {
  public IntervalKey {
    requireNonNull(market, "market is null");
    requireNonNull(dataset, "dataset is null");
    requireNonNull(window, "window is null");
  }

  @Override
  public String toString() {
    return market + "/" + dataset + " " + window;
  }
}
