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
