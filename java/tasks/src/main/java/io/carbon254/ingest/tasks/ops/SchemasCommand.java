package io.carbon254.ingest.tasks.ops;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.tasks.IngestCli;
import io.carbon254.ingest.tasks.JsonLog;
import io.carbon254.ingest.sinks.production.registry.SchemaRegistryClient;
import io.carbon254.ingest.sinks.production.schema.SchemaCompatibilityCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Checks the event schemas in events/avro for compatibility. */
@Command(name = "schemas", mixinStandardHelpOptions = true, description = "Event schema checks (events/avro).",
    subcommands = {SchemasCommand.Validate.class})
public final class SchemasCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: validate");
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = {"Check every schema of events/avro against its last released version (events/avro/released/<Name>/v<N>.avsc):",
        "FULL compatibility, i.e. new consumers read old events and old consumers read new ones.",
        "With SCHEMA_REGISTRY_URL set, also test each against the latest version of every registry subject carrying it.",
        "Exit 0 when all are compatible, 4 when one is not (the field is named), 2 on bad arguments, 3 when the registry is unreachable."})
  static final class Validate implements Callable<Integer> {
    @Option(names = "--schemas", defaultValue = "events/avro", description = "schema directory (default ${DEFAULT-VALUE})")
    Path schemas;

    @Option(names = "--released", description = "released versions (default <schemas>/released)")
    Path released;

    @Option(names = "--no-registry", description = "skip the registry check even when SCHEMA_REGISTRY_URL is set")
    boolean noRegistry;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      List<SchemaCompatibilityCheck.Finding> all =
          new ArrayList<>(SchemaCompatibilityCheck.againstReleased(schemas, released == null ? schemas.resolve("released") : released));
      Optional<String> registry = noRegistry ? Optional.empty() : IngestCli.config(spec).schemaRegistryUrl();
      registry.ifPresent(url ->
          all.addAll(SchemaCompatibilityCheck.againstRegistry(schemas, new SchemaRegistryClient(url, Duration.ofSeconds(10), 3))));
      int bad = 0;
      for (SchemaCompatibilityCheck.Finding f : all) {
        if (f.ok()) {
          System.out.println("ok    " + f.schema() + " vs " + f.against());
        } else {
          bad++;
          System.out.println("FAIL  " + f.schema() + " vs " + f.against());
          f.problems().forEach(p -> JsonLog.notice("ERROR", "      " + p, p, Map.of("schema", String.valueOf(f.schema()),
              "against", String.valueOf(f.against()), "problem", p)));
        }
      }
      if (bad > 0) {
        JsonLog.notice("ERROR", bad + " incompatible schema change(s): keep the released shape (add fields with a default,"
            + " remove only fields that have one) or release a new event type", Map.of("incompatible", bad, "exit_code", ExitCodes.REJECTED));
        return ExitCodes.REJECTED;
      }
      System.out.println(all.size() + " check(s), all compatible" + (registry.isPresent() ? "" : " (no SCHEMA_REGISTRY_URL: registry not checked)"));
      return 0;
    }
  }
}
