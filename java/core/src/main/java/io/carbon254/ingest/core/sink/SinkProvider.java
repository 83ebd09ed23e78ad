package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.config.IngestConfig;
import java.util.Optional;

/**
 * Found by {@link java.util.ServiceLoader}. A provider answers only when its configuration
 * variable is set ({@code CLICKHOUSE_DSN}, {@code KAFKA_BOOTSTRAP_SERVERS}, {@code REDIS_URL});
 * the embedded provider is the fallback.
 */
public interface SinkProvider {
  String name();

  /** True for the embedded default, asked last. */
  default boolean fallback() {
    return false;
  }

  default Optional<Warehouse> warehouse(IngestConfig config) {
    return Optional.empty();
  }

  default Optional<EventSink> events(IngestConfig config) {
    return Optional.empty();
  }

  default Optional<CacheWarmer> cache(IngestConfig config) {
    return Optional.empty();
  }
}
