package io.carbon254.ingest.sinks.production.clickhouse;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * ClickHouse settings from the environment: {@code CLICKHOUSE_DSN} (required),
 * {@code CLICKHOUSE_USER} / {@code CLICKHOUSE_PASSWORD} (override the DSN's credentials),
 * {@code CLICKHOUSE_CLUSTER} (cluster variant of the DDL: ON CLUSTER, Replicated engines,
 * Distributed tables), {@code CLICKHOUSE_RETRIES} (attempts per call, default 4) and
 * {@code CLICKHOUSE_RETRY_BACKOFF} (first pause, doubled each attempt, default 500ms).
 */
public record ClickHouseConfig(ClickHouseDsn dsn, Optional<String> cluster, int attempts, Duration backoff) {
  public ClickHouseConfig {
    requireNonNull(dsn, "dsn is null");
    requireNonNull(cluster, "cluster is null");
    requireNonNull(backoff, "backoff is null");
  }

  public static ClickHouseConfig from(IngestConfig cfg) {
    String dsn =
        cfg.clickhouseDsn()
            .orElseThrow(() -> new UsageException("CLICKHOUSE_DSN is not set (e.g. clickhouse://127.0.0.1:8123/ingest)"));
    Optional<String> cluster = cfg.get("CLICKHOUSE_CLUSTER");
    cluster.ifPresent(c -> {
      if (!c.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new UsageException("CLICKHOUSE_CLUSTER '" + c + "' is not a cluster name from remote_servers");
      }
    });
    int attempts = cfg.intValue("CLICKHOUSE_RETRIES", 4, 1, 20);
    Duration backoff = cfg.duration("CLICKHOUSE_RETRY_BACKOFF", Duration.ofMillis(500), Duration.ZERO);
    return new ClickHouseConfig(
        ClickHouseDsn.parse(dsn, cfg.get("CLICKHOUSE_USER"), cfg.get("CLICKHOUSE_PASSWORD")), cluster, attempts, backoff);
  }

  ClickHouseGateway open() {
    return new ClickHouseGateway(dsn, attempts, backoff, cluster.isPresent());
  }
}
