package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.Stage;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** backfill and replay: a range of market-local dates cut into the dataset's windows. */
final class RangeCommands {
  private RangeCommands() {}

  abstract static class Base implements Callable<Integer> {
    @Option(names = "--market", required = true, description = "Market id, e.g. caiso")
    String market;

    @Option(names = "--dataset", required = true, description = "Dataset id, e.g. lmp_da_hourly")
    String dataset;

    @Option(names = "--from", required = true, description = "First market-local date (inclusive), e.g. 2024-11-01")
    String from;

    @Option(names = "--to", required = true, description = "Last market-local date (inclusive, as in make backfill), e.g. 2024-11-03")
    String to;

    @Option(names = "--run-id", description = "Run id prefix (default backfill-/replay-<time>)")
    String runId;

    @Option(names = "--dry-run", description = "List the interval keys without running them")
    boolean dryRun;

    @Spec CommandSpec spec;

    abstract List<Stage> stages();

    abstract String verb();

    /** Whether windows whose Silver load already succeeded are skipped (backfill unless --force; replay never). */
    abstract boolean skipsLoaded();

    @Override
    public Integer call() {
      IngestConfig config = IngestCli.config(spec);
      ConnectorSpec spec = ConnectorSpec.load(config, market);
      spec.checkConnector(market, StageRunner.connector(market, s -> {}).datasetKinds());
      ConnectorSpec.DatasetSpec ds = spec.dataset(dataset);
      List<IntervalWindow> windows = windows(spec.timezone(), date("--from", from), date("--to", to).plusDays(1), ds.window());
      if (dryRun) {
        for (IntervalWindow w : windows) {
          System.out.println(market + " " + dataset + " " + w.start() + " " + w.end());
        }
        return ExitCodes.OK;
      }
      String prefix = runId != null ? runId : verb() + "-" + StageRunner.defaultRunId().substring("manual-".length());
      long t0 = System.nanoTime();
      try (Interrupts interrupts = Interrupts.install();
          StageRunner.Session session = new StageRunner.Session(config, market, dataset, false)) {
        // A source with a request spacing keeps the loop waiting on the network: the DuckDB file is
        // let go of before each fetch so other processes can write meanwhile (reopened on the next write).
        session.releaseWarehouseBeforeFetch(stages().contains(Stage.FETCH) && !spec.minRequestSpacing().isZero());
        Set<IntervalWindow> loaded = skipsLoaded()
            ? session.sinks().warehouse.loadedWindows(market, dataset, new IntervalWindow(windows.get(0).start(), windows.get(windows.size() - 1).end()))
            : Set.of();
        if (stages().contains(Stage.FETCH)) {
          List<IntervalKey> toFetch = new ArrayList<>();
          windows.stream().filter(w -> !loaded.contains(w)).forEach(w -> toFetch.add(new IntervalKey(market, dataset, w)));
          session.plan(toFetch);
        }
        Progress progress = new Progress(windows, loaded, t0);
        int worst = ExitCodes.OK;
        int done = 0;
        for (IntervalWindow w : windows) {
          if (interrupts.requested()) {
            break;
          }
          done++;
          if (loaded.contains(w)) {
            progress.line(done, w, "skipped (done)", 0, 0);
            continue;
          }
          long s0 = System.nanoTime();
          StageRunner.Outcome o = session.run(new IntervalKey(market, dataset, w), prefix + "-" + w.start(), stages());
          String status = o.exit() == ExitCodes.OK ? "ok" : o.exit() == ExitCodes.NOT_PUBLISHED ? "not published" : "failed exit " + o.exit();
          progress.line(done, w, status, o.rows(), System.nanoTime() - s0);
          if (o.exit() != ExitCodes.OK && o.exit() != ExitCodes.NOT_PUBLISHED) {
            progress.failed.add(w + " (exit " + o.exit() + ")");
            if (worst == ExitCodes.OK) {
              worst = o.exit();
            }
          }
        }
        String line = verb() + " " + market + "/" + dataset + " " + from + ".." + to + ": " + windows.size() + " interval(s) in "
            + Progress.duration(System.nanoTime() - t0) + ": " + progress.ok + " ok, " + progress.skipped + " skipped (done), "
            + progress.notPublished + " not published, " + progress.failed.size() + " failed"
            + (progress.failed.isEmpty() ? "" : " " + progress.failed);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("command", verb());
        fields.put("market", market);
        fields.put("dataset", dataset);
        fields.put("from", from);
        fields.put("to", to);
        fields.put("intervals", windows.size());
        fields.put("ok", progress.ok);
        fields.put("skipped", progress.skipped);
        fields.put("not_published", progress.notPublished);
        fields.put("failed", progress.failed.size());
        fields.put("duration_ms", (System.nanoTime() - t0) / 1_000_000);
        if (done < windows.size() || interrupts.requested()) {
          IntervalWindow next = done < windows.size() ? windows.get(done) : null;
          line += "; interrupted after " + done + " of " + windows.size() + (next == null ? ""
              : skipsLoaded() ? " (run the same command again to continue: done intervals are skipped)"
              : " (to continue: --from " + LocalDate.ofInstant(next.start(), spec.timezone()) + ")");
          fields.put("interrupted_after", done);
          fields.put("exit_code", Interrupts.EXIT);
          JsonLog.notice("WARN", line, fields);
          return Interrupts.EXIT;
        }
        fields.put("exit_code", worst);
        JsonLog.notice(progress.failed.isEmpty() ? "INFO" : "WARN", line, fields);
        return worst;
      }
    }
  }

