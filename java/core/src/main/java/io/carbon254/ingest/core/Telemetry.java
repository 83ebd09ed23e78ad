package io.carbon254.ingest.core;

import io.carbon254.ingest.core.sink.QualityResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a run reports besides its rows and its log: every HTTP attempt and retry, the quality
 * verdicts, what a load put into Silver, and the spans of its steps. The task JAR implements it with
 * metrics (pushed to a Pushgateway) and traces (OTLP); {@link #NONE} drops everything, so the
 * pipeline and the connectors call it unconditionally.
 */
public interface Telemetry {
  Telemetry NONE = new Telemetry() {};

  /** One HTTP attempt's answer: the status code ({@code "200"}, {@code "503"}), or {@code "io_error"} when none came. */
  default void httpAttempt(String host, String status) {}

  /** An HTTP attempt that failed and will be retried. */
  default void httpRetry(String host) {}

  /** The quality gate's verdicts on one interval key (a load's, or a normalize's that rejected a payload). */
  default void qualityChecked(List<QualityResult> results) {}

  /**
   * A load that upserted Silver: the end of the interval now in Silver, and for each Bronze payload
   * whose rows it loaded the time from that payload's Bronze write to this upsert.
   */
  default void loaded(Instant intervalEnd, List<Duration> bronzeToSilver) {}

  /** A span of one step (an HTTP request, a parse, a warehouse write, an event publish, a cache warm); close it when the step ends. */
  default Span span(String name) {
    return Span.NONE;
  }

  /** {@code task} to run on another thread as part of the current span (a writer thread's batch writes). */
  default Runnable propagate(Runnable task) {
    return task;
  }

  /** One step's span. */
  interface Span extends AutoCloseable {
    Span NONE = new Span() {};

    default Span attribute(String key, String value) {
      return this;
    }

    default Span attribute(String key, long value) {
      return this;
    }

    /** The step failed with {@code t} (the span's status becomes an error). */
    default void failed(Throwable t) {}

    @Override
    default void close() {}
  }
}
