package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.Durations;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The shared HTTP base of all connectors: okhttp for the call, resilience4j Retry for the policy,
 * a per-market {@link RequestSpacer} before every attempt. A 2xx answer is handed to the
 * connector's {@link ResponseCheck}; 408, 429, 5xx, timeouts and connection failures are retried;
 * 404 is "not published yet" (exit 99); any other 4xx fails at once as a usage error (exit 2: the
 * request or its credentials are wrong, a retry will not help).
 *
 * <p>Two time budgets bound a request part ({@link HttpPolicy}): each attempt ends within the
 * attempt budget however slowly the body arrives, and no attempt, backoff or spacing wait runs past
 * the part budget; when it is used up the part fails as upstream unavailable (exit 3), naming the
 * part, the attempts made and the budget.
 */
public final class HttpFetcher {
  private final String market;
  private OkHttpClient client; // built on the first request: a stage that does not fetch never pays for TLS set-up
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
  }

  private synchronized OkHttpClient client() {
    if (client == null) {
      client = new OkHttpClient.Builder()
          .connectTimeout(policy.connectTimeout())
          .readTimeout(policy.readTimeout())
          .callTimeout(policy.callTimeout())
          .retryOnConnectionFailure(false)
          .build();
    }
    return client;
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

  /** Thrown inside an attempt for an answer no retry will change; {@code usage}: the request itself is wrong (exit 2). */
  static final class FatalFailure extends RuntimeException {
    final boolean usage;

    FatalFailure(String message) {
      this(message, false);
    }

    FatalFailure(String message, boolean usage) {
      super(message);
      this.usage = usage;
    }
  }

  /** Thrown before an attempt when the part budget leaves no time for it (or for the spacing wait before it). */
  static final class BudgetSpent extends RuntimeException {
    BudgetSpent(String message) {
      super(message);
    }
  }

  public HttpResult get(HttpUrl url, ResponseCheck check) {
    return get(url, null, check);
  }

  /**
   * GETs {@code url} within the policy's budgets.
   *
   * @param part what this request is, for messages (e.g. {@code caiso/lmp_rt_5min 2024-11-03T08:00:00Z..2024-11-03T09:00:00Z
   *     (part 1/2)}); null: the market
   */
  public HttpResult get(HttpUrl url, String part, ResponseCheck check) {
    String shown = redact(url);
    String head = (part == null ? market : part) + ": " + shown;
    long started = System.nanoTime();
    long deadline = started + policy.partTimeout().toNanos();
    int[] attempts = {0};
    Duration[] planned = {Duration.ZERO};
    boolean[] outOfBudget = {false};
    Duration minAttempt = Duration.ofMillis(Math.min(1_000, policy.callTimeout().toMillis()));
    Predicate<Throwable> retryable = t -> {
      if (!(t instanceof RetryableFailure rf)) {
        return false;
      }
      Duration backoff = policy.backoff(attempts[0], ThreadLocalRandom.current().nextDouble());
      if (rf.retryAfter != null && rf.retryAfter.compareTo(backoff) > 0) {
        backoff = rf.retryAfter;
      }
      if (attempts[0] < policy.maxAttempts() && backoff.plus(minAttempt).compareTo(remaining(deadline)) > 0) {
        outOfBudget[0] = true; // the backoff would reach the end of the part budget: stop now
        return false;
      }
      planned[0] = backoff;
      return true;
    };
    IntervalBiFunction<Object> interval =
        (attempt, either) -> {
          Throwable t = either.isLeft() ? either.getLeft() : null;
          log.accept(head + ": attempt " + attempt + " failed (" + (t == null ? "?" : t.getMessage()) + "); retrying in "
              + planned[0].toMillis() + " ms");
          return planned[0].toMillis();
        };
    RetryConfig config =
        RetryConfig.custom()
            .maxAttempts(policy.maxAttempts())
            .intervalBiFunction(interval)
            .retryOnException(retryable)
            .failAfterMaxAttempts(false)
            .build();
    Retry retry = Retry.of(market + "-http", config);
    try {
      return Retry.decorateSupplier(retry, () -> attempt(url, shown, check, attempts, deadline)).get();
    } catch (RetryableFailure e) {
      if (outOfBudget[0] || remaining(deadline).compareTo(minAttempt) < 0) {
        throw budgetSpent(head, attempts[0], started, e.getMessage(), e);
      }
      throw new UpstreamUnavailableException(head + " still failing after " + attempts[0] + " attempts: " + e.getMessage(), e);
    } catch (BudgetSpent e) {
      throw budgetSpent(head, attempts[0], started, e.getMessage(), e);
    } catch (FatalFailure e) {
      if (e.usage) {
        throw new UsageException(head + ": " + e.getMessage());
      }
      throw new UpstreamUnavailableException(head + ": " + e.getMessage());
    }
  }

  private UpstreamUnavailableException budgetSpent(String head, int attempts, long started, String last, Throwable cause) {
    double took = (System.nanoTime() - started) / 1e9;
    return new UpstreamUnavailableException(head + ": gave up after " + attempts + " attempt(s) in "
        + String.format(java.util.Locale.ROOT, "%.1f", took) + " s: the part budget of "
        + Durations.format(policy.partTimeout()) + " (http.part_timeout, attempts of " + Durations.format(policy.callTimeout())
        + ") is used up; last: " + last, cause);
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  private HttpResult attempt(HttpUrl url, String shown, ResponseCheck check, int[] attempts, long deadline) {
    try {
      if (!spacer.acquire(remaining(deadline))) {
        throw new BudgetSpent("the request spacing wait alone would pass the end of the budget");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FatalFailure("interrupted while waiting for the request spacing");
    }
    Duration left = remaining(deadline);
    if (left.isZero()) {
      throw new BudgetSpent("no time left for another attempt");
    }
    int attempt = ++attempts[0];
    Request request = new Request.Builder().url(url).header("User-Agent", userAgent).get().build();
    Call call = client().newCall(request);
    Duration timeout = left.compareTo(policy.callTimeout()) < 0 ? left : policy.callTimeout();
    call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    HttpResult result;
    try (Response response = call.execute()) {
      int code = response.code();
      byte[] body = readBounded(response, policy.maxBodyBytes());
      String ct = response.header("Content-Type");
      if (code == 408 || code == 429 || code >= 500) {
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
      if (code == 401 || code == 403) {
        throw new FatalFailure("HTTP " + code + snippet(body) + " (credentials missing or refused: check the market's API key"
            + " variables; a retry will not help)", true);
      }
      if (code >= 400) {
        throw new FatalFailure("HTTP " + code + snippet(body) + " (the request is wrong: a retry will not help)", true);
      }
      result = new HttpResult(shown, code, ct, body, clock.instant(), attempt);
    } catch (InterruptedIOException e) {
      throw new RetryableFailure("timeout after " + timeout.toMillis() + " ms (" + e.getMessage() + ")", 0, null, e);
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
      throw new UsageException("base URL '" + base + "' is not an http(s) URL");
    }
    return url.newBuilder().scheme(b.scheme()).host(b.host()).port(b.port()).build();
  }
}
