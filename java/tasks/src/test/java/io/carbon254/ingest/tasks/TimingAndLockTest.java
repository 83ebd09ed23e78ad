package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.CliChecksTest.cli;
import static io.carbon254.ingest.tasks.CliChecksTest.env;
import static io.carbon254.ingest.tasks.CliChecksTest.stage;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.config.IngestConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a stage command's time goes, the upstream time budgets end to end, and the embedded
 * warehouse taken only once there is something to write.
 */
class TimingAndLockTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOUR_START = "2024-11-03T08:00:00Z";
  private static final String HOUR_END = "2024-11-03T09:00:00Z";

  /** Answers every request with {@code response}; notes when each arrived and whether the warehouse file existed then. */
  static final class Watcher extends Dispatcher {
    final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    final List<Boolean> warehouseExisted = Collections.synchronizedList(new ArrayList<>());
    final Path warehouse;
    volatile MockResponse response;

    Watcher(Path warehouse) {
      this.warehouse = warehouse;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      arrivals.add(System.nanoTime());
      warehouseExisted.add(Files.exists(warehouse));
      return response;
    }
  }

  private MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Watcher serve(Path home, MockResponse response) throws Exception {
    Watcher w = new Watcher(home.resolve("warehouse.duckdb"));
    w.response = response;
    server.setDispatcher(w);
    server.start();
    return w;
  }

  private static MockResponse hourPayload() throws Exception {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed")
        .body(new Buffer().write(RevisionTest.payload(30.0))).build();
  }

  static JsonNode timingLine(String stderr) throws Exception {
    List<JsonNode> t = new ArrayList<>();
    for (String l : stderr.lines().toList()) {
      if (l.startsWith("{") && l.contains("\"msg\":\"timing\"")) {
        t.add(JSON.readTree(l));
      }
    }
    assertEquals(1, t.size(), "one timing line: " + stderr);
    return t.get(0);
  }

  @Test
  void everyStageCommandEndsWithOneTimingLineWhosePartsAddUp(@TempDir Path home) throws Exception {
    serve(home, hourPayload());
    CliChecksTest.Outcome r = cli(env(home, "INGEST_CAISO_BASE_URL", server.url("/").toString()), stage("run", "lmp_rt_5min", HOUR_START, HOUR_END));
    assertEquals(0, r.exit(), r.err());
    JsonNode t = timingLine(r.err());
    assertEquals("INFO", t.get("level").asText());
    assertEquals("caiso", t.get("market").asText(), "the run's context");
    for (String f : new String[] {"jvm_start_ms", "setup_ms", "lock_wait_ms", "stage_ms", "close_ms", "total_ms"}) {
      assertTrue(t.has(f) && t.get(f).canConvertToLong() && t.get(f).asLong() >= 0, f + " in " + t);
    }
    assertEquals(t.get("jvm_start_ms").asLong() + t.get("setup_ms").asLong() + t.get("stage_ms").asLong() + t.get("close_ms").asLong(),
        t.get("total_ms").asLong());
    List<String> stages = new ArrayList<>();
    t.get("stages_ms").fieldNames().forEachRemaining(stages::add);
    assertEquals(List.of("fetch", "normalize", "enrich", "load"), stages);
    long sum = 0;
    for (String s : stages) {
      sum += t.get("stages_ms").get(s).asLong();
    }
    assertTrue(Math.abs(sum - t.get("stage_ms").asLong()) <= 4, "stage_ms is the sum over stages: " + t);
    List<String> human = r.out().lines().filter(l -> l.startsWith("timing: ")).toList();
    assertEquals(1, human.size(), r.out());
    assertTrue(human.get(0).matches("timing: total \\d+\\.\\d s = jvm \\d+\\.\\d s \\+ setup \\d+\\.\\d s \\(lock wait \\d+\\.\\d s\\)"
        + " \\+ stages \\d+\\.\\d s \\+ close \\d+\\.\\d s"), human.get(0));
    assertTrue(r.out().lines().reduce((a, b) -> b).orElse("").startsWith("timing: "), "the last line on stdout");

    CliChecksTest.Outcome refused = cli(env(home), stage("fetch", "lmp_rt_5min", "2024-11-03T08:02:00Z", HOUR_END));
    assertEquals(ExitCodes.USAGE, refused.exit());
    assertEquals(0, timingLine(refused.err()).get("stage_ms").asLong(), "a run refused before its stages is timed too");
  }

  @Test
  void fetchDownloadsWhileAnotherProcessHoldsTheDuckDbLockThenWaitsForItAndReportsTheWait(@TempDir Path home) throws Exception {
    Watcher watcher = serve(home, hourPayload());
    Files.createDirectories(home);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process holder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), home.resolve("warehouse.duckdb").toString(), "2500").redirectErrorStream(true).start();
    long released;
    CliChecksTest.Outcome r;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertEquals("locked", line, "the lock holder started");
      r = cli(env(home, "INGEST_CAISO_BASE_URL", server.url("/").toString()), stage("fetch", "lmp_rt_5min", HOUR_START, HOUR_END));
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
      released = System.nanoTime();
    } finally {
      holder.destroyForcibly();
    }
    assertEquals(0, r.exit(), r.err());
    assertEquals(1, watcher.arrivals.size());
    assertTrue(watcher.arrivals.get(0) < released, "the download happened while the other process still held the lock");
    JsonNode t = timingLine(r.err());
    long wait = t.get("lock_wait_ms").asLong();
    assertTrue(wait >= 1_000 && wait < 10_000, "waited for the other process's lock: " + t);
    assertTrue(t.get("setup_ms").asLong() >= wait, "opening the warehouse (and its lock wait) counts as setup: " + t);
    assertTrue(t.get("stage_ms").asLong() < wait, "not as stage time: " + t);
    assertEquals(List.of(List.of("fetch", "ok")), query(home, "SELECT stage, status FROM ingest_runs").rows());
  }

  @Test
  void aHungUpstreamFailsFetchWithinThePartBudgetOfConnectorsYamlExit3AndTheRunIsRecorded(@TempDir Path home, @TempDir Path connectors)
      throws Exception {
    String yaml = Files.readString(TestRepo.root().resolve("connectors/caiso.yaml"));
    int at = yaml.indexOf("\nhttp:");
    int next = yaml.indexOf("\ndefaults:");
    assertTrue(at > 0 && next > at, "connectors/caiso.yaml declares an http: block");
    Files.writeString(connectors.resolve("caiso.yaml"), yaml.substring(0, at)
        + "\nhttp:\n  connect_timeout: 200ms\n  attempt_timeout: 500ms\n  part_timeout: 2s" + yaml.substring(next));
    Watcher watcher = serve(home, new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    IngestConfig c = env(home, "INGEST_CAISO_BASE_URL", server.url("/").toString(), "INGEST_CONNECTORS_DIR", connectors.toString());
    long t0 = System.nanoTime();
    CliChecksTest.Outcome r = cli(c, stage("fetch", "lmp_rt_5min", HOUR_START, HOUR_END));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(ExitCodes.UPSTREAM_UNAVAILABLE, r.exit(), r.err());
    assertTrue(ms < 2_000 + 3_000, "failed within the 2 s part budget (+ margin for the JVM's first run): " + ms + " ms");
    assertFalse(watcher.warehouseExisted.contains(true), "the warehouse is not opened while fetch waits on the network");
    List<List<String>> runs = query(home, "SELECT stage, status, exit_code, message FROM ingest_runs").rows();
    assertEquals(List.of("fetch", "upstream_unavailable", "3"), runs.get(0).subList(0, 3), "recorded, opening the warehouse then");
    String m = runs.get(0).get(3);
    assertTrue(m.startsWith("caiso/lmp_rt_5min 2024-11-03T08:00:00Z..2024-11-03T09:00:00Z (part 1/1): "), m);
    assertTrue(m.contains("part budget of 2s (http.part_timeout, attempts of 500ms)") && m.contains("attempt(s)"), m);
    assertFalse(r.err().contains("ingest: error:"), "no plain line for exit 3 off a terminal: " + r.err());
  }
}
