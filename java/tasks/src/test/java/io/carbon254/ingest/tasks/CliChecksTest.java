package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.IngestCliTest.captureOut;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.sinks.embedded.DuckDbWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs refused before any work, through the CLI entry point: exit 2 and a readable line. */
class CliChecksTest {
  /** Nothing listens there: a check that lets a run through would fail differently (exit 3). */
  static final String NOWHERE = "http://127.0.0.1:9";

  static IngestConfig env(Path home, String... kv) {
    Map<String, String> m = new HashMap<>();
    IngestConfig base = config(home, NOWHERE);
    for (String k : new String[] {"INGEST_HOME", "INGEST_CAISO_BASE_URL", "INGEST_CAISO_REQUEST_SPACING", "INGEST_CONNECTORS_DIR"}) {
      base.get(k).ifPresent(v -> m.put(k, v));
    }
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return IngestConfig.of(m);
  }

  record Outcome(int exit, String out, String err) {}

  static Outcome cli(IngestConfig c, String... args) {
    int[] code = new int[1];
    String[] o = captureOut(() -> code[0] = IngestCli.execute(c, args));
    return new Outcome(code[0], o[0], o[1]);
  }

  static String[] stage(String cmd, String dataset, String start, String end) {
    return new String[] {cmd, "--market", "caiso", "--dataset", dataset, "--interval-start", start, "--interval-end", end};
  }

  @Test
  void anIntervalOffTheFiveMinuteGridIsExit2NamingTheNearestValidInterval(@TempDir Path home) {
    for (String cmd : new String[] {"fetch", "normalize", "enrich", "load", "run"}) {
      Outcome r = cli(env(home), stage(cmd, "lmp_rt_5min", "2024-11-03T08:02:00Z", "2024-11-03T08:07:00Z"));
      assertEquals(ExitCodes.USAGE, r.exit(), cmd + ": " + r.err());
      assertTrue(r.err().contains("not on the 5-minute grid of caiso/lmp_rt_5min; nearest valid interval: "
          + "--interval-start 2024-11-03T08:00:00Z --interval-end 2024-11-03T08:05:00Z"), r.err());
      Map<String, Object> error = LogLines.json(r.err()).stream().filter(l -> "ERROR".equals(l.get("level"))).findFirst().orElseThrow();
      assertEquals(2, error.get("exit_code"), r.err());
      assertTrue(String.valueOf(error.get("msg")).startsWith("--interval-start 2024-11-03T08:02:00Z"), r.err());
      assertFalse(r.err().contains("ingest: error:"), "off a terminal stderr holds JSON lines only: " + r.err());
    }
    Outcome text = cli(env(home, "INGEST_LOG_FORMAT", "text"), stage("run", "lmp_rt_5min", "2024-11-03T08:02:00Z", "2024-11-03T08:07:00Z"));
    assertEquals(ExitCodes.USAGE, text.exit(), text.err());
    assertTrue(text.err().lines().anyMatch(l -> l.startsWith("ingest: error: --interval-start 2024-11-03T08:02:00Z")),
        "in the text format, a plain line for people: " + text.err());
    assertFalse(Files.exists(home.resolve("warehouse.duckdb")), "refused before any sink was opened");
  }

