package io.carbon254.ingest.sinks.production.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * Where the integration tests find the real servers: the addresses `make infra-up` starts
 * (configs/environments/local/env.example), overridable with the same variables.
 */
public final class Servers {
  private Servers() {}

  public static String clickhouseHostPort() {
    return env("IT_CLICKHOUSE_HOST_PORT", "127.0.0.1:8123");
  }

  public static String kafka() {
    return env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  }

  public static String registry() {
    return env("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081");
  }

  public static String redis() {
    return env("REDIS_URL", "redis://127.0.0.1:6379/0");
  }

  /** A configuration for a fresh ClickHouse database of this test run. */
  public static Map<String, String> clickhouse(String database) {
    Map<String, String> m = new HashMap<>();
    m.put("CLICKHOUSE_DSN", "clickhouse://" + clickhouseHostPort() + "/" + database);
    m.put("CLICKHOUSE_RETRY_BACKOFF", "100ms");
    return m;
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }
}
