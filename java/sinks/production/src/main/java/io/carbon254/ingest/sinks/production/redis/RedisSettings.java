package io.carbon254.ingest.sinks.production.redis;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
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
    int n = cfg.intValue("REDIS_RECENT_INTERVALS", 288, 1, 100_000);
    return new RedisSettings(uri, prefix, n, cfg.duration("REDIS_LATEST_TTL", Duration.ofDays(7), Duration.ofSeconds(1)),
        cfg.duration("REDIS_RECENT_TTL", Duration.ofDays(2), Duration.ofSeconds(1)));
  }

  /** {@code host:port}, for messages (never the password). */
  public String server() {
    return uri.getHost() + ":" + uri.getPort();
  }
}
