package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.BackfillTest.count;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two `ingest run`s of different CAISO datasets on one INGEST_HOME, started together, with the
 * request spacing of connectors/caiso.yaml (5 s) against a simulator that answers 429 to requests
 * closer than 5 s, as OASIS does: the spacing is per process, so the second process's first request
 * is throttled and retried; neither holds the DuckDB file while it waits on the network (the
 * warehouse opens on its first write), so both finish.
 */
class ConcurrentRunsTest {
  @Test
  void twoRunsOfDifferentDatasetsOnOneHomeStartedTogetherBothSucceed(@TempDir Path home) throws Exception {
    try (CaisoSimulator sim = CaisoSimulator.start(new SimulatorOptions(0, 12, Instant.parse("2026-01-01T00:00:00Z")), Duration.ofSeconds(5))) {
      Map<String, String> env = new HashMap<>();
      env.put("INGEST_CAISO_REQUEST_SPACING", null); // the YAML's 5 s
      String[] day = {"--interval-start", "2024-11-04T08:00:00Z", "--interval-end", "2024-11-05T08:00:00Z"};
      long t0 = System.nanoTime();
      Forks.Started prices = Forks.start(home, sim.baseUrl(), env, "prices", args("lmp_da_hourly", day));
      Forks.Started load = Forks.start(home, sim.baseUrl(), env, "load", args("load_actual", day));
      int a = prices.await(180);
      int b = load.await(180);
      long s = (System.nanoTime() - t0) / 1_000_000_000;
      assertEquals(0, a, prices.err());
      assertEquals(0, b, load.err());
      assertTrue(sim.requests() >= 2, "one request each at least");
      assertEquals(List.of(List.of("lmp_da_hourly", "4"), List.of("load_actual", "4")),
          query(home, "SELECT dataset, count(*) FROM ingest_runs WHERE status = 'ok' GROUP BY 1 ORDER BY 1").rows());
      assertEquals(19 * 24, count(home, "SELECT count(*) FROM silver_prices"));
      assertTrue(count(home, "SELECT count(*) FROM silver_load") > 0);
      assertTrue(s < 120, "both done in " + s + " s");
    }
  }

  static String[] args(String dataset, String[] window) {
    List<String> a = new java.util.ArrayList<>(List.of("run", "--market", "caiso", "--dataset", dataset));
    a.addAll(List.of(window));
    return a.toArray(String[]::new);
  }
}
