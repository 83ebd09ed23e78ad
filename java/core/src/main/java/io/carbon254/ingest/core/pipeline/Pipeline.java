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

  /**
   * Parses the latest Bronze payload of every part. A payload holding rows outside the interval is
   * about another interval: it is rejected (exit 4, payload named), with the quality gate's verdict
   * ({@code interval_in_window} failed) recorded in quality_results and nothing staged; a source
   * whose request returns such rows by design must drop them in its connector, saying why.
   */
  public StageResult normalize() {
    List<RawPayload> payloads = warehouse.latestBronze(key);
    if (payloads.isEmpty()) {
      throw new UsageException(key + ": no Bronze payload for this interval; run `ingest fetch` first");
    }
    List<CanonicalRecord> inWindow = new ArrayList<>();
    List<CanonicalRecord> outside = new ArrayList<>();
    java.util.Set<String> outsidePayloads = new java.util.LinkedHashSet<>();
    Map<String, CanonicalRecord> byKey = new HashMap<>();
    long parsed = 0;
    for (RawPayload p : payloads) {
      List<CanonicalRecord> rows = dataset.parse(p);
      parsed += rows.size();
      for (CanonicalRecord r : rows) {
        if (!key.window().contains(r.intervalStart())) {
          outside.add(r);
          outsidePayloads.add(p.payloadId());
          continue;
        }
        CanonicalRecord prev = byKey.putIfAbsent(r.naturalKey(), r);
        if (prev == null) {
          inWindow.add(r);
        } else if (!java.util.Arrays.equals(valuesWithoutProvenance(prev), valuesWithoutProvenance(r))) {
          throw new PayloadRejectedException(p.payloadId(), r.naturalKey() + " differs from the same key in " + prev.values()[prev.kind().indexOf("source")]);
        }
      }
    }
    if (!outside.isEmpty()) {
      rejectOutside(inWindow, outside, outsidePayloads, parsed);
    }
    if (inWindow.isEmpty()) {
      throw new NotPublishedException(key + ": the source answered but its payloads hold no rows for the interval yet ("
          + payloads.size() + " payload(s), 0 rows); not published yet, exit 99");
    }
    warehouse.replaceStaging(Stage.NORMALIZE, key, dataset.kind(), inWindow);
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    List<Event> ev = inWindow.stream().map(r -> EventFactory.record(topic, r, headers())).toList();
    events.publish(topic, key, ev);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("payloads", payloads.size());
    d.put("rows_parsed", parsed);
    return new StageResult(Stage.NORMALIZE, parsed, inWindow.size(), ev.size(), payloads.size() + " payload(s) -> "
        + inWindow.size() + " canonical rows in " + dataset.kind().stagingTable(), d);
  }

  /** Records the gate's verdict on every parsed row in quality_results, then rejects the first payload with rows outside. */
  private void rejectOutside(List<CanonicalRecord> inWindow, List<CanonicalRecord> outside, java.util.Set<String> payloadIds,
      long parsed) {
    List<CanonicalRecord> all = new ArrayList<>(inWindow);
    all.addAll(outside);
    List<QualityResult> results = QualityGate.check(key, all, runId, clock.instant());
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
    throw new PayloadRejectedException(first, (outside.size() == parsed ? "all " : "") + outside.size() + " of "
        + parsed + " row(s) lie outside the interval " + key.window() + ", e.g. " + outside.get(0).naturalKey() + others
        + ": the payload is about another interval; quality check interval_in_window failed (recorded in quality_results),"
        + " staging and " + dataset.kind().silverTable() + " untouched; Bronze keeps the payload");
  }

  private static Object[] valuesWithoutProvenance(CanonicalRecord r) {
    Object[] v = r.values();
    return java.util.Arrays.copyOf(v, r.kind().indexOf("version"));
  }

  public StageResult enrich() {
    List<CanonicalRecord> rows = warehouse.readStaging(Stage.NORMALIZE, key, dataset.kind());
    if (rows.isEmpty()) {
      throw new UsageException(key + ": no normalized rows for this interval; run `ingest normalize` first");
    }
    Map<String, Enrichment> cache = new HashMap<>();
    long known = 0;
    List<CanonicalRecord> out = new ArrayList<>(rows.size());
    for (CanonicalRecord r : rows) {
      Enrichment e = cache.computeIfAbsent(r.subject(), s -> {
        Enrichment t = taxonomy.enrich(key.market(), s);
        return t.timezone() == null ? new Enrichment(t.zone(), t.hub(), t.region(), timezone, t.tradingHub()) : t;
      });
      if (taxonomy.knows(key.market(), r.subject())) {
        known++;
      }
      out.add(r.withEnrichment(e));
    }
    warehouse.replaceStaging(Stage.ENRICH, key, dataset.kind(), out);
    String topic = EventFactory.topic(Stage.ENRICH, key);
    List<Event> ev = out.stream().map(r -> EventFactory.record(topic, r, headers())).toList();
    events.publish(topic, key, ev);
    long hubs = out.stream().filter(r -> r.enrichment().tradingHub()).map(CanonicalRecord::subject).distinct().count();
    return new StageResult(Stage.ENRICH, rows.size(), out.size(), ev.size(), out.size() + " rows enriched ("
        + known + " with a taxonomy entry, " + hubs + " trading hub(s))", Map.of("rows_with_taxonomy_entry", known, "trading_hubs", hubs));
  }

  public StageResult load() {
    RecordKind kind = dataset.kind();
    List<CanonicalRecord> rows = warehouse.readStaging(Stage.ENRICH, key, kind);
    if (rows.isEmpty()) {
      throw new UsageException(key + ": no enriched rows for this interval; run `ingest enrich` first");
    }
    List<QualityResult> results = QualityGate.check(key, rows, runId, clock.instant());
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
          + "; payloads " + rows.stream().map(r -> (String) r.values()[kind.indexOf("source")]).distinct().toList());
    }
    warehouse.upsertSilver(kind, rows);
    long cached = cache.warm(rows);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("checks_passed", results.size() - failed.size());
    d.put("checks_warned", failed.size());
    d.put("cache_keys", cached);
    return new StageResult(Stage.LOAD, rows.size(), rows.size(), 0, rows.size() + " rows upserted into " + kind.silverTable()
        + ", " + (results.size() - failed.size()) + "/" + results.size() + " checks passed" + (cached > 0 ? ", " + cached + " cache keys" : ""), d);
  }
}
