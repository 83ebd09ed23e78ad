package io.carbon254.ingest.tasks.ops;

import io.carbon254.ingest.tasks.IngestCli;
import io.carbon254.ingest.sinks.production.clickhouse.ClickHouseConfig;
import io.carbon254.ingest.sinks.production.clickhouse.ClickHouseSchema;
import io.carbon254.ingest.sinks.production.clickhouse.Ddl;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The ClickHouse migrations of ddl/ (bundled in the JAR): apply them, or print them for review. */
@Command(name = "ddl", mixinStandardHelpOptions = true, description = "ClickHouse schema migrations (ddl/).",
    subcommands = {DdlCommand.Apply.class, DdlCommand.Print.class})
public final class DdlCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: apply or print");
  }

  static List<Ddl.Migration> migrations(Path dir) {
    return dir == null ? Ddl.bundled() : Ddl.fromDir(dir);
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Apply the migrations to CLICKHOUSE_DSN (idempotent; ledger: schema_migrations).",
        "CLICKHOUSE_CLUSTER=<name> selects the cluster variant (ON CLUSTER, Replicated engines, Distributed tables)."})
  static final class Apply implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "read the migrations from DIR (a checkout's ddl/) instead of the JAR")
    Path dir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ClickHouseConfig cfg = ClickHouseConfig.from(IngestCli.config(spec));
      List<Ddl.Migration> ms = migrations(dir);
      try (ClickHouseSchema schema = ClickHouseSchema.connect(cfg)) {
        List<ClickHouseSchema.Outcome> out = schema.apply(ms);
        for (ClickHouseSchema.Outcome o : out) {
          System.out.printf("%-8s %04d %s%n", o.status(), o.version(), o.file());
        }
        long applied = out.stream().filter(o -> o.status().equals("applied")).count();
        System.out.println(schema.describe() + ": " + applied + " migration(s) applied, " + (out.size() - applied)
            + " already present");
      }
      return 0;
    }
  }

  @Command(name = "print", mixinStandardHelpOptions = true,
      description = "Print the rendered statements (for review, or to run them by hand), one per ';'.")
  static final class Print implements Callable<Integer> {
    @Option(names = "--database", defaultValue = "ingest", description = "database name (default ${DEFAULT-VALUE})")
    String database;

    @Option(names = "--cluster", paramLabel = "NAME", description = "render the cluster variant for this cluster")
    String cluster;

    @Option(names = "--dir", paramLabel = "DIR", description = "read the migrations from DIR instead of the JAR")
    Path dir;

    @Override
    public Integer call() {
      for (Ddl.Migration m : migrations(dir)) {
        System.out.println("-- " + m.file());
        for (String sql : Ddl.render(m, database, Optional.ofNullable(cluster))) {
          System.out.println(sql + ";");
          System.out.println();
        }
      }
      return 0;
    }
  }
}
