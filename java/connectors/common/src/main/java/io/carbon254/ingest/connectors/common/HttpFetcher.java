package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The shared HTTP base of all connectors: okhttp for the call, resilience4j Retry for the policy,
 * a per-market {@link RequestSpacer} before every attempt. A 2xx answer is handed to the
 * connector's {@link ResponseCheck}; 429, 5xx, timeouts and connection failures are retried;
 * other 4xx fail at once (a retry will not help).
 */
public final class HttpFetcher {
  private final String market;
  private final OkHttpClient client;
  private final HttpPolicy policy;
  private final RequestSpacer spacer;
  private final Clock clock;
  private final String userAgent;
  private Consumer<String> log = s -> {};

  public HttpFetcher(String market, HttpPolicy policy, RequestSpacer spacer, Clock clock) {
    this.market = market;
    this.policy = policy;
    this.spacer = spacer;
    this.clock = clock;
    this.userAgent = "254carbon-ingest/0.1 (+market-data ingestion)";
    this.client =
        new OkHttpClient.Builder()
            .connectTimeout(policy.connectTimeout())
            .readTimeout(policy.readTimeout())
            .callTimeout(policy.callTimeout())
            .retryOnConnectionFailure(false)
            .build();
  }

  /** Where retry notices go (the task's structured log). */
  public HttpFetcher onRetry(Consumer<String> log) {
    this.log = log;
    return this;
  }

  /** Thrown inside an attempt to make resilience4j retry it. */
  static final class RetryableFailure extends RuntimeException {
    final Duration retryAfter;
    final int status;

    RetryableFailure(String message, int status, Duration retryAfter, Throwable cause) {
      super(message, cause);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  /** Thrown inside an attempt for an answer no retry will change. */
  static final class FatalFailure extends RuntimeException {
    FatalFailure(String message) {
      super(message);
    }
  }

  public HttpResult get(HttpUrl url, ResponseCheck check) {
    String shown = redact(url);
    IntervalBiFunction<Object> interval =
        (attempt, either) -> {
          Duration backoff = policy.backoff(attempt, ThreadLocalRandom.current().nextDouble());
          Throwable t = either.isLeft() ? either.getLeft() : null;
          if (t instanceof RetryableFailure rf && rf.retryAfter != null && rf.retryAfter.compareTo(backoff) > 0) {
            backoff = rf.retryAfter;
          }
          log.accept(market + ": attempt " + attempt + " of " + shown + " failed (" + (t == null ? "?" : t.getMessage())
              + "); retrying in " + backoff.toMillis() + " ms");
          return backoff.toMillis();
        };
    RetryConfig config =
        RetryConfig.custom()
            .maxAttempts(policy.maxAttempts())
            .intervalBiFunction(interval)
            .retryOnException(t -> t instanceof RetryableFailure)
            .failAfterMaxAttempts(false)
            .build();
    Retry retry = Retry.of(market + "-http", config);
    int[] attempts = {0};
    try {
      return Retry.decorateSupplier(retry, () -> attempt(url, shown, check, ++attempts[0])).get();
    } catch (RetryableFailure e) {
      throw new UpstreamUnavailableException(
          market + ": " + shown + " still failing after " + attempts[0] + " attempts: " + e.getMessage(), e);
    } catch (FatalFailure e) {
      throw new UpstreamUnavailableException(market + ": " + shown + ": " + e.getMessage());
    }
  }

  private HttpResult attempt(HttpUrl url, String shown, ResponseCheck check, int attempt) {
    try {
      spacer.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FatalFailure("interrupted while waiting for the request spacing");
    }
    Request request = new Request.Builder().url(url).header("User-Agent", userAgent).get().build();
    HttpResult result;
    try (Response response = client.newCall(request).execute()) {
      int code = response.code();
      byte[] body = readBounded(response, policy.maxBodyBytes());
      String ct = response.header("Content-Type");
      if (code == 429 || code >= 500) {
        Duration ra = retryAfter(response.header("Retry-After"));
        if (ra != null && ra.compareTo(policy.maxRetryAfter()) > 0) {
          throw new FatalFailure("HTTP " + code + " with Retry-After " + ra.toSeconds() + " s, longer than the in-task limit of "
              + policy.maxRetryAfter().toSeconds() + " s; leaving the retry to the scheduler");
        }
        if (code == 429) {
          spacer.backOff(ra != null ? ra : spacer.spacing());
        }
        throw new RetryableFailure("HTTP " + code + snippet(body), code, ra != null ? ra : code == 429 ? spacer.spacing() : null, null);
      }
      if (code == 404) {
        throw new NotPublishedException(market + ": " + shown + " answered HTTP 404 (not published yet)");
      }
      if (code >= 400) {
        throw new FatalFailure("HTTP " + code + snippet(body) + " (a retry will not help)");
      }
      result = new HttpResult(shown, code, ct, body, clock.instant(), attempt);
    } catch (InterruptedIOException e) {
      throw new RetryableFailure("timeout: " + e.getMessage(), 0, null, e);
    } catch (IOException e) {
      throw new RetryableFailure(e.getClass().getSimpleName() + ": " + e.getMessage(), 0, null, e);
    }
    try {
      check.check(result);
    } catch (RetryableResponseException e) {
      throw new RetryableFailure(e.getMessage(), result.status(), e.retryAfter(), e);
    }
    return result;
  }

  private static byte[] readBounded(Response response, long max) throws IOException {
    okio.BufferedSource src = response.body().source();
    if (src.request(max + 1)) {
      throw new FatalFailure("response body larger than " + max + " bytes");
    }
    return src.getBuffer().readByteArray();
  }

  /** Seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.format.DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static String snippet(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 160), java.nio.charset.StandardCharsets.UTF_8)
        .replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    return s.isEmpty() ? "" : ": " + s;
  }

  /** The URL as logged and stored: query parameters that look like secrets are masked. */
  public static String redact(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder();
    for (String name : url.queryParameterNames()) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      if (n.contains("key") || n.contains("token") || n.contains("password") || n.contains("secret")) {
        b.setQueryParameter(name, "***");
      }
    }
    return b.build().toString();
  }

  /** Replaces scheme, host and port of {@code url} by those of {@code base} (INGEST_&lt;MARKET&gt;_BASE_URL). */
  public static HttpUrl rebase(HttpUrl url, String base) {
    HttpUrl b = HttpUrl.parse(base);
    if (b == null) {
      throw new io.carbon254.ingest.core.UsageException("base URL '" + base + "' is not an http(s) URL");
    }
    return url.newBuilder().scheme(b.scheme()).host(b.host()).port(b.port()).build();
  }
}
