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
import java.util.List;
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

    @Override
    public Integer call() {
      IngestConfig config = IngestCli.config(spec);
      ConnectorSpec spec = ConnectorSpec.load(config, market);
      ConnectorSpec.DatasetSpec ds = spec.dataset(dataset);
      List<IntervalWindow> windows = windows(spec.timezone(), date("--from", from), date("--to", to).plusDays(1), ds.window());
      String prefix = runId != null ? runId : verb() + "-" + StageRunner.defaultRunId().substring("manual-".length());
      int worst = ExitCodes.OK;
      int ok = 0;
      int skipped = 0;
      List<String> failed = new ArrayList<>();
      for (IntervalWindow w : windows) {
        if (dryRun) {
          System.out.println(market + " " + dataset + " " + w.start() + " " + w.end());
          continue;
        }
        int code = StageRunner.run(config, new IntervalKey(market, dataset, w), prefix + "-" + w.start(), stages());
        if (code == ExitCodes.OK) {
          ok++;
        } else if (code == ExitCodes.NOT_PUBLISHED) {
          skipped++;
        } else {
          failed.add(w + " (exit " + code + ")");
          if (worst == ExitCodes.OK) {
            worst = code;
          }
        }
      }
      if (!dryRun) {
        System.err.println(verb() + " " + market + "/" + dataset + " " + from + ".." + to + ": " + windows.size()
            + " interval(s): " + ok + " ok, " + skipped + " not published, " + failed.size() + " failed" + (failed.isEmpty() ? "" : " " + failed));
      }
      return worst;
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
      description = "Run all four stages for every window of a market-local date range (both dates included). Not-published windows are reported, not fatal.")
  static final class Backfill extends Base {
    List<Stage> stages() {
      return List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD);
    }

    String verb() {
      return "backfill";
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Re-normalize, enrich and load a date range from Bronze without refetching (data repair after a parser or taxonomy fix).")
  static final class Replay extends Base {
    List<Stage> stages() {
      return List.of(Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD);
    }

    String verb() {
      return "replay";
    }
  }
}