  @Test
  void aDailyDatasetTakesWholeLocalDaysOfTheFallBackDayAnd25Hours(@TempDir Path home) {
    Outcome r = cli(env(home), stage("run", "lmp_da_hourly", "2024-11-03T07:00:00Z", "2024-11-04T07:00:00Z"));
    assertEquals(ExitCodes.USAGE, r.exit(), r.err());
    assertTrue(r.err().contains("--interval-end 2024-11-04T07:00:00Z is not on the daily grid of caiso/lmp_da_hourly; "
        + "nearest valid interval: --interval-start 2024-11-03T07:00:00Z --interval-end 2024-11-04T08:00:00Z"), r.err());
    // The 25-hour day itself passes the check and goes on to fetch (the server says "not published": exit 99, not 2).
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      server.enqueue(new MockResponse.Builder().code(404).body("not yet").build());
      Outcome ok = cli(env(home, "INGEST_CAISO_BASE_URL", server.url("/").toString()),
          stage("fetch", "lmp_da_hourly", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"));
      assertEquals(ExitCodes.NOT_PUBLISHED, ok.exit(), ok.err());
      assertEquals("/oasisapi/SingleZip", server.takeRequest().getUrl().encodedPath());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anIntervalLongerThanTheMaximumWindowIsExit2(@TempDir Path home) {
    Outcome r = cli(env(home), stage("run", "lmp_rt_5min", "2024-11-04T08:00:00Z", "2024-11-06T08:00:00Z"));
    assertEquals(ExitCodes.USAGE, r.exit(), r.err());
    assertTrue(r.err().contains("is longer than the maximum window of caiso/lmp_rt_5min (max_window 1d"), r.err());
    assertTrue(r.err().contains("nearest valid interval: --interval-start 2024-11-04T08:00:00Z --interval-end 2024-11-05T08:00:00Z"), r.err());
    Outcome month = cli(env(home), stage("run", "load_actual", "2024-11-01T07:00:00Z", "2024-12-15T08:00:00Z"));
    assertEquals(ExitCodes.USAGE, month.exit(), month.err());
    assertTrue(month.err().contains("--interval-end 2024-12-02T08:00:00Z"), "31 local days: " + month.err());
  }

  @Test
  void backfillAndReplayWindowsAreOnTheGrid(@TempDir Path home) {
    for (String ds : new String[] {"lmp_rt_5min", "lmp_rt_15min", "lmp_da_hourly", "load_actual", "load_forecast", "fuel_mix"}) {
      var spec = io.carbon254.ingest.core.config.ConnectorSpec.load(env(home), "caiso");
      for (String day : new String[] {"2024-03-10", "2024-11-03", "2024-11-04"}) {
        for (var w : RangeCommands.windows(spec.timezone(), java.time.LocalDate.parse(day), java.time.LocalDate.parse(day).plusDays(1),
            spec.dataset(ds).window())) {
          spec.checkInterval(new io.carbon254.ingest.core.IntervalKey("caiso", ds, w));
        }
      }
    }
  }

  @Test
  void aMalformedNumberInAnIngestVariableIsExit2NamingItNotABug(@TempDir Path home) {
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), false, Duration.ofSeconds(5))) {
      w.ensureSchema();
    }
    Outcome q = cli(env(home, "INGEST_DUCKDB_LOCK_WAIT", "x"), "query", "SELECT 1");
    assertEquals(ExitCodes.USAGE, q.exit(), q.err());
    assertTrue(LogLines.messages(q.err()).stream().anyMatch(m -> m.startsWith("INGEST_DUCKDB_LOCK_WAIT: 'x' is not a whole number")), q.err());
    assertFalse(q.err().contains("NumberFormatException"), "no stack trace: " + q.err());
    Outcome run = cli(env(home, "INGEST_DUCKDB_LOCK_WAIT", "2m"), stage("run", "lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T09:00:00Z"));
    assertEquals(ExitCodes.USAGE, run.exit(), run.err());
    assertTrue(run.err().contains("INGEST_DUCKDB_LOCK_WAIT: '2m'"), run.err());
    Outcome spacing = cli(env(home, "INGEST_CAISO_REQUEST_SPACING", "soon"), stage("fetch", "lmp_rt_5min", "2024-11-03T08:00:00Z",
        "2024-11-03T09:00:00Z"));
    assertEquals(ExitCodes.USAGE, spacing.exit(), spacing.err());
    assertTrue(spacing.err().contains("INGEST_CAISO_REQUEST_SPACING: 'soon'"), spacing.err());
    Outcome memory = cli(env(home, "INGEST_DUCKDB_MEMORY_LIMIT", "lots"), stage("normalize", "lmp_rt_5min", "2024-11-03T08:00:00Z",
        "2024-11-03T09:00:00Z"));
    assertEquals(ExitCodes.USAGE, memory.exit(), memory.err());
    assertTrue(memory.err().contains("INGEST_DUCKDB_MEMORY_LIMIT 'lots' is not a size like 128MB"), memory.err());
  }

