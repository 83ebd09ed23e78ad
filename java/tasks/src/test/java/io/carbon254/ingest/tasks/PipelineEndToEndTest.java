package io.carbon254.ingest.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.sinks.embedded.AvroFileEventSink;
import io.carbon254.ingest.sinks.embedded.DuckDbWarehouse;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole `run` on the embedded default against the OASIS simulator. */
class PipelineEndToEndTest {
  static final List<Stage> ALL = List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD);
  static final IntervalKey RT = new IntervalKey("caiso", "lmp_rt_5min",
      new IntervalWindow(Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T10:00:00Z")));
  static CaisoSimulator sim;

  @BeforeAll
  static void startSimulator() {
    sim = CaisoSimulator.start(new SimulatorOptions(0, 12, Instant.parse("2026-01-01T00:00:00Z")));
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  static IngestConfig config(Path home, String baseUrl) {
    return IngestConfig.of(env(home, baseUrl));
  }

  static Map<String, String> env(Path home, String baseUrl) {
    Path repo = TestRepo.root();
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_HOME", home.toString());
    env.put("INGEST_CAISO_BASE_URL", baseUrl);
    env.put("INGEST_CAISO_REQUEST_SPACING", "0s");
    env.put("INGEST_CONNECTORS_DIR", repo.resolve("connectors").toString());
    return env;
  }

  static QueryResult query(Path home, String sql) {
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), true, Duration.ofSeconds(5))) {
      return w.query(sql);
    }
  }

  static Set<Object> eventIds(Path home, String topic) throws Exception {
    Set<Object> ids = new HashSet<>();
    for (Map<String, Object> e : AvroFileEventSink.read(home.resolve("events"), topic)) {
      ids.add(e.get("event_id"));
    }
    return ids;
  }

  @Test
  void theMetricsFileHoldsEveryFamilyWithHelpAndTheRunsCounts(@TempDir Path home) throws Exception {
    Map<String, String> env = env(home, sim.baseUrl());
    Path file = home.resolve("metrics.prom");
    env.put("INGEST_METRICS_FILE", file.toString());
    assertEquals(0, StageRunner.run(IngestConfig.of(env), RT, "metrics", ALL));
    String text = java.nio.file.Files.readString(file);
    for (String family : List.of("ingest_stage_runs_total", "ingest_stage_duration_seconds", "ingest_stage_rows_in_total",
        "ingest_stage_rows_out_total", "ingest_payloads_total", "ingest_payload_bytes_total", "ingest_http_requests_total",
        "ingest_quality_checks_total", "ingest_last_run_timestamp_seconds", "ingest_last_success_timestamp_seconds",
        "ingest_silver_newest_interval_end_timestamp_seconds", "ingest_bronze_to_silver_latency_seconds",
        "ingest_completeness_ratio")) {
      assertTrue(text.contains("# HELP " + family + " "), family + " has HELP text:\n" + text);
    }
    var families = Pushgateway.parse(text, null);
    var runs = families.get("ingest_stage_runs_total").samples;
    for (Stage st : ALL) {
      String ok = "ingest_stage_runs_total{dataset=\"lmp_rt_5min\",exit_code=\"0\",market=\"caiso\",outcome=\"ok\",stage=\"" + st.id() + "\"}";
      assertEquals(1.0, runs.get(ok), ok + " in\n" + runs.keySet());
    }
    var http = families.get("ingest_http_requests_total").samples;
    assertTrue(http.keySet().stream().allMatch(k -> k.contains("status=\"200\"") && k.contains("stage=\"fetch\"")), http.toString());
    assertEquals(RT.window().end().getEpochSecond(),
        families.get("ingest_silver_newest_interval_end_timestamp_seconds").samples.values().iterator().next(), 0.001);
    var checks = families.get("ingest_quality_checks_total").samples;
    assertTrue(checks.containsKey("ingest_quality_checks_total{check=\"completeness\",dataset=\"lmp_rt_5min\",market=\"caiso\","
        + "outcome=\"passed\",severity=\"error\",stage=\"load\"}"), checks.toString());
  }

  @Test
  void runningTwiceLeavesIdenticalWarehouseRowsAndEventIds(@TempDir Path home) throws Exception {
    IngestConfig c = config(home, sim.baseUrl());
    assertEquals(0, StageRunner.run(c, RT, "first", ALL));
    String silver = "SELECT * FROM silver_prices ORDER BY location_id, interval_start_utc";
    QueryResult rows1 = query(home, silver);
    QueryResult bronze1 = query(home, "SELECT payload_id, fetched_at, sha256 FROM bronze_payloads ORDER BY 1");
    QueryResult staging1 = query(home, "SELECT stage, count(*) FROM stg_prices GROUP BY 1 ORDER BY 1");
    Map<String, Set<Object>> ids1 = new HashMap<>();
    for (String t : List.of("ingestion", "normalized", "enriched")) {
      ids1.put(t, eventIds(home, t + ".caiso.lmp_rt_5min"));
    }

    assertEquals(0, StageRunner.run(c, RT, "second", ALL));
    assertEquals(rows1, query(home, silver));
    assertEquals(bronze1, query(home, "SELECT payload_id, fetched_at, sha256 FROM bronze_payloads ORDER BY 1"));
    assertEquals(staging1, query(home, "SELECT stage, count(*) FROM stg_prices GROUP BY 1 ORDER BY 1"));
    for (String t : List.of("ingestion", "normalized", "enriched")) {
      Set<Object> again = eventIds(home, t + ".caiso.lmp_rt_5min");
      assertFalse(again.isEmpty(), t);
      assertEquals(ids1.get(t), again, t + " event ids");
    }
    assertEquals(19 * 24, rows1.rows().size(), "19 locations (3 hubs, 4 DLAPs, 12 nodes) x 24 intervals");
    assertEquals(List.of(List.of("2")), query(home,
        "SELECT count(DISTINCT run_id) FROM ingest_runs WHERE status = 'ok' AND stage = 'load'").rows());
  }

  @Test
  void fallBackRepeatedHourGives24FiveMinuteIntervalsPerNodeEachWithItsOwnPrices(@TempDir Path home) throws Exception {
    IngestConfig c = config(home, sim.baseUrl());
    assertEquals(0, StageRunner.run(c, RT, "acceptance-2", ALL));
    QueryResult perNode = query(home, "SELECT location_id, count(DISTINCT interval_start_utc), min(interval_start_utc), "
        + "max(interval_start_utc), count(*) FROM silver_prices GROUP BY 1 ORDER BY 1");
    assertEquals(19, perNode.rows().size());
    for (List<String> r : perNode.rows()) {
      assertEquals(List.of("24", "2024-11-03T08:00:00Z", "2024-11-03T09:55:00Z", "24"), r.subList(1, 5), r.get(0));
    }
    // Independently of the parser: every LMP row of the stored payloads is the price of its own interval and node.
    Map<String, String> expected = new HashMap<>();
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), true, Duration.ofSeconds(5))) {
      for (var p : w.latestBronze(RT)) {
        String csv = unzipSingle(p.body());
        String[] lines = csv.split("\n");
        List<String> header = List.of(lines[0].split(","));
        int s = header.indexOf("INTERVALSTARTTIME_GMT");
        int node = header.indexOf("NODE");
        int type = header.indexOf("LMP_TYPE");
        int value = header.indexOf("VALUE");
        for (int i = 1; i < lines.length; i++) {
          String[] f = lines[i].split(",");
          if (f[type].equals("LMP")) {
            expected.put(f[node] + "|" + Instant.parse(f[s].replace("-00:00", "Z")), f[value]);
          }
        }
      }
    }
    QueryResult prices = query(home, "SELECT location_id, interval_start_utc, price FROM silver_prices");
    assertEquals(expected.size(), prices.rows().size());
    Set<String> distinctPrices = new TreeSet<>();
    for (List<String> r : prices.rows()) {
      String want = expected.get(r.get(0) + "|" + r.get(1));
      assertEquals(Double.parseDouble(want), Double.parseDouble(r.get(2)), 1e-9, r.toString());
      if (r.get(0).equals("TH_SP15_GEN-APND")) {
        distinctPrices.add(r.get(2));
      }
    }
    assertTrue(distinctPrices.size() > 12, "the 24 SP15 intervals carry their own prices: " + distinctPrices);
  }

  static String unzipSingle(byte[] zip) throws Exception {
    try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
      z.getNextEntry();
      return new String(z.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void replayFromBronzeNeedsNoSourceAndRebuildsTheSameSilver(@TempDir Path home) {
    IngestConfig c = config(home, sim.baseUrl());
    IntervalKey da = new IntervalKey("caiso", "lmp_da_hourly",
        new IntervalWindow(Instant.parse("2024-11-03T07:00:00Z"), Instant.parse("2024-11-04T08:00:00Z")));
    assertEquals(0, StageRunner.run(c, da, "fetch-and-load", ALL));
    QueryResult before = query(home, "SELECT * FROM silver_prices ORDER BY location_id, interval_start_utc");
    assertEquals(19 * 25, before.rows().size(), "25 hours on the fall-back day");
    long requests = sim.requests();
    IngestConfig offline = config(home, "http://127.0.0.1:9");
    assertEquals(0, StageRunner.run(offline, da, "replay", List.of(Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD)));
    assertEquals(requests, sim.requests(), "replay makes no request");
    assertEquals(before, query(home, "SELECT * FROM silver_prices ORDER BY location_id, interval_start_utc"));
  }

  @Test
  void everyDatasetLoadsTheFallBackDay(@TempDir Path home) {
    IngestConfig c = config(home, sim.baseUrl());
    IntervalWindow day = new IntervalWindow(Instant.parse("2024-11-03T07:00:00Z"), Instant.parse("2024-11-04T08:00:00Z"));
    Map<String, String> expected = Map.of(
        "lmp_da_hourly", "SELECT count(DISTINCT interval_start_utc) FROM silver_prices WHERE dataset = 'lmp_da_hourly'",
        "lmp_rt_15min", "SELECT count(DISTINCT interval_start_utc) FROM silver_prices WHERE dataset = 'lmp_rt_15min'",
        "load_actual", "SELECT count(DISTINCT interval_start_utc) FROM silver_load WHERE dataset = 'load_actual'",
        "load_forecast", "SELECT count(DISTINCT market_run) FROM silver_load WHERE dataset = 'load_forecast'",
        "fuel_mix", "SELECT count(DISTINCT interval_start_utc) FROM silver_fuel_mix");
    Map<String, String> want = Map.of("lmp_da_hourly", "25", "lmp_rt_15min", "100", "load_actual", "25",
        "load_forecast", "5", "fuel_mix", "300");
    List<String> got = new ArrayList<>();
    for (String ds : List.of("lmp_da_hourly", "lmp_rt_15min", "load_actual", "load_forecast", "fuel_mix")) {
      assertEquals(0, StageRunner.run(c, new IntervalKey("caiso", ds, day), "all-" + ds, ALL), ds);
      got.add(ds + "=" + query(home, expected.get(ds)).rows().get(0).get(0));
    }
    assertEquals(List.of("lmp_da_hourly=" + want.get("lmp_da_hourly"), "lmp_rt_15min=" + want.get("lmp_rt_15min"),
        "load_actual=" + want.get("load_actual"), "load_forecast=" + want.get("load_forecast"), "fuel_mix=" + want.get("fuel_mix")), got);
    assertEquals(List.of(List.of("0")), query(home,
        "SELECT count(*) FROM quality_results WHERE NOT passed AND severity = 'error'").rows());
  }
}
