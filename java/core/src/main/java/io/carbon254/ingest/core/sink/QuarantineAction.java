package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
import java.time.Instant;

/**
 * One row of {@code quarantine_actions}: what happened to the held rows of an interval key.
 *
 * @param action {@code held} (a failed load put them there), {@code released} or {@code dropped}
 *     (an operator's decision), {@code superseded} (a later run of the key replaced them)
 * @param runId the run whose rows they are (the failed load's)
 * @param actor who: the operator, or the run id of the stage that acted
 * @param note why, as the operator gave it (or what the stage saw)
 */
public record QuarantineAction(String action, IntervalKey key, String runId, long rows, String actor, String note, Instant at) {
  public static final String HELD = "held";
  public static final String RELEASED = "released";
  public static final String DROPPED = "dropped";
  public static final String SUPERSEDED = "superseded";
}
