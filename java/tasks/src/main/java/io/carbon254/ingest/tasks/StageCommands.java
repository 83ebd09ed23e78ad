package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.sink.Stage;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The stage commands: fetch, normalize, enrich, load, and run (all four). */
final class StageCommands {
  private StageCommands() {}

  abstract static class Base implements Callable<Integer> {
    @Mixin IntervalOptions interval;

    @Spec CommandSpec spec;

    abstract List<Stage> stages();

    @Override
    public Integer call() {
      IntervalKey key = new IntervalKey(interval.market, interval.dataset,
          IntervalWindow.parse(interval.intervalStart, interval.intervalEnd));
      String runId = interval.runId != null ? interval.runId : StageRunner.defaultRunId();
      return StageRunner.run(IngestCli.config(spec), key, runId, stages());
    }
  }

  @Command(name = "fetch", mixinStandardHelpOptions = true,
      description = "Fetch one interval of one dataset from the ISO into Bronze (bronze_payloads) and publish ingestion.<market>.<dataset>.")
  static final class Fetch extends Base {
    List<Stage> stages() {
      return List.of(Stage.FETCH);
    }
  }

  @Command(name = "normalize", mixinStandardHelpOptions = true,
      description = "Parse the interval's latest Bronze payloads into canonical UTC rows (staging) and publish normalized.<market>.<dataset>. Replays from Bronze: no refetch.")
  static final class Normalize extends Base {
    List<Stage> stages() {
      return List.of(Stage.NORMALIZE);
    }
  }

  @Command(name = "enrich", mixinStandardHelpOptions = true,
      description = "Add taxonomy fields (zone, hub, region, timezone, is_trading_hub) and publish enriched.<market>.<dataset>.")
  static final class Enrich extends Base {
    List<Stage> stages() {
      return List.of(Stage.ENRICH);
    }
  }

  @Command(name = "load", mixinStandardHelpOptions = true,
      description = "Run the quality gate, then upsert Silver by natural key (highest version wins) and warm the cache.")
  static final class Load extends Base {
    List<Stage> stages() {
      return List.of(Stage.LOAD);
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "fetch, normalize, enrich and load one interval, in order.")
  static final class Run extends Base {
    List<Stage> stages() {
      return List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH, Stage.LOAD);
    }
  }
}
