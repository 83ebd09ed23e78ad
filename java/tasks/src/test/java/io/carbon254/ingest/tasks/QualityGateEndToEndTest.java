package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.PipelineEndToEndTest.ALL;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.config;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.eventIds;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.sink.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * load's gate on CAISO real-time payloads in OASIS's format: an interval with a node short of an
 * interval is held (exit 4, Silver untouched, no enriched event), a price past the offer caps is
 * flagged and loaded.
 */
class QualityGateEndToEndTest {
  static final IntervalKey HOUR = new IntervalKey("caiso", "lmp_rt_5min",
      new IntervalWindow(Instant.parse("2024-11-04T08:00:00Z"), Instant.parse("2024-11-04T09:00:00Z")));
  static final String ENRICHED = "enriched.caiso.lmp_rt_5min";

  /**
   * A PRC_INTVL_LMP report of the hour for {@code nodes}, each component row of every 5-minute
   * interval, leaving out {@code missing} ("node@slot") and pricing {@code prices} ("node@slot" →
   * LMP) as given (the energy component follows, so the components still sum).
   */
  static byte[] payload(List<String> nodes, Set<String> missing, Map<String, Double> prices) throws Exception {
    StringBuilder csv = new StringBuilder("INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,"
        + "MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,VALUE,OPR_INTERVAL,GROUP\n");
    String[][] parts = {{"LMP", "LMP_PRC"}, {"MCE", "LMP_ENE_PRC"}, {"MCC", "LMP_CONG_PRC"}, {"MCL", "LMP_LOSS_PRC"}, {"MGHG", "LMP_GHG_PRC"}};
    for (String[] p : parts) {
      for (String node : nodes) {
        for (int i = 0; i < 12; i++) {
          if (missing.contains(node + "@" + i)) {
            continue;
          }
          double lmp = prices.getOrDefault(node + "@" + i, 31.25 + i);
          double v = switch (p[0]) {
            case "LMP" -> lmp;
            case "MCE" -> lmp - 1.25;
            case "MCC" -> 1.0;
            case "MCL" -> 0.25;
            default -> 0.0;
          };
          Instant s = HOUR.window().start().plusSeconds(300L * i);
          csv.append(s.toString().replace("Z", "-00:00")).append(',').append(s.plusSeconds(300).toString().replace("Z", "-00:00"))
              .append(",2024-11-04,01,").append(node).append(',').append(node).append(',').append(node).append(",RTM,").append(p[0])
              .append(',').append(p[1]).append(',').append(node).append(",ALL_APNODES,0,").append(v).append(',').append(i + 1)
              .append(",1\n");
        }
      }
    }
    return BadInputTest.zip("20241104_20241104_PRC_INTVL_LMP_RTM_20241104_09_00_00_v1.csv", csv.toString());
  }

