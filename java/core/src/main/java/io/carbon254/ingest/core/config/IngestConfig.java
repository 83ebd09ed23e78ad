package io.carbon254.ingest.core.config;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The environment variables of DESIGN.md, read once. An unset sink variable means the embedded
 * default (DuckDB warehouse, Avro event files, no cache).
 */
public final class IngestConfig {
  private final Map<String, String> env;

  private IngestConfig(Map<String, String> env) {
    this.env = Map.copyOf(requireNonNull(env, "env is null"));
  }

  public static IngestConfig fromEnv() {
    return new IngestConfig(System.getenv());
  }

  public static IngestConfig of(Map<String, String> env) {
    return new IngestConfig(env);
  }

  public Optional<String> get(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  /**
   * A whole number from variable {@code name}, {@code dflt} when unset. A value that is not a whole
   * number, or lies outside {@code [min, max]}, is a usage error (exit 2) naming the variable and
   * the value: every numeric setting is read here, so none fails later as a bug.
   */
  public long longValue(String name, long dflt, long min, long max) {
    Optional<String> v = get(name);
    if (v.isEmpty()) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": '" + v.get() + "' is not a whole number (unset it for the default " + dflt + ")");
    }
    if (n < min || n > max) {
      throw new UsageException(name + ": '" + v.get() + "' is out of range: must be between " + min + " and " + max);
    }
    return n;
  }

  /** {@link #longValue} for an {@code int} setting. */
  public int intValue(String name, int dflt, int min, int max) {
    return (int) longValue(name, dflt, min, max);
  }

  /** A duration ({@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 250ms}) from variable {@code name}; empty when unset. */
  public Optional<Duration> optionalDuration(String name) {
    return get(name).map(v -> {
      try {
        return Durations.parse(name, v);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    });
  }

  /** A duration from variable {@code name}, {@code dflt} when unset; below {@code min} is a usage error naming variable and value. */
  public Duration duration(String name, Duration dflt, Duration min) {
    Duration d = optionalDuration(name).orElse(dflt);
    if (d.compareTo(min) < 0) {
      throw new UsageException(name + ": '" + get(name).orElse(Durations.format(d)) + "' is below the minimum " + Durations.format(min));
    }
    return d;
  }

  public String environment() {
    return get("INGEST_ENV").orElse("local");
  }

  /** Embedded data directory: DuckDB file and event log. */
  public Path home() {
    return Path.of(get("INGEST_HOME").orElse(".ingest")).toAbsolutePath().normalize();
  }

  public Optional<String> clickhouseDsn() {
    return get("CLICKHOUSE_DSN");
  }

  public Optional<String> kafkaBootstrapServers() {
    return get("KAFKA_BOOTSTRAP_SERVERS");
  }

  public Optional<String> schemaRegistryUrl() {
    return get("SCHEMA_REGISTRY_URL");
  }

  public Optional<String> redisUrl() {
    return get("REDIS_URL");
  }

  /** {@code INGEST_<MARKET>_BASE_URL}: replaces scheme, host and port of the market's requests. */
  public Optional<String> baseUrlOverride(String market) {
    return get("INGEST_" + market.toUpperCase(Locale.ROOT) + "_BASE_URL");
  }

  /** {@code INGEST_<MARKET>_REQUEST_SPACING}: overrides connectors/&lt;market&gt;.yaml rate_limit.min_request_spacing. */
  public Optional<Duration> requestSpacingOverride(String market) {
    String name = "INGEST_" + market.toUpperCase(Locale.ROOT) + "_REQUEST_SPACING";
    Optional<Duration> d = optionalDuration(name);
    if (d.isPresent() && d.get().isNegative()) {
      throw new UsageException(name + ": '" + get(name).orElse("") + "' is below the minimum 0s");
    }
    return d;
  }

  /** {@code INGEST_DUCKDB_LOCK_WAIT}: seconds a stage waits for another process's lock on the DuckDB file (default 120). */
  public Duration duckDbLockWait() {
    return Duration.ofSeconds(longValue("INGEST_DUCKDB_LOCK_WAIT", 120, 0, 86_400));
  }

  /** Directory holding connectors/*.yaml; empty means the copies bundled in the JAR. */
  public Optional<Path> connectorsDir() {
    return get("INGEST_CONNECTORS_DIR").map(Path::of).or(() -> existingDir("connectors"));
  }

  /** One normalization file for every market instead of each market's own (the markets' files: connectors/&lt;market&gt;.yaml names them). */
  public Optional<Path> normalizationConfig() {
    return get("NORMALIZATION_CONFIG").map(Path::of);
  }

  /** One taxonomy file for every market instead of each market's own. */
  public Optional<Path> enrichmentConfig() {
    return get("ENRICHMENT_CONFIG").map(Path::of);
  }

  /** When set, a stage writes its JSON summary there (Airflow XCom: /airflow/xcom/return.json). */
  public Optional<Path> summaryFile() {
    return get("INGEST_SUMMARY_FILE").map(Path::of);
  }

  private static Optional<Path> existingDir(String rel) {
    Path p = Path.of(rel);
    return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
  }

}
