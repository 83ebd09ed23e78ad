package io.carbon254.ingest.sinks.production;

import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.CacheWarmer;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.core.sink.SinkProvider;
import io.carbon254.ingest.core.sink.Warehouse;
import io.carbon254.ingest.sinks.production.clickhouse.ClickHouseConfig;
import io.carbon254.ingest.sinks.production.clickhouse.ClickHouseWarehouse;
import io.carbon254.ingest.sinks.production.kafka.KafkaEventSink;
import io.carbon254.ingest.sinks.production.kafka.KafkaSettings;
import io.carbon254.ingest.sinks.production.redis.RedisCacheWarmer;
import io.carbon254.ingest.sinks.production.redis.RedisSettings;
import io.carbon254.ingest.sinks.production.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Optional;

/**
 * The production sinks, each chosen by its variable: ClickHouse when {@code CLICKHOUSE_DSN} is set,
 * Kafka (with the schema registry at {@code SCHEMA_REGISTRY_URL}, required then) when
 * {@code KAFKA_BOOTSTRAP_SERVERS} is set, Redis when {@code REDIS_URL} is set.
 */
public final class ProductionSinkProvider implements SinkProvider {
  @Override
  public String name() {
    return "production";
  }

  @Override
  public Optional<Warehouse> warehouse(IngestConfig config) {
    if (config.clickhouseDsn().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ClickHouseWarehouse.open(ClickHouseConfig.from(config)));
  }

  @Override
  public Optional<EventSink> events(IngestConfig config) {
    if (config.kafkaBootstrapServers().isEmpty()) {
      return Optional.empty();
    }
    KafkaSettings s = KafkaSettings.from(config);
    return Optional.of(new KafkaEventSink(s, new SchemaRegistryClient(s.registryUrl(), Duration.ofSeconds(10), 3)));
  }

  @Override
  public Optional<CacheWarmer> cache(IngestConfig config) {
    if (config.redisUrl().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RedisCacheWarmer(RedisSettings.from(config)));
  }
}
