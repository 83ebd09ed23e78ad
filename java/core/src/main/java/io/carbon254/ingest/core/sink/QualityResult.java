package io.carbon254.ingest.core.sink;

import java.time.Instant;

/** One data-quality check on one interval key. {@code severity} is {@code error} (gates the load) or {@code warn}. */
public record QualityResult(
    String check, String severity, boolean passed, double observed, double expected, String details, String runId,
    Instant checkedAt) {}
