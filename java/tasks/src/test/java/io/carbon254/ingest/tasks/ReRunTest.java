package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.PipelineEndToEndTest.ALL;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.config;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.sink.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-runs that change nothing write (almost) nothing; a same-version replay with other values replaces. */
class ReRunTest {
  static final IntervalKey HOUR = new IntervalKey("caiso", "lmp_rt_5min",
      new IntervalWindow(Instant.parse("2024-11-04T08:00:00Z"), Instant.parse("2024-11-04T09:00:00Z")));
  static final String SILVER = "SELECT location_id, interval_start_utc, rowid, version, price, zone FROM silver_prices ORDER BY 1, 2";
  static final String BRONZE = "SELECT payload_id, rowid, fetched_at, last_fetched_at, sha256 FROM bronze_payloads ORDER BY 1";
  static CaisoSimulator sim;

  @BeforeAll
  static void startSimulator() {
    sim = CaisoSimulator.start(new SimulatorOptions(0, 12, Instant.parse("2026-01-01T00:00:00Z")));
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  /** Every event file under the home with its size. */
  static Map<String, Long> eventFiles(Path home) throws Exception {
    Map<String, Long> sizes = new TreeMap<>();
    try (Stream<Path> files = Files.walk(home.resolve("events"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        sizes.put(home.relativize(f).toString(), Files.size(f));
      }
    }
    return sizes;
  }

  @Test
  void unchangedReRunsRewriteNoBronzeOrSilverRowAndTheFilesDoNotGrow(@TempDir Path home) throws Exception {
    IngestConfig c = config(home, sim.baseUrl());
    Path file = home.resolve("warehouse.duckdb");
    assertEquals(0, StageRunner.run(c, HOUR, "run-0", ALL));
    assertEquals(0, StageRunner.run(c, HOUR, "run-1", ALL));
    long size = Files.size(file);
    List<List<String>> silver = query(home, SILVER).rows();
    List<List<String>> bronze = query(home, BRONZE).rows();
    Map<String, Long> events = eventFiles(home);
    assertEquals(19 * 12, silver.size());
    for (int i = 2; i < 8; i++) {
      assertEquals(0, StageRunner.run(c, HOUR, "run-" + i, ALL));
    }
    assertEquals(silver, query(home, SILVER).rows(), "no Silver row rewritten (same rowids, versions, values)");
    assertEquals(bronze, query(home, BRONZE).rows(), "the Bronze row is untouched, last_fetched_at included");
    assertEquals(events, eventFiles(home), "the same event files, the same sizes");
    assertEquals(0, Long.parseLong(query(home, "SELECT count(*) FROM stg_prices").rows().get(0).get(0)));
    assertEquals(8 * 4, Long.parseLong(query(home, "SELECT count(*) FROM ingest_runs WHERE status = 'ok'").rows().get(0).get(0)),
        "every run is in the ledger");
    long grown = Files.size(file) - size;
    // DuckDB allocates 256 KiB blocks; the ledger's new rows may take one more block, not one per run.
    assertTrue(grown <= 2 * 262_144, "six unchanged runs grew the file by " + grown + " bytes (from " + size + ")");
  }

  @Test
  void aReplayAfterATaxonomyFixReplacesTheSilverRowsItChangesAtTheSameVersion(@TempDir Path home, @TempDir Path cfg) throws Exception {
    IngestConfig c = config(home, sim.baseUrl());
    assertEquals(0, StageRunner.run(c, HOUR, "first", ALL));
    // rowids are positions: the replaced rows' deletion may move the others at a checkpoint, so compare values.
    String sql = "SELECT location_id, interval_start_utc, version, price, zone, fetched_at, source FROM silver_prices ORDER BY 1, 2";
    List<List<String>> before = query(home, sql).rows();
    // the operator's fix: the market's own taxonomy file, in a copy of the connectors directory
    Path connectors = cfg.resolve("connectors");
    try (var files = Files.walk(TestRepo.root().resolve("connectors"))) {
      for (Path f : files.toList()) {
        Path to = connectors.resolve(TestRepo.root().resolve("connectors").relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    Path taxonomy = connectors.resolve("caiso/taxonomy.yaml");
    String yaml = Files.readString(taxonomy);
    String fixed = yaml.replace("DLAP_VEA-APND: {zone: VEA, hub: SP15, region: SoNev}", "DLAP_VEA-APND: {zone: VEA2, hub: SP15, region: SoNev}");
    assertNotEquals(yaml, fixed, "the taxonomy names DLAP_VEA-APND");
    Files.writeString(taxonomy, fixed);
    Map<String, String> env = new HashMap<>();
    for (String k : List.of("INGEST_HOME", "INGEST_CAISO_BASE_URL", "INGEST_CAISO_REQUEST_SPACING")) {
      c.get(k).ifPresent(v -> env.put(k, v));
    }
    env.put("INGEST_CONNECTORS_DIR", connectors.toString());
    assertEquals(0, StageRunner.run(IngestConfig.of(env), HOUR, "replay", List.of(Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD)));
    List<List<String>> after = query(home, sql).rows();
    assertEquals(before.size(), after.size());
    int changed = 0;
    for (int i = 0; i < before.size(); i++) {
      List<String> b = before.get(i);
      List<String> a = after.get(i);
      assertEquals(b.get(2), a.get(2), "same payload, same version: " + a);
      if (b.get(0).equals("DLAP_VEA-APND")) {
        assertEquals(List.of("VEA", "VEA2"), List.of(b.get(4), a.get(4)), "the fixed value is in Silver although the version is the same");
        changed++;
      } else {
        assertEquals(b, a, "rows the fix did not touch keep their values");
      }
    }
    assertEquals(12, changed);
    assertTrue(query(home, "SELECT message FROM ingest_runs WHERE run_id = 'replay' AND stage = 'load'").rows().get(0).get(0)
        .contains("(12 new or changed)"), "only the changed rows were written");
  }
}
