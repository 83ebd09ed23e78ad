package io.carbon254.ingest.sinks.embedded;

import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.core.sink.SinkProvider;
import io.carbon254.ingest.core.sink.Warehouse;
import java.util.Optional;

/** The embedded default under INGEST_HOME: {@code warehouse.duckdb} and {@code events/}. */
public final class EmbeddedSinkProvider implements SinkProvider {
  @Override
  public String name() {
    return "embedded";
  }

  @Override
  public boolean fallback() {
    return true;
  }

  /** The stages' warehouse: the file is opened, and locked, on first use (after a fetch has downloaded). */
  @Override
  public Optional<Warehouse> warehouse(IngestConfig config) {
    DuckDbWarehouse w = DuckDbWarehouse.lazy(config.home().resolve("warehouse.duckdb"), config.duckDbLockWait());
    config.get("INGEST_DUCKDB_MEMORY_LIMIT").ifPresent(w::memoryLimit);
    return Optional.of(w);
  }

  /** A read-only connection for `ingest query` (does not block on other readers). */
  public static Warehouse readOnly(IngestConfig config) {
    return DuckDbWarehouse.open(config.home().resolve("warehouse.duckdb"), true, config.duckDbLockWait());
  }

  @Override
  public Optional<EventSink> events(IngestConfig config) {
    return Optional.of(new AvroFileEventSink(config.home().resolve("events")));
  }
}
