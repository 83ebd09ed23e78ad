package io.carbon254.ingest.connectors.common;

/**
 * Source-specific inspection of a 2xx answer: may throw {@link RetryableResponseException} (retry),
 * {@link io.carbon254.ingest.core.NotPublishedException} (exit 99), or return normally (keep it).
 */
@FunctionalInterface
public interface ResponseCheck {
  void check(HttpResult result);

  ResponseCheck ACCEPT_ALL = r -> {};
}
