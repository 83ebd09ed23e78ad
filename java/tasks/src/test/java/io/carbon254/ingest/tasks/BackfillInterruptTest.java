package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.BackfillTest.backfill;
import static io.carbon254.ingest.tasks.BackfillTest.count;
import static io.carbon254.ingest.tasks.BackfillTest.progress;
import static io.carbon254.ingest.tasks.CliChecksTest.cli;
import static io.carbon254.ingest.tasks.CliChecksTest.env;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) on a backfill in a process of its own: the first finishes the window under way,
 * prints the summary and exits 130; the second exits at once; either way nothing is half-written
 * and the backfill resumes. The source is the simulator behind a proxy that answers slowly, so a
 * window is still under way when the signal comes.
 */
class BackfillInterruptTest {
  static final int WINDOWS = 96; // a day of 15-minute windows
  static final int LOCATIONS = 19;

  /** Forwards every request to the simulator after {@code delayMs}. */
  static final class SlowProxy extends Dispatcher {
    final String target;
    final long delayMs;
    final HttpClient http = HttpClient.newHttpClient();

    SlowProxy(String target, long delayMs) {
      this.target = target;
      this.delayMs = delayMs;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      Thread.sleep(delayMs);
      try {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(target + request.getTarget())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        return new MockResponse.Builder().code(r.statusCode())
            .setHeader("Content-Type", r.headers().firstValue("Content-Type").orElse("application/octet-stream"))
            .body(new Buffer().write(r.body())).build();
      } catch (java.io.IOException e) {
        return new MockResponse.Builder().code(502).body("proxy: " + e).build();
      }
    }
  }

  private CaisoSimulator sim;
  private MockWebServer proxy;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Forks.sigintDeliverable(), "SIGINT is ignored in this environment (started in the background without job control)");
    sim = CaisoSimulator.start(new SimulatorOptions(0, 12, Instant.parse("2026-01-01T00:00:00Z")));
    proxy = new MockWebServer();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private String slow(long delayMs) throws Exception {
    proxy.setDispatcher(new SlowProxy(sim.baseUrl(), delayMs));
    proxy.start();
    return proxy.url("/").toString().replaceAll("/$", "");
  }

  /** Resumes in this JVM against the fast simulator: the done windows are skipped, the rest run, staging ends empty. */
  static void resumes(Path home, String baseUrl, long doneBefore) throws Exception {
    CliChecksTest.Outcome r = cli(env(home, "INGEST_CAISO_BASE_URL", baseUrl), backfill("lmp_rt_15min", "2024-11-04", "2024-11-04", "--run-id", "resume"));
    assertEquals(0, r.exit(), r.err());
    List<String> statuses = progress(r.err()).stream().map(m -> m.group(5)).toList();
    assertEquals(WINDOWS, statuses.size());
    assertEquals(doneBefore, statuses.stream().filter(s -> s.equals("skipped (done)")).count(), "what was loaded is skipped");
    assertEquals(WINDOWS * LOCATIONS, count(home, "SELECT count(*) FROM silver_prices"));
    assertEquals(WINDOWS * LOCATIONS, count(home, "SELECT count(DISTINCT (location_id, interval_start_utc)) FROM silver_prices"));
    assertEquals(0, count(home, "SELECT count(*) FROM stg_prices"));
    try (Stream<Path> files = Files.walk(home.resolve("events"))) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "no temporary event file left");
    }
  }

  @Test
  void ctrlCFinishesTheWindowUnderWayPrintsTheSummaryAndExits130ThenTheBackfillResumes(@TempDir Path home) throws Exception {
    Forks.Started p = Forks.start(home, slow(700), Map.of(), "backfill",
        backfill("lmp_rt_15min", "2024-11-04", "2024-11-04", "--run-id", "cut"));
    assertTrue(p.awaitErr("[2/" + WINDOWS + "]", 90), p.err());
    p.interrupt(); // the third window is fetching (the proxy holds every answer 0.7 s)
    assertEquals(Interrupts.EXIT, p.await(60), p.err());
    String err = p.err();
    List<String> lines = LogLines.messages(err);
    int signalled = lines.indexOf("ingest: interrupted: finishing the current interval, then the summary (Ctrl-C again to stop at once)");
    assertTrue(signalled >= 0, err);
    List<Matcher> done = progress(err);
    int k = done.size();
    assertTrue(k >= 3 && k < WINDOWS, k + " windows: " + err);
    assertTrue(lines.indexOf(done.get(k - 1).group(0)) > signalled, "the window under way finished after the signal: " + err);
    assertTrue(done.stream().allMatch(m -> m.group(5).equals("ok") && m.group(6).equals(String.valueOf(LOCATIONS))), err);
    Matcher s = Pattern.compile("backfill caiso/lmp_rt_15min 2024-11-04\\.\\.2024-11-04: 96 interval\\(s\\) in \\S+: (\\d+) ok,"
        + " 0 skipped \\(done\\), 0 not published, 0 failed; interrupted after (\\d+) of 96 \\(run the same command again to continue:"
        + " done intervals are skipped\\)").matcher(lines.get(lines.size() - 1));
    assertTrue(s.matches(), "the summary is the last line: " + err);
    assertEquals(List.of(String.valueOf(k), String.valueOf(k)), List.of(s.group(1), s.group(2)));
    assertEquals(k, count(home, "SELECT count(*) FROM ingest_runs WHERE stage = 'load' AND status = 'ok'"));
    assertEquals(4L * k, count(home, "SELECT count(*) FROM ingest_runs"), "every window that started ran all four stages");
    assertEquals((long) k * LOCATIONS, count(home, "SELECT count(*) FROM silver_prices"));
    assertEquals(0, count(home, "SELECT count(*) FROM stg_prices"), "nothing half-written");
    resumes(home, sim.baseUrl(), k);
  }

  @Test
  void aSecondCtrlCStopsAtOnceWithExit130LeavingNothingHalfWritten(@TempDir Path home) throws Exception {
    Forks.Started p = Forks.start(home, slow(4_000), Map.of(), "backfill",
        backfill("lmp_rt_15min", "2024-11-04", "2024-11-04", "--run-id", "halt"));
    assertTrue(p.awaitErr("[1/" + WINDOWS + "]", 90), p.err());
    p.interrupt();
    assertTrue(p.awaitErr("ingest: interrupted: finishing the current interval", 10), p.err());
    long t0 = System.nanoTime();
    p.interrupt(); // the second window's fetch still waits on the proxy for seconds
    assertEquals(Interrupts.EXIT, p.await(30), p.err());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 2_500, "stopped at once, not after the window: " + ms + " ms");
    String err = p.err();
    assertTrue(err.contains("ingest: interrupted again: stopping now, exit 130"), err);
    assertFalse(LogLines.messages(err).stream().anyMatch(l -> l.startsWith("backfill caiso/")), "no summary: " + err);
    LogLines.json(err); // every line of the process's stderr is a JSON log line, the halt's too
    assertEquals(1, progress(err).size(), err);
    assertEquals(1, count(home, "SELECT count(*) FROM ingest_runs WHERE stage = 'load' AND status = 'ok'"));
    assertEquals(LOCATIONS, count(home, "SELECT count(*) FROM silver_prices"), "only the finished window is in Silver");
    resumes(home, sim.baseUrl(), 1);
  }
}
