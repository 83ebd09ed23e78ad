package io.carbon254.ingest.sinks.production.clickhouse;

import static io.carbon254.ingest.sinks.production.testing.Rows.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.QualityResult;
import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.core.sink.RunRecord;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.sinks.production.testing.Rows;
import io.carbon254.ingest.sinks.production.testing.Servers;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Warehouse contract on the real ClickHouse server (`make infra-up`), in a database of its own. */
class ClickHouseWarehouseIT {
  private static final String DB = "it_wh_" + Long.toString(System.currentTimeMillis(), 36);
  private static ClickHouseConfig config;
  private static ClickHouseWarehouse wh;

  @BeforeAll
  static void applyDdl() {
    config = ClickHouseConfig.from(IngestConfig.of(Servers.clickhouse(DB)));
    try (ClickHouseSchema schema = ClickHouseSchema.connect(config)) {
      List<ClickHouseSchema.Outcome> first = schema.apply(Ddl.bundled());
      assertTrue(first.stream().allMatch(o -> o.status().equals("applied")), first.toString());
      List<ClickHouseSchema.Outcome> again = schema.apply(Ddl.bundled());
      assertTrue(again.stream().allMatch(o -> o.status().equals("present")), "idempotent: " + again);
    }
    wh = ClickHouseWarehouse.open(config);
    wh.ensureSchema();
  }

  @AfterAll
  static void drop() {
    if (wh != null) {
      wh.close();
    }
    config.open().execute("drop the test database", "DROP DATABASE IF EXISTS " + DB);
  }

  @Test
  void ensureSchemaOfAnEmptyDatabaseAsksForDdlApply() {
    ClickHouseConfig other = ClickHouseConfig.from(IngestConfig.of(Servers.clickhouse("it_missing_db")));
    try (ClickHouseWarehouse w = ClickHouseWarehouse.open(other)) {
      RuntimeException x = assertThrows(RuntimeException.class, w::ensureSchema);
      assertTrue(x instanceof UsageException, x.getClass() + ": " + x.getMessage() + " / " + x.getCause());
      UsageException e = (UsageException) x;
      assertTrue(e.getMessage().contains("ingest ddl apply"), e.getMessage());
    }
  }

  @Test
  void aMigrationEditedAfterItWasAppliedIsRefused() {
    List<Ddl.Migration> edited = new ArrayList<>(Ddl.bundled());
    Ddl.Migration m = edited.get(1);
    edited.set(1, new Ddl.Migration(m.version(), m.file(), m.text() + "\n-- edited\n"));
    try (ClickHouseSchema schema = ClickHouseSchema.connect(config)) {
      UsageException e = assertThrows(UsageException.class, () -> schema.apply(edited));
      assertTrue(e.getMessage().contains(m.file()) && e.getMessage().contains("never edited"), e.getMessage());
    }
  }

  @Test
  void bronzeKeepsOneVisibleRowPerPayloadIdWithTheFirstFetchedAtAndNewBytesAsANewRow() {
    IntervalKey key = Rows.key("caiso", "bronze_it", T0, T0.plusSeconds(3600));
    byte[] body = new byte[256];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i; // every byte value, incl. \0, \t, \n, \\ and invalid UTF-8
    }
    Instant first = Instant.parse("2024-11-03T09:00:00.250Z");
    RawPayload p = RawPayload.of(key, 0, "http://x/oasis?q=1", "application/zip", 200, body, first);
    List<RawPayload> stored1 = wh.putBronze(List.of(p));
    assertEquals(Instant.parse("2024-11-03T09:00:00Z"), stored1.get(0).fetchedAt(), "whole seconds");
    List<RawPayload> stored2 = wh.putBronze(List.of(p.withFetchedAt(first.plusSeconds(600))));
    assertEquals(stored1.get(0).fetchedAt(), stored2.get(0).fetchedAt(), "the first fetched_at is kept");
    assertEquals("1", count("bronze_payloads FINAL WHERE dataset = 'bronze_it'"));

    List<RawPayload> latest = wh.latestBronze(key);
    assertEquals(1, latest.size());
    assertArrayEquals(body, latest.get(0).body());
    assertEquals(p.payloadId(), latest.get(0).payloadId());
    assertEquals(p.sha256(), latest.get(0).sha256());
    assertEquals("application/zip", latest.get(0).contentType());
    assertEquals(stored1.get(0).fetchedAt(), latest.get(0).fetchedAt());

