package io.carbon254.ingest.connectors.common;

import java.time.Duration;

/**
 * Thrown by a {@link ResponseCheck} for an answer that is an upstream hiccup although HTTP said
 * 200 (for example an OASIS error zip other than "no data"): the call is retried like a 5xx.
 */
public final class RetryableResponseException extends RuntimeException {
  private final Duration retryAfter;

  public RetryableResponseException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
