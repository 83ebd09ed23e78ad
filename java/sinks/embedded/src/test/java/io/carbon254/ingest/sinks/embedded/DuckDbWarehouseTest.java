package io.carbon254.ingest.sinks.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest {
  static final Instant T0 = Instant.parse("2024-11-03T08:00:00Z");
  static final IntervalKey KEY = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0, T0.plusSeconds(600)));

  static PriceRecord price(String node, int slot, double price, long version) {
    Instant s = T0.plusSeconds(300L * slot);
    return new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", node, null, "node", s, s.plusSeconds(300), price, null, null,
        null, null, "USD", "MWh", new Provenance(version, null, Instant.ofEpochMilli(version), "p" + version),
        new Enrichment(null, null, "CAISO", "America/Los_Angeles", false));
  }

  static DuckDbWarehouse open(Path dir) {
    DuckDbWarehouse w = DuckDbWarehouse.open(dir.resolve("w.duckdb"), false, Duration.ofSeconds(5));
    w.ensureSchema();
    return w;
  }

  @Test
  void silverKeepsTheHighestVersionPerNaturalKey(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 10, 100), price("A", 1, 11, 100)));
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 20, 200)));           // revision
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 1, 99, 50)));            // stale: ignored
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 20, 200)));           // same again: no change
      List<CanonicalRecord> rows = w.readSilver(KEY, RecordKind.PRICES);
      assertEquals(List.of(price("A", 0, 20, 200), price("A", 1, 11, 100)), rows);
      assertEquals("2", w.query("SELECT count(*) FROM silver_prices").rows().get(0).get(0));
    }
  }

  @Test
  void aStagingWriteThatIsNotCommittedLeavesNothingEvenAfterManyFlushes(@TempDir Path dir) {
    // No stale rows (so no DELETE begins the transaction) and more rows than one appender flush holds.
    try (DuckDbWarehouse w = open(dir)) {
      java.util.List<CanonicalRecord> batch = new java.util.ArrayList<>();
      try (var writer = w.openStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES)) {
        for (int i = 0; i < 300_000; i++) {
          batch.add(price("N" + i, i % 2, i, 1));
          if (batch.size() == 8192) {
            writer.write(batch);
            batch = new java.util.ArrayList<>();
          }
        }
        writer.write(batch);
      } // closed without commit: rolled back
      assertEquals("0", w.query("SELECT count(*) FROM stg_prices").rows().get(0).get(0));
      try (var writer = w.openStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES)) {
        writer.write(List.of(price("A", 0, 1, 1), price("B", 1, 2, 1)));
        writer.commit();
      }
      assertEquals(List.of(price("A", 0, 1, 1), price("B", 1, 2, 1)), w.readStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES));
    }
  }

  @Test
  void stagingIsReplacedByIntervalKeyAndStage(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      w.replaceStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES, List.of(price("A", 0, 1, 1), price("B", 0, 2, 1)));
      w.replaceStaging(Stage.ENRICH, KEY, RecordKind.PRICES, List.of(price("A", 0, 1, 1)));
      w.replaceStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES, List.of(price("C", 1, 3, 2)));
      assertEquals(List.of(price("C", 1, 3, 2)), w.readStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES));
      assertEquals(List.of(price("A", 0, 1, 1)), w.readStaging(Stage.ENRICH, KEY, RecordKind.PRICES));
    }
  }

  @Test
  void bronzeKeepsEveryDistinctPayloadAndTheFirstFetchOfIdenticalBytes(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      byte[] a = "A".getBytes(StandardCharsets.UTF_8);
      byte[] b = "B".getBytes(StandardCharsets.UTF_8);
      Instant t1 = Instant.parse("2024-11-03T10:00:00Z");
      RawPayload first = RawPayload.of(KEY, 0, "http://x/a", "text/csv", 200, a, t1);
      w.putBronze(List.of(first));
      List<RawPayload> again = w.putBronze(List.of(RawPayload.of(KEY, 0, "http://x/a", "text/csv", 200, a, t1.plusSeconds(60))));
      assertEquals(t1, again.get(0).fetchedAt(), "identical bytes keep the first fetch instant (the row version)");
      assertEquals(first.payloadId(), again.get(0).payloadId());
      RawPayload revised = RawPayload.of(KEY, 0, "http://x/a", "text/csv", 200, b, t1.plusSeconds(120));
      w.putBronze(List.of(revised));
      assertNotEquals(first.payloadId(), revised.payloadId());
      List<RawPayload> latest = w.latestBronze(KEY);
      assertEquals(1, latest.size());
      assertEquals(revised.payloadId(), latest.get(0).payloadId());
      assertTrue(java.util.Arrays.equals(b, latest.get(0).body()));
      assertEquals("2", w.query("SELECT count(*) FROM bronze_payloads").rows().get(0).get(0), "Bronze keeps both");
    }
  }

  @Test
  void aReleasedWarehouseReadsAgainAfterItReopens(@TempDir Path dir) {
    // a backfill releases the file before each fetch: the reads after the reopen need a connection of their own
    try (DuckDbWarehouse w = DuckDbWarehouse.lazy(dir.resolve("w.duckdb"), Duration.ofSeconds(5))) {
      w.ensureSchema();
      RawPayload a = RawPayload.of(KEY, 0, "http://x/a", "text/csv", 200, "A".getBytes(StandardCharsets.UTF_8), T0);
      w.putBronze(List.of(a));
      assertEquals("A", new String(w.withBody(w.latestBronzeHeads(KEY).get(0)).body(), StandardCharsets.UTF_8));
      w.release();
      IntervalKey next = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0.plusSeconds(600), T0.plusSeconds(1200)));
      w.putBronze(List.of(RawPayload.of(next, 0, "http://x/b", "text/csv", 200, "B".getBytes(StandardCharsets.UTF_8), T0)));
      assertEquals("B", new String(w.withBody(w.latestBronzeHeads(next).get(0)).body(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void revertedContentBecomesCurrentAgainWithANewerVersion(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      byte[] a = "A".getBytes(StandardCharsets.UTF_8);
      byte[] b = "B".getBytes(StandardCharsets.UTF_8);
      Instant t1 = Instant.parse("2024-11-03T10:00:00Z");
      w.putBronze(List.of(RawPayload.of(KEY, 0, "u", "text/csv", 200, a, t1)));
      w.putBronze(List.of(RawPayload.of(KEY, 0, "u", "text/csv", 200, b, t1.plusSeconds(60))));
      List<RawPayload> back = w.putBronze(List.of(RawPayload.of(KEY, 0, "u", "text/csv", 200, a, t1.plusSeconds(120))));
      assertEquals(t1.plusSeconds(120), back.get(0).fetchedAt(), "A is current again and newer than B");
      RawPayload latest = w.latestBronze(KEY).get(0);
      assertTrue(java.util.Arrays.equals(a, latest.body()));
      assertEquals(t1.plusSeconds(120), latest.fetchedAt());
    }
  }

  static PriceRecord withPrice(PriceRecord p, double price) {
    return new PriceRecord(p.market(), p.dataset(), p.marketRun(), p.priceType(), p.locationId(), p.locationName(), p.locationType(),
        p.intervalStart(), p.intervalEnd(), price, p.energy(), p.congestion(), p.loss(), p.ghg(), p.currency(), p.unit(),
        p.provenance(), p.enrichment());
  }

  /** rowid of each Silver row by location and slot start: DuckDB keeps a row's rowid until the row is deleted (rewritten). */
  static List<List<String>> silverRowids(DuckDbWarehouse w) {
    return w.query("SELECT location_id, interval_start_utc, rowid, price, version FROM silver_prices ORDER BY 1, 2").rows();
  }

  @Test
  void upsertFromStagingWritesNewAndChangedRowsOnlyAndASameVersionWithOtherValuesReplaces(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      PriceRecord a0 = price("A", 0, 10, 100);
      PriceRecord a1 = price("A", 1, 11, 100);
      w.replaceStaging(Stage.ENRICH, KEY, RecordKind.PRICES, List.of(a0, a1));
      assertEquals(2, w.upsertSilverFromStaging(KEY, RecordKind.PRICES, 8192), "both new");
      List<List<String>> first = silverRowids(w);

      assertEquals(0, w.upsertSilverFromStaging(KEY, RecordKind.PRICES, 8192), "same version, same values: nothing written");
      assertEquals(first, silverRowids(w), "the rows were not rewritten (same rowids)");

      // A replay after a parser fix: the same payload (same version), a different value.
      w.replaceStaging(Stage.ENRICH, KEY, RecordKind.PRICES, List.of(withPrice(a0, 10.5), a1));
      assertEquals(1, w.upsertSilverFromStaging(KEY, RecordKind.PRICES, 8192));
      List<List<String>> fixed = silverRowids(w);
      assertEquals(List.of("10.5", "100"), fixed.get(0).subList(3, 5), "same version, other values: replaced");
      assertNotEquals(first.get(0).get(2), fixed.get(0).get(2), "the changed row was written");
      assertEquals(first.get(1), fixed.get(1), "the unchanged one was not");

      w.replaceStaging(Stage.ENRICH, KEY, RecordKind.PRICES, List.of(price("A", 0, 7, 50), price("A", 1, 12, 200)));
      assertEquals(1, w.upsertSilverFromStaging(KEY, RecordKind.PRICES, 8192));
      List<List<String>> rows = silverRowids(w);
      assertEquals(List.of("10.5", "100"), rows.get(0).subList(3, 5), "a lower version never replaces");
      assertEquals(List.of("12.0", "200"), rows.get(1).subList(3, 5), "a greater version always does");
      assertEquals("2", w.query("SELECT count(*) FROM silver_prices").rows().get(0).get(0), "one row per natural key");
    }
  }

  @Test
  void theRowLevelUpsertFollowsTheSameRules(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 10, 100)));
      List<List<String>> first = silverRowids(w);
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 10, 100)));
      assertEquals(first, silverRowids(w), "identical: not rewritten");
      w.upsertSilver(RecordKind.PRICES, List.of(withPrice(price("A", 0, 10, 100), 9)));
      assertEquals(List.of("9.0", "100"), silverRowids(w).get(0).subList(3, 5), "same version, other values: replaced");
    }
  }

  @Test
  void pruneStagingDeletesBothStagesOfThatKeyOnly(@TempDir Path dir) {
    IntervalKey next = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0.plusSeconds(600), T0.plusSeconds(1200)));
    try (DuckDbWarehouse w = open(dir)) {
      w.replaceStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES, List.of(price("A", 0, 1, 1)));
      w.replaceStaging(Stage.ENRICH, KEY, RecordKind.PRICES, List.of(price("A", 0, 1, 1)));
      w.replaceStaging(Stage.NORMALIZE, next, RecordKind.PRICES, List.of(price("A", 2, 1, 1)));
      w.pruneStaging(KEY, RecordKind.PRICES);
      assertTrue(w.readStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES).isEmpty());
      assertTrue(w.readStaging(Stage.ENRICH, KEY, RecordKind.PRICES).isEmpty());
      assertEquals(List.of(price("A", 2, 1, 1)), w.readStaging(Stage.NORMALIZE, next, RecordKind.PRICES), "another key keeps its rows");
    }
  }

  @Test
  void aPayloadThatIsAlreadyCurrentIsNotWrittenAgain(@TempDir Path dir) {
    try (DuckDbWarehouse w = open(dir)) {
      byte[] a = "A".getBytes(StandardCharsets.UTF_8);
      Instant t1 = Instant.parse("2024-11-03T10:00:00Z");
      w.putBronze(List.of(RawPayload.of(KEY, 0, "u", "text/csv", 200, a, t1)));
      String sql = "SELECT payload_id, rowid, fetched_at, last_fetched_at FROM bronze_payloads";
      List<List<String>> before = w.query(sql).rows();
      w.putBronze(List.of(RawPayload.of(KEY, 0, "u", "text/csv", 200, a, t1.plusSeconds(60))));
      assertEquals(before, w.query(sql).rows(), "same row, same rowid, not updated");
      assertEquals(List.of(List.of("2024-11-03T10:00:00Z", "2024-11-03T10:00:00Z")),
          w.query("SELECT fetched_at, last_fetched_at FROM bronze_payloads").rows());
    }
  }

  @Test
  void loadedWindowsAreThoseWithAnOkLoadInTheRange(@TempDir Path dir) {
    IntervalKey next = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0.plusSeconds(600), T0.plusSeconds(1200)));
    IntervalKey other = new IntervalKey("caiso", "lmp_rt_15min", KEY.window());
    try (DuckDbWarehouse w = open(dir)) {
      Instant t = Instant.parse("2024-11-03T10:00:00Z");
      w.recordRun(new io.carbon254.ingest.core.sink.RunRecord("r1", Stage.LOAD, KEY, "ok", 0, 1, 1, 0, t, t, "loaded"));
      w.recordRun(new io.carbon254.ingest.core.sink.RunRecord("r1", Stage.NORMALIZE, next, "ok", 0, 1, 1, 1, t, t, "normalized"));
      w.recordRun(new io.carbon254.ingest.core.sink.RunRecord("r2", Stage.LOAD, next, "quality_gate_failed", 4, 1, 0, 0, t, t, "gate"));
      w.recordRun(new io.carbon254.ingest.core.sink.RunRecord("r1", Stage.LOAD, other, "ok", 0, 1, 1, 0, t, t, "other dataset"));
      assertEquals(java.util.Set.of(KEY.window()),
          w.loadedWindows("caiso", "lmp_rt_5min", new IntervalWindow(T0, T0.plusSeconds(3600))));
      assertTrue(w.loadedWindows("caiso", "lmp_rt_5min", new IntervalWindow(T0.plusSeconds(600), T0.plusSeconds(3600))).isEmpty(),
          "outside the range");
      w.recordRun(new io.carbon254.ingest.core.sink.RunRecord("r1", Stage.LOAD, KEY, "ok", 0, 2, 2, 0, t, t, "again"));
      assertEquals("1", w.query("SELECT count(*) FROM ingest_runs WHERE run_id = 'r1' AND stage = 'load' AND dataset = 'lmp_rt_5min'")
          .rows().get(0).get(0), "the ledger row of a run and stage is replaced, not added");
    }
  }

  @Test
  void aFileCreatedWithPrimaryKeysIsRebuiltWithoutThemKeepingItsRows(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("old.duckdb");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement s = c.createStatement()) {
      // The tables as an earlier version created them (abridged to what the rebuild touches).
      s.execute("CREATE TABLE ingest_runs (run_id VARCHAR NOT NULL, stage VARCHAR NOT NULL, market VARCHAR NOT NULL,"
          + " dataset VARCHAR NOT NULL, interval_start_utc TIMESTAMP NOT NULL, interval_end_utc TIMESTAMP NOT NULL,"
          + " status VARCHAR NOT NULL, exit_code INTEGER NOT NULL, rows_in BIGINT NOT NULL, rows_out BIGINT NOT NULL,"
          + " events BIGINT NOT NULL, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, message VARCHAR,"
          + " PRIMARY KEY (run_id, stage, market, dataset, interval_start_utc, interval_end_utc))");
      s.execute("INSERT INTO ingest_runs VALUES ('r', 'load', 'caiso', 'lmp_rt_5min', TIMESTAMP '2024-11-03 08:00:00',"
          + " TIMESTAMP '2024-11-03 08:10:00', 'ok', 0, 2, 2, 0, TIMESTAMP '2024-11-03 10:00:00', TIMESTAMP '2024-11-03 10:00:01', 'm')");
    }
    Path fresh = dir.resolve("fresh.duckdb");
    try (DuckDbWarehouse w = DuckDbWarehouse.open(fresh, false, Duration.ofSeconds(5))) {
      w.ensureSchema();
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 10, 100)));
    }
    String cols = RecordKind.PRICES.columns().stream()
        .map(c -> c.name() + " " + DuckDbWarehouse.sqlType(c) + (c.nullable() ? "" : " NOT NULL")).collect(java.util.stream.Collectors.joining(", "));
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE silver_prices (" + cols + ", PRIMARY KEY (" + String.join(", ", RecordKind.PRICES.naturalKey()) + "))");
      s.execute("ATTACH '" + fresh + "' AS fresh (READ_ONLY)");
      s.execute("INSERT INTO silver_prices SELECT * FROM fresh.silver_prices");
      s.execute("DETACH fresh");
      assertEquals(2, count(s, "SELECT count(DISTINCT table_name) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"));
    }
    try (DuckDbWarehouse w = DuckDbWarehouse.open(file, false, Duration.ofSeconds(5))) {
      w.ensureSchema();
      assertEquals(List.of(), w.query("SELECT table_name FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')").rows(),
          "no keys left");
      assertEquals(java.util.Set.of(KEY.window()), w.loadedWindows("caiso", "lmp_rt_5min", KEY.window()), "ingest_runs kept its row");
      assertEquals(List.of(price("A", 0, 10, 100)), w.readSilver(KEY, RecordKind.PRICES), "Silver kept its row");
      w.upsertSilver(RecordKind.PRICES, List.of(price("A", 0, 20, 200)));
      assertEquals(List.of(price("A", 0, 20, 200)), w.readSilver(KEY, RecordKind.PRICES), "and upserts as before");
    }
  }

  static long count(java.sql.Statement s, String sql) throws java.sql.SQLException {
    try (java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aLazyWarehouseOpensTheFileAndCreatesTheTablesOnItsFirstUseOnly(@TempDir Path dir) {
    Path file = dir.resolve("lazy.duckdb");
    try (DuckDbWarehouse w = DuckDbWarehouse.lazy(file, Duration.ofSeconds(5))) {
      w.ensureSchema();
      assertEquals("duckdb:" + file, w.describe());
      assertFalse(java.nio.file.Files.exists(file), "no file (and no lock) before the first use");
      assertEquals(Duration.ZERO, w.openTime());
      assertTrue(w.latestBronze(KEY).isEmpty(), "the first use opens the file and creates the tables");
      assertTrue(java.nio.file.Files.exists(file));
      assertTrue(w.openTime().compareTo(Duration.ZERO) > 0);
      assertEquals(Duration.ZERO, w.lockWait(), "nobody else held the lock");
    }
    try (DuckDbWarehouse never = DuckDbWarehouse.lazy(dir.resolve("never.duckdb"), Duration.ofSeconds(5))) {
      never.ensureSchema();
    }
    assertFalse(java.nio.file.Files.exists(dir.resolve("never.duckdb")), "closing an unused warehouse creates nothing");
  }
}