    RawPayload revised = RawPayload.of(key, 0, "http://x/oasis?q=1", null, 200, "v2".getBytes(), first.plusSeconds(1200));
    RawPayload part1 = RawPayload.of(key, 1, "http://x/oasis?q=2", "text/csv", 200, "p1".getBytes(), first);
    wh.putBronze(List.of(revised, part1));
    assertEquals("3", count("bronze_payloads FINAL WHERE dataset = 'bronze_it'"), "Bronze keeps every revision");
    latest = wh.latestBronze(key);
    assertEquals(List.of(revised.payloadId(), part1.payloadId()), latest.stream().map(RawPayload::payloadId).toList());
    assertEquals(null, latest.get(0).contentType());
    assertTrue(wh.latestBronze(Rows.key("caiso", "bronze_it", T0, T0.plusSeconds(60))).isEmpty());
  }

  @Test
  void revertedBytesBecomeCurrentAgainWithANewerFetchedAt() {
    IntervalKey key = Rows.key("caiso", "bronze_revert_it", T0, T0.plusSeconds(3600));
    Instant t1 = Instant.parse("2024-11-03T10:00:00Z");
    RawPayload a = RawPayload.of(key, 0, "http://x/a", "text/csv", 200, "A".getBytes(), t1);
    wh.putBronze(List.of(a));
    wh.putBronze(List.of(RawPayload.of(key, 0, "http://x/a", "text/csv", 200, "B".getBytes(), t1.plusSeconds(60))));
    List<RawPayload> back = wh.putBronze(List.of(a.withFetchedAt(t1.plusSeconds(120))));
    assertEquals(t1.plusSeconds(120), back.get(0).fetchedAt(), "A is current again and newer than B");
    RawPayload latest = wh.latestBronze(key).get(0);
    assertEquals(a.payloadId(), latest.payloadId());
    assertEquals(t1.plusSeconds(120), latest.fetchedAt());
    assertEquals("2", count("bronze_payloads FINAL WHERE dataset = 'bronze_revert_it'"));
  }

  @Test
  void stagingIsReplacedPerStageAndIntervalKeyIncludingByAnEmptyWrite() {
    IntervalKey key = Rows.key("caiso", "stg_it", T0, T0.plusSeconds(3600));
    List<CanonicalRecord> a = List.of(Rows.price("caiso", "stg_it", "B", T0, 10, 1), Rows.price("caiso", "stg_it", "A", T0, 11, 1));
    wh.replaceStaging(Stage.NORMALIZE, key, RecordKind.PRICES, a);
    assertEquals(a, wh.readStaging(Stage.NORMALIZE, key, RecordKind.PRICES), "round trip, order kept");
    assertTrue(wh.readStaging(Stage.ENRICH, key, RecordKind.PRICES).isEmpty(), "per stage");

    List<CanonicalRecord> enriched = a.stream().map(r -> Rows.hub("caiso", "stg_it", r.subject(), T0, 12, 2)).map(r -> (CanonicalRecord) r).toList();
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, enriched);
    List<CanonicalRecord> b = List.of(Rows.price("caiso", "stg_it", "C", T0, 13, 2));
    wh.replaceStaging(Stage.NORMALIZE, key, RecordKind.PRICES, b);
    assertEquals(b, wh.readStaging(Stage.NORMALIZE, key, RecordKind.PRICES), "replaced, not appended");
    assertEquals(enriched, wh.readStaging(Stage.ENRICH, key, RecordKind.PRICES));
    wh.replaceStaging(Stage.NORMALIZE, key, RecordKind.PRICES, List.of());
    assertTrue(wh.readStaging(Stage.NORMALIZE, key, RecordKind.PRICES).isEmpty(), "an empty write replaces too");

    List<CanonicalRecord> loads = List.of(Rows.load("caiso", "stg_it", "CA ISO-TAC", T0, 21_000.5, 3));
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.LOAD, loads);
    assertEquals(loads, wh.readStaging(Stage.ENRICH, key, RecordKind.LOAD));
    List<CanonicalRecord> fuels = List.of(Rows.fuel("caiso", "stg_it", "CAISO", "solar", T0, 9_000.25, 3));
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.FUEL_MIX, fuels);
    assertEquals(fuels, wh.readStaging(Stage.ENRICH, key, RecordKind.FUEL_MIX));
    assertThrows(IllegalArgumentException.class, () -> wh.replaceStaging(Stage.ENRICH,
        Rows.key("caiso", "other", T0, T0.plusSeconds(3600)), RecordKind.LOAD, loads));
  }

  /** {@code n} price rows of the key's dataset: {@code n / 12} locations, 12 five-minute intervals each, shuffled. */
  private static List<CanonicalRecord> prices(IntervalKey key, int n, long version, long seed) {
    List<CanonicalRecord> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(Rows.price(key.market(), key.dataset(), "NODE_" + (i / 12), T0.plusSeconds(300L * (i % 12)),
          (i * 7919 % 10_007) / 8.0 + version, version));
    }
    java.util.Collections.shuffle(rows, new Random(seed));
    return rows;
  }

  private static final java.util.Comparator<CanonicalRecord> NATURAL_KEY = java.util.Comparator
      .comparing((CanonicalRecord r) -> r.market()).thenComparing(CanonicalRecord::dataset)
      .thenComparing(r -> ((io.carbon254.ingest.core.record.PriceRecord) r).marketRun())
      .thenComparing(r -> ((io.carbon254.ingest.core.record.PriceRecord) r).priceType())
      .thenComparing(CanonicalRecord::subject).thenComparing(CanonicalRecord::intervalStart);

  private static void writeInBatches(io.carbon254.ingest.core.sink.Warehouse.StagingWriter w, List<CanonicalRecord> rows, int batch) {
    for (int from = 0; from < rows.size(); from += batch) {
      w.write(rows.subList(from, Math.min(rows.size(), from + batch)));
    }
  }

  private static List<CanonicalRecord> scan(Stage stage, IntervalKey key, int batchSize, List<Integer> sizes) {
    List<CanonicalRecord> all = new ArrayList<>();
    wh.scanStaging(stage, key, RecordKind.PRICES, batchSize, b -> {
      sizes.add(b.size());
      all.addAll(b);
    });
    return all;
  }

  private static String runningInserts(String table) {
    return wh.query("SELECT count() FROM system.processes WHERE query LIKE 'INSERT INTO " + DB + "." + table + " %'")
        .rows().get(0).get(0);
  }

  @Test
  void aStreamedStagingWriteReachesTheServerBeforeCommitAndIsInvisibleUntilTheCommit() throws Exception {
    IntervalKey key = Rows.key("caiso", "stream_it", T0, T0.plusSeconds(3600));
    List<CanonicalRecord> before = prices(key, 36, 5, 1);
    try (var w = wh.openStaging(Stage.NORMALIZE, key, RecordKind.PRICES)) {
      w.write(before);
      w.commit();
    }
    List<CanonicalRecord> after = prices(key, 24_000, 6, 2); // several 1 MiB chunks
    try (var w = wh.openStaging(Stage.NORMALIZE, key, RecordKind.PRICES)) {
      writeInBatches(w, after.subList(0, 12_000), 4_096);
      // the insert is running on the server while the stage still writes, and readers see the old rows
      String running = "0";
      for (int i = 0; i < 50 && running.equals("0"); i++) {
        running = runningInserts("stg_prices");
        Thread.sleep(100);
      }
      assertEquals("1", running, "one insert streaming into stg_prices before the commit");
      assertEquals(before.size(), wh.readStaging(Stage.NORMALIZE, key, RecordKind.PRICES).size());
      assertEquals(before.stream().sorted(NATURAL_KEY).toList(), scan(Stage.NORMALIZE, key, 8192, new ArrayList<>()));
      writeInBatches(w, after.subList(12_000, after.size()), 4_096);
      w.commit();
    }
    assertEquals("0", runningInserts("stg_prices"));
    assertEquals(after, wh.readStaging(Stage.NORMALIZE, key, RecordKind.PRICES), "all rows, in the order written");
    assertEquals(after.stream().sorted(NATURAL_KEY).toList(), scan(Stage.NORMALIZE, key, 8192, new ArrayList<>()));
  }

  @Test
  void aStagingWriteThatFailsOrIsClosedUncommittedLeavesThePreviousRowsIntact() throws Exception {
    IntervalKey key = Rows.key("caiso", "rollback_it", T0, T0.plusSeconds(3600));
    List<CanonicalRecord> committed = prices(key, 120, 5, 3);
    try (var w = wh.openStaging(Stage.ENRICH, key, RecordKind.PRICES)) {
      writeInBatches(w, committed, 50);
      w.commit();
    }
    // a batch with a row of another dataset fails mid-stream, after 12,000 rows went out
    List<CanonicalRecord> bad = new ArrayList<>(prices(key, 12_000, 6, 4));
    bad.add(Rows.price("caiso", "other_dataset", "X", T0, 1, 6));
    try (var w = wh.openStaging(Stage.ENRICH, key, RecordKind.PRICES)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writeInBatches(w, bad, 4_096));
      assertTrue(e.getMessage().contains("other_dataset"), e.getMessage());
    }
    // a writer closed without a commit (the stage failed elsewhere)
    try (var w = wh.openStaging(Stage.ENRICH, key, RecordKind.PRICES)) {
      writeInBatches(w, prices(key, 12_000, 7, 5), 4_096);
    }
    assertEquals(committed, wh.readStaging(Stage.ENRICH, key, RecordKind.PRICES), "the previous generation, whole");
    assertEquals(committed.stream().sorted(NATURAL_KEY).toList(), scan(Stage.ENRICH, key, 8192, new ArrayList<>()));
    assertEquals("0", runningInserts("stg_prices"), "the broken-off inserts ended");
    // refused by the server, not finished: none of their rows were kept, no orphan rows either
    assertEquals(String.valueOf(committed.size()), count("stg_prices WHERE dataset = 'rollback_it'"));
    // and the next write still works
    List<CanonicalRecord> next = prices(key, 60, 8, 6);
    try (var w = wh.openStaging(Stage.ENRICH, key, RecordKind.PRICES)) {
      w.write(next);
      w.commit();
    }
    assertEquals(next, wh.readStaging(Stage.ENRICH, key, RecordKind.PRICES));
  }

  @Test
  void scanStagingHandsOverTheRowsInNaturalKeyOrderInBatchesOfAtMostTheBatchSize() {
    IntervalKey key = Rows.key("caiso", "scan_it", T0, T0.plusSeconds(3600));
    List<Integer> sizes = new ArrayList<>();
    assertTrue(scan(Stage.NORMALIZE, key, 100, sizes).isEmpty(), "never written: no batch");
    assertTrue(sizes.isEmpty());

    List<CanonicalRecord> rows = prices(key, 2_345, 9, 7);
    try (var w = wh.openStaging(Stage.NORMALIZE, key, RecordKind.PRICES)) {
      writeInBatches(w, rows, 333);
      w.commit();
    }
    List<CanonicalRecord> sorted = rows.stream().sorted(NATURAL_KEY).toList();
    assertEquals(sorted, scan(Stage.NORMALIZE, key, 1_000, sizes), "every row, exact values, natural-key order");
    assertEquals(List.of(1_000, 1_000, 345), sizes);
    sizes.clear();
    assertEquals(sorted, scan(Stage.NORMALIZE, key, 7, sizes));
    assertEquals((2_345 + 6) / 7, sizes.size());
    assertTrue(sizes.stream().allMatch(n -> n <= 7 && n > 0), sizes.toString());
    sizes.clear();
    assertEquals(sorted, scan(Stage.NORMALIZE, key, 100_000, sizes));
    assertEquals(List.of(2_345), sizes);

    // a consumer that fails (the gate, enrichment) ends the scan with its own exception, and the warehouse stays usable
    List<Integer> seen = new ArrayList<>();
    IllegalStateException stop = assertThrows(IllegalStateException.class,
        () -> wh.scanStaging(Stage.NORMALIZE, key, RecordKind.PRICES, 100, b -> {
          seen.add(b.size());
          if (seen.size() == 3) {
            throw new IllegalStateException("consumer gave up");
          }
        }));
    assertEquals("consumer gave up", stop.getMessage());
    assertEquals(List.of(100, 100, 100), seen, "no batch after the failure");
    assertEquals(sorted, scan(Stage.NORMALIZE, key, 1_000, new ArrayList<>()));

    List<CanonicalRecord> loads = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      loads.add(Rows.load("caiso", "scan_it", h % 2 == 0 ? "PGE-TAC" : "SCE-TAC", T0.plusSeconds(3600L * (23 - h)), 1000.5 + h, 3));
    }
    try (var w = wh.openStaging(Stage.NORMALIZE, key, RecordKind.LOAD)) {
      w.write(loads);
      w.commit();
    }
    List<CanonicalRecord> back = new ArrayList<>();
    wh.scanStaging(Stage.NORMALIZE, key, RecordKind.LOAD, 10, back::addAll);
    assertEquals(loads.stream().sorted(java.util.Comparator.comparing(CanonicalRecord::subject)
        .thenComparing(CanonicalRecord::intervalStart)).toList(), back, "load rows (published_at set) too");
    assertEquals(rows.size(), wh.readStaging(Stage.NORMALIZE, key, RecordKind.PRICES).size(), "kinds apart");
  }

  @Test
  void upsertSilverFromStagingIsOneServerSideInsertKeepingTheLatestVersionPerNaturalKey() {
    IntervalKey key = Rows.key("caiso", "upsert_it", T0, T0.plusSeconds(3600));
    IntervalKey neighbour = Rows.key("caiso", "upsert_it", T0.plusSeconds(3600), T0.plusSeconds(7200));
    List<CanonicalRecord> other = List.of(Rows.price("caiso", "upsert_it", "NODE_0", T0.plusSeconds(3600), 77, 1));
    wh.upsertSilver(RecordKind.PRICES, other);
    assertEquals(0, wh.upsertSilverFromStaging(key, RecordKind.PRICES, 8192), "nothing enriched yet");

    List<CanonicalRecord> v100 = prices(key, 600, 100, 8);
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, v100);
    wh.replaceStaging(Stage.NORMALIZE, key, RecordKind.PRICES, prices(key, 12, 555, 9)); // not what load reads
    assertEquals(600, wh.upsertSilverFromStaging(key, RecordKind.PRICES, 8192));
    assertEquals(v100.stream().sorted(NATURAL_KEY).toList(), wh.readSilver(key, RecordKind.PRICES));
    assertEquals(600, wh.upsertSilverFromStaging(key, RecordKind.PRICES, 8192), "a same-version re-run");
    assertEquals(v100.stream().sorted(NATURAL_KEY).toList(), wh.readSilver(key, RecordKind.PRICES), "idempotent");
    assertEquals("600", count("silver_prices FINAL WHERE dataset = 'upsert_it' AND interval_start_utc < "
        + Sql.time(T0.plusSeconds(3600))));

    // a revision (higher version) of part of the interval replaces those rows only
    List<CanonicalRecord> v101 = prices(key, 240, 101, 10);
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, v101);
    assertEquals(240, wh.upsertSilverFromStaging(key, RecordKind.PRICES, 8192));
    Map<String, CanonicalRecord> expected = new HashMap<>();
    v100.forEach(r -> expected.put(r.naturalKey(), r));
    v101.forEach(r -> expected.put(r.naturalKey(), r));
    // an older version loaded late never replaces a newer one
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, prices(key, 600, 99, 11));
    assertEquals(600, wh.upsertSilverFromStaging(key, RecordKind.PRICES, 8192));
    assertEquals(expected.values().stream().sorted(NATURAL_KEY).toList(), wh.readSilver(key, RecordKind.PRICES));
    assertEquals(other, wh.readSilver(neighbour, RecordKind.PRICES), "another interval key untouched");
  }

  @Test
  void aGenerationStoredTwiceByARetriedInsertIsReadAndUpsertedOnce() {
    IntervalKey key = Rows.key("caiso", "dup_it", T0, T0.plusSeconds(3600));
    List<CanonicalRecord> rows = prices(key, 240, 50, 14);
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, rows);
    // what a retry after a lost answer leaves: the same block (same generation, same row_no) twice
    try (ClickHouseGateway g = config.open()) {
      g.execute("duplicate a block", "INSERT INTO " + DB + ".stg_prices SELECT * FROM " + DB + ".stg_prices WHERE dataset = 'dup_it'");
    }
    assertEquals("480", count("stg_prices WHERE dataset = 'dup_it'"));
    List<Integer> sizes = new ArrayList<>();
    assertEquals(rows.stream().sorted(NATURAL_KEY).toList(), scan(Stage.ENRICH, key, 100, sizes), "each row once");
    assertEquals(List.of(100, 100, 40), sizes);
    assertEquals(240, wh.upsertSilverFromStaging(key, RecordKind.PRICES, 8192));
    assertEquals(rows.stream().sorted(NATURAL_KEY).toList(), wh.readSilver(key, RecordKind.PRICES));
  }

  @Test
  void loadUpsertsTheGenerationItsGateScannedNotOneCommittedAfterwards() {
    IntervalKey key = Rows.key("caiso", "pinned_it", T0, T0.plusSeconds(3600));
    List<CanonicalRecord> gated = prices(key, 48, 300, 12);
    wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, gated);
    try (ClickHouseWarehouse loadProcess = ClickHouseWarehouse.open(config)) {
      List<CanonicalRecord> seen = new ArrayList<>();
      loadProcess.scanStaging(Stage.ENRICH, key, RecordKind.PRICES, 8192, seen::addAll);
      assertEquals(48, seen.size());
      wh.replaceStaging(Stage.ENRICH, key, RecordKind.PRICES, prices(key, 12, 400, 13)); // an enrich re-run meanwhile
      assertEquals(48, loadProcess.upsertSilverFromStaging(key, RecordKind.PRICES, 8192));
    }
    assertEquals(gated.stream().sorted(NATURAL_KEY).toList(), wh.readSilver(key, RecordKind.PRICES));
  }

  @Test
  void silverKeepsTheGreatestVersionPerNaturalKeyAndARewriteAddsNoVisibleRow() {
    IntervalKey key = Rows.key("caiso", "silver_it", T0, T0.plusSeconds(3600));
    Random rnd = new Random(7);
    List<CanonicalRecord> v1 = new ArrayList<>();
    for (int loc = 0; loc < 50; loc++) {
      for (int i = 0; i < 12; i++) {
        v1.add(Rows.price("caiso", "silver_it", "N" + loc, T0.plusSeconds(300L * i), rnd.nextDouble() * 200 - 50, 100));
      }
    }
    wh.upsertSilver(RecordKind.PRICES, v1);
    wh.upsertSilver(RecordKind.PRICES, v1);
    List<CanonicalRecord> older = List.of(Rows.price("caiso", "silver_it", "N0", T0, -999, 99));
    CanonicalRecord newer = Rows.price("caiso", "silver_it", "N1", T0, 42.125, 101);
    wh.upsertSilver(RecordKind.PRICES, older);
    wh.upsertSilver(RecordKind.PRICES, List.of(newer));
    assertEquals("600", count("silver_prices FINAL WHERE dataset = 'silver_it'"));

    List<CanonicalRecord> read = wh.readSilver(key, RecordKind.PRICES);
    assertEquals(600, read.size());
    Map<String, CanonicalRecord> expected = new HashMap<>();
    v1.forEach(r -> expected.put(r.naturalKey(), r));
    expected.put(newer.naturalKey(), newer);
    for (CanonicalRecord r : read) {
      assertEquals(expected.get(r.naturalKey()), r, "exact round trip of " + r.naturalKey());
    }
    assertEquals(read.stream().sorted(java.util.Comparator.comparing(CanonicalRecord::subject)
            .thenComparing(CanonicalRecord::intervalStart)).map(CanonicalRecord::naturalKey).toList(),
        read.stream().map(CanonicalRecord::naturalKey).toList(), "ordered by natural key");
    assertTrue(wh.readSilver(Rows.key("caiso", "silver_it", T0.plusSeconds(3600), T0.plusSeconds(7200)), RecordKind.PRICES).isEmpty());
  }

  @Test
  void qualityResultsAndRunsAreReplacedByKey() {
    IntervalKey key = Rows.key("caiso", "ledger_it", T0, T0.plusSeconds(3600));
    Instant now = Instant.parse("2024-11-03T10:00:00Z");
    wh.writeQualityResults(key, List.of(new QualityResult("row_count", "error", false, 1, 12, "too few", "r1", now)));
    wh.writeQualityResults(key, List.of(new QualityResult("row_count", "error", true, 12, 12, null, "r2", now)));
    QueryResult q = wh.query("SELECT check_name, passed, run_id, details FROM " + DB
        + ".quality_results FINAL WHERE dataset = 'ledger_it'");
    assertEquals(List.of("check_name", "passed", "run_id", "details"), q.columns());
    assertEquals(List.of(java.util.Arrays.asList("row_count", "1", "r2", null)), q.rows());

    wh.recordRun(new RunRecord("run-1", Stage.LOAD, key, "running", 0, 0, 0, 0, now, null, null));
    wh.recordRun(new RunRecord("run-1", Stage.LOAD, key, "ok", 0, 12, 12, 0, now, now.plusSeconds(2), "12 rows"));
    q = wh.query("SELECT status, rows_out, message FROM " + DB + ".ingest_runs FINAL WHERE run_id = 'run-1'");
    assertEquals(List.of(List.of("ok", "12", "12 rows")), q.rows());
  }

  @Test
  void qualityResultsKeepTheThresholdAndTheRowsTheyName() {
    IntervalKey key = Rows.key("caiso", "quality_it", T0, T0.plusSeconds(3600));
    Instant now = Instant.parse("2024-11-03T10:00:00Z");
    wh.writeQualityResults(key, List.of(new QualityResult("price_bounds", "warn", false, 2, 1000, "2 above soft_offer_cap", "r1", now,
        "soft_offer_cap 1000, hard_offer_cap 2000", List.of("caiso|quality_it|RTM|LMP|A|2024-11-03T08:00:00Z = 3000.0", "it's B"), 2)));
    QueryResult q = wh.query("SELECT threshold, involved, involved_count FROM " + DB + ".quality_results FINAL WHERE dataset = 'quality_it'");
    assertEquals(List.of(List.of("soft_offer_cap 1000, hard_offer_cap 2000",
        "['caiso|quality_it|RTM|LMP|A|2024-11-03T08:00:00Z = 3000.0','it's B']", "2")), q.rows());
  }

  @Test
  void heldRowsAreReplacedByALaterRunReleasedAtTheirVersionsAndDropped() {
    IntervalKey key = Rows.key("caiso", "quarantine_it", T0, T0.plusSeconds(3600));
    Instant at = Instant.parse("2024-11-03T10:00:00Z");
    List<CanonicalRecord> first = List.of(Rows.price("caiso", "quarantine_it", "A", T0, 30, 5), Rows.price("caiso", "quarantine_it", "B", T0, 31, 5));
    try (io.carbon254.ingest.core.sink.Warehouse.QuarantineWriter w = wh.openQuarantine(key, RecordKind.PRICES, "scheduled__2024-11-03T08:00:00+00:00", at)) {
      w.write(first.stream().map(r -> new io.carbon254.ingest.core.sink.Warehouse.HeldRow(r, "completeness", "its series is short")).toList());
      w.commit();
    }
    assertEquals(2, wh.heldRows(key, RecordKind.PRICES));
    List<CanonicalRecord> second = List.of(Rows.price("caiso", "quarantine_it", "A", T0, 40, 7));
    try (io.carbon254.ingest.core.sink.Warehouse.QuarantineWriter w = wh.openQuarantine(key, RecordKind.PRICES, "r2", at.plusSeconds(60))) {
      w.write(second.stream().map(r -> new io.carbon254.ingest.core.sink.Warehouse.HeldRow(r, "value_range", "too high")).toList());
      w.commit();
    }
    assertEquals(List.of("r2"), wh.heldRunIds(key, RecordKind.PRICES), "the later failed run replaced the key's held rows");
    List<CanonicalRecord> scanned = new java.util.ArrayList<>();
    wh.scanQuarantine(key, RecordKind.PRICES, 10, scanned::addAll);
    assertEquals(second, scanned, "the held rows round-trip exactly");
    QueryResult listed = wh.heldIntervals("caiso", java.util.Optional.of("quarantine_it"), java.util.Optional.empty());
    assertEquals(List.of(List.of("caiso", "quarantine_it", "2024-11-03 08:00:00", "2024-11-03 09:00:00", "r2", "value_range", "1")),
        listed.rows().stream().map(r -> r.subList(0, 7)).toList());

    // a newer Silver row stays; the held row goes in where Silver has an older version or none
    wh.upsertSilver(RecordKind.PRICES, List.of(Rows.price("caiso", "quarantine_it", "A", T0, 99, 9)));
    assertEquals(1, wh.releaseQuarantine(key, RecordKind.PRICES));
    assertEquals(99.0, ((io.carbon254.ingest.core.record.PriceRecord) wh.readSilver(key, RecordKind.PRICES).getFirst()).price(),
        "Silver's version 9 beats the held version 7");
    try (io.carbon254.ingest.core.sink.Warehouse.QuarantineWriter w = wh.openQuarantine(key, RecordKind.PRICES, "r3", at.plusSeconds(120))) {
      w.write(List.of(new io.carbon254.ingest.core.sink.Warehouse.HeldRow(Rows.price("caiso", "quarantine_it", "B", T0, 50, 3), "completeness", "short")));
      w.commit();
    }
    assertEquals(1, wh.releaseQuarantine(key, RecordKind.PRICES));
    assertEquals(List.of(99.0, 50.0), wh.readSilver(key, RecordKind.PRICES).stream()
        .map(r -> ((io.carbon254.ingest.core.record.PriceRecord) r).price()).toList());
    assertEquals(1, wh.dropQuarantine(key, RecordKind.PRICES));
    assertEquals(0, wh.heldRows(key, RecordKind.PRICES), "the delete was waited for");

    wh.recordQuarantineAction(new io.carbon254.ingest.core.sink.QuarantineAction("released", key, "r3", 1, "oncall", "node back", at));
    assertEquals(List.of(List.of("released", "r3", "1", "oncall", "node back")), wh.query("SELECT action, run_id, rows, actor, note FROM "
        + DB + ".quarantine_actions WHERE dataset = 'quarantine_it'").rows());
  }

  @Test
  void aQuarantineWriteClosedWithoutCommitKeepsNothing() {
    IntervalKey key = Rows.key("caiso", "quarantine_abort_it", T0, T0.plusSeconds(3600));
    try (io.carbon254.ingest.core.sink.Warehouse.QuarantineWriter w = wh.openQuarantine(key, RecordKind.PRICES, "r1", T0)) {
      w.write(List.of(new io.carbon254.ingest.core.sink.Warehouse.HeldRow(Rows.price("caiso", "quarantine_abort_it", "A", T0, 30, 5), "c", "r")));
    }
    assertEquals(0, wh.heldRows(key, RecordKind.PRICES));
  }

  @Test
  void queryIsReadOnlyAndBadSqlIsAUsageError() {
    assertThrows(UsageException.class, () -> wh.query("DROP DATABASE " + DB));
    assertThrows(UsageException.class, () -> wh.query("SELEC 1"));
    assertEquals(List.of(List.of("2")), wh.query("SELECT 1 + 1;").rows());
  }

  @Test
  void anUnreachableServerIsExit3NamingHostAndPortAfterBoundedRetries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> env = new HashMap<>();
    env.put("CLICKHOUSE_DSN", "clickhouse://ingest:hunter2@127.0.0.1:" + port + "/x");
    env.put("CLICKHOUSE_RETRIES", "3");
    env.put("CLICKHOUSE_RETRY_BACKOFF", "100ms");
    long t0 = System.nanoTime();
    try (ClickHouseWarehouse dead = ClickHouseWarehouse.open(ClickHouseConfig.from(IngestConfig.of(env)))) {
      UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
          () -> dead.upsertSilver(RecordKind.PRICES, List.of(Rows.price("caiso", "x", "A", T0, 1, 1))));
      assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
      assertTrue(e.getMessage().contains("3 attempts"), e.getMessage());
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
      assertEquals(3, e.exitCode());
    }
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 30, "bounded");
  }

  private static String count(String from) {
    return wh.query("SELECT count() FROM " + DB + "." + from).rows().get(0).get(0);
  }
}
