package io.carbon254.ingest.sinks.production.kafka;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Kafka settings from the environment.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (required) and {@code SCHEMA_REGISTRY_URL} (required with it);
 *   <li>{@code KAFKA_TOPIC_PARTITIONS} (default 6) and {@code KAFKA_TOPIC_REPLICATION_FACTOR}
 *       (default: the broker's {@code default.replication.factor}) for topics this sink creates;
 *   <li>{@code KAFKA_DELIVERY_TIMEOUT} (default 30s): how long a publish may wait for the broker,
 *       retries included, before the stage fails with exit 3;
 *   <li>{@code KAFKA_SPOOL_DIR} (default {@code <java.io.tmpdir>/ingest-kafka-spool}): where a stage's
 *       encoded events are spooled until the warehouse committed (one temporary file per stage and
 *       topic, deleted on close; a crashed writer's file is removed by the next spool there);
 *   <li>{@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}
 *       for brokers that need them (secrets from the environment only).
 * </ul>
 */
public record KafkaSettings(
    String bootstrapServers,
    String registryUrl,
    int partitions,
    Optional<Short> replicationFactor,
    Duration deliveryTimeout,
    Optional<String> securityProtocol,
    Optional<String> saslMechanism,
    Optional<String> saslJaasConfig,
    Optional<String> parentTrace,
    Path spoolDir) {

  public static final int DEFAULT_PARTITIONS = 6;

  public KafkaSettings {
    requireNonNull(bootstrapServers, "bootstrapServers is null");
    requireNonNull(registryUrl, "registryUrl is null");
    requireNonNull(spoolDir, "spoolDir is null");
  }

  public static KafkaSettings from(IngestConfig cfg) {
    String bootstrap = cfg.kafkaBootstrapServers().orElseThrow(() -> new UsageException("KAFKA_BOOTSTRAP_SERVERS is not set"));
    String registry =
        cfg.schemaRegistryUrl()
            .orElseThrow(() -> new UsageException(
                "KAFKA_BOOTSTRAP_SERVERS is set but SCHEMA_REGISTRY_URL is not: events go to Kafka as Avro in the"
                    + " Confluent wire format and need a schema registry (set SCHEMA_REGISTRY_URL, e.g."
                    + " http://127.0.0.1:8081, or unset KAFKA_BOOTSTRAP_SERVERS for the embedded event files)"));
    int partitions = cfg.intValue("KAFKA_TOPIC_PARTITIONS", DEFAULT_PARTITIONS, 1, 10_000);
    Optional<Short> rf = cfg.get("KAFKA_TOPIC_REPLICATION_FACTOR")
        .map(v -> (short) cfg.intValue("KAFKA_TOPIC_REPLICATION_FACTOR", 1, 1, 32));
    Duration delivery = cfg.duration("KAFKA_DELIVERY_TIMEOUT", Duration.ofSeconds(30), Duration.ofSeconds(2));
    return new KafkaSettings(bootstrap, registry, partitions, rf, delivery, cfg.get("KAFKA_SECURITY_PROTOCOL"),
        cfg.get("KAFKA_SASL_MECHANISM"), cfg.get("KAFKA_SASL_JAAS_CONFIG"), cfg.get("TRACEPARENT"),
        cfg.get("KAFKA_SPOOL_DIR").map(Path::of).orElse(defaultSpoolDir()));
  }

  /** {@code <java.io.tmpdir>/ingest-kafka-spool}: the stage's encoded events wait there until the warehouse committed. */
  static Path defaultSpoolDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "ingest-kafka-spool");
  }

  /** Request timeout: a third of the delivery timeout, at most 10 s. */
  long requestTimeoutMs() {
    return Math.min(10_000, deliveryTimeout.toMillis() / 3);
  }

  Properties common() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("client.id", "ingest");
    p.put("reconnect.backoff.ms", "100");
    p.put("reconnect.backoff.max.ms", "1000");
    p.put("request.timeout.ms", Long.toString(requestTimeoutMs()));
    p.put("default.api.timeout.ms", Long.toString(deliveryTimeout.toMillis()));
    securityProtocol.ifPresent(v -> p.put("security.protocol", v));
    saslMechanism.ifPresent(v -> p.put("sasl.mechanism", v));
    saslJaasConfig.ifPresent(v -> p.put("sasl.jaas.config", v));
    return p;
  }

  Properties producer() {
    Properties p = common();
    p.remove("default.api.timeout.ms");
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("max.in.flight.requests.per.connection", "5");
    p.put("retries", Integer.toString(Integer.MAX_VALUE));
    p.put("delivery.timeout.ms", Long.toString(deliveryTimeout.toMillis()));
    p.put("linger.ms", "20");
    p.put("batch.size", Integer.toString(256 * 1024));
    p.put("compression.type", "lz4");
    p.put("max.block.ms", Long.toString(Math.min(10_000, deliveryTimeout.toMillis() / 2)));
    return p;
  }
}
