package io.carbon254.ingest.core.pipeline;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.QualityGateException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.Dataset;
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
public final class Pipeline {
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

  public StageResult fetch() {
    List<RawPayload> fetched = dataset.fetch(key);
    List<RawPayload> stored = warehouse.putBronze(fetched);
    long bytes = stored.stream().mapToLong(p -> p.body().length).sum();
    String topic = EventFactory.topic(Stage.FETCH, key);
    List<Event> ev = stored.stream().map(p -> EventFactory.payloadFetched(topic, p, headers())).toList();
    events.publish(topic, key, ev);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("payloads", stored.stream().map(RawPayload::payloadId).toList());
    d.put("bytes", bytes);
    return new StageResult(Stage.FETCH, 0, stored.size(), ev.size(),
        stored.size() + " payload(s), " + bytes + " bytes into bronze_payloads", d);
  }

  /** Rows per batch handed to the warehouse and the events: memory per stage is a few batches, whatever the interval. */
  public static final int BATCH = 8192;

  /** A batch of rows on its way to a staging write and an event publish. */
  private final class Batches {
    private final Warehouse.StagingWriter staging;
    private final EventSink.EventWriter ev;
    private final String topic;
    private final List<CanonicalRecord> rows = new ArrayList<>(BATCH);
    private final List<Event> evs = new ArrayList<>(BATCH);
    long written;

    Batches(Warehouse.StagingWriter staging, EventSink.EventWriter ev, String topic) {
      this.staging = staging;
      this.ev = ev;
      this.topic = topic;
    }

    void add(CanonicalRecord r) {
      rows.add(r);
      if (rows.size() == BATCH) {
        flush();
      }
    }

    void flush() {
      if (rows.isEmpty()) {
        return;
      }
      staging.write(rows);
      Map<String, String> h = headers();
      for (CanonicalRecord r : rows) {
        evs.add(EventFactory.record(topic, r, h));
      }
      ev.append(evs);
      written += rows.size();
      rows.clear();
      evs.clear();
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
    List<RawPayload> payloads = warehouse.latestBronze(key);
    if (payloads.isEmpty()) {
      throw new UsageException(key + ": no Bronze payload for this interval; run `ingest fetch` first");
    }
    RecordKind kind = dataset.kind();
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    QualityGate.Checks gate = QualityGate.start(key);
    NaturalKeys seen = new NaturalKeys(key);
    java.util.Set<String> outsidePayloads = new java.util.LinkedHashSet<>();
    long[] parsed = {0};
    long[] outside = {0};
    String[] firstOutside = {null};
    try (Warehouse.StagingWriter staging = warehouse.openStaging(Stage.NORMALIZE, key, kind);
        EventSink.EventWriter ev = events.open(topic, key)) {
      Batches out = new Batches(staging, ev, topic);
      for (int i = 0; i < payloads.size(); i++) {
        RawPayload p = payloads.get(i);
        int index = i;
        dataset.parse(p, r -> {
          parsed[0]++;
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
        });
      }
      if (outside[0] > 0) {
        staging.close(); // discard before the quality results are written (the same warehouse connection)
        ev.close();
        rejectOutside(gate, outside[0], firstOutside[0], outsidePayloads, parsed[0]);
      }
      long accepted = gate.rows();
      if (accepted == 0) {
        throw new NotPublishedException(key + ": the source answered but its payloads hold no rows for the interval yet ("
            + payloads.size() + " payload(s), 0 rows); not published yet, exit 99");
      }
      out.flush();
      staging.commit();
      ev.commit();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("payloads", payloads.size());
      d.put("rows_parsed", parsed[0]);
      return new StageResult(Stage.NORMALIZE, parsed[0], accepted, accepted, payloads.size() + " payload(s) -> "
          + accepted + " canonical rows in " + kind.stagingTable(), d);
    }
  }

