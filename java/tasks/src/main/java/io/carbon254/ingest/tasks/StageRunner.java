package io.carbon254.ingest.tasks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IngestException;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.pipeline.Pipeline;
import io.carbon254.ingest.core.pipeline.StageResult;
import io.carbon254.ingest.core.policy.Taxonomy;
import io.carbon254.ingest.core.quality.QualityRules;
import io.carbon254.ingest.core.sink.RunRecord;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.core.Telemetry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Wiring for interval keys: checks each interval against the dataset's grid and maximum window,
 * builds the connector dataset, the sinks and the pipeline, runs the requested stages in order,
 * records each in ingest_runs (also when it fails), logs a one-line human summary per stage and a
 * timing line at the end, and writes the JSON summary for Airflow when INGEST_SUMMARY_FILE is set.
 * A {@link Session} keeps what the keys of one market and dataset share (a backfill sets it up once).
 */
final class StageRunner {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private StageRunner() {}

  static MarketConnector connector(String market, java.util.function.Consumer<String> retryLog) {
    for (MarketConnector c : ServiceLoader.load(MarketConnector.class)) {
      if (c.market().equals(market)) {
        return c.onRetry(retryLog);
      }
    }
    throw new io.carbon254.ingest.core.UsageException("no connector for market '" + market + "'");
  }

  static String defaultRunId() {
    return "manual-" + Instant.now().toString().replaceAll("[^0-9TZ]", "").toLowerCase(Locale.ROOT);
  }

  /** Runs {@code stages} for one key in a session of its own; returns the exit code (0, or the typed outcome's code). */
  static int run(IngestConfig config, IntervalKey key, String runId, List<Stage> stages) {
    try (Session s = new Session(config, key.market(), key.dataset(), true)) {
      return s.run(key, runId, stages).exit();
    }
  }

  /** What the run of one interval key came to: its exit code and the rows its load put into Silver (0 without a load). */
  record Outcome(int exit, long rows) {}

  /**
   * What the runs of one market and dataset share: config, connector spec, the connector's
   * dataset (its HTTP client and request spacer), the taxonomy and the sinks, set up on the first
   * run and kept for the next ones (a backfill opens them once). {@code oneShot}: the sinks are
   * closed at the end of the first run, inside it (a stage command, whose timing line counts the close).
   */
  static final class Session implements AutoCloseable {
    private final IngestConfig config;
    private final String market;
    private final String datasetId;
    private final boolean oneShot;
    private ConnectorSpec spec;
    private Dataset dataset;
    private Taxonomy taxonomy;
    private QualityRules qualityRules;
    private Sinks sinks;
    private boolean releaseBeforeFetch;
    private boolean sinksLogged;
    /** The session's metrics (INGEST_METRICS_FILE: a backfill's file sums its windows) and each key's (pushed). */
    private final RunMetrics metrics;
    private final Tracing tracing;
    private final Telemetry telemetry;
    /** The log of the key being run: retry notices of the shared connector go there. */
    private volatile JsonLog current;

    Session(IngestConfig config, String market, String datasetId, boolean oneShot) {
      this.config = requireNonNull(config, "config is null");
      this.market = requireNonNull(market, "market is null");
      this.datasetId = requireNonNull(datasetId, "datasetId is null");
      this.oneShot = oneShot;
      this.metrics = new RunMetrics(market, datasetId);
      this.tracing = Tracing.forMarket(config, market);
      this.telemetry = Tracing.both(metrics, tracing);
    }

    /**
     * Between the intervals of a long run, close the warehouse before each fetch (so another
     * process may write while this one waits on the source's request spacing); reopened on the next write.
     */
    Session releaseWarehouseBeforeFetch(boolean release) {
      this.releaseBeforeFetch = release;
      return this;
    }

    /** The connector spec of the market (loaded on first use). */
    ConnectorSpec spec() {
      if (spec == null) {
        spec = ConnectorSpec.load(config, market);
      }
      return spec;
    }

    /**
     * The sinks, opened on first use (the embedded warehouse file itself only on its first read or
     * write); the first run after they were opened logs the {@code sinks} line.
     */
    Sinks sinks() {
      if (sinks == null) {
        sinks = Sinks.open(config);
      }
      return sinks;
    }

    /** Hands the keys a range command will fetch to the dataset ({@link Dataset#plan}), which may fetch ahead for them. */
    void plan(List<IntervalKey> keys) {
      if (keys.isEmpty()) {
        return;
      }
      keys.forEach(spec()::checkInterval);
      dataset();
      dataset.plan(keys);
    }

    private void dataset() {
      if (dataset == null) {
        MarketConnector c = connector(market, this::retryNotice).telemetry(telemetry);
        spec().checkConnector(market, c.datasetKinds());
        dataset = c.dataset(datasetId, new ConnectorContext(spec, config, Clock.systemUTC()));
      }
    }

