package io.carbon254.ingest.tasks;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IngestException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.tasks.ops.DdlCommand;
import io.carbon254.ingest.tasks.ops.SchemasCommand;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ingest}: the task JAR. Exit codes: 0 ok, 1 bug, 2 usage/config, 3 upstream unavailable
 * after retries, 4 payload rejected or quality gate failed, 99 not published yet.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, version = "ingest 0.1.0",
    description = "Fetch, normalize, enrich and load ISO market data one interval at a time.",
    footer = {"", "Exit codes: 0 ok, 1 bug, 2 usage/config, 3 upstream unavailable, 4 payload rejected / quality gate failed, 99 not published yet.",
      "Configuration: INGEST_HOME, INGEST_<MARKET>_BASE_URL, CLICKHOUSE_DSN, KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, REDIS_URL (see README)."})
public final class IngestCli implements Runnable {
  /** The commands, in the order of the usage message. */
  static final List<Class<?>> COMMANDS = List.of(
      StageCommands.Fetch.class, StageCommands.Normalize.class, StageCommands.Enrich.class, StageCommands.Load.class,
      StageCommands.Run.class, RangeCommands.Backfill.class, RangeCommands.Replay.class, QueryCommand.class,
      ConnectorsCommand.class, EventsCommand.class, DdlCommand.class, SchemasCommand.class, SimulateCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final IngestConfig config;

  private IngestCli(IngestConfig config) {
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see ingest --help)");
  }

  public static void main(String[] args) {
    Timing.mainStarted();
    System.exit(execute(args));
  }

  /** Runs the CLI on the process environment and maps every outcome to an exit code. */
  public static int execute(String... args) {
    return execute(IngestConfig.fromEnv(), args);
  }

  /** Runs the CLI with {@code config} in place of the environment (tests run it in-process so). */
  public static int execute(IngestConfig config, String... args) {
    CommandLine cli = new CommandLine(new IngestCli(config));
    addCommands(cli, args);
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IngestException ie) {
        new JsonLog(Map.of("command", cmd.getCommandName())).error(ie.getMessage(), Map.of("outcome", ie.outcome(), "exit_code", ie.exitCode()));
        ErrorLine.print(ie);
        return ie.exitCode();
      }
      new JsonLog(Map.of("command", cmd.getCommandName())).error("unexpected failure (a bug): " + ex, Map.of("exit_code", ExitCodes.BUG));
      ex.printStackTrace(System.err);
      return ExitCodes.BUG;
    });
    cli.setExitCodeExceptionMapper(t -> ExitCodes.USAGE);
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println(ex.getMessage());
      ex.getCommandLine().usage(ex.getCommandLine().getErr());
      return ExitCodes.USAGE;
    });
    return cli.execute(args);
  }

  /**
   * Adds the command the arguments name with its whole model, and every other one as a name and a
   * description only (what the usage message lists): building the model of all of them, their
   * options read by reflection, was most of the start-up of `ingest --help` and of every stage.
   */
  static void addCommands(CommandLine cli, String... args) {
    String invoked = args.length > 0 ? args[0] : null;
    for (Class<?> c : COMMANDS) {
      Command a = c.getAnnotation(Command.class);
      if (a.name().equals(invoked) || java.util.Arrays.asList(a.aliases()).contains(invoked)) {
        cli.addSubcommand(a.name(), new CommandLine(c));
      } else {
        CommandLine.Model.CommandSpec listed = CommandLine.Model.CommandSpec.create().aliases(a.aliases());
        listed.usageMessage().description(a.description()).hidden(a.hidden());
        cli.addSubcommand(a.name(), new CommandLine(listed));
      }
    }
  }

  /** The configuration of the run a command belongs to (the environment, or what a test passed to {@link #execute}). */
  public static IngestConfig config(CommandLine.Model.CommandSpec spec) {
    return ((IngestCli) spec.root().userObject()).config;
  }
}
