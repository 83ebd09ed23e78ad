package io.carbon254.ingest.tasks;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.Telemetry;
import io.carbon254.ingest.core.sink.QualityResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The metrics of one market and dataset (the families of observability/README.md): every stage run
 * by outcome and exit code, its duration, rows, payload bytes, HTTP attempts by status and retries,
 * quality verdicts by check, the last run and last success, and what each load put into Silver.
 * Recorded twice: into the session's registry (INGEST_METRICS_FILE, a backfill's file sums its
 * windows) and into the registry of the interval key being run, which {@link Pushgateway} pushes
 * once the run ends, one group per stage.
 */
final class RunMetrics implements Telemetry {
  /** Every typed outcome and its exit code: each group's runs counter starts at 0 for all, so ratios exist before a failure. */
  static final List<Map.Entry<String, Integer>> OUTCOMES = List.of(
      Map.entry("ok", 0), Map.entry("not_published", 99), Map.entry("usage_error", 2), Map.entry("upstream_unavailable", 3),
      Map.entry("payload_rejected", 4), Map.entry("quality_gate_failed", 4), Map.entry("bug", 1), Map.entry("out_of_memory", 1));

  private static final Duration[] STAGE_BUCKETS = seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800);
  private static final Duration[] LATENCY_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400);

  private final String market;
  private final String dataset;
  private final PrometheusMeterRegistry session = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Gauge values by metric name and tags, shared by both registries (a gauge reads its number from here). */
  private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();
  private PrometheusMeterRegistry run;
  private MeterRegistry both;
  private volatile String stage = "fetch";

  RunMetrics(String market, String dataset) {
    this.market = requireNonNull(market, "market is null");
    this.dataset = requireNonNull(dataset, "dataset is null");
    startRun();
  }

  /** A new interval key: its own registry from here on (the session's keeps summing). */
  void startRun() {
    run = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    both = new CompositeMeterRegistry().add(session).add(run);
  }

  /** The interval key's metrics as Prometheus text (what {@link Pushgateway} pushes). */
  String runScrape() {
    return run.scrape();
  }

  /** The session's metrics as Prometheus text (INGEST_METRICS_FILE). */
  String sessionScrape() {
    return session.scrape();
  }

  /** The stage now running: the HTTP and quality families carry it. */
  void stage(String stageId) {
    this.stage = requireNonNull(stageId, "stageId is null");
    for (Map.Entry<String, Integer> o : OUTCOMES) {
      runs(stageId, o.getKey(), o.getValue());
    }
  }

  private Tags tags(String stageId) {
    return Tags.of("market", market, "dataset", dataset, "stage", stageId);
  }

  private Counter runs(String stageId, String outcome, int exitCode) {
    return Counter.builder("ingest_stage_runs").description("Stage runs by outcome and exit code")
        .tags(tags(stageId)).tag("outcome", outcome).tag("exit_code", Integer.toString(exitCode)).register(both);
  }

  /** One stage run ended: its outcome, duration and (when ok) its rows. */
  void stageEnded(String stageId, String outcome, int exitCode, Duration took, long rowsIn, long rowsOut) {
    runs(stageId, outcome, exitCode).increment();
    Timer.builder("ingest_stage_duration").description("Wall time of one stage run by outcome")
        .tags(tags(stageId)).tag("outcome", outcome).serviceLevelObjectives(STAGE_BUCKETS).register(both).record(took);
    counter("ingest_stage_rows_in", "Rows a stage read (payloads for fetch)", stageId).increment(rowsIn);
    counter("ingest_stage_rows_out", "Rows a stage wrote (payloads for fetch)", stageId).increment(rowsOut);
    double now = Instant.now().toEpochMilli() / 1000.0;
    gauge("ingest_last_run_timestamp_seconds", "When a run of the stage last ended (unix seconds)", tags(stageId), now);
    if (exitCode == 0) {
      gauge("ingest_last_success_timestamp_seconds", "When a run of the stage last succeeded (unix seconds)", tags(stageId), now);
    } else if (exitCode != io.carbon254.ingest.core.ExitCodes.NOT_PUBLISHED) {
      gauge("ingest_last_failure_timestamp_seconds", "When a run of the stage last failed, not_published aside (unix seconds)",
          tags(stageId), now);
    }
  }

  /** What a fetch stored in Bronze. */
  void fetched(long payloads, long bytes) {
    counter("ingest_payloads", "Payloads stored in Bronze", "fetch").increment(payloads);
    Counter.builder("ingest_payload_bytes").description("Bytes of the payloads stored in Bronze").baseUnit("bytes")
        .tags(tags("fetch")).register(both).increment(bytes);
  }

  private Counter counter(String name, String help, String stageId) {
    return Counter.builder(name).description(help).tags(tags(stageId)).register(both);
  }

  private void gauge(String name, String help, Tags tags, double value) {
    String id = name + tags;
    AtomicReference<Double> v = gauges.computeIfAbsent(id, k -> new AtomicReference<>(value));
    v.set(value);
    Gauge.builder(name, v, AtomicReference::get).description(help).tags(tags).strongReference(true).register(both);
  }

  @Override
  public void httpAttempt(String host, String status) {
    Counter.builder("ingest_http_requests").description("HTTP attempts to the market's hosts by status (io_error: no answer)")
        .tags(tags(stage)).tag("host", host).tag("status", status).register(both).increment();
  }

  @Override
  public void httpRetry(String host) {
    Counter.builder("ingest_http_retries").description("HTTP attempts that failed and were retried")
        .tags(tags(stage)).tag("host", host).register(both).increment();
  }

  @Override
  public void qualityChecked(List<QualityResult> results) {
    for (QualityResult r : results) {
      Counter.builder("ingest_quality_checks").description("Quality checks run by check, severity and outcome")
          .tags(tags(stage)).tag("check", r.check()).tag("severity", r.severity()).tag("outcome", r.passed() ? "passed" : "failed")
          .register(both).increment();
      if (r.check().equals("completeness")) {
        gauge("ingest_completeness_ratio", "Completeness of the worst series of the last checked interval (0..1)", tags(stage),
            Math.max(0, Math.min(1, r.observed())));
      }
    }
  }

  @Override
  public void loaded(Instant intervalEnd, List<Duration> bronzeToSilver) {
    gauge("ingest_silver_newest_interval_end_timestamp_seconds", "End of the interval last loaded into Silver (unix seconds)",
        tags("load"), intervalEnd.toEpochMilli() / 1000.0);
    Timer latency = Timer.builder("ingest_bronze_to_silver_latency")
        .description("Time from a payload's Bronze write to its rows' Silver upsert").tags(tags("load"))
        .serviceLevelObjectives(LATENCY_BUCKETS).register(both);
    for (Duration d : bronzeToSilver) {
      latency.record(d.isNegative() ? Duration.ZERO : d);
    }
  }

  private static Duration[] seconds(double... s) {
    Duration[] d = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      d[i] = Duration.ofNanos((long) (s[i] * 1e9));
    }
    return d;
  }
}