    private void setUp(IntervalKey key, JsonLog log) {
      spec().checkInterval(key);
      dataset();
      if (taxonomy == null) {
        taxonomy = Taxonomy.load(config, spec);
      }
      if (qualityRules == null) {
        qualityRules = QualityRules.load(config, spec); // checked strictly before any request: a bad rules file is exit 2
      }
      Sinks s = sinks();
      if (!sinksLogged) {
        log.info("sinks", Map.of("warehouse", s.warehouse.describe(), "events", s.events.describe(), "cache", s.cache.describe(),
            "metrics", config.get("PUSHGATEWAY_URL").map(u -> "pushgateway " + u).orElse("none (PUSHGATEWAY_URL unset)"),
            "traces", tracing.describe()));
        sinksLogged = true;
      }
    }

    private void retryNotice(String message) {
      JsonLog l = current;
      if (l != null) {
        l.warn(message);
      }
    }

    /**
     * An operator's decision on the held rows of one key ({@code ingest quarantine release|drop}):
     * the same set-up as a stage (the rules file, the connector's dataset, the sinks), then {@link
     * Pipeline#release} or {@link Pipeline#drop}.
     */
    StageResult decide(IntervalKey key, boolean release, String actor, String note) {
      String runId = "quarantine-" + (release ? "release-" : "drop-") + defaultRunId().substring("manual-".length());
      JsonLog log = new JsonLog(Map.of("run_id", runId, "market", key.market(), "dataset", key.dataset(),
          "interval_start", key.window().start().toString(), "interval_end", key.window().end().toString(),
          "env", config.environment()));
      current = log;
      setUp(key, log);
      Pipeline pipeline = new Pipeline(key, dataset, sinks.warehouse, sinks.events, sinks.cache, taxonomy,
          spec.timezone().getId(), runId, Clock.systemUTC(), log).telemetry(telemetry);
      StageResult r = release ? pipeline.release(actor, note) : pipeline.drop(actor, note);
      log.info(r.summary(), r.details());
      return r;
    }

    /** Runs {@code stages} for one key: its own JSON log context, ingest_runs rows, summary and timing line. */
    Outcome run(IntervalKey key, String runId, List<Stage> stages) {
      Timing timing = Timing.start();
      JsonLog log = new JsonLog(Map.of("run_id", runId, "market", key.market(), "dataset", key.dataset(),
          "interval_start", key.window().start().toString(), "interval_end", key.window().end().toString(),
          "env", config.environment()));
      current = log;
      metrics.startRun();
      Telemetry.Span runSpan = tracing.runSpan(stages.size() == Stage.values().length ? "ingest run"
          : "ingest " + String.join(",", stages.stream().map(Stage::id).toList()), Map.of(
          "ingest.run_id", runId, "ingest.market", key.market(), "ingest.dataset", key.dataset(),
          "ingest.interval_start", key.window().start().toString(), "ingest.interval_end", key.window().end().toString()));
      List<Map<String, Object>> summaries = new ArrayList<>();
      int exit = ExitCodes.OK;
      long[] rows = {0};
      try {
        boolean ran = false;
        try {
          setUp(key, log);
          Pipeline pipeline = new Pipeline(key, dataset, sinks.warehouse, sinks.events, sinks.cache, taxonomy,
              spec.timezone().getId(), runId, Clock.systemUTC(), log)
              .telemetry(telemetry)
              .quality(qualityRules, spec.timezone(), spec.dataset(key.dataset()).lag(), spec.dataset(key.dataset()).freshness())
              .aheadInOnePass(stages.containsAll(List.of(Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD)));
          Duration lockWaitBefore = sinks.warehouse.lockWait();
          timing.setupDone();
          try {
            for (Stage stage : stages) {
              if (stage == Stage.FETCH && releaseBeforeFetch) {
                sinks.warehouse.release();
              }
              long t0 = System.nanoTime();
              Duration opened = sinks.warehouse.openTime();
              try {
                StageResult r = runStage(pipeline, stage, sinks, key, runId, log, metrics, tracing, summaries);
                if (stage == Stage.LOAD) {
                  rows[0] = r.rowsOut();
                }
              } finally {
                timing.stage(stage.id(), System.nanoTime() - t0, sinks.warehouse.openTime().minus(opened));
                timing.lockWait(sinks.warehouse.lockWait().minus(lockWaitBefore));
              }
            }
          } finally {
            pipeline.close(); // a one-pass normalize's held enriched events, when load did not come: discarded unsent
            timing.stagesDone();
          }
          ran = true;
        } finally {
          if (oneShot) {
            closeAfter(ran);
          }
        }
      } catch (StageFailure e) {
        exit = ExitCodes.BUG;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("outcome", e.outcome);
        f.put("exit_code", ExitCodes.BUG);
        f.put("error", e.getCause().toString());
        f.put("at", frames(e.getCause()));
        runSpan.failed(e.getCause());
        log.error(e.getMessage(), f);
        if (ErrorLine.onTerminal()) {
          System.err.println("ingest: error: " + ErrorLine.oneLine(e.getMessage()));
        }
      } catch (IngestException e) {
        exit = e.exitCode();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("outcome", e.outcome());
        f.put("exit_code", e.exitCode());
        if (e instanceof io.carbon254.ingest.core.PayloadRejectedException pr) {
          f.put("payload_id", pr.payloadId());
        }
        if (e.exitCode() == ExitCodes.NOT_PUBLISHED) {
          log.warn(e.getMessage(), f);
        } else {
          runSpan.failed(e);
          log.error(e.getMessage(), f);
        }
        ErrorLine.print(e);
      } catch (RuntimeException | Error e) {
        // outside a stage (setup, opening the sinks): no stage to record, still one JSON line and exit 1
        reserve = null;
        exit = ExitCodes.BUG;
        String msg = e instanceof OutOfMemoryError
            ? key + ": out of memory (" + e.getMessage() + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); exit 1"
            : key + ": unexpected failure (a bug): " + e + "; exit 1";
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("outcome", e instanceof OutOfMemoryError ? "out_of_memory" : "bug");
        f.put("exit_code", ExitCodes.BUG);
        f.put("at", frames(e));
        runSpan.failed(e);
        log.error(msg, f);
      } finally {
        writeSummary(config, key, runId, exit, summaries, log);
        config.get("INGEST_METRICS_FILE").ifPresent(p -> {
          try {
            Files.writeString(Path.of(p), metrics.sessionScrape());
          } catch (IOException e) {
            log.warn("cannot write metrics file " + p + ": " + e.getMessage());
          }
        });
        push(log);
        timing.closed();
        Map<String, Object> t = timing.fields();
        log.info("timing", t);
        System.out.println(Timing.human(t));
        runSpan.close();
        tracing.flush();
      }
      return new Outcome(exit, exit == ExitCodes.OK ? rows[0] : 0);
    }

