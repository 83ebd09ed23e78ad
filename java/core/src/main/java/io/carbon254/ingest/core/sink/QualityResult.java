package io.carbon254.ingest.core.sink;

import java.time.Instant;
import java.util.List;

/**
 * One data-quality check on one interval key. {@code severity} is {@code error} (gates the load) or
 * {@code warn}.
 *
 * @param observed what the check measured (a count of rows, a ratio, seconds)
 * @param expected the threshold it was held against
 * @param threshold the threshold as written, with its unit or cap names ({@code min_ratio 1}, {@code offer_cap 1000})
 * @param involved the rows (natural keys with the value) or locations the check names, the first
 *     {@link #MAX_INVOLVED}; {@code involvedCount} counts them all
 */
public record QualityResult(
    String check, String severity, boolean passed, double observed, double expected, String details, String runId,
    Instant checkedAt, String threshold, List<String> involved, long involvedCount) {
  /** How many rows or locations one result names at most. */
  public static final int MAX_INVOLVED = 20;

  public QualityResult {
    involved = involved == null ? List.of() : List.copyOf(involved);
    threshold = threshold == null ? "" : threshold;
  }

  public QualityResult(String check, String severity, boolean passed, double observed, double expected, String details,
      String runId, Instant checkedAt) {
    this(check, severity, passed, observed, expected, details, runId, checkedAt, "", List.of(), 0);
  }
}
