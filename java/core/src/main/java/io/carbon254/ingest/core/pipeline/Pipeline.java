package io.carbon254.ingest.core.pipeline;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.QualityGateException;
import io.carbon254.ingest.core.Telemetry;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.policy.Taxonomy;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.CacheWarmer;
import io.carbon254.ingest.core.sink.Event;
import io.carbon254.ingest.core.sink.EventFactory;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.core.sink.QualityResult;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.core.sink.Warehouse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The four stages of one interval key. Each reads its input from the warehouse by interval key,
 * writes its output by interval key, and publishes its events only after that write succeeded.
 */
public final class Pipeline implements AutoCloseable {
  private final IntervalKey key;
  private final Dataset dataset;
  private final Warehouse warehouse;
  private final EventSink events;
  private final CacheWarmer cache;
  private final Taxonomy taxonomy;
  private final String timezone;
  private final String runId;
  private final Clock clock;
  private final TaskLog log;
  private Telemetry telemetry = Telemetry.NONE;

  public Pipeline(IntervalKey key, Dataset dataset, Warehouse warehouse, EventSink events, CacheWarmer cache,
      Taxonomy taxonomy, String timezone, String runId, Clock clock, TaskLog log) {
    this.key = requireNonNull(key, "key is null");
    this.dataset = requireNonNull(dataset, "dataset is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    this.events = requireNonNull(events, "events is null");
    this.cache = requireNonNull(cache, "cache is null");
    this.taxonomy = requireNonNull(taxonomy, "taxonomy is null");
    this.timezone = timezone;
    this.runId = requireNonNull(runId, "runId is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.log = requireNonNull(log, "log is null");
  }

  /** Where the steps' spans, the HTTP attempts, the quality verdicts and the loads are reported (default: nowhere). */
  public Pipeline telemetry(Telemetry telemetry) {
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    return this;
  }

  private io.carbon254.ingest.core.quality.QualityRules rules;
  private QualityGate.Context context = QualityGate.Context.DEFAULT;

  /**
   * The market's data-quality rules and what they need (timezone, lag, freshness; the previous
   * interval's locations are read from Silver here). Default: the built-in checks in UTC.
   */
  public Pipeline quality(io.carbon254.ingest.core.quality.QualityRules rules, java.time.ZoneId zone, Duration lag,
      Duration freshness) {
    this.rules = requireNonNull(rules, "rules is null");
    Duration len = key.window().length();
    io.carbon254.ingest.core.IntervalWindow previous =
        new io.carbon254.ingest.core.IntervalWindow(key.window().start().minus(len), key.window().start());
    this.context = new QualityGate.Context(zone, lag, freshness,
        () -> warehouse.silverSubjects(key.market(), key.dataset(), dataset.kind(), previous));
    return this;
  }

  /** A gate with the rules in effect for this interval key (those of its start's local market day). */
  private QualityGate.Checks newGate() {
    if (rules == null) {
      return QualityGate.start(key);
    }
    java.time.LocalDate day = java.time.LocalDate.ofInstant(key.window().start(), context.zone());
    return QualityGate.start(key, rules.inEffect(key.dataset(), day), context);
  }

  /** Runs {@code body} as the step {@code span} (closed when it ends; marked failed when it throws). */
  private static <T> T step(Telemetry.Span span, java.util.function.Supplier<T> body) {
    try (span) {
      try {
        return body.get();
      } catch (RuntimeException | Error e) {
        span.failed(e);
        throw e;
      }
    }
  }

  private static void step(Telemetry.Span span, Runnable body) {
    step(span, () -> {
      body.run();
      return null;
    });
  }

  public StageResult run(Stage stage) {
    return switch (stage) {
      case FETCH -> fetch();
      case NORMALIZE -> normalize();
      case ENRICH -> enrich();
      case LOAD -> load();
    };
  }

  private Map<String, String> headers() {
    return Map.of(EventFactory.HEADER_RUN_ID, runId);
  }

  /**
   * Downloads every payload into a spool on disk (one body in memory at a time, the warehouse not
   * yet opened: no lock held while waiting on the source), then stores them in Bronze in one
   * transaction, reading the bodies back one at a time, and publishes one event per payload.
   */
  public StageResult fetch() {
    List<PayloadHead> stored = new ArrayList<>();
    long bytes;
    try (PayloadSpool spool = PayloadSpool.open()) {
      dataset.fetch(key, spool::add);
      List<PayloadHead> heads = spool.heads();
      List<java.time.Instant> at = step(telemetry.span("warehouse.write").attribute("table", "bronze_payloads")
          .attribute("payloads", heads.size()), () -> warehouse.putBronze(heads, spool::body));
      for (int i = 0; i < heads.size(); i++) {
        stored.add(heads.get(i).withFetchedAt(at.get(i)));
      }
      bytes = spool.bytes();
    }
    String topic = EventFactory.topic(Stage.FETCH, key);
    List<Event> ev = stored.stream().map(p -> EventFactory.payloadFetched(topic, p, headers())).toList();
    step(telemetry.span("events.publish").attribute("topic", topic).attribute("events", ev.size()), () -> events.publish(topic, key, ev));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("payloads", stored.stream().map(PayloadHead::payloadId).toList());
    d.put("bytes", bytes);
    return new StageResult(Stage.FETCH, 0, stored.size(), ev.size(),
        stored.size() + " payload(s), " + bytes + " bytes into bronze_payloads", d);
  }

  /** Rows per batch handed to the warehouse and the events: memory per stage is a few batches, whatever the interval. */
  public static final int BATCH = 8192;

  /**
   * Rows on their way to a staging write and an event publish, in batches of {@link #BATCH}. A full
   * batch is written by one writer thread while the stage fills the next (parsing and writing run on
   * both cores), so at most two batches are held. The writer's failure surfaces at the next hand-off
   * or at {@link #finish}; {@link #close} waits for a write in flight before the caller rolls back.
   */
  private final class Batches implements AutoCloseable {
    /** What a full batch becomes: called on the stage's thread, it returns the writer thread's part. */
    private final java.util.function.Function<List<CanonicalRecord>, Runnable> work;
    private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ingest-writer");
      t.setDaemon(true);
      return t;
    });
    private java.util.concurrent.Future<?> inFlight;
    private List<CanonicalRecord> rows = new ArrayList<>(BATCH);
    long written;

    /** Batches written to {@code staging} with their events on {@code topic}. */
    Batches(Warehouse.StagingWriter staging, EventSink.EventWriter ev, String topic) {
      Map<String, String> h = headers();
      this.work = batch -> () -> {
        step(telemetry.span("warehouse.write").attribute("table", dataset.kind().stagingTable()).attribute("rows", batch.size()), () -> staging.write(batch));
        step(telemetry.span("events.publish").attribute("topic", topic).attribute("events", batch.size()),
            () -> ev.appendRecords(topic, batch, h));
      };
    }

    Batches(java.util.function.Function<List<CanonicalRecord>, Runnable> work) {
      this.work = work;
    }

    void add(CanonicalRecord r) {
      rows.add(r);
      if (rows.size() == BATCH) {
        flush();
      }
    }

    /** Hands the current batch to the writer (after the previous one is written). */
    void flush() {
      if (rows.isEmpty()) {
        return;
      }
      List<CanonicalRecord> batch = rows;
      rows = new ArrayList<>(BATCH);
      Runnable task = telemetry.propagate(work.apply(batch));
      await();
      inFlight = writer.submit(task);
      written += batch.size();
    }

    /** Every row handed over is written (or the writer's failure is thrown). */
    void finish() {
      flush();
      await();
    }

    private void await() {
      if (inFlight == null) {
        return;
      }
      java.util.concurrent.Future<?> f = inFlight;
      inFlight = null;
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing a batch", e);
      } catch (java.util.concurrent.ExecutionException e) {
        switch (e.getCause()) {
          case RuntimeException re -> throw re;
          case Error err -> throw err;
          default -> throw new IllegalStateException(e.getCause());
        }
      }
    }

