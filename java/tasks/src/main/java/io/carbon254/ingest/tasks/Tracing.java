package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.Telemetry;
import io.carbon254.ingest.core.TraceParent;
import io.carbon254.ingest.core.config.IngestConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The traces of the process: OpenTelemetry's SDK, service {@code 254carbon-ingestion-<market>},
 * exporting over OTLP/HTTP to OTLP_ENDPOINT (e.g. {@code http://127.0.0.1:4318}) when it is set.
 * A run is one span (a child of the orchestrator's TRACEPARENT when it is handed in), each stage a
 * span under it, each step (HTTP attempt, parse, warehouse write, event publish, cache warm) a span
 * under its stage. Spans exist without an endpoint too (nothing exported): the trace id still goes
 * into every JSON log line and the events' {@code traceparent} header.
 */
final class Tracing implements Telemetry {
  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static Tracing process;

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final Context parent;
  private final Optional<String> endpoint;

  private Tracing(SdkTracerProvider provider, Context parent, Optional<String> endpoint) {
    this.provider = provider;
    this.tracer = provider.get("io.carbon254.ingest", "0.1.0");
    this.parent = parent;
    this.endpoint = endpoint;
  }

  /**
   * The process's tracing, set up on first use for {@code market} (one market per task process);
   * flushed and shut down when the JVM exits.
   */
  static synchronized Tracing forMarket(IngestConfig config, String market) {
    if (process == null) {
      process = start(config, market);
      TraceParent.source(Tracing::currentTraceparent);
      JsonLog.contextSupplier(Tracing::logFields);
      Runtime.getRuntime().addShutdownHook(new Thread(process::shutdown, "ingest-tracing-shutdown"));
    }
    return process;
  }

  private static Tracing start(IngestConfig config, String market) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), "254carbon-ingestion-" + market,
        AttributeKey.stringKey("service.version"), "0.1.0",
        AttributeKey.stringKey("deployment.environment.name"), config.environment())));
    SdkTracerProviderBuilder b = SdkTracerProvider.builder().setResource(resource);
    Optional<String> endpoint = config.get("OTLP_ENDPOINT").map(String::strip).filter(s -> !s.isEmpty());
    endpoint.ifPresent(e -> b.addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
        .setEndpoint(tracesUrl(e)).setTimeout(Duration.ofSeconds(5)).build()).build()));
    Context parent = config.get("TRACEPARENT")
        .map(tp -> W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", tp.strip()), GETTER))
        .orElse(Context.root());
    return new Tracing(b.build(), parent, endpoint);
  }

  /** OTLP/HTTP's traces path under a collector's base address (a full {@code …/v1/traces} is kept). */
  static String tracesUrl(String endpoint) {
    String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return e.endsWith("/v1/traces") ? e : e + "/v1/traces";
  }

  /** Where spans go, for the {@code sinks} log line. */
  String describe() {
    return endpoint.map(e -> "otlp " + tracesUrl(e)).orElse("none (OTLP_ENDPOINT unset)");
  }

  /** The span of one run of an interval key: under the orchestrator's TRACEPARENT when there is one. */
  Telemetry.Span runSpan(String name, Map<String, String> attributes) {
    var sb = tracer.spanBuilder(name).setParent(Context.current() == Context.root() ? parent : Context.current());
    attributes.forEach(sb::setAttribute);
    return new OtelSpan(sb.startSpan());
  }

  @Override
  public Telemetry.Span span(String name) {
    return new OtelSpan(tracer.spanBuilder(name).startSpan());
  }

  @Override
  public Runnable propagate(Runnable task) {
    return Context.current().wrap(task);
  }

  /** The current span's ids for a log line ({@code trace_id}, {@code span_id}); empty outside a span. */
  static Map<String, Object> logFields() {
    SpanContext c = io.opentelemetry.api.trace.Span.current().getSpanContext();
    if (!c.isValid()) {
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trace_id", c.getTraceId());
    m.put("span_id", c.getSpanId());
    return m;
  }

  /** The current span as a W3C traceparent (the events' header); empty outside a span. */
  static Optional<String> currentTraceparent() {
    SpanContext c = io.opentelemetry.api.trace.Span.current().getSpanContext();
    return c.isValid() ? Optional.of("00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex()) : Optional.empty();
  }

  /** Exports what has ended so far (a run's spans before the process moves on); waits at most a few seconds. */
  void flush() {
    provider.forceFlush().join(5, TimeUnit.SECONDS);
  }

  private void shutdown() {
    provider.shutdown().join(5, TimeUnit.SECONDS);
  }

  /** An SDK span made current on the thread that opened it until it is closed. */
  private static final class OtelSpan implements Telemetry.Span {
    private final io.opentelemetry.api.trace.Span span;
    private final Scope scope;

    OtelSpan(io.opentelemetry.api.trace.Span span) {
      this.span = span;
      this.scope = span.makeCurrent();
    }

    @Override
    public Telemetry.Span attribute(String key, String value) {
      span.setAttribute(key, value);
      return this;
    }

    @Override
    public Telemetry.Span attribute(String key, long value) {
      span.setAttribute(key, value);
      return this;
    }

    @Override
    public void failed(Throwable t) {
      span.setStatus(StatusCode.ERROR, String.valueOf(t.getMessage()));
      span.recordException(t);
    }

    @Override
    public void close() {
      scope.close();
      span.end();
    }
  }

  /** The metrics and the traces of a run behind one {@link Telemetry}. */
  static Telemetry both(Telemetry metrics, Tracing tracing) {
    return new Telemetry() {
      @Override
      public void httpAttempt(String host, String status) {
        metrics.httpAttempt(host, status);
      }

      @Override
      public void httpRetry(String host) {
        metrics.httpRetry(host);
      }

      @Override
      public void qualityChecked(List<io.carbon254.ingest.core.sink.QualityResult> results) {
        metrics.qualityChecked(results);
      }

      @Override
      public void loaded(java.time.Instant intervalEnd, List<Duration> bronzeToSilver) {
        metrics.loaded(intervalEnd, bronzeToSilver);
      }

      @Override
      public Telemetry.Span span(String name) {
        return tracing.span(name);
      }

      @Override
      public Runnable propagate(Runnable task) {
        return tracing.propagate(task);
      }
    };
  }
}