  static void serve(MockWebServer server, byte[] body) {
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed")
        .body(new Buffer().write(body)).build());
  }

  static long count(Path home, String sql) {
    return Long.parseLong(query(home, sql).rows().getFirst().getFirst());
  }

  static Set<Object> enrichedEvents(Path home) throws Exception {
    return Files.isDirectory(home.resolve("events")) ? eventIds(home, ENRICHED) : Set.of();
  }

  @Test
  void aNodeShortOfAnIntervalHoldsTheIntervalAndNoEnrichedEventGoesOut(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      serve(server, payload(List.of("NODE_A", "NODE_B"), Set.of("NODE_B@5"), Map.of()));
      var c = config(home, server.url("/").toString());
      assertEquals(ExitCodes.REJECTED, StageRunner.run(c, HOUR, "short", ALL), "the gate fails: exit 4");
      List<List<String>> q = query(home, "SELECT check_name, severity, passed, observed, involved_count, involved[1], run_id"
          + " FROM quality_results WHERE check_name = 'completeness'").rows();
      assertEquals(List.of(List.of("completeness", "error", "false", String.valueOf(11.0 / 12.0), "1",
          "caiso|lmp_rt_5min|RT|LMP|NODE_B: 11 of 12 intervals", "short")), q);
      assertEquals(0, count(home, "SELECT count(*) FROM silver_prices"), "Silver holds no row of the interval");
      assertEquals(Set.of(), enrichedEvents(home), "no enriched event of the failing run");
      assertEquals(23, eventIds(home, "normalized.caiso.lmp_rt_5min").size(), "normalized.* is before the gate (internal)");
      assertEquals(List.of(List.of("load", "quality_gate_failed", "4")), query(home,
          "SELECT stage, status, exit_code FROM ingest_runs WHERE stage = 'load'").rows());

      // the rows are held, each with why: NODE_B's own series is short, NODE_A's is held with the interval
      assertEquals(List.of(List.of("NODE_A", "completeness", "12", "short"), List.of("NODE_B", "completeness", "11", "short")),
          query(home, "SELECT location_id, check_name, count(*), min(run_id) FROM quarantine_prices GROUP BY 1, 2 ORDER BY 1").rows());
      assertEquals(List.of(List.of("its series has 11 of 12 intervals")), query(home,
          "SELECT DISTINCT reason FROM quarantine_prices WHERE location_id = 'NODE_B'").rows());
      assertTrue(query(home, "SELECT DISTINCT reason FROM quarantine_prices WHERE location_id = 'NODE_A'").rows().getFirst().getFirst()
          .startsWith("the interval is held: completeness failed"));
      String versions = "SELECT location_id, interval_start_utc, version, price FROM %s ORDER BY 1, 2";
      List<List<String>> held = query(home, versions.formatted("quarantine_prices")).rows();

      String[] key = {"--market", "caiso", "--dataset", "lmp_rt_5min", "--interval-start", "2024-11-04T08:00:00Z",
          "--interval-end", "2024-11-04T09:00:00Z"};
      assertEquals(ExitCodes.OK, IngestCli.execute(c, concat(new String[] {"quarantine", "list", "--market", "caiso"})));
      assertEquals(ExitCodes.USAGE, IngestCli.execute(c, concat(new String[] {"quarantine", "release"}, key)), "--reason is required");
      assertEquals(ExitCodes.OK, IngestCli.execute(c, concat(new String[] {"quarantine", "release"}, key,
          new String[] {"--reason", "NODE_B retired at 08:25", "--by", "oncall"})));
      assertEquals(held, query(home, versions.formatted("silver_prices")).rows(), "exactly the held rows, at their versions");
      assertEquals(0, count(home, "SELECT count(*) FROM quarantine_prices"));
      assertEquals(23, enrichedEvents(home).size(), "released rows reach enriched.* as a load's would");
      assertEquals(List.of(List.of("held", "23", "short", "short"), List.of("released", "23", "short", "oncall")), query(home,
          "SELECT action, rows, run_id, actor FROM quarantine_actions ORDER BY acted_at, action").rows());
      assertEquals(ExitCodes.USAGE, IngestCli.execute(c, concat(new String[] {"quarantine", "drop"}, key,
          new String[] {"--reason", "again"})), "nothing held any more");
    }
  }

  static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }

  @Test
  void aLaterPassingLoadSupersedesTheHeldRowsAndDropDiscardsThem(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      serve(server, payload(List.of("NODE_A", "NODE_B"), Set.of("NODE_B@5"), Map.of()));
      serve(server, payload(List.of("NODE_A", "NODE_B"), Set.of("NODE_A@1", "NODE_A@2"), Map.of()));
      serve(server, payload(List.of("NODE_A", "NODE_B"), Set.of(), Map.of()));
      var c = config(home, server.url("/").toString());
      assertEquals(ExitCodes.REJECTED, StageRunner.run(c, HOUR, "first", ALL));
      assertEquals(ExitCodes.REJECTED, StageRunner.run(c, HOUR, "second", ALL));
      assertEquals(List.of(List.of("second", "22")), query(home, "SELECT run_id, count(*) FROM quarantine_prices GROUP BY 1").rows(),
          "a later failed run replaces the key's held rows");
      assertEquals(ExitCodes.OK, StageRunner.run(c, HOUR, "third", ALL));
      assertEquals(0, count(home, "SELECT count(*) FROM quarantine_prices"), "the passing load superseded them");
      assertEquals(List.of(List.of("held", "first"), List.of("held", "second"), List.of("superseded", "third")), query(home,
          "SELECT action, actor FROM quarantine_actions ORDER BY acted_at, action").rows());
      assertEquals(24, count(home, "SELECT count(*) FROM silver_prices"));
    }
  }

  @Test
  void dropDiscardsTheHeldRowsAndSilverStaysUntouched(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      serve(server, payload(List.of("NODE_A"), Set.of("NODE_A@0"), Map.of()));
      var c = config(home, server.url("/").toString());
      assertEquals(ExitCodes.REJECTED, StageRunner.run(c, HOUR, "bad", ALL));
      assertEquals(ExitCodes.OK, IngestCli.execute(c, "quarantine", "drop", "--market", "caiso", "--dataset", "lmp_rt_5min",
          "--interval-start", "2024-11-04T08:00:00Z", "--interval-end", "2024-11-04T09:00:00Z", "--reason", "refetch instead"));
      assertEquals(0, count(home, "SELECT count(*) FROM quarantine_prices"));
      assertEquals(0, count(home, "SELECT count(*) FROM silver_prices"));
      assertEquals(0, count(home, "SELECT count(*) FROM stg_prices"), "the failed run's staging is pruned with the decision");
      assertEquals(List.of(List.of("dropped", "11", "refetch instead")), query(home,
          "SELECT action, rows, note FROM quarantine_actions WHERE action = 'dropped'").rows());
      assertEquals(Set.of(), enrichedEvents(home));
    }
  }

  @Test
  void aMisspeltCheckInTheRulesFileStopsEveryStageWithExit2(@TempDir Path home, @TempDir Path dir) throws Exception {
    Path connectors = TestRepo.root().resolve("connectors");
    Files.createDirectories(dir.resolve("caiso"));
    for (String f : List.of("caiso.yaml", "caiso/normalization.yaml", "caiso/taxonomy.yaml")) {
      Files.copy(connectors.resolve(f), dir.resolve(f));
    }
    Files.writeString(dir.resolve("caiso/quality.yaml"), "datasets:\n  lmp_rt_5min:\n    price_bound: {severity: warn, caps: {c: 1}}\n");
    Map<String, String> env = PipelineEndToEndTest.env(home, "http://127.0.0.1:9");
    env.put("INGEST_CONNECTORS_DIR", dir.toString());
    assertEquals(ExitCodes.USAGE, StageRunner.run(io.carbon254.ingest.core.config.IngestConfig.of(env), HOUR, "typo", List.of(Stage.FETCH)),
        "refused before any request (the base URL answers nothing)");
  }

  @Test
  void aCaisoPriceOf3000IsFlaggedAndLoaded(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      serve(server, payload(List.of("NODE_A", "NODE_B"), Set.of(), Map.of("NODE_A@0", 3000.0)));
      var c = config(home, server.url("/").toString());
      assertEquals(0, StageRunner.run(c, HOUR, "spike", ALL));
      assertEquals(List.of(List.of("warn", "false", "1.0", "1000.0", "soft_offer_cap 1000, hard_offer_cap 2000, floor -150")),
          query(home, "SELECT severity, passed, observed, expected, threshold FROM quality_results WHERE check_name = 'price_bounds'").rows());
      assertTrue(query(home, "SELECT involved[1] FROM quality_results WHERE check_name = 'price_bounds'").rows().getFirst().getFirst()
          .contains("NODE_A"));
      assertEquals(List.of(List.of("3000.0")), query(home,
          "SELECT price FROM silver_prices WHERE location_id = 'NODE_A' AND interval_start_utc = TIMESTAMP '2024-11-04 08:00:00'").rows());
      assertEquals(24, count(home, "SELECT count(*) FROM silver_prices"));
      assertEquals(24, enrichedEvents(home).size(), "the enriched events went out after the upsert");
    }
  }

  @Test
  void stagesRunOneByOnePublishEnrichedEventsFromLoadOnly(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      serve(server, payload(List.of("NODE_A"), Set.of(), Map.of()));
      var c = config(home, server.url("/").toString());
      for (Stage s : List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH)) {
        assertEquals(0, StageRunner.run(c, HOUR, "one-by-one", List.of(s)));
      }
      assertEquals(Set.of(), enrichedEvents(home), "enrich alone publishes nothing downstream reads");
      assertEquals(0, StageRunner.run(c, HOUR, "one-by-one", List.of(Stage.LOAD)));
      assertEquals(12, enrichedEvents(home).size());
    }
  }
}
