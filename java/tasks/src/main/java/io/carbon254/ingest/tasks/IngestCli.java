package io.carbon254.ingest.tasks;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IngestException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.tasks.ops.DdlCommand;
import io.carbon254.ingest.tasks.ops.SchemasCommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ingest}: the task JAR. Exit codes: 0 ok, 1 bug, 2 usage/config, 3 upstream unavailable
 * after retries, 4 payload rejected or quality gate failed, 99 not published yet.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, version = "ingest 0.1.0",
    description = "Fetch, normalize, enrich and load ISO market data one interval at a time.",
    footer = {"", "Exit codes: 0 ok, 1 bug, 2 usage/config, 3 upstream unavailable, 4 payload rejected / quality gate failed, 99 not published yet.",
      "Configuration: INGEST_HOME, INGEST_<MARKET>_BASE_URL, CLICKHOUSE_DSN, KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, REDIS_URL (see README).",
      "Logs: JSON lines on stderr off a terminal, text on one (--log-format, INGEST_LOG_FORMAT); libraries' loggers from WARN (INGEST_LOG_LEVEL)."})
public final class IngestCli implements Runnable {
  /** The commands, in the order of the usage message. */
  static final List<Class<?>> COMMANDS = List.of(
      StageCommands.Fetch.class, StageCommands.Normalize.class, StageCommands.Enrich.class, StageCommands.Load.class,
      StageCommands.Run.class, RangeCommands.Backfill.class, RangeCommands.Replay.class, QueryCommand.class,
      QuarantineCommand.class, ConnectorsCommand.class, EventsCommand.class, DdlCommand.class, SchemasCommand.class, SimulateCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Read from the arguments before parsing ({@link Logging#configure}): declared for the usage message and its check. */
  @Option(names = Logging.FORMAT_OPTION, paramLabel = "text|json", scope = CommandLine.ScopeType.INHERIT, converter = FormatConverter.class,
      description = "stderr as JSON lines (default off a terminal) or text lines (default on one); also INGEST_LOG_FORMAT")
  Logging.Format logFormat;

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
    Logging.configure(config, args);
    CommandLine cli = new CommandLine(new IngestCli(config));
    addCommands(cli, args);
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IngestException ie) {
        new JsonLog(Map.of("command", cmd.getCommandName())).error(ie.getMessage(), Map.of("outcome", ie.outcome(), "exit_code", ie.exitCode()));
        ErrorLine.print(ie);
        return ie.exitCode();
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("outcome", "bug");
      f.put("exit_code", ExitCodes.BUG);
      f.putAll(JsonLog.failure(ex));
      new JsonLog(Map.of("command", cmd.getCommandName())).error("unexpected failure (a bug): " + ex, f);
      if (!Logging.json()) {
        ex.printStackTrace(System.err);
      }
      return ExitCodes.BUG;
    });
    cli.setExitCodeExceptionMapper(t -> ExitCodes.USAGE);
    cli.setParameterExceptionHandler((ex, a) -> {
      CommandLine c = ex.getCommandLine();
      if (Logging.json()) {
        new JsonLog(Map.of("command", c.getCommandName())).error(ex.getMessage(), usageFields(ex));
      } else {
        c.getErr().println(ex.getMessage());
        c.usage(c.getErr());
      }
      return ExitCodes.USAGE;
    });
    return cli.execute(args);
  }

  /** What the JSON line of an argument error carries besides the message: the synopsis, where to read more, picocli's suggestions. */
  static Map<String, Object> usageFields(CommandLine.ParameterException ex) {
    CommandLine c = ex.getCommandLine();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("outcome", "usage_error");
    f.put("exit_code", ExitCodes.USAGE);
    f.put("usage", c.getHelp().synopsis(0).strip().replaceAll("\\s+", " "));
    f.put("help", c.getCommandSpec().qualifiedName() + " --help");
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      f.put("suggestions", u.getSuggestions());
    }
    return f;
  }

  /** {@code --log-format}: text or json, any case. */
  static final class FormatConverter implements CommandLine.ITypeConverter<Logging.Format> {
    @Override
    public Logging.Format convert(String value) {
      try {
        return Logging.Format.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("expected text or json but was '" + value + "'");
      }
    }
  }

  /**
   * Adds the command the arguments name with its whole model, and every other one as a name and a
   * description only (what the usage message lists): building the model of all of them, their
   * options read by reflection, was most of the start-up of `ingest --help` and of every stage.
   */
  static void addCommands(CommandLine cli, String... args) {
    List<String> rest = Logging.withoutGlobalOptions(args);
    String invoked = rest.isEmpty() ? null : rest.get(0);
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
