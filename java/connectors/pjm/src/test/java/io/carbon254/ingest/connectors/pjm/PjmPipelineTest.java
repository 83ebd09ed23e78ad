package io.carbon254.ingest.connectors.pjm;

import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.KEY;
import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.testing.RecordingDispatcher;
import io.carbon254.ingest.connectors.pjm.sim.PjmSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
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
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PJM through the four stages on the embedded warehouse (DuckDB) and event files: the fall-back
 * day of 60,000 day-ahead rows in two pages from the simulator, and a corrected version replacing
 * the price in Silver while Bronze keeps both payloads.
 */
class PjmPipelineTest {
  static final IntervalKey FALL = key("lmp_da_hourly", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z");

  private static void runAll(Path home, Map<String, String> env, IntervalKey k, String runId) {
    IngestConfig c = IngestConfig.of(env);
    ConnectorSpec spec = ConnectorSpec.load(c, "pjm");
    Dataset ds = new PjmConnector().withPolicy(PjmTestSupport.FAST).dataset(k.dataset(), new ConnectorContext(spec, c, Clock.systemUTC()));
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), false, Duration.ofSeconds(30));
        AvroFileEventSink events = new AvroFileEventSink(home.resolve("events"))) {
      w.ensureSchema();
      Pipeline p = new Pipeline(k, ds, w, events, CacheWarmer.NONE, Taxonomy.load(c, spec), spec.timezone().getId(), runId,
          Clock.systemUTC(), TaskLog.NONE);
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

  @Test
  void theFallBackDayFromTwoPagesStores25DistinctHoursPerPnode(@TempDir Path home) throws Exception {
    // 35 hubs and zones + 2,365 buses = 2,400 pnodes x 25 hours = 60,000 rows: a page of 50,000 and one of 10,000
    try (PjmSimulator sim = PjmSimulator.start(new SimulatorOptions(0, 2_365, Instant.parse("2026-01-01T00:00:00Z")))) {
      runAll(home, PjmTestSupport.env(sim.baseUrl()), FALL, "fall-back");
      List<String> targets = sim.requestTargets();
      assertEquals(2, targets.size(), targets.toString());
      assertTrue(targets.get(0).contains("startRow=1&") && targets.get(0).contains("rowCount=50000"), targets.get(0));
      assertTrue(targets.get(1).contains("startRow=50001") && targets.get(1).contains("rowCount=50000"), targets.get(1));
      assertEquals(List.of(List.of("60000", "2400", "25", "2024-11-03T04:00:00Z", "2024-11-04T04:00:00Z")),
          query(home, "SELECT count(*), count(DISTINCT location_id), count(DISTINCT interval_start_utc), min(interval_start_utc),"
              + " max(interval_start_utc) FROM silver_prices"));
      assertEquals(List.of(), query(home, "SELECT location_id FROM silver_prices GROUP BY location_id"
          + " HAVING count(*) <> 25 OR count(DISTINCT interval_start_utc) <> 25"), "every pnode: 25 hours, none twice");
      assertEquals(List.of(List.of("2")), query(home, "SELECT count(*) FROM bronze_payloads"), "one Bronze part per page");
      assertEquals(List.of(List.of("true", "WESTERN HUB", "MidAtlantic")),
          query(home, "SELECT is_trading_hub, hub, region FROM silver_prices WHERE location_id = '51288' LIMIT 1"));
      assertNoKey(home);
    }
  }

  @Test
  void aHigherVersionNumberReplacesThePriceInSilverAndBronzeKeepsBoth(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      RecordingDispatcher d = new RecordingDispatcher();
      server.setDispatcher(d);
      for (String f : List.of("da_hrl_lmps_20241103.json", "da_hrl_lmps_20241103_corrected.json")) {
        d.queue.add(new MockResponse.Builder().code(200).setHeader("Content-Type", PjmTestSupport.JSON)
            .body(new Buffer().write(PjmTestSupport.resource(f))).build());
      }
      server.start();
      Map<String, String> env = PjmTestSupport.env(server.url("/").toString());
      String sql = "SELECT price, version FROM silver_prices WHERE location_id = '1' AND interval_start_utc = TIMESTAMP '2024-11-03 05:00:00'";
      String other = "SELECT price FROM silver_prices WHERE location_id = '1' AND interval_start_utc = TIMESTAMP '2024-11-03 06:00:00'";
      String hub = "SELECT price FROM silver_prices WHERE location_id = '51288' AND interval_start_utc = TIMESTAMP '2024-11-03 06:00:00'";
      runAll(home, env, FALL, "original");
      List<String> original = query(home, sql).get(0);
      double otherBefore = Double.parseDouble(query(home, other).get(0).get(0));
      List<List<String>> hubBefore = query(home, hub);
      runAll(home, env, FALL, "corrected");
      List<String> corrected = query(home, sql).get(0);
      assertEquals(Double.parseDouble(original.get(0)) + 2.25, Double.parseDouble(corrected.get(0)), 1e-6, "the corrected price");
      assertTrue(Long.parseLong(corrected.get(1)) > Long.parseLong(original.get(1)));
      assertEquals(List.of(List.of("75", "75")), query(home, "SELECT count(*), count(DISTINCT (location_id, interval_start_utc))"
          + " FROM silver_prices"), "exactly one Silver row per natural key");
      assertEquals(List.of(List.of("2")), query(home, "SELECT count(*) FROM bronze_payloads"), "Bronze keeps both payloads");
      // the second 01:00 EPT hour (EST) was corrected too, down by 3.5; a row without a correction keeps its value
      assertEquals(otherBefore - 3.5, Double.parseDouble(query(home, other).get(0).get(0)), 1e-6);
      assertEquals(hubBefore, query(home, hub));
      assertEquals(2, d.requests.size());
      assertNoKey(home);
    }
  }

  /** The key appears in no file the run wrote: not the warehouse (Bronze URLs and bodies, run rows), not the events. */
  private static void assertNoKey(Path home) throws Exception {
    try (Stream<Path> files = Files.walk(home)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        // ISO-8859-1 maps each byte to one char: a byte search over any file, binary ones included
        assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(KEY), f + " holds the API key");
      }
    }
    assertEquals(List.of(), query(home, "SELECT url FROM bronze_payloads WHERE url LIKE '%" + KEY + "%'"));
  }

}