  /** Records the gate's verdict on every parsed row in quality_results, then rejects the first payload with rows outside. */
  private void rejectOutside(QualityGate.Checks gate, long outside, String example, java.util.Set<String> payloadIds, long parsed) {
    List<QualityResult> results = gate.results(runId, clock.instant());
    warehouse.writeQualityResults(key, results);
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
    RecordKind kind = dataset.kind();
    String topic = EventFactory.topic(Stage.ENRICH, key);
    Map<String, Enrichment> cache = new HashMap<>();
    Map<String, Boolean> knows = new HashMap<>();
    java.util.Set<String> hubs = new java.util.HashSet<>();
    long[] counts = {0, 0}; // rows, rows with a taxonomy entry
    try (Warehouse.StagingWriter staging = warehouse.openStaging(Stage.ENRICH, key, kind);
        EventSink.EventWriter ev = events.open(topic, key)) {
      Batches out = new Batches(staging, ev, topic);
      warehouse.scanStaging(Stage.NORMALIZE, key, kind, BATCH, batch -> {
        for (CanonicalRecord r : batch) {
          Enrichment e = cache.computeIfAbsent(r.subject(), s -> {
            Enrichment t = taxonomy.enrich(key.market(), s);
            return t.timezone() == null ? new Enrichment(t.zone(), t.hub(), t.region(), timezone, t.tradingHub()) : t;
          });
          if (knows.computeIfAbsent(r.subject(), s -> taxonomy.knows(key.market(), s))) {
            counts[1]++;
          }
          if (e.tradingHub()) {
            hubs.add(r.subject());
          }
          counts[0]++;
          out.add(r.withEnrichment(e));
        }
        out.flush(); // the scan's batch is released before the next one is read
      });
      if (counts[0] == 0) {
        throw new UsageException(key + ": no normalized rows for this interval; run `ingest normalize` first");
      }
      out.flush();
      staging.commit();
      ev.commit();
    }
    long rows = counts[0];
    long known = counts[1];
    return new StageResult(Stage.ENRICH, rows, rows, rows, rows + " rows enriched ("
        + known + " with a taxonomy entry, " + hubs.size() + " trading hub(s))", Map.of("rows_with_taxonomy_entry", known, "trading_hubs", (long) hubs.size()));
  }

  /**
   * Gates the enriched rows (checks computed over a streaming read, no row held), then upserts
   * Silver from staging (set-based where the warehouse can), warms the cache in batches and prunes
   * the interval's staging rows (where the warehouse does; enrich and load then need normalize again).
   */
  public StageResult load() {
    RecordKind kind = dataset.kind();
    QualityGate.Checks gate = QualityGate.start(key);
    java.util.Set<String> sources = new java.util.LinkedHashSet<>();
    warehouse.scanStaging(Stage.ENRICH, key, kind, BATCH, batch -> {
      for (CanonicalRecord r : batch) {
        gate.add(r);
        sources.add(sourceOf(r));
      }
    });
    long n = gate.rows();
    if (n == 0) {
      throw new UsageException(key + ": no enriched rows for this interval; run `ingest enrich` first");
    }
    List<QualityResult> results = gate.results(runId, clock.instant());
    warehouse.writeQualityResults(key, results);
    List<QualityResult> failed = results.stream().filter(r -> !r.passed()).toList();
    for (QualityResult r : failed) {
      log.warn("quality check " + r.check() + " failed (" + r.severity() + ")",
          Map.of("check", r.check(), "severity", r.severity(), "observed", r.observed(), "details", r.details()));
    }
    List<QualityResult> errors = failed.stream().filter(r -> r.severity().equals(QualityGate.ERROR)).toList();
    if (!errors.isEmpty()) {
      throw new QualityGateException(key + ": quality gate failed, " + kind.silverTable() + " untouched: "
          + errors.stream().map(r -> r.check() + " (" + r.details() + ")").collect(Collectors.joining("; "))
          + "; payloads " + List.copyOf(sources));
    }
    long written = warehouse.upsertSilverFromStaging(key, kind, BATCH);
    long[] cached = {0};
    if (cache != CacheWarmer.NONE) {
      warehouse.scanStaging(Stage.ENRICH, key, kind, BATCH, batch -> cached[0] += cache.warm(batch));
    }
    // Silver holds the rows now: the interval's staging (both stages) was only the hand-off.
    warehouse.pruneStaging(key, kind);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("checks_passed", results.size() - failed.size());
    d.put("checks_warned", failed.size());
    d.put("cache_keys", cached[0]);
    d.put("rows_written", written);
    return new StageResult(Stage.LOAD, n, n, 0, n + " rows upserted into " + kind.silverTable() + " (" + written + " new or changed)"
        + ", " + (results.size() - failed.size()) + "/" + results.size() + " checks passed" + (cached[0] > 0 ? ", " + cached[0] + " cache keys" : ""), d);
  }

  private static String sourceOf(CanonicalRecord r) {
    return switch (r) {
      case io.carbon254.ingest.core.record.PriceRecord p -> p.provenance().source();
      case io.carbon254.ingest.core.record.LoadRecord l -> l.provenance().source();
      case io.carbon254.ingest.core.record.FuelMixRecord f -> f.provenance().source();
    };
  }
}
