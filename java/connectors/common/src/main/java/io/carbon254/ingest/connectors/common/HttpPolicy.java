package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.core.config.ConnectorSpec;
import java.time.Duration;

/**
 * Retry and timeout policy of a market's HTTP client: retries on timeouts, connection errors,
 * HTTP 408, 429 and 5xx with exponential backoff and jitter, honouring Retry-After, within two
 * time budgets: {@code callTimeout} for one attempt (connect, headers and the whole body: a
 * body dripping in slowly cannot hold an attempt longer) and {@code partTimeout} for every
 * attempt of one request part, backoffs and request spacing included.
 *
 * @param readTimeout longest silence between two reads of one attempt
 * @param callTimeout one attempt, end to end ({@code http.attempt_timeout})
 * @param maxBodyBytes larger responses fail (a runaway download is not a payload)
 * @param maxRetryAfter a server asking to wait longer than this fails the attempt at once (exit 3), leaving
 *     the retry to the scheduler instead of holding a worker
 * @param partTimeout all attempts of one request part ({@code http.part_timeout})
 */
public record HttpPolicy(
    int maxAttempts, Duration baseBackoff, Duration maxBackoff, double jitter, Duration connectTimeout,
    Duration readTimeout, Duration callTimeout, long maxBodyBytes, Duration maxRetryAfter, Duration partTimeout) {

  /** Five attempts within the budgets of {@link ConnectorSpec.HttpBudget#defaults()}: a hung part fails within about two minutes. */
  public static HttpPolicy defaults() {
    ConnectorSpec.HttpBudget b = ConnectorSpec.HttpBudget.defaults();
    return new HttpPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.25, b.connectTimeout(),
        b.attemptTimeout(), b.attemptTimeout(), 1L << 30, Duration.ofMinutes(5), b.partTimeout());
  }

  public HttpPolicy withMaxAttempts(int n) {
    return new HttpPolicy(n, baseBackoff, maxBackoff, jitter, connectTimeout, readTimeout, callTimeout, maxBodyBytes, maxRetryAfter,
        partTimeout);
  }

  public HttpPolicy withBackoff(Duration base, Duration max) {
    return new HttpPolicy(maxAttempts, base, max, jitter, connectTimeout, readTimeout, callTimeout, maxBodyBytes, maxRetryAfter,
        partTimeout);
  }

  public HttpPolicy withTimeouts(Duration connect, Duration read, Duration call) {
    return new HttpPolicy(maxAttempts, baseBackoff, maxBackoff, jitter, connect, read, call, maxBodyBytes, maxRetryAfter, partTimeout);
  }

  public HttpPolicy withPartTimeout(Duration part) {
    return new HttpPolicy(maxAttempts, baseBackoff, maxBackoff, jitter, connectTimeout, readTimeout, callTimeout, maxBodyBytes,
        maxRetryAfter, part);
  }

  /** The budgets of a market's {@code http:} block (connectors/&lt;market&gt;.yaml); the read timeout is the attempt's. */
  public HttpPolicy withBudget(ConnectorSpec.HttpBudget b) {
    return withTimeouts(b.connectTimeout(), b.attemptTimeout(), b.attemptTimeout()).withPartTimeout(b.partTimeout());
  }

  /** Backoff before attempt {@code attempt + 1} (attempt counts from 1), with +/- jitter. */
  Duration backoff(int attempt, double random01) {
    double base = baseBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    double factor = 1 + jitter * (2 * random01 - 1);
    return Duration.ofMillis(Math.max(0, Math.round(capped * factor)));
  }
}
