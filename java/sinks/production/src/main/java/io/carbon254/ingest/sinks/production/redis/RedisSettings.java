package io.carbon254.ingest.sinks.production.redis;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.config.IngestConfig;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * Redis settings from the environment: {@code REDIS_URL} ({@code redis://[:password@]host:port[/db]},
 * {@code rediss://} for TLS), {@code REDIS_KEY_PREFIX} (default {@code ingest}),
 * {@code REDIS_RECENT_INTERVALS} (N of the per-location series, default 288 = a day of 5-minute
 * intervals), {@code REDIS_LATEST_TTL} (default 7d) and {@code REDIS_RECENT_TTL} (default 2d).
 */
public record RedisSettings(RedisURI uri, String prefix, int recentIntervals, Duration latestTtl, Duration recentTtl) {
  public RedisSettings {
    requireNonNull(uri, "uri is null");
    requireNonNull(prefix, "prefix is null");
    requireNonNull(latestTtl, "latestTtl is null");
    requireNonNull(recentTtl, "recentTtl is null");
  }

  public static RedisSettings from(IngestConfig cfg) {
    String url = cfg.redisUrl().orElseThrow(() -> new UsageException("REDIS_URL is not set"));
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      throw new UsageException("REDIS_URL is not a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379/0)");
    }
    uri.setTimeout(Duration.ofSeconds(5));
    String prefix = cfg.get("REDIS_KEY_PREFIX").orElse("ingest");
    if (!prefix.matches("[A-Za-z0-9_.-]+")) {
      throw new UsageException("REDIS_KEY_PREFIX must match [A-Za-z0-9_.-]+");
    }
    int n;
    try {
      n = Integer.parseInt(cfg.get("REDIS_RECENT_INTERVALS").orElse("288"));
    } catch (NumberFormatException e) {
      throw new UsageException("REDIS_RECENT_INTERVALS must be a whole number");
    }
    if (n < 1 || n > 100_000) {
      throw new UsageException("REDIS_RECENT_INTERVALS must be between 1 and 100000");
    }
    try {
      return new RedisSettings(uri, prefix, n,
          Durations.parse("REDIS_LATEST_TTL", cfg.get("REDIS_LATEST_TTL").orElse("7d")),
          Durations.parse("REDIS_RECENT_TTL", cfg.get("REDIS_RECENT_TTL").orElse("2d")));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** {@code host:port}, for messages (never the password). */
  public String server() {
    return uri.getHost() + ":" + uri.getPort();
  }
}
