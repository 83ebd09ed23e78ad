package io.carbon254.ingest.connectors.miso;

import java.time.Instant;

/**
 * The row version of a MISO payload: {@code stage × 10^13 + the payload's first fetch in epoch
 * milliseconds}. A later stage of the same interval outranks every earlier one, whenever each was
 * fetched (the final real-time report replaces the preliminary one, the Data Exchange's settled
 * hour replaces the Public API's provisional one); within one stage a later fetch with new content
 * (a correction) replaces an earlier one. Identical bytes keep their first fetch time, so a re-run
 * keeps its version.
 */
enum Versions {
  /** Ex-ante and ex-post day-ahead prices, preliminary real-time prices, the Public API's values. */
  PROVISIONAL(1),
  /** Final real-time prices, the Data Exchange's settled hours. */
  FINAL(2);

  private static final long STAGE = 10_000_000_000_000L; // epoch milliseconds stay below it until 2286

  final int stage;

  Versions(int stage) {
    this.stage = stage;
  }

  long of(Instant fetchedAt) {
    return stage * STAGE + fetchedAt.toEpochMilli();
  }
}
