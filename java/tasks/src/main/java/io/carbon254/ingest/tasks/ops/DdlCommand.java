package io.carbon254.ingest.tasks.ops;

import io.carbon254.ingest.core.UsageException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Applies the ClickHouse migrations in ddl/ (see ddl/README.md). */
@Command(name = "ddl", mixinStandardHelpOptions = true, description = "ClickHouse schema migrations (ddl/).")
public final class DdlCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UsageException("ingest ddl: ClickHouse migrations are not available in this build yet");
  }
}
