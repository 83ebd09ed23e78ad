package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
import java.time.Instant;

/** One row of {@code ingest_runs}: a stage of a task run, its outcome and counts. */
public record RunRecord(
    String runId,
    Stage stage,
    IntervalKey key,
    String status,
    int exitCode,
    long rowsIn,
    long rowsOut,
    long events,
    Instant startedAt,
    Instant finishedAt,
    String message) {}