  /** The per-interval progress line on stderr (a notice: the msg of a JSON line off a terminal) and the counts of the summary. */
  static final class Progress {
    final int total;
    final long started;
    int toRun;
    int ok;
    int skipped;
    int notPublished;
    int ran;
    long ranNanos;
    final List<String> failed = new ArrayList<>();

    Progress(List<IntervalWindow> windows, Set<IntervalWindow> loaded, long started) {
      this.total = windows.size();
      this.started = started;
      this.toRun = (int) windows.stream().filter(w -> !loaded.contains(w)).count();
    }

    /** {@code [k/N] <start>..<end> <status> <rows> rows, <elapsed> elapsed, ETA <duration>}. */
    void line(int k, IntervalWindow w, String status, long rows, long nanos) {
      if (status.startsWith("skipped")) {
        skipped++;
      } else {
        ran++;
        ranNanos += nanos;
        toRun--;
        if (status.equals("ok")) {
          ok++;
        } else if (status.equals("not published")) {
          notPublished++;
        }
      }
      String eta = toRun == 0 ? "0s" : ran == 0 ? "unknown" : duration(ranNanos / ran * toRun);
      long elapsed = System.nanoTime() - started;
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("window", k);
      fields.put("windows", total);
      fields.put("interval_start", w.start().toString());
      fields.put("interval_end", w.end().toString());
      fields.put("status", status);
      fields.put("rows", rows);
      fields.put("elapsed_ms", elapsed / 1_000_000);
      fields.put("eta", eta);
      JsonLog.notice(status.startsWith("failed") ? "WARN" : "INFO", "[" + k + "/" + total + "] " + w.start() + ".." + w.end() + " "
          + status + " " + rows + " rows, " + duration(elapsed) + " elapsed, ETA " + eta, fields);
    }

    /** 4.2s, 42s, 3m07s, 1h02m. */
    static String duration(long nanos) {
      long ms = Math.max(0, nanos / 1_000_000);
      if (ms < 10_000) {
        return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
      }
      long s = ms / 1000;
      if (s < 60) {
        return s + "s";
      }
      if (s < 3600) {
        return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
      }
      return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
  }

  static LocalDate date(String what, String s) {
    try {
      return LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw new UsageException(what + " '" + s + "' is not a date like 2024-11-01");
    }
  }

  /** Windows of length {@code step} from local midnight of {@code from} to local midnight of {@code until} (exclusive); a 1d step follows the local calendar (23/25 h days). */
  static List<IntervalWindow> windows(ZoneId tz, LocalDate from, LocalDate until, java.time.Duration step) {
    LocalDate to = until;
    if (!to.isAfter(from)) {
      throw new UsageException("--to " + to.minusDays(1) + " is before --from " + from);
    }
    List<IntervalWindow> out = new ArrayList<>();
    Instant end = to.atStartOfDay(tz).toInstant();
    if (step.equals(java.time.Duration.ofDays(1))) {
      for (LocalDate d = from; d.isBefore(to); d = d.plusDays(1)) {
        out.add(new IntervalWindow(d.atStartOfDay(tz).toInstant(), d.plusDays(1).atStartOfDay(tz).toInstant()));
      }
      return out;
    }
    ZonedDateTime s = from.atStartOfDay(tz);
    for (Instant t = s.toInstant(); t.isBefore(end); t = t.plus(step)) {
      Instant e = t.plus(step).isAfter(end) ? end : t.plus(step);
      out.add(new IntervalWindow(t, e));
    }
    return out;
  }

  @Command(name = "backfill", mixinStandardHelpOptions = true,
      description = {"Run all four stages for every window of a market-local date range (both dates included), in one process."
          + " Windows whose Silver load already succeeded (an ok load in ingest_runs) are skipped unless --force, so an interrupted"
          + " backfill resumes where it stopped. Not-published windows are reported, not fatal. A progress line per window on stderr;"
          + " Ctrl-C finishes the window under way, prints the summary and exits 130 (a second Ctrl-C stops at once)."})
  static final class Backfill extends Base {
    @Option(names = "--force", description = "Run every window, also those whose Silver load already succeeded")
    boolean force;

    boolean skipsLoaded() {
      return !force;
    }

    List<Stage> stages() {
      return List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD);
    }

    String verb() {
      return "backfill";
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = {"Re-normalize, enrich and load a date range from Bronze without refetching (data repair after a parser or taxonomy fix)."
          + " Every window runs, loaded or not. A progress line per window on stderr; Ctrl-C finishes the window under way,"
          + " prints the summary (naming the --from to continue with) and exits 130 (a second Ctrl-C stops at once)."})
  static final class Replay extends Base {
    boolean skipsLoaded() {
      return false; // the repair path: loaded windows are exactly the ones to redo
    }

    List<Stage> stages() {
      return List.of(Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD);
    }

    String verb() {
      return "replay";
    }
  }
}
