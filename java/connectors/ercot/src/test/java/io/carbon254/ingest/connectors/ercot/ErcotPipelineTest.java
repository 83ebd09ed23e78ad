package io.carbon254.ingest.connectors.ercot;

import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.ercot.sim.ErcotSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.pipeline.Pipeline;
import io.carbon254.ingest.core.pipeline.TaskLog;
import io.carbon254.ingest.core.policy.Taxonomy;
import io.carbon254.ingest.core.sink.CacheWarmer;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.sinks.embedded.AvroFileEventSink;
import io.carbon254.ingest.sinks.embedded.DuckDbWarehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ERCOT through the four stages on the embedded warehouse (DuckDB) and event files, served by the
 * simulator through INGEST_ERCOT_BASE_URL: the fall-back day of day-ahead prices (25 hours, the
 * flagged 02:00 at 07:00Z), both DST days of the 15-minute prices (92 and 100 intervals) from the
 * archive in one bulk download, and a {@code _retry} republication fetched after the first posting
 * replacing its interval in Silver while Bronze keeps both documents.
 */
class ErcotPipelineTest {
  static final IntervalKey DAM_FALL = key("spp_da_hourly", "2024-11-03T05:00:00Z", "2024-11-04T06:00:00Z");
  static final IntervalKey RT_SPRING = key("spp_rt_15min", "2024-03-10T06:00:00Z", "2024-03-11T05:00:00Z");
  static final IntervalKey RT_FALL = key("spp_rt_15min", "2024-11-03T05:00:00Z", "2024-11-04T06:00:00Z");

  private static Dataset dataset(Map<String, String> env, String id) {
    IngestConfig c = IngestConfig.of(env);
    return new ErcotConnector().withPolicy(ErcotTestSupport.FAST).dataset(id, new ConnectorContext(ConnectorSpec.load(c, "ercot"), c,
        Clock.systemUTC()));
  }

