package io.carbon254.ingest.connectors.miso;

import static io.carbon254.ingest.connectors.miso.MisoTestSupport.day;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.miso.sim.MisoSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MISO through the four stages on the embedded warehouse (DuckDB) and event files, served by the
 * simulator through INGEST_MISO_BASE_URL: the day-ahead ex-post prices of the US spring-forward day
 * (24 EST hours, 05:00Z through 04:00Z, each with its LMP and its energy component), the final
 * real-time report replacing the preliminary one in Silver while Bronze keeps both, and the Public
 * API's provisional fuel mix replaced by the Data Exchange's settled hours.
 */
class MisoPipelineTest {
  private static void runAll(Path home, Map<String, String> env, IntervalKey k, Instant now, String runId) {
    IngestConfig c = IngestConfig.of(env);
    ConnectorSpec spec = ConnectorSpec.load(c, "miso");
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), false, Duration.ofSeconds(30));
        AvroFileEventSink events = new AvroFileEventSink(home.resolve("events"))) {
      w.ensureSchema();
      Pipeline p = new Pipeline(k, MisoTestSupport.dataset(k.dataset(), env, Clock.fixed(now, ZoneOffset.UTC), s -> {}), w, events,
          CacheWarmer.NONE, Taxonomy.load(c, spec), spec.timezone().getId(), runId, Clock.systemUTC(), TaskLog.NONE);
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

  private static MisoSimulator simulator(String now) {
    return MisoSimulator.start(new SimulatorOptions(0, 20, Instant.parse(now))).withKey(MisoTestSupport.KEY);
  }

  private static final Instant LATER = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void theDayAheadExPostPricesOfTheSpringForwardDayAre24EstHoursEachWithItsLmpAndEnergy(@TempDir Path home) {
    IntervalKey spring = day("lmp_da_expost_hourly", "2024-03-10");
    try (MisoSimulator sim = simulator("2026-01-01T00:00:00Z")) {
      Map<String, String> env = MisoTestSupport.env(sim.baseUrl());
      runAll(home, env, spring, LATER, "spring");
      assertEquals(List.of(), query(home, "SELECT location_id FROM silver_prices GROUP BY location_id"
          + " HAVING count(*) <> 24 OR count(DISTINCT interval_start_utc) <> 24"), "every node: 24 hours, none twice");
      assertEquals(List.of(List.of("24", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z")), query(home,
          "SELECT count(DISTINCT interval_start_utc), min(interval_start_utc), max(interval_start_utc) FROM silver_prices"));
      assertEquals(List.of(List.of("0")), query(home, "SELECT count(*) FROM silver_prices WHERE energy IS NULL OR congestion IS NULL"
          + " OR loss IS NULL OR abs(price - energy - congestion - loss) > 0.000001"), "energy = LMP - MCC - MLC on every row");
      assertTrue(Long.parseLong(query(home, "SELECT count(DISTINCT location_id) FROM silver_prices").get(0).get(0)) >= 20);
      // the report's own numbers: HE 3 of ILLINOIS.HUB (02:00-03:00 EST, 07:00Z, the hour the US clocks skip)
      String csv = new String(MisoTestSupport.dataset("lmp_da_expost_hourly", sim.baseUrl()).fetch(spring).get(0).body(),
          StandardCharsets.UTF_8);
      double lmp = cell(csv, "ILLINOIS.HUB,Hub,LMP,", 3);
      double mcc = cell(csv, "ILLINOIS.HUB,Hub,MCC,", 3);
      double mlc = cell(csv, "ILLINOIS.HUB,Hub,MLC,", 3);
      List<String> row = query(home, "SELECT price, congestion, loss, energy, location_type, hub, region, is_trading_hub FROM silver_prices"
          + " WHERE location_id = 'ILLINOIS.HUB' AND interval_start_utc = TIMESTAMP '2024-03-10 07:00:00'").get(0);
      assertEquals(lmp, Double.parseDouble(row.get(0)), 1e-9);
      assertEquals(mcc, Double.parseDouble(row.get(1)), 1e-9);
      assertEquals(mlc, Double.parseDouble(row.get(2)), 1e-9);
      assertEquals(lmp - mcc - mlc, Double.parseDouble(row.get(3)), 1e-6);
      assertEquals(List.of("hub", "ILLINOIS.HUB", "Central", "true"), row.subList(4, 8));
    }
  }

  static double cell(String csv, String prefix, int he) {
    return csv.lines().filter(l -> l.startsWith(prefix)).map(l -> Double.parseDouble(l.split(",")[2 + he])).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + prefix));
  }

  @Test
  void finalRealTimePricesReplaceThePreliminaryOnesAndBronzeKeepsBoth(@TempDir Path home) {
    IntervalKey d = day("lmp_rt_hourly", "2024-11-03");
    String sql = "SELECT price, version, source FROM silver_prices WHERE location_id = 'INDIANA.HUB' AND interval_start_utc = TIMESTAMP '2024-11-03 12:00:00'";
    List<String> prelim;
    // two days later: the preliminary report exists, the final one does not yet
    try (MisoSimulator before = simulator("2024-11-05T12:00:00Z")) {
      runAll(home, MisoTestSupport.env(before.baseUrl()), d, Instant.parse("2024-11-05T12:00:00Z"), "preliminary");
      prelim = query(home, sql).get(0);
      assertEquals(List.of("GET /marketreports/20241103_rt_lmp_final.csv", "GET /marketreports/20241103_rt_lmp_prelim.csv"),
          before.requestTargets());
    }
    try (MisoSimulator after = simulator("2026-01-01T00:00:00Z")) {
      runAll(home, MisoTestSupport.env(after.baseUrl()), d, LATER, "final");
      assertEquals(List.of("GET /marketreports/20241103_rt_lmp_final.csv"), after.requestTargets());
    }
    List<String> fin = query(home, sql).get(0);
    assertTrue(Long.parseLong(fin.get(1)) > Long.parseLong(prelim.get(1)), "the final report is the newer version: " + prelim + " " + fin);
    assertTrue(Math.abs(Double.parseDouble(fin.get(0)) - Double.parseDouble(prelim.get(0))) > 1e-9, "the final price differs: " + prelim + " " + fin);
    assertEquals(List.of(List.of("2")), query(home, "SELECT count(*) FROM bronze_payloads"), "Bronze keeps both reports");
    assertEquals(List.of(List.of("1"), List.of("1")), query(home, "SELECT count(*) FROM bronze_payloads GROUP BY url LIKE '%_rt_lmp_final.csv'"));
    assertEquals(List.of(), query(home, "SELECT location_id FROM silver_prices GROUP BY location_id HAVING count(*) <> 24"),
        "one Silver row per node and hour: the final ones");
    assertEquals(List.of(List.of("0")), query(home, "SELECT count(*) FROM silver_prices WHERE source = '" + prelim.get(2) + "'"),
        "no preliminary row is left in Silver");
  }

  @Test
  void theDataExchangesSettledFuelMixReplacesThePublicApisProvisionalHours(@TempDir Path home) {
    IntervalKey d = day("fuel_mix", "2024-11-03");
    Instant early = Instant.parse("2024-11-04T07:00:00Z"); // 02:00 EST the next day: the day is the Public API's "yesterday"
    try (MisoSimulator before = simulator(early.toString())) {
      runAll(home, MisoTestSupport.env(before.baseUrl()), d, early, "provisional");
      assertEquals(List.of("GET /api/FuelMix/Yesterday"), before.requestTargets());
    }
    List<List<String>> provisional = query(home, "SELECT fuel, count(*), min(version) FROM silver_fuel_mix GROUP BY fuel ORDER BY fuel");
    assertEquals(8, provisional.size(), "eight fuels: " + provisional);
    provisional.forEach(r -> assertEquals("24", r.get(1), r.toString()));
    try (MisoSimulator after = simulator("2024-11-06T00:00:00Z")) {
      runAll(home, MisoTestSupport.env(after.baseUrl()), d, Instant.parse("2024-11-06T00:00:00Z"), "settled");
      assertEquals(List.of("GET /lgi/v1/real-time/2024-11-03/generation/fuel-type?region=MISO&pageNumber=1"), after.requestTargets());
    }
    List<List<String>> settled = query(home, "SELECT fuel, count(*), min(version) FROM silver_fuel_mix GROUP BY fuel ORDER BY fuel");
    assertEquals(8, settled.size(), "the same eight fuels: " + settled);
    for (int i = 0; i < 8; i++) {
      assertEquals(provisional.get(i).get(0), settled.get(i).get(0));
      assertEquals("24", settled.get(i).get(1));
      assertTrue(Long.parseLong(settled.get(i).get(2)) > Long.parseLong(provisional.get(i).get(2)), settled.get(i) + " over " + provisional.get(i));
    }
    assertEquals(List.of(List.of("2")), query(home, "SELECT count(*) FROM bronze_payloads"));
    assertEquals(List.of(List.of("MISO", "MISO")), query(home, "SELECT DISTINCT area, region FROM silver_fuel_mix"));
  }
}
