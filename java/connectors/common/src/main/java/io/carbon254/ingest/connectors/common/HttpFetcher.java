package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.Telemetry;
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
  /**
   * The one client of the process (its connection pool and dispatcher): every market's fetcher is a
   * view of it with its own timeouts. Built on the first request: a stage that does not fetch never
   * pays for TLS set-up.
   */
  private static OkHttpClient shared;

  private final String market;
  private OkHttpClient client;
  private Auth auth = Auth.NONE;
  private DailyQuota quota;
  private ResponseCheck refusals = ResponseCheck.ACCEPT_ALL;
  private final HttpPolicy policy;
  private final RequestSpacer spacer;
  private final Clock clock;
  private final String userAgent;
  private Consumer<String> log = s -> {};
  private Telemetry telemetry = Telemetry.NONE;

  public HttpFetcher(String market, HttpPolicy policy, RequestSpacer spacer, Clock clock) {
    this.market = market;
    this.policy = policy;
    this.spacer = spacer;
    this.clock = clock;
    this.userAgent = "254carbon-ingest/0.1 (+market-data ingestion)";
  }

  private static synchronized OkHttpClient shared() {
    if (shared == null) {
      shared = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
    }
    return shared;
  }

  synchronized OkHttpClient client() {
    if (client == null) {
      client = shared().newBuilder()
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

  /** Where every attempt's status, each retry and a span per attempt are reported. */
  public HttpFetcher telemetry(Telemetry telemetry) {
    this.telemetry = java.util.Objects.requireNonNull(telemetry, "telemetry is null");
    return this;
  }

  /** The credentials every request of this fetcher carries (see {@link Auth}). */
  public HttpFetcher withAuth(Auth auth) {
    this.auth = java.util.Objects.requireNonNull(auth, "auth is null");
    return this;
  }

  /** A per-day request quota every attempt of this fetcher takes from (see {@link DailyQuota}). */
  public HttpFetcher withQuota(DailyQuota quota) {
    this.quota = quota;
    return this;
  }

  /**
   * A source-specific reading of a refusal (a 4xx answer other than 408 and 429), before the default
   * mapping (404 not published, 401/403 credentials, other 4xx a wrong request): it may throw a typed
   * outcome the body or headers show (MISO's 403 is a used-up daily quota or a bot challenge, exit 3),
   * or return to leave the default.
   */
  public HttpFetcher withRefusalCheck(ResponseCheck refusals) {
    this.refusals = java.util.Objects.requireNonNull(refusals, "refusals is null");
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

  /** GETs {@code url}: {@link #send} of a GET. */
  public HttpResult get(HttpUrl url, String part, ResponseCheck check) {
    return send(HttpRequest.get(url), part, check);
  }

  /** The most pages one paged answer may have (a source that never ends the paging fails instead of looping). */
  static final int MAX_PAGES = 100_000;

  /**
   * Sends the pages of one answer in turn ({@link Paging}: the first page's request, each next one
   * from the page before), handing each page to {@code out} as it arrives; every page within the
   * policy's budgets, as {@link #send}. Returns the number of pages.
   */
  public int pages(HttpRequest base, Paging paging, String part, ResponseCheck check,
      io.carbon254.ingest.core.connector.RowSink<? super HttpResult> out) {
    HttpRequest request = paging.first(base);
    for (int index = 0; index < MAX_PAGES; index++) {
      HttpResult page = send(request, (part == null ? market : part) + " page " + (index + 1), check);
      out.accept(page);
      java.util.Optional<HttpRequest> next = paging.next(request, page, index);
      if (next.isEmpty()) {
        return index + 1;
      }
      request = next.get();
    }
    throw new UpstreamUnavailableException((part == null ? market : part) + ": more than " + MAX_PAGES + " pages; the paging does not end");
  }

  /**
   * Sends {@code request} (with the fetcher's credentials) within the policy's budgets.
   *
   * @param part what this request is, for messages (e.g. {@code caiso/lmp_rt_5min 2024-11-03T08:00:00Z..2024-11-03T09:00:00Z
   *     (part 1/2)}); null: the market
   */
  public HttpResult send(HttpRequest request, String part, ResponseCheck check) {
    HttpUrl url = request.url();
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
      if (rf.status == 401) {
        backoff = Duration.ZERO; // renewed credentials: nothing to wait for
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
          telemetry.httpRetry(url.host());
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
      boolean[] renewed = {false};
      return Retry.decorateSupplier(retry, () -> attempt(request, shown, check, attempts, deadline, renewed)).get();
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

  private HttpResult attempt(HttpRequest httpRequest, String shown, ResponseCheck check, int[] attempts, long deadline, boolean[] renewed) {
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
    HttpRequest signed = auth.apply(httpRequest); // credentials missing: exit 2 before the quota is touched
    if (quota != null) {
      String spent = quota.take();
      if (spent != null) {
        throw new FatalFailure(spent);
      }
    }
    int attempt = ++attempts[0];
    Request.Builder rb = new Request.Builder().url(signed.url()).header("User-Agent", userAgent);
    signed.headers().forEach(rb::header);
    if (signed.body() == null) {
      rb.method(signed.method(), null);
    } else {
      rb.method(signed.method(), okhttp3.RequestBody.create(signed.body(), okhttp3.MediaType.parse(signed.contentType())));
    }
    Request request = rb.build();
    Call call = client().newCall(request);
    Duration timeout = left.compareTo(policy.callTimeout()) < 0 ? left : policy.callTimeout();
    call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    HttpResult result;
    String host = request.url().host();
    Telemetry.Span span = telemetry.span("HTTP " + signed.method()).attribute("http.request.method", signed.method())
        .attribute("url.full", shown).attribute("server.address", host).attribute("http.resend_count", attempt - 1);
    String status = "io_error";
    try (span) {
      try (Response response = call.execute()) {
        int code = response.code();
        status = Integer.toString(code);
        span.attribute("http.response.status_code", code);
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
        if (code >= 400 && code < 500) {
          refusals.check(new HttpResult(shown, code, ct, body, clock.instant(), attempt, headersOf(response)));
        }
        if (code == 404) {
          throw new NotPublishedException(market + ": " + shown + " answered HTTP 404 (not published yet)");
        }
        if (code == 401 && !renewed[0] && auth.renew()) {
          renewed[0] = true; // a token that expired early: one more attempt with a new one, at once
          throw new RetryableFailure("HTTP 401: the credentials were refused; renewed them", code, Duration.ZERO, null);
        }
        if (code == 401 || code == 403) {
          throw new FatalFailure("HTTP " + code + snippet(body) + " (credentials missing or refused: check the market's API key"
              + " variables; a retry will not help)", true);
        }
        if (code >= 400) {
          throw new FatalFailure("HTTP " + code + snippet(body) + " (the request is wrong: a retry will not help)", true);
        }
        result = new HttpResult(shown, code, ct, body, clock.instant(), attempt, headersOf(response));
      } catch (InterruptedIOException e) {
        span.failed(e);
        throw new RetryableFailure("timeout after " + timeout.toMillis() + " ms (" + e.getMessage() + ")", 0, null, e);
      } catch (IOException e) {
        span.failed(e);
        throw new RetryableFailure(e.getClass().getSimpleName() + ": " + e.getMessage(), 0, null, e);
      } catch (RuntimeException e) {
        span.failed(e);
        throw e;
      }
    } finally {
      telemetry.httpAttempt(host, status);
    }
    try {
      check.check(result);
    } catch (RetryableResponseException e) {
      throw new RetryableFailure(e.getMessage(), result.status(), e.retryAfter(), e);
    }
    return result;
  }

  private static java.util.Map<String, String> headersOf(Response response) {
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    for (String name : response.headers().names()) {
      headers.put(name.toLowerCase(java.util.Locale.ROOT), response.header(name));
    }
    return headers;
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
    return s.isEmpty() ? "" : ": " + io.carbon254.ingest.core.Secrets.mask(s);
  }

  /**
   * The URL as logged and stored: query parameters that look like secrets are masked, and so is any
   * registered secret value anywhere in it ({@link io.carbon254.ingest.core.Secrets}).
   */
  public static String redact(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder();
    for (String name : url.queryParameterNames()) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      if (n.contains("key") || n.contains("token") || n.contains("password") || n.contains("secret")) {
        b.setQueryParameter(name, "***");
      }
    }
    return io.carbon254.ingest.core.Secrets.mask(b.build().toString());
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
