package io.carbon254.ingest.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The W3C traceparent of the step running on the current thread, as the process's tracing sees it
 * (the task JAR sets the source); sinks put it on what they publish (the events' {@code traceparent}
 * header), so a consumer joins the run's trace. Empty where no tracing is set up.
 */
public final class TraceParent {
  private static volatile Supplier<Optional<String>> source = Optional::empty;

  private TraceParent() {}

  public static void source(Supplier<Optional<String>> s) {
    source = requireNonNull(s, "source is null");
  }

  public static Optional<String> current() {
    return source.get();
  }
}