    @Override
    public void close() {
      try {
        if (inFlight != null) {
          try {
            inFlight.get();
          } catch (Exception e) {
            // the stage is failing already; its own error is the one reported
          }
        }
      } finally {
        writer.shutdownNow();
      }
    }
  }

  /**
   * Parses the latest Bronze payload of every part, streaming: rows go from the parser in batches
   * to the staging write and the events, both committed only when every payload parsed cleanly (the
   * staging write first, then the events). Duplicates by natural key are dropped when identical to
   * the first (first wins) and reject the payload when they differ, tracked without a string per row
   * ({@link NaturalKeys}). A payload holding rows outside the interval is about another interval: it
   * is rejected (exit 4, payload named), with the quality gate's verdict ({@code interval_in_window}
   * failed) recorded in quality_results and nothing staged; the gate runs incrementally over the
   * streamed rows. A source whose request returns such rows by design must drop them in its
   * connector, saying why.
   */
  public StageResult normalize() {
    List<RawPayload> payloads = warehouse.latestBronzeHeads(key); // bodies read one at a time below
    if (payloads.isEmpty()) {
      throw new UsageException(key + ": no Bronze payload for this interval; run `ingest fetch` first");
    }
    RecordKind kind = dataset.kind();
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    QualityGate.Checks gate = newGate();
    NaturalKeys seen = new NaturalKeys(key);
    java.util.Set<String> outsidePayloads = new java.util.LinkedHashSet<>();
    long[] parsed = {0};
    long[] outside = {0};
    String[] firstOutside = {null};
    boolean ahead = aheadWanted;
    Enricher enricher = ahead ? new Enricher() : null;
    QualityGate.Checks loadGate = ahead ? newGate() : null;
    Map<String, Instant> sources = new LinkedHashMap<>();
    String enrichTopic = EventFactory.topic(Stage.ENRICH, key);
    // the enriched events are encoded in this pass but held (spooled) until load's gate passed and
    // Silver holds the rows: load commits them, or closes them unsent (close())
    EventSink.EventWriter enrichedEv = ahead ? events.open(enrichTopic, key) : null;
    boolean handedOver = false;
    try (Warehouse.StagingWriter staging = warehouse.openStaging(ahead ? Stage.ENRICH : Stage.NORMALIZE, key, kind);
        EventSink.EventWriter ev = events.open(topic, key);
        Batches out = ahead ? new Batches(batch -> {
          // one pass for normalize, enrich and load's gate: the batch's normalized events, its
          // enriched rows into enrich's staging with their (held) events, the gate over the enriched rows
          List<CanonicalRecord> enriched = new ArrayList<>(batch.size());
          for (CanonicalRecord r : batch) {
            CanonicalRecord e = enricher.apply(r);
            loadGate.add(e);
            sources.putIfAbsent(sourceOf(e), fetchedAtOf(e));
            enriched.add(e);
          }
          Map<String, String> h = headers();
          return () -> {
            step(telemetry.span("events.publish").attribute("topic", topic).attribute("events", batch.size()),
                () -> ev.appendRecords(topic, batch, h));
            step(telemetry.span("warehouse.write").attribute("table", kind.stagingTable()).attribute("rows", enriched.size()),
                () -> staging.write(enriched));
            step(telemetry.span("events.append").attribute("topic", enrichTopic).attribute("events", enriched.size()),
                () -> enrichedEv.appendRecords(enrichTopic, enriched, h));
          };
        }) : new Batches(staging, ev, topic)) {
      for (int i = 0; i < payloads.size(); i++) {
        RawPayload p = warehouse.withBody(payloads.get(i));
        int index = i;
        step(telemetry.span("parse").attribute("payload.id", p.payloadId()), () -> dataset.parse(p, r -> {
          parsed[0]++;
          Warehouse.checkStagingKey(key, r); // before the row is written anywhere
          if (!key.window().contains(r.intervalStart())) {
            if (outside[0]++ == 0) {
              firstOutside[0] = r.naturalKey();
            }
            outsidePayloads.add(p.payloadId());
            gate.addLater(r);
            return;
          }
          int prev = seen.add(r, index);
          if (prev == NaturalKeys.NEW) {
            gate.add(r);
            if (outside[0] == 0) {
              out.add(r); // once a row lies outside nothing will be committed: stop writing
            }
          } else if (prev != NaturalKeys.SAME) {
            throw new PayloadRejectedException(p.payloadId(), r.naturalKey() + " differs from the same key in " + payloads.get(prev).payloadId());
          }
        }));
      }
      if (outside[0] > 0) {
        out.close(); // no write in flight
        staging.close(); // discard before the quality results are written (the same warehouse connection)
        ev.close();
        rejectOutside(gate, outside[0], firstOutside[0], outsidePayloads, parsed[0]);
      }
      long accepted = gate.rows();
      if (accepted == 0) {
        throw new NotPublishedException(key + ": the source answered but its payloads hold no rows for the interval yet ("
            + payloads.size() + " payload(s), 0 rows); not published yet, exit 99");
      }
      out.finish();
      step(telemetry.span("warehouse.commit").attribute("table", kind.stagingTable()), staging::commit);
      step(telemetry.span("events.commit").attribute("topic", topic), ev::commit);
      if (ahead) {
        // the normalized rows went straight on to enrich: no normalize staging of this key stays
        // behind (an older run's would be stale); enrich and load run alone need a normalize again
        try (Warehouse.StagingWriter none = warehouse.openStaging(Stage.NORMALIZE, key, kind)) {
          none.commit();
        }
        prepared = new Prepared(enricher, loadGate, sources, enrichedEv);
        handedOver = true;
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("payloads", payloads.size());
      d.put("rows_parsed", parsed[0]);
      return new StageResult(Stage.NORMALIZE, parsed[0], accepted, accepted, payloads.size() + " payload(s) -> "
          + accepted + " canonical rows" + (ahead ? ", enriched in the same pass into " : " in ") + kind.stagingTable(), d);
    } finally {
      if (enrichedEv != null && !handedOver) {
        enrichedEv.close(); // nothing of it sent
      }
    }
  }

  private boolean aheadWanted;
  private Prepared prepared;

  /**
   * Whether normalize also does enrich's work and load's gate in its pass (the stages run in one
   * process: {@code ingest run}, backfill, replay): the enriched rows go straight to enrich's
   * staging with both stages' events, the gate is computed on the way; enrich then only reports,
   * load skips its staging scan. Each stage keeps its own result, ledger row and failure (a gate
   * failure is still load's). Off for a stage run alone (Airflow's tasks): each reads its input from
   * the warehouse.
   */
  public Pipeline aheadInOnePass(boolean on) {
    this.aheadWanted = on;
    return this;
  }

  /** What the one-pass normalize left for enrich and load. */
  private record Prepared(Enricher enricher, QualityGate.Checks gate, Map<String, Instant> sources, EventSink.EventWriter events) {}

  /**
   * Drops what a one-pass normalize left for a load that did not come (a stage failed in between):
   * its held enriched events are discarded unsent.
   */
  @Override
  public void close() {
    if (prepared != null) {
      prepared.events().close();
      prepared = null;
    }
  }

  /** Enrich's per-row work: the taxonomy entry once per subject, the counts enrich reports. */
  private final class Enricher {
    private final Map<String, Enrichment> cache = new HashMap<>();
    private final Map<String, Boolean> knows = new HashMap<>();
    private final java.util.Set<String> hubs = new java.util.HashSet<>();
    long rows;
    long known;

    CanonicalRecord apply(CanonicalRecord r) {
      Enrichment e = cache.computeIfAbsent(r.subject(), s -> {
        Enrichment t = taxonomy.enrich(key.market(), s);
        return t.timezone() == null ? new Enrichment(t.zone(), t.hub(), t.region(), timezone, t.tradingHub()) : t;
      });
      if (knows.computeIfAbsent(r.subject(), s -> taxonomy.knows(key.market(), s))) {
        known++;
      }
      if (e.tradingHub()) {
        hubs.add(r.subject());
      }
      rows++;
      return r.withEnrichment(e);
    }

    StageResult result() {
      return new StageResult(Stage.ENRICH, rows, rows, 0, rows + " rows enriched ("
          + known + " with a taxonomy entry, " + hubs.size() + " trading hub(s)); their events go out with load, once the gate passed",
          Map.of("rows_with_taxonomy_entry", known, "trading_hubs", (long) hubs.size()));
    }
  }

  /** Records the gate's verdict on every parsed row in quality_results, then rejects the first payload with rows outside. */
  private void rejectOutside(QualityGate.Checks gate, long outside, String example, java.util.Set<String> payloadIds, long parsed) {
    List<QualityResult> results = gate.results(runId, clock.instant());
    step(telemetry.span("warehouse.write").attribute("table", "quality_results"), () -> warehouse.writeQualityResults(key, results));
    telemetry.qualityChecked(results);
    for (QualityResult r : results) {
      if (!r.passed()) {
        log.warn("quality check " + r.check() + " failed (" + r.severity() + ")",
            Map.of("check", r.check(), "severity", r.severity(), "observed", r.observed(), "details", r.details()));
      }
    }
    String first = payloadIds.iterator().next();
    String others = payloadIds.size() > 1
        ? " (also in " + payloadIds.stream().skip(1).collect(Collectors.joining(", ")) + ")" : "";
    throw new PayloadRejectedException(first, (outside == parsed ? "all " : "") + outside + " of "
        + parsed + " row(s) lie outside the interval " + key.window() + ", e.g. " + example + others
        + ": the payload is about another interval; quality check interval_in_window failed (recorded in quality_results),"
        + " staging and " + dataset.kind().silverTable() + " untouched; Bronze keeps the payload");
  }

  /**
   * Enriches the normalized rows in batches: the taxonomy entry is looked up once per subject
   * (location, area, fuel), rows stream from the staging read to the staging write and the events.
   */
  public StageResult enrich() {
    if (prepared != null) {
      return prepared.enricher().result(); // done in normalize's pass (aheadInOnePass)
    }
    RecordKind kind = dataset.kind();
    Enricher enricher = new Enricher();
    try (Warehouse.StagingWriter staging = warehouse.openStaging(Stage.ENRICH, key, kind);
        Batches out = new Batches(batch -> () -> step(telemetry.span("warehouse.write").attribute("table", kind.stagingTable())
            .attribute("rows", batch.size()), () -> staging.write(batch)))) {
      warehouse.scanStaging(Stage.NORMALIZE, key, kind, BATCH, batch -> {
        for (CanonicalRecord r : batch) {
          out.add(enricher.apply(r));
        }
      });
      if (enricher.rows == 0) {
        throw new UsageException(key + ": no normalized rows for this interval; run `ingest normalize` first" + prunedHint());
      }
      out.finish();
      step(telemetry.span("warehouse.commit").attribute("table", kind.stagingTable()), staging::commit);
    }
    return enricher.result();
  }

  /**
   * Gates the enriched rows (checks computed over a streaming read, no row held), then upserts
   * Silver from staging (set-based where the warehouse can), warms the cache in batches and prunes
   * the interval's staging rows (where the warehouse does; enrich and load then need normalize again).
   */
  public StageResult load() {
    RecordKind kind = dataset.kind();
    String topic = EventFactory.topic(Stage.ENRICH, key);
    QualityGate.Checks gate;
    Map<String, Instant> sources;
    EventSink.EventWriter ev;
    if (prepared != null) { // gated in normalize's pass (aheadInOnePass): no staging scan, the events encoded there
      gate = prepared.gate();
      sources = prepared.sources();
      ev = prepared.events();
      prepared = null;
    } else {
      QualityGate.Checks g = newGate();
      Map<String, Instant> src = new LinkedHashMap<>();
      Map<String, String> h = headers();
      ev = events.open(topic, key);
      try {
        // one scan: the gate over the rows and their enriched events, encoded and held (spooled) until
        // the gate passed and Silver holds the rows
        step(telemetry.span("warehouse.read").attribute("table", kind.stagingTable()), () -> warehouse.scanStaging(Stage.ENRICH, key, kind, BATCH, batch -> {
          for (CanonicalRecord r : batch) {
            g.add(r);
            src.putIfAbsent(sourceOf(r), fetchedAtOf(r));
          }
          step(telemetry.span("events.append").attribute("topic", topic).attribute("events", batch.size()),
              () -> ev.appendRecords(topic, batch, h));
        }));
      } catch (RuntimeException | Error e) {
        ev.close();
        throw e;
      }
      gate = g;
      sources = src;
    }
    try (EventSink.EventWriter held = ev) { // closed without a commit: nothing of it sent
      long n = gate.rows();
      if (n == 0) {
        throw new UsageException(key + ": no enriched rows for this interval; run `ingest enrich` first" + prunedHint());
      }
      List<QualityResult> results = gate.results(runId, clock.instant());
      step(telemetry.span("warehouse.write").attribute("table", "quality_results"), () -> warehouse.writeQualityResults(key, results));
      telemetry.qualityChecked(results);
      List<QualityResult> failed = results.stream().filter(r -> !r.passed()).toList();
      for (QualityResult r : failed) {
        log.warn("quality check " + r.check() + " failed (" + r.severity() + ")",
            Map.of("check", r.check(), "severity", r.severity(), "observed", r.observed(), "details", r.details()));
      }
      List<QualityResult> errors = failed.stream().filter(r -> r.severity().equals(QualityGate.ERROR)).toList();
      if (!errors.isEmpty()) {
        long kept = step(telemetry.span("warehouse.write").attribute("table", Warehouse.quarantineTable(kind)),
            () -> quarantine(kind, gate, errors));
        throw new QualityGateException(key + ": quality gate failed, " + kind.silverTable() + " untouched, no enriched event: "
            + errors.stream().map(r -> r.check() + " (" + r.details() + ")").collect(Collectors.joining("; "))
            + "; " + kept + " row(s) held in " + Warehouse.quarantineTable(kind) + " (ingest quarantine list, release, drop)"
            + "; payloads " + List.copyOf(sources.keySet()));
      }
      long written = step(telemetry.span("warehouse.upsert").attribute("table", kind.silverTable()).attribute("rows", n),
          () -> warehouse.upsertSilverFromStaging(key, kind, BATCH));
      Instant upserted = clock.instant();
      supersedeHeld(kind, upserted);
      telemetry.loaded(key.window().end(), sources.values().stream().map(f -> Duration.between(f, upserted)).toList());
      // The gate passed and Silver holds the rows: only now do their enriched.* events go out (what
      // downstream consumes is what Silver holds).
      step(telemetry.span("events.publish").attribute("topic", topic).attribute("events", n), held::commit);
      long[] cached = {0};
      if (cache != CacheWarmer.NONE) {
        step(telemetry.span("cache.warm"), () -> warehouse.scanStaging(Stage.ENRICH, key, kind, BATCH, batch -> cached[0] += cache.warm(batch)));
      }
      // Silver holds the rows now: the interval's staging (both stages) was only the hand-off.
      step(telemetry.span("warehouse.prune").attribute("table", kind.stagingTable()), () -> warehouse.pruneStaging(key, kind));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("checks_passed", results.size() - failed.size());
      d.put("checks_warned", failed.size());
      d.put("cache_keys", cached[0]);
      d.put("rows_written", written);
      d.put("events", n);
      d.put("quality", summary(results));
      return new StageResult(Stage.LOAD, n, n, n, n + " rows upserted into " + kind.silverTable() + " (" + written + " new or changed)"
          + ", " + summary(results) + ", " + n + " events on " + topic + (cached[0] > 0 ? ", " + cached[0] + " cache keys" : ""), d);
    }
  }

  /**
   * Holds the interval's enriched rows in quarantine (a second pass over staging): each row with the
   * failed check that names it (its series short, its value out of range, ...) or, when none does,
   * the interval's first failed check; the key's rows of an earlier failed run are replaced.
   * Staging stays: a re-run of load after a rules fix gates the same rows again.
   */
  private long quarantine(RecordKind kind, QualityGate.Checks gate, List<QualityResult> errors) {
    java.util.Set<String> names = errors.stream().map(QualityResult::check).collect(Collectors.toSet());
    Map<String, String> incomplete = names.contains("completeness") ? gate.incompleteSeries() : Map.of();
    QualityResult first = errors.getFirst();
    String whole = "the interval is held: " + first.check() + " failed" + (first.details().isEmpty() ? "" : " (" + first.details() + ")");
    Instant at = clock.instant();
    long[] n = {0};
    try (Warehouse.QuarantineWriter w = warehouse.openQuarantine(key, kind, runId, at)) {
      warehouse.scanStaging(Stage.ENRICH, key, kind, BATCH, batch -> {
        List<Warehouse.HeldRow> held = new ArrayList<>(batch.size());
        for (CanonicalRecord r : batch) {
          java.util.Optional<String[]> p = gate.rowProblem(r, names, incomplete);
          held.add(new Warehouse.HeldRow(r, p.map(x -> x[0]).orElse(first.check()), p.map(x -> x[1]).orElse(whole)));
        }
        w.write(held);
        n[0] += held.size();
      });
      w.commit();
    }
    warehouse.recordQuarantineAction(new io.carbon254.ingest.core.sink.QuarantineAction(
        io.carbon254.ingest.core.sink.QuarantineAction.HELD, key, runId, n[0], runId,
        errors.stream().map(QualityResult::check).collect(Collectors.joining(", ")) + " failed", at));
    log.warn("interval held in quarantine", Map.of("table", Warehouse.quarantineTable(kind), "rows", n[0],
        "checks", errors.stream().map(QualityResult::check).toList()));
    return n[0];
  }

  /** A successful load of the key makes the rows an earlier failed run held there obsolete: removed, recorded. */
  private void supersedeHeld(RecordKind kind, Instant at) {
    if (warehouse.heldRows(key, kind) == 0) {
      return;
    }
    long n = warehouse.dropQuarantine(key, kind);
    warehouse.recordQuarantineAction(new io.carbon254.ingest.core.sink.QuarantineAction(
        io.carbon254.ingest.core.sink.QuarantineAction.SUPERSEDED, key, runId, n, runId,
        "a later load of the interval passed the gate", at));
    log.info("held rows superseded", Map.of("table", Warehouse.quarantineTable(kind), "rows", n));
  }

  /**
   * An operator's decision on the held rows of the key: {@code release} upserts them into Silver at
   * their versions, publishes their enriched events and warms the cache, as a load would; {@code
   * drop} discards them. Either removes them from quarantine, prunes the key's staging (the failed
   * run's hand-off; a later run starts from normalize) and records the action with {@code actor}
   * and {@code note}. Nothing held is a usage error (exit 2).
   */
  public StageResult release(String actor, String note) {
    return decide(io.carbon254.ingest.core.sink.QuarantineAction.RELEASED, actor, note);
  }

  public StageResult drop(String actor, String note) {
    return decide(io.carbon254.ingest.core.sink.QuarantineAction.DROPPED, actor, note);
  }

  private StageResult decide(String action, String actor, String note) {
    RecordKind kind = dataset.kind();
    String table = Warehouse.quarantineTable(kind);
    List<String> runs = warehouse.heldRunIds(key, kind);
    long held = warehouse.heldRows(key, kind);
    if (held == 0) {
      throw new UsageException(key + ": no row of this interval is held in " + table + " (ingest quarantine list shows what is)");
    }
    long published = 0;
    long cached = 0;
    if (action.equals(io.carbon254.ingest.core.sink.QuarantineAction.RELEASED)) {
      warehouse.releaseQuarantine(key, kind);
      String topic = EventFactory.topic(Stage.ENRICH, key);
      Map<String, String> h = new HashMap<>(headers());
      long[] counts = {0, 0};
      try (EventSink.EventWriter ev = events.open(topic, key)) {
        warehouse.scanQuarantine(key, kind, BATCH, batch -> {
          ev.appendRecords(topic, batch, h);
          counts[0] += batch.size();
          if (cache != CacheWarmer.NONE) {
            counts[1] += cache.warm(batch);
          }
        });
        ev.commit();
      }
      published = counts[0];
      cached = counts[1];
    }
    long n = warehouse.dropQuarantine(key, kind);
    warehouse.pruneStaging(key, kind);
    Instant at = clock.instant();
    warehouse.recordQuarantineAction(new io.carbon254.ingest.core.sink.QuarantineAction(action, key, String.join(",", runs), n, actor,
        note, at));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("action", action);
    d.put("rows", n);
    d.put("held_by_runs", runs);
    d.put("events", published);
    d.put("cache_keys", cached);
    String what = action.equals(io.carbon254.ingest.core.sink.QuarantineAction.RELEASED)
        ? n + " held row(s) released into " + kind.silverTable() + " at their versions, " + published + " events on "
            + EventFactory.topic(Stage.ENRICH, key)
        : n + " held row(s) dropped";
    return new StageResult(Stage.LOAD, held, n, published, what + "; recorded in quarantine_actions (" + actor + ": " + note + ")", d);
  }

  /** {@code 11 checks: 10 passed, 1 warned (price_bounds)}: the gate's verdict in one phrase. */
  static String summary(List<QualityResult> results) {
    List<String> warned = results.stream().filter(r -> !r.passed() && !r.severity().equals(QualityGate.ERROR)).map(QualityResult::check).toList();
    List<String> failed = results.stream().filter(r -> !r.passed() && r.severity().equals(QualityGate.ERROR)).map(QualityResult::check).toList();
    long passed = results.size() - warned.size() - failed.size();
    return results.size() + " checks: " + passed + " passed" + (warned.isEmpty() ? "" : ", " + warned.size() + " warned " + warned)
        + (failed.isEmpty() ? "" : ", " + failed.size() + " failed " + failed);
  }

  /** Why staging may be empty: the interval's load succeeded and pruned it (then re-run from normalize). */
  private String prunedHint() {
    try {
      if (warehouse.loadedWindows(key.market(), key.dataset(), key.window()).contains(key.window())) {
        return " (its Silver load already succeeded, which pruned the interval's staging: re-run from normalize,"
            + " e.g. `ingest run`, or clear normalize with its downstream tasks in Airflow)";
      }
    } catch (RuntimeException e) {
      // only a hint
    }
    return "";
  }

  private static Instant fetchedAtOf(CanonicalRecord r) {
    return switch (r) {
      case io.carbon254.ingest.core.record.PriceRecord p -> p.provenance().fetchedAt();
      case io.carbon254.ingest.core.record.LoadRecord l -> l.provenance().fetchedAt();
      case io.carbon254.ingest.core.record.FuelMixRecord f -> f.provenance().fetchedAt();
    };
  }

  private static String sourceOf(CanonicalRecord r) {
    return switch (r) {
      case io.carbon254.ingest.core.record.PriceRecord p -> p.provenance().source();
      case io.carbon254.ingest.core.record.LoadRecord l -> l.provenance().source();
      case io.carbon254.ingest.core.record.FuelMixRecord f -> f.provenance().source();
    };
  }
}
