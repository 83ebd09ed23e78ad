package io.carbon254.ingest.sinks.embedded;

import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.core.sink.SinkProvider;
import io.carbon254.ingest.core.sink.Warehouse;
import java.time.Duration;
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

  static Duration lockWait(IngestConfig c) {
    return Duration.ofSeconds(Long.parseLong(c.get("INGEST_DUCKDB_LOCK_WAIT").orElse("120")));
  }

  @Override
  public Optional<Warehouse> warehouse(IngestConfig config) {
    return Optional.of(DuckDbWarehouse.open(config.home().resolve("warehouse.duckdb"), false, lockWait(config)));
  }

  /** A read-only connection for `ingest query` (does not block on other readers). */
  public static Warehouse readOnly(IngestConfig config) {
    return DuckDbWarehouse.open(config.home().resolve("warehouse.duckdb"), true, lockWait(config));
  }

  @Override
  public Optional<EventSink> events(IngestConfig config) {
    return Optional.of(new AvroFileEventSink(config.home().resolve("events")));
  }
}
