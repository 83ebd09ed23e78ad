package io.carbon254.ingest.sinks.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.SinkProvider;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ProductionSinkProviderTest {
  private final ProductionSinkProvider p = new ProductionSinkProvider();

  @Test
  void isRegisteredForTheServiceLoader() {
    assertTrue(ServiceLoader.load(SinkProvider.class).stream().anyMatch(x -> x.type() == ProductionSinkProvider.class));
    assertEquals("production", p.name());
  }

  @Test
  void answersNothingWhenNoVariableIsSet() {
    IngestConfig none = IngestConfig.of(Map.of());
    assertTrue(p.warehouse(none).isEmpty());
    assertTrue(p.events(none).isEmpty());
    assertTrue(p.cache(none).isEmpty());
  }

  @Test
  void kafkaWithoutARegistryIsAUsageErrorNamingBothVariables() {
    UsageException e = assertThrows(UsageException.class,
        () -> p.events(IngestConfig.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))));
    assertTrue(e.getMessage().contains("KAFKA_BOOTSTRAP_SERVERS"), e.getMessage());
    assertTrue(e.getMessage().contains("SCHEMA_REGISTRY_URL"), e.getMessage());
    assertEquals(2, e.exitCode());
  }

  @Test
  void badSettingsAreUsageErrors() {
    assertThrows(UsageException.class, () -> p.warehouse(IngestConfig.of(Map.of("CLICKHOUSE_DSN", "ftp://x"))));
    assertThrows(UsageException.class,
        () -> p.warehouse(IngestConfig.of(Map.of("CLICKHOUSE_DSN", "clickhouse://h", "CLICKHOUSE_CLUSTER", "a;b"))));
    assertThrows(UsageException.class, () -> p.events(IngestConfig.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", "h:1",
        "SCHEMA_REGISTRY_URL", "http://h:2", "KAFKA_TOPIC_PARTITIONS", "0"))));
    assertThrows(UsageException.class,
        () -> p.cache(IngestConfig.of(Map.of("REDIS_URL", "redis://h:6379", "REDIS_RECENT_INTERVALS", "x"))));
  }

  @Test
  void malformedNumbersNameTheVariableAndTheValue() {
    UsageException r = assertThrows(UsageException.class,
        () -> p.cache(IngestConfig.of(Map.of("REDIS_URL", "redis://h:6379", "REDIS_RECENT_INTERVALS", "x"))));
    assertTrue(r.getMessage().contains("REDIS_RECENT_INTERVALS: 'x'"), r.getMessage());
    UsageException c = assertThrows(UsageException.class,
        () -> p.warehouse(IngestConfig.of(Map.of("CLICKHOUSE_DSN", "clickhouse://h", "CLICKHOUSE_RETRIES", "three"))));
    assertTrue(c.getMessage().contains("CLICKHOUSE_RETRIES: 'three'"), c.getMessage());
    UsageException k = assertThrows(UsageException.class, () -> p.events(IngestConfig.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", "h:1",
        "SCHEMA_REGISTRY_URL", "http://h:2", "KAFKA_DELIVERY_TIMEOUT", "1s"))));
    assertTrue(k.getMessage().contains("KAFKA_DELIVERY_TIMEOUT: '1s'") && k.getMessage().contains("minimum 2s"), k.getMessage());
  }
}
