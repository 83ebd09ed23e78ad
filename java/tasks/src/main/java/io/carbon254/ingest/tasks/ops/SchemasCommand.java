package io.carbon254.ingest.tasks.ops;

import io.carbon254.ingest.core.UsageException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Checks the event schemas in events/avro for compatibility. */
@Command(name = "schemas", mixinStandardHelpOptions = true, description = "Event schema checks (events/avro).")
public final class SchemasCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UsageException("ingest schemas: schema validation is not available in this build yet");
  }
}
