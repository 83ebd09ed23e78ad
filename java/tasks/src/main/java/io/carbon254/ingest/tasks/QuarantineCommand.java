package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.pipeline.StageResult;
import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.core.sink.Warehouse;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ingest quarantine list|release|drop}: the rows load's gate held back (an error-severity
 * check failed), and an operator's decision on them, each recorded in quarantine_actions.
 */
@Command(name = "quarantine", mixinStandardHelpOptions = true,
    description = "Rows a failed quality gate held back (quarantine_<kind>): list them, release them into Silver, or drop them.",
    subcommands = {QuarantineCommand.ListCmd.class, QuarantineCommand.Release.class, QuarantineCommand.Drop.class})
final class QuarantineCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new UsageException("a subcommand is required: list, release or drop (see ingest quarantine --help)");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "What is held, one line per interval key, failed run and check (rows, when, an example reason); --actions: what was done.")
  static final class ListCmd implements Callable<Integer> {
    @Option(names = "--market", required = true, description = "Market id, e.g. caiso")
    String market;

    @Option(names = "--dataset", description = "Dataset id; default every dataset of the market")
    String dataset;

    @Option(names = "--from", description = "Only interval keys starting at or after this instant (ISO-8601 UTC)")
    String from;

    @Option(names = "--to", description = "Only interval keys ending at or before this instant (ISO-8601 UTC)")
    String to;

    @Option(names = "--actions", description = "List quarantine_actions instead: held, released, dropped, superseded, by whom and why")
    boolean actions;

    @Option(names = "--format", defaultValue = "table", description = "table or csv; default ${DEFAULT-VALUE}")
    String format;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!format.equals("table") && !format.equals("csv")) {
        throw new UsageException("--format must be table or csv, not '" + format + "'");
      }
      if ((from == null) != (to == null)) {
        throw new UsageException("--from and --to go together");
      }
      Optional<IntervalWindow> within = from == null ? Optional.empty() : Optional.of(IntervalWindow.parse(from, to));
      IngestConfig config = IngestCli.config(spec);
      try (Sinks sinks = Sinks.open(config)) {
        Warehouse w = sinks.warehouse;
        QueryResult r;
        if (actions) {
          if (!market.matches("[a-z0-9_]+") || (dataset != null && !dataset.matches("[a-z0-9_]+"))) {
            throw new UsageException("--market and --dataset are identifiers like caiso, lmp_rt_5min");
          }
          r = w.query("SELECT acted_at, action, market, dataset, key_start_utc, key_end_utc, run_id, rows, actor, note FROM quarantine_actions"
              + " WHERE market = '" + market + "'" + (dataset == null ? "" : " AND dataset = '" + dataset + "'")
              + " ORDER BY acted_at, key_start_utc");
        } else {
          r = w.heldIntervals(market, Optional.ofNullable(dataset), within);
        }
        if (format.equals("csv")) {
          QueryCommand.printCsv(r, System.out);
        } else {
          QueryCommand.printTable(r, System.out);
        }
      }
      return 0;
    }
  }

  /** {@code --market --dataset --interval-start --interval-end --reason [--by]}: one held interval key and the decision's why. */
  abstract static class Decision implements Callable<Integer> {
    @Option(names = "--market", required = true, description = "Market id, e.g. caiso")
    String market;

    @Option(names = "--dataset", required = true, description = "Dataset id, e.g. lmp_rt_5min")
    String dataset;

    @Option(names = "--interval-start", required = true, description = "The held interval key's start, ISO-8601 UTC")
    String intervalStart;

    @Option(names = "--interval-end", required = true, description = "The held interval key's end (exclusive), ISO-8601 UTC")
    String intervalEnd;

    @Option(names = "--reason", required = true, description = "Why (recorded in quarantine_actions), e.g. \"node retired by CAISO on 11-04\"")
    String reason;

    @Option(names = "--by", description = "Who decides (recorded); default the USER environment variable")
    String by;

    @Spec CommandSpec spec;

    abstract boolean release();

    @Override
    public Integer call() {
      if (reason.isBlank()) {
        throw new UsageException("--reason must say why");
      }
      IngestConfig config = IngestCli.config(spec);
      String actor = by != null ? by : config.get("USER").orElse("operator");
      IntervalKey key = new IntervalKey(market, dataset, IntervalWindow.parse(intervalStart, intervalEnd));
      try (StageRunner.Session s = new StageRunner.Session(config, market, dataset, false)) {
        StageResult r = s.decide(key, release(), actor, reason);
        System.out.println(key + ": " + r.summary());
      }
      return 0;
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true,
      description = "Upsert the held rows of one interval key into Silver at their versions, publish their enriched events, warm the cache; recorded.")
  static final class Release extends Decision {
    boolean release() {
      return true;
    }
  }

  @Command(name = "drop", mixinStandardHelpOptions = true, description = "Discard the held rows of one interval key; recorded.")
  static final class Drop extends Decision {
    boolean release() {
      return false;
    }
  }
}