  @Test
  void badSqlOnDuckDbIsExit2WithAReadableOneLineMessage(@TempDir Path home) {
    try (DuckDbWarehouse w = DuckDbWarehouse.open(home.resolve("warehouse.duckdb"), false, Duration.ofSeconds(5))) {
      w.ensureSchema();
    }
    // the text format (a terminal): the plain line, the message folded into one line
    Outcome r = cli(env(home, "INGEST_LOG_FORMAT", "text"), "query", "SELEC 1");
    assertEquals(ExitCodes.USAGE, r.exit(), r.err());
    String plain = r.err().lines().filter(l -> l.startsWith("ingest: error: ")).findFirst().orElse("");
    assertTrue(plain.startsWith("ingest: error: query failed: Parser Error: syntax error at or near \"SELEC\""), r.err());
    assertTrue(plain.contains("LINE 1: SELEC 1"), plain);
    assertTrue(r.err().lines().anyMatch(l -> l.matches("\\S+ ERROR query failed: .*exit_code=2.*")), "and the text log line: " + r.err());
    // JSON (off a terminal): the JSON line only
    Outcome j = cli(env(home), "query", "SELEC 1");
    assertEquals(ExitCodes.USAGE, j.exit(), j.err());
    assertEquals(1, LogLines.json(j.err()).size(), j.err());
    assertTrue(j.err().contains("\"exit_code\":2") && j.err().contains("LINE 1: SELEC 1"), "the JSON line: " + j.err());
    Outcome missing = cli(env(home, "INGEST_LOG_FORMAT", "text"), "query", "SELECT count(*) FROM silver_pricez");
    assertEquals(ExitCodes.USAGE, missing.exit());
    assertTrue(missing.err().contains("ingest: error: query failed:") && missing.err().contains("silver_pricez"), missing.err());
    Outcome good = cli(env(home), "query", "SELECT count(*) AS n FROM silver_prices", "--format", "csv");
    assertEquals(0, good.exit(), good.err());
    assertEquals("n\n0\n", good.out());
  }

  @Test
  void aMisspeltKeyOrAKindTheConnectorDoesNotProduceInConnectorsYamlIsExit2NamingFileAndKey(@TempDir Path home,
      @TempDir Path connectors) throws Exception {
    String yaml = Files.readString(TestRepo.root().resolve("connectors/caiso.yaml"));
    Path file = connectors.resolve("caiso.yaml");
    String[][] cases = {
      {"    freshness: 20m\n", "    freshnes: 20m\n", "datasets.lmp_rt_5min.freshnes: unknown key"},
      {"  pool_slots: 1", "  pool_slots: one", "rate_limit.pool_slots: expected an integer, got a string"},
      {"lmp_rt_5min:\n    kind: prices", "lmp_rt_5min:\n    kind: load",
        "datasets.lmp_rt_5min.kind: 'load', but the caiso connector's dataset lmp_rt_5min produces prices records"},
    };
    for (String[] c : cases) {
      assertTrue(yaml.contains(c[0]), c[0]);
      Files.writeString(file, yaml.replaceFirst(java.util.regex.Pattern.quote(c[0]), java.util.regex.Matcher.quoteReplacement(c[1])));
      for (String cmd : new String[] {"run", "fetch"}) {
        Outcome r = cli(env(home, "INGEST_CONNECTORS_DIR", connectors.toString()), stage(cmd, "lmp_rt_5min", "2024-11-03T08:00:00Z",
            "2024-11-03T08:05:00Z"));
        assertEquals(ExitCodes.USAGE, r.exit(), cmd + ": " + r.err());
        assertTrue(r.err().contains(file + ": " + c[2]), r.err());
      }
      Outcome b = cli(env(home, "INGEST_CONNECTORS_DIR", connectors.toString()),
          "backfill", "--market", "caiso", "--dataset", "lmp_rt_5min", "--from", "2024-11-03", "--to", "2024-11-03", "--dry-run");
      assertEquals(ExitCodes.USAGE, b.exit(), b.err());
      assertTrue(b.err().contains(file + ": " + c[2]), b.err());
    }
    assertFalse(Files.exists(home.resolve("warehouse.duckdb")), "refused before any sink was opened");
  }
}
