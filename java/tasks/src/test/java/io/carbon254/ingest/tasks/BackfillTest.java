package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.CliChecksTest.cli;
import static io.carbon254.ingest.tasks.CliChecksTest.env;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.connectors.ercot.sim.ErcotSimulator;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.config.IngestConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ingest backfill` in one process: progress per window, resume (skip what is loaded), --force, replay, staging pruned. */
class BackfillTest {
  /** One progress line: {@code [k/N] <start>..<end> <status> <rows> rows, <elapsed> elapsed, ETA <duration>}. */
  static final Pattern PROGRESS = Pattern.compile("\\[(\\d+)/(\\d+)] (\\S+)\\.\\.(\\S+) (ok|not published|failed exit \\d+|skipped \\(done\\))"
      + " (\\d+) rows, (\\d+\\.\\ds|\\d+s|\\d+m\\d\\ds|\\d+h\\d\\dm) elapsed, ETA (\\d+\\.\\ds|\\d+s|\\d+m\\d\\ds|\\d+h\\d\\dm|unknown)");

  static CaisoSimulator sim;

  @BeforeAll
  static void startSimulator() {
    // Day-ahead prices are published 20 h ahead: through 2024-11-05T08:00Z, the end of the Pacific day 2024-11-04.
    sim = CaisoSimulator.start(new SimulatorOptions(0, 12, Instant.parse("2024-11-04T12:00:00Z")));
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  /** The progress lines among the messages on stderr (the {@code msg} of JSON lines, as in Airflow; plain lines on a terminal). */
  static List<Matcher> progress(String err) {
    return LogLines.messages(err).stream().map(PROGRESS::matcher).filter(Matcher::matches).toList();
  }

  static String summary(String err, String verb) {
    List<String> s = LogLines.messages(err).stream().filter(l -> l.startsWith(verb + " caiso/")).toList();
    assertEquals(1, s.size(), "one summary line: " + err);
    return s.get(0);
  }

  static long count(Path home, String sql) {
    return Long.parseLong(query(home, sql).rows().get(0).get(0));
  }

  static String[] backfill(String dataset, String from, String to, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("backfill", "--market", "caiso", "--dataset", dataset, "--from", from, "--to", to));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void aBackfillShowsProgressPerWindowSkipsWhatIsLoadedWhenRunAgainAndRunsEverythingWithForce(@TempDir Path home) {
    IngestConfig c = env(home, "INGEST_CAISO_BASE_URL", sim.baseUrl());
    // 2024-11-02..03: a 24-hour and the 25-hour fall-back day of day-ahead prices, 19 locations.
    CliChecksTest.Outcome first = cli(c, backfill("lmp_da_hourly", "2024-11-02", "2024-11-03", "--run-id", "bf1"));
    assertEquals(0, first.exit(), first.err());
    List<Matcher> p = progress(first.err());
    assertEquals(2, p.size(), first.err());
    assertEquals(List.of("1", "2", "2024-11-02T07:00:00Z", "2024-11-03T07:00:00Z", "ok", String.valueOf(19 * 24)),
        List.of(p.get(0).group(1), p.get(0).group(2), p.get(0).group(3), p.get(0).group(4), p.get(0).group(5), p.get(0).group(6)));
    assertEquals(List.of("2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z", "ok", String.valueOf(19 * 25)),
        List.of(p.get(1).group(3), p.get(1).group(4), p.get(1).group(5), p.get(1).group(6)));
    assertEquals("0s", p.get(1).group(8), "nothing left after the last window");
    assertTrue(summary(first.err(), "backfill").matches("backfill caiso/lmp_da_hourly 2024-11-02\\.\\.2024-11-03: 2 interval\\(s\\) in \\S+:"
        + " 2 ok, 0 skipped \\(done\\), 0 not published, 0 failed"), first.err());
    assertEquals(1, first.err().lines().filter(l -> l.contains("\"msg\":\"sinks\"")).count(), "the sinks are opened once for the range");
    assertEquals(2, first.err().lines().filter(l -> l.contains("\"msg\":\"timing\"")).count(), "a timing line per window");
    assertEquals(2, first.out().lines().filter(l -> l.startsWith("timing: ")).count());
    assertEquals(8, count(home, "SELECT count(*) FROM ingest_runs WHERE status = 'ok'"), "four stages per window in ingest_runs");
    assertEquals(19 * 49, count(home, "SELECT count(*) FROM silver_prices"));
    assertEquals(0, count(home, "SELECT count(*) FROM stg_prices"), "staging pruned once Silver took the rows");
    List<List<String>> silver = query(home, "SELECT location_id, interval_start_utc, rowid, version FROM silver_prices ORDER BY 1, 2").rows();

    CliChecksTest.Outcome again = cli(c, backfill("lmp_da_hourly", "2024-11-02", "2024-11-03", "--run-id", "bf2"));
    assertEquals(0, again.exit(), again.err());
    assertEquals(List.of("skipped (done)", "skipped (done)"), progress(again.err()).stream().map(m -> m.group(5)).toList());
    assertTrue(summary(again.err(), "backfill").contains(": 0 ok, 2 skipped (done), 0 not published, 0 failed"), again.err());
    assertEquals(0, count(home, "SELECT count(*) FROM ingest_runs WHERE run_id LIKE 'bf2%'"), "nothing ran");

    // One more day: the loaded two are skipped, the new one runs.
    CliChecksTest.Outcome longer = cli(c, backfill("lmp_da_hourly", "2024-11-02", "2024-11-04", "--run-id", "bf3"));
    assertEquals(0, longer.exit(), longer.err());
    assertEquals(List.of("skipped (done)", "skipped (done)", "ok"), progress(longer.err()).stream().map(m -> m.group(5)).toList());

    CliChecksTest.Outcome forced = cli(c, backfill("lmp_da_hourly", "2024-11-02", "2024-11-03", "--run-id", "bf4", "--force"));
    assertEquals(0, forced.exit(), forced.err());
    assertEquals(List.of("ok", "ok"), progress(forced.err()).stream().map(m -> m.group(5)).toList());
    assertEquals(8, count(home, "SELECT count(*) FROM ingest_runs WHERE run_id LIKE 'bf4%' AND status = 'ok'"));
    assertTrue(forced.out().contains("rows upserted into silver_prices (0 new or changed)"), "unchanged: nothing rewritten: " + forced.out());
    assertEquals(silver, query(home, "SELECT location_id, interval_start_utc, rowid, version FROM silver_prices"
        + " WHERE interval_start_utc < TIMESTAMP '2024-11-04 08:00:00' ORDER BY 1, 2").rows(), "same rows, same rowids");
  }

  @Test
  void windowsNotPublishedYetAreCountedAndNotSkippedNextTimeAndReplayNeverSkips(@TempDir Path home) {
    IngestConfig c = env(home, "INGEST_CAISO_BASE_URL", sim.baseUrl());
    // The Pacific day 2024-11-05 is not published yet (see startSimulator).
    CliChecksTest.Outcome r = cli(c, backfill("lmp_da_hourly", "2024-11-04", "2024-11-05", "--run-id", "np"));
    assertEquals(0, r.exit(), "not published is reported, not fatal: " + r.err());
    assertEquals(List.of("ok", "not published"), progress(r.err()).stream().map(m -> m.group(5)).toList());
    assertEquals("0", progress(r.err()).get(1).group(6));
    assertTrue(summary(r.err(), "backfill").contains(": 1 ok, 0 skipped (done), 1 not published, 0 failed"), r.err());
    CliChecksTest.Outcome again = cli(c, backfill("lmp_da_hourly", "2024-11-04", "2024-11-05", "--run-id", "np2"));
    assertEquals(List.of("skipped (done)", "not published"), progress(again.err()).stream().map(m -> m.group(5)).toList(),
        "only loaded windows are skipped");

    CliChecksTest.Outcome replay = cli(c, "replay", "--market", "caiso", "--dataset", "lmp_da_hourly", "--from", "2024-11-04",
        "--to", "2024-11-04", "--run-id", "rp");
    assertEquals(0, replay.exit(), replay.err());
    assertEquals(List.of("ok"), progress(replay.err()).stream().map(m -> m.group(5)).toList(), "replay redoes loaded windows");
    assertEquals(List.of(List.of("normalize"), List.of("enrich"), List.of("load")),
        query(home, "SELECT stage FROM ingest_runs WHERE run_id LIKE 'rp%' AND status = 'ok' ORDER BY started_at").rows());
    assertTrue(summary(replay.err(), "replay").contains(": 1 ok, 0 skipped (done), 0 not published, 0 failed"), replay.err());
  }

  @Test
  void afterAPrunedLoadEnrichAndLoadAloneStillSayWhatToRunFirst(@TempDir Path home) {
    IngestConfig c = env(home, "INGEST_CAISO_BASE_URL", sim.baseUrl());
    String[] day = {"--interval-start", "2024-11-04T08:00:00Z", "--interval-end", "2024-11-05T08:00:00Z"};
    assertEquals(0, cli(c, concat("run", day)).exit());
    CliChecksTest.Outcome enrich = cli(c, concat("enrich", day));
    assertEquals(ExitCodes.USAGE, enrich.exit());
    assertTrue(enrich.err().contains("no normalized rows for this interval; run `ingest normalize` first"), enrich.err());
    CliChecksTest.Outcome load = cli(c, concat("load", day));
    assertEquals(ExitCodes.USAGE, load.exit());
    assertTrue(load.err().contains("no enriched rows for this interval; run `ingest enrich` first"), load.err());
    assertEquals(0, cli(c, concat("normalize", day)).exit(), "normalize replays from Bronze");
    assertEquals(0, cli(c, concat("enrich", day)).exit());
    assertEquals(0, cli(c, concat("load", day)).exit());
    assertEquals(0, count(home, "SELECT count(*) FROM stg_prices"));
  }

  static String[] concat(String stage, String[] window) {
    List<String> a = new java.util.ArrayList<>(List.of(stage, "--market", "caiso", "--dataset", "lmp_da_hourly"));
    a.addAll(List.of(window));
    return a.toArray(String[]::new);
  }

  @Test
  void durationsReadLikeAClock() {
    assertEquals("0.0s", RangeCommands.Progress.duration(0));
    assertEquals("4.2s", RangeCommands.Progress.duration(4_249_000_000L));
    assertEquals("42s", RangeCommands.Progress.duration(42_900_000_000L));
    assertEquals("3m07s", RangeCommands.Progress.duration(187_000_000_000L));
    assertEquals("1h02m", RangeCommands.Progress.duration(3_720_000_000_000L));
    assertFalse(PROGRESS.matcher("[1/2] a..b ok 3 rows, 1.0s elapsed, ETA soon").matches(), "the pattern is strict");
  }
  @Test
  void aBackfillPlansItsFetchesSoErcotsArchiveIsListedOnceAndDownloadedInBulk(@TempDir Path home) {
    try (ErcotSimulator ercot = ErcotSimulator.start(new SimulatorOptions(0, 5, Instant.parse("2026-01-01T00:00:00Z")))) {
      // a non-zero spacing: the backfill lets go of the DuckDB file before every fetch and reopens it
      IngestConfig c = env(home, "INGEST_ERCOT_BASE_URL", ercot.baseUrl(), "INGEST_ERCOT_REQUEST_SPACING", "10ms",
          "ERCOT_API_KEY", "backfill-key", "ERCOT_USERNAME", "backfill@example.com", "ERCOT_PASSWORD", "backfill-password");
      CliChecksTest.Outcome o = cli(c, "backfill", "--market", "ercot", "--dataset", "spp_rt_15min", "--from", "2024-11-02", "--to",
          "2024-11-03");
      assertEquals(0, o.exit(), o.err());
      assertTrue(LogLines.messages(o.err()).stream().anyMatch(l -> l.startsWith("backfill ercot/spp_rt_15min 2024-11-02..2024-11-03: 49 interval(s) in ")
          && l.endsWith(": 49 ok, 0 skipped (done), 0 not published, 0 failed")), o.err());
      List<String> targets = ercot.requestTargets();
      assertEquals(3, targets.size(), "the token, one archive listing, one bulk download for 49 windows: " + targets);
      assertTrue(targets.get(0).startsWith("POST ") && targets.get(0).contains("/oauth2/v2.0/token"), targets.get(0));
      assertTrue(targets.get(1).startsWith("GET /api/public-reports/archive/np6-905-cd?"), targets.get(1));
      assertEquals("POST /api/public-reports/archive/np6-905-cd/download", targets.get(2));
      assertEquals(96 + 100, count(home, "SELECT count(DISTINCT interval_start_utc) FROM silver_prices WHERE market = 'ercot'"),
          "2024-11-02 and the fall-back day's 100 quarter hours");
      assertEquals(49, count(home, "SELECT count(*) FROM ingest_runs WHERE market = 'ercot' AND stage = 'load' AND status = 'ok'"));
    }
  }
}