    /** Pushes the key's metrics to PUSHGATEWAY_URL when it is set; a push that fails is a warning, never the run's outcome. */
    private void push(JsonLog log) {
      config.get("PUSHGATEWAY_URL").map(String::strip).filter(u -> !u.isEmpty()).ifPresent(url -> {
        try {
          new Pushgateway(url).push(market, datasetId, metrics.runScrape());
        } catch (IOException | RuntimeException e) {
          log.warn("cannot push the run's metrics to " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          log.warn("interrupted while pushing the run's metrics to " + url);
        }
      });
    }

    /** After a failure the run's own error is the one reported (as a try-with-resources would): a failing close is dropped then. */
    private void closeAfter(boolean ran) {
      if (ran) {
        close();
        return;
      }
      try {
        close();
      } catch (RuntimeException e) {
        // the stage's failure is reported; the close's is secondary
      }
    }

    /** Closes the sinks (the embedded warehouse's checkpoint and lock with them); a later run opens them again. */
    @Override
    public void close() {
      if (sinks != null) {
        Sinks s = sinks;
        sinks = null;
        sinksLogged = false;
        s.close();
      }
    }
  }

  private static StageResult runStage(Pipeline pipeline, Stage stage, Sinks sinks, IntervalKey key, String runId, JsonLog log,
      RunMetrics metrics, Tracing tracing, List<Map<String, Object>> summaries) {
    JsonLog slog = log.with("stage", stage.id());
    Instant started = Instant.now();
    metrics.stage(stage.id());
    Telemetry.Span span = tracing.span(stage.id()).attribute("ingest.stage", stage.id());
    slog.info("stage started");
    long t0 = System.nanoTime();
    try (span) {
      StageResult r;
      try {
        r = pipeline.run(stage);
      } catch (RuntimeException | Error e) {
        if (!(e instanceof io.carbon254.ingest.core.NotPublishedException)) {
          span.failed(e);
        }
        throw e;
      }
      Instant finished = Instant.now();
      metrics.stageEnded(stage.id(), "ok", ExitCodes.OK, Duration.ofNanos(System.nanoTime() - t0), r.rowsIn(), r.rowsOut());
      if (stage == Stage.FETCH && r.details().get("bytes") instanceof Number b) {
        metrics.fetched(r.rowsOut(), b.longValue());
      }
      span.attribute("ingest.rows_in", r.rowsIn()).attribute("ingest.rows_out", r.rowsOut());
      sinks.warehouse.recordRun(new RunRecord(runId, stage, key, "ok", 0, r.rowsIn(), r.rowsOut(), r.events(), started, finished, r.summary()));
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("status", "ok");
      fields.put("rows_in", r.rowsIn());
      fields.put("rows_out", r.rowsOut());
      fields.put("events", r.events());
      fields.put("duration_ms", Duration.between(started, finished).toMillis());
      fields.putAll(r.details());
      String human = key.market() + "/" + key.dataset() + " " + key.window() + " " + stage.id() + ": " + r.summary()
          + " (" + Duration.between(started, finished).toMillis() + " ms)";
      slog.info(human, fields);
      System.out.println(human);
      Map<String, Object> s = new LinkedHashMap<>(fields);
      s.put("stage", stage.id());
      s.put("summary", r.summary());
      summaries.add(s);
      return r;
    } catch (IngestException e) {
      Instant finished = Instant.now();
      metrics.stageEnded(stage.id(), e.outcome(), e.exitCode(), Duration.ofNanos(System.nanoTime() - t0), 0, 0);
      try {
        // A stage that failed before the warehouse was first used (an upstream failure in fetch) opens it here.
        sinks.warehouse.recordRun(new RunRecord(runId, stage, key, e.outcome(), e.exitCode(), 0, 0, 0, started, finished, e.getMessage()));
      } catch (IngestException recordFailed) {
        slog.warn("cannot record the failed stage in ingest_runs: " + recordFailed.getMessage());
      }
      summaries.add(Map.of("stage", stage.id(), "status", e.outcome(), "exit_code", e.exitCode(), "message", e.getMessage()));
      System.out.println(key.market() + "/" + key.dataset() + " " + key.window() + " " + stage.id() + ": " + e.outcome()
          + ", exit " + e.exitCode() + ": " + e.getMessage());
      throw e;
    } catch (RuntimeException | Error e) {
      // Not a typed outcome: a bug, or the JVM out of memory. The stage's objects are unreachable once
      // unwound here, and a small reserve is released, so the run is still recorded and reported.
      reserve = null;
      Instant finished = Instant.now();
      boolean oom = e instanceof OutOfMemoryError;
      String outcome = oom ? "out_of_memory" : "bug";
      String msg = oom
          ? key + " " + stage.id() + ": out of memory (" + e.getMessage() + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20)
              + " MiB): raise -Xmx in INGEST_JAVA_OPTS or the pod's memory; exit 1"
          : key + " " + stage.id() + ": unexpected failure (a bug): " + e + "; exit 1";
      try {
        metrics.stageEnded(stage.id(), outcome, ExitCodes.BUG, Duration.ofNanos(System.nanoTime() - t0), 0, 0);
        sinks.warehouse.recordRun(new RunRecord(runId, stage, key, outcome, ExitCodes.BUG, 0, 0, 0, started, finished, msg));
      } catch (RuntimeException | Error recordFailed) {
        slog.warn("cannot record the failed stage in ingest_runs: " + recordFailed);
      }
      summaries.add(Map.of("stage", stage.id(), "status", outcome, "exit_code", ExitCodes.BUG, "message", msg));
      System.out.println(key.market() + "/" + key.dataset() + " " + key.window() + " " + stage.id() + ": " + outcome + ", exit 1: " + msg);
      throw new StageFailure(outcome, msg, e);
    }
  }

  /** Kept until a stage fails with an Error, then dropped so the failure can still be recorded. */
  @SuppressWarnings("unused")
  private static byte[] reserve = new byte[4 << 20];

  /** A stage that failed with something other than a typed outcome, already recorded; exit 1. */
  private static final class StageFailure extends RuntimeException {
    final String outcome;

    StageFailure(String outcome, String message, Throwable cause) {
      super(message, cause);
      this.outcome = outcome;
    }
  }

  /** The top frames of a failure, for the JSON line (no raw stack trace on stderr). */
  private static String frames(Throwable t) {
    StringBuilder sb = new StringBuilder();
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(8, st.length); i++) {
      sb.append(i == 0 ? "" : " < ").append(st[i]);
    }
    return sb.toString();
  }

  private static void writeSummary(IngestConfig config, IntervalKey key, String runId, int exit,
      List<Map<String, Object>> stages, JsonLog log) {
    if (config.summaryFile().isEmpty()) {
      return;
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("run_id", runId);
    s.put("market", key.market());
    s.put("dataset", key.dataset());
    s.put("interval_start", key.window().start().toString());
    s.put("interval_end", key.window().end().toString());
    s.put("exit_code", exit);
    s.put("stages", stages);
    Path p = config.summaryFile().get();
    try {
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      Files.writeString(p, JSON.writeValueAsString(s));
    } catch (IOException e) {
      log.warn("cannot write summary file " + p + ": " + e.getMessage());
    }
  }
}