  private static void runAll(Path home, Map<String, String> env, IntervalKey k, String runId) {
    IngestConfig c = IngestConfig.of(env);
    ConnectorSpec spec = ConnectorSpec.load(c, "ercot");
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), false, Duration.ofSeconds(30));
        AvroFileEventSink events = new AvroFileEventSink(home.resolve("events"))) {
      w.ensureSchema();
      Pipeline p = new Pipeline(k, dataset(env, k.dataset()), w, events, CacheWarmer.NONE, Taxonomy.load(c, spec), spec.timezone().getId(),
          runId, Clock.systemUTC(), TaskLog.NONE);
      for (Stage s : List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD)) {
        p.run(s);
      }
    }
  }

  private static List<List<String>> query(Path home, String sql) {
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), true, Duration.ofSeconds(30))) {
      return w.query(sql).rows();
    }
  }

  private static ErcotSimulator simulator() {
    return ErcotSimulator.start(new SimulatorOptions(0, 20, Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void theDayAheadFallBackDayStores25HoursPerSettlementPointTheFlaggedOneAt0700Z(@TempDir Path home) throws Exception {
    try (ErcotSimulator sim = simulator()) {
      Map<String, String> env = ErcotTestSupport.env(sim.baseUrl());
      runAll(home, env, DAM_FALL, "fall-back");
      assertEquals(List.of(), query(home, "SELECT location_id FROM silver_prices GROUP BY location_id"
          + " HAVING count(*) <> 25 OR count(DISTINCT interval_start_utc) <> 25"), "every settlement point: 25 hours, none twice");
      assertEquals(List.of(List.of("25", "2024-11-03T05:00:00Z", "2024-11-04T05:00:00Z")), query(home,
          "SELECT count(DISTINCT interval_start_utc), min(interval_start_utc), max(interval_start_utc) FROM silver_prices"));
      // the document's own rows: HE 02:00 N is 06:00Z, HE 02:00 DSTFlag=Y is 07:00Z
      String csv = documentCsv(dataset(env, "spp_da_hourly").fetch(DAM_FALL).get(0));
      String first = priceOf(csv, "11/03/2024,02:00,HB_NORTH,", ",N");
      String repeated = priceOf(csv, "11/03/2024,02:00,HB_NORTH,", ",Y");
      assertEquals(List.of(List.of(first)), query(home, "SELECT printf('%.2f', price) FROM silver_prices WHERE location_id = 'HB_NORTH'"
          + " AND interval_start_utc = TIMESTAMP '2024-11-03 06:00:00'"));
      assertEquals(List.of(List.of(repeated)), query(home, "SELECT printf('%.2f', price) FROM silver_prices WHERE location_id = 'HB_NORTH'"
          + " AND interval_start_utc = TIMESTAMP '2024-11-03 07:00:00'"));
      assertEquals(List.of(List.of("true", "HB_NORTH", "North", "hub")),
          query(home, "SELECT is_trading_hub, hub, region, location_type FROM silver_prices WHERE location_id = 'HB_NORTH' LIMIT 1"));
      assertNoCredential(home);
    }
  }

  @Test
  void fifteenMinutePricesHold92IntervalsOnTheSpringDayAnd100OnTheFallDay(@TempDir Path home) throws Exception {
    try (ErcotSimulator sim = simulator()) {
      Map<String, String> env = ErcotTestSupport.env(sim.baseUrl());
      runAll(home, env, RT_SPRING, "spring");
      runAll(home, env, RT_FALL, "fall");
      assertEquals(List.of(), query(home, "SELECT location_id FROM silver_prices WHERE interval_start_utc < TIMESTAMP '2024-06-01 00:00:00'"
          + " GROUP BY location_id HAVING count(DISTINCT interval_start_utc) <> 92 OR count(*) <> 92"), "92 per point on 2024-03-10");
      assertEquals(List.of(), query(home, "SELECT location_id FROM silver_prices WHERE interval_start_utc > TIMESTAMP '2024-06-01 00:00:00'"
          + " GROUP BY location_id HAVING count(DISTINCT interval_start_utc) <> 100 OR count(*) <> 100"), "100 per point on 2024-11-03");
      assertTrue(Long.parseLong(query(home, "SELECT count(DISTINCT location_id) FROM silver_prices").get(0).get(0)) > 20);
    }
  }

  @Test
  void aRetryRepublicationReplacesItsIntervalInSilverAndBronzeKeepsBoth(@TempDir Path home) throws Exception {
    // 12:00-12:15 CST; its file is posted at 12:16, its _retry (every price + 1.00) at 12:36
    IntervalKey quarter = key("spp_rt_15min", "2024-11-03T18:00:00Z", "2024-11-03T18:15:00Z");
    String sql = "SELECT printf('%.2f', price), version FROM silver_prices WHERE location_id = 'HB_NORTH'";
    List<String> first;
    try (ErcotSimulator before = ErcotSimulator.start(new SimulatorOptions(0, 20, Instant.parse("2024-11-03T18:20:00Z")))) {
      runAll(home, ErcotTestSupport.env(before.baseUrl()), quarter, "first-posting");
      first = query(home, sql).get(0);
    }
    try (ErcotSimulator after = simulator()) {
      runAll(home, ErcotTestSupport.env(after.baseUrl()), quarter, "after-the-retry");
    }
    List<String> retried = query(home, sql).get(0);
    assertEquals(Double.parseDouble(first.get(0)) + 1.0, Double.parseDouble(retried.get(0)), 1e-9, "the republished price");
    assertTrue(Long.parseLong(retried.get(1)) > Long.parseLong(first.get(1)), "the _retry is a newer version: " + first + " " + retried);
    assertEquals(List.of(List.of("2")), query(home, "SELECT count(*) FROM bronze_payloads"), "Bronze keeps the file and its _retry");
    assertEquals(List.of(List.of("1")), query(home, "SELECT count(*) FROM silver_prices WHERE location_id = 'HB_NORTH'"),
        "one Silver row for the interval");
  }

  static String documentCsv(RawPayload p) throws Exception {
    try (java.util.zip.ZipInputStream z = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(p.body()))) {
      z.getNextEntry();
      return new String(z.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String priceOf(String csv, String prefix, String suffix) {
    return csv.lines().filter(l -> l.startsWith(prefix) && l.strip().endsWith(suffix)).map(l -> l.split(",")[3])
        .map(s -> String.format(java.util.Locale.ROOT, "%.2f", Double.parseDouble(s.strip()))).findFirst().orElseThrow(() -> new AssertionError(prefix + "…" + suffix));
  }

  /** No credential appears in any file the run wrote (Bronze URLs and bodies, run rows, events). */
  private static void assertNoCredential(Path home) throws Exception {
    try (Stream<Path> files = Files.walk(home)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String secret : List.of(ErcotTestSupport.KEY, ErcotTestSupport.PASSWORD)) {
          assertFalse(bytes.contains(secret), f + " holds a credential");
        }
      }
    }
  }
}
