package io.carbon254.ingest.connectors.common;

import java.time.Duration;

/**
 * Retry and timeout policy of a market's HTTP client: retries on timeouts, connection errors,
 * HTTP 429 and 5xx with exponential backoff and jitter, honouring Retry-After.
 */
/**
 * @param maxBodyBytes larger responses fail (a runaway download is not a payload)
 * @param maxRetryAfter a server asking to wait longer than this fails the attempt at once (exit 3), leaving
 *     the retry to the scheduler instead of holding a worker
 */
public record HttpPolicy(
    int maxAttempts, Duration baseBackoff, Duration maxBackoff, double jitter, Duration connectTimeout,
    Duration readTimeout, Duration callTimeout, long maxBodyBytes, Duration maxRetryAfter) {

  public static HttpPolicy defaults() {
    return new HttpPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.25, Duration.ofSeconds(10),
        Duration.ofSeconds(120), Duration.ofSeconds(300), 1L << 30, Duration.ofMinutes(5));
  }

  public HttpPolicy withMaxAttempts(int n) {
    return new HttpPolicy(n, baseBackoff, maxBackoff, jitter, connectTimeout, readTimeout, callTimeout, maxBodyBytes, maxRetryAfter);
  }

  public HttpPolicy withBackoff(Duration base, Duration max) {
    return new HttpPolicy(maxAttempts, base, max, jitter, connectTimeout, readTimeout, callTimeout, maxBodyBytes, maxRetryAfter);
  }

  public HttpPolicy withTimeouts(Duration connect, Duration read, Duration call) {
    return new HttpPolicy(maxAttempts, baseBackoff, maxBackoff, jitter, connect, read, call, maxBodyBytes, maxRetryAfter);
  }

  /** Backoff before attempt {@code attempt + 1} (attempt counts from 1), with +/- jitter. */
  Duration backoff(int attempt, double random01) {
    double base = baseBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    double factor = 1 + jitter * (2 * random01 - 1);
    return Duration.ofMillis(Math.max(0, Math.round(capped * factor)));
  }
}
