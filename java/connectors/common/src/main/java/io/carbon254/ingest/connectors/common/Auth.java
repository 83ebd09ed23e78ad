package io.carbon254.ingest.connectors.common;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.core.Secrets;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Function;

/**
 * How a market's requests prove who sends them. Credentials come from the environment only (the
 * variables each market's README names), are registered with {@link Secrets} as they are read so no
 * log line, error or stored URL carries them, and travel in headers, never in a URL.
 */
public interface Auth {
  /** The request with its credentials. */
  HttpRequest apply(HttpRequest request);

  /**
   * After an HTTP 401: drops what may have expired (a bearer token) and says whether one more
   * attempt with fresh credentials can help. A fixed key cannot be renewed: false.
   */
  default boolean renew() {
    return false;
  }

  Auth NONE = r -> r;

  /**
   * Credentials built at the first request that needs them, once: the stages that do not fetch
   * (normalize and after, a replay from Bronze) run without the variables, and a fetch without them
   * fails then, naming them (exit 2).
   */
  static Auth atFirstRequest(java.util.function.Supplier<Auth> build) {
    return new Auth() {
      private Auth built;

      @Override
      public synchronized HttpRequest apply(HttpRequest request) {
        if (built == null) {
          built = build.get();
        }
        return built.apply(request);
      }

      @Override
      public synchronized boolean renew() {
        return built != null && built.renew();
      }
    };
  }

  /**
   * A key sent as a header on every request (PJM's and MISO's {@code Ocp-Apim-Subscription-Key}).
   *
   * @param what what needs the key, for the message when the variable is not set
   */
  static Auth apiKeyHeader(String header, String variable, IngestConfig config, String what) {
    String key = required(config, variable, what + " (sent as the " + header + " header)");
    return r -> r.withHeader(header, key);
  }

  /** HTTP basic authentication from two variables. */
  static Auth basic(String userVariable, String passwordVariable, IngestConfig config, String what) {
    String user = required(config, userVariable, what);
    String password = required(config, passwordVariable, what);
    String value = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Secrets.register(value.substring("Basic ".length()));
    return r -> r.withHeader("Authorization", value);
  }

  /** The value of a credential variable; a missing or blank one is a usage error (exit 2) naming it. */
  static String required(IngestConfig config, String variable, String what) {
    String v = config.get(variable).map(String::strip).filter(s -> !s.isEmpty())
        .orElseThrow(() -> new UsageException(variable + " is not set: " + what + " needs it (the environment or a Kubernetes secret)"));
    return Secrets.register(v);
  }

  /**
   * A bearer token obtained by a POST (OAuth2 client credentials, Azure B2C's ROPC flow) and renewed
   * before it expires: a token is used until {@code margin} before its {@code expires_in}, then a new
   * one is requested; a 401 drops it and allows one more attempt with a new one.
   */
  final class BearerToken implements Auth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpRequest tokenRequest;
    private final Function<HttpRequest, HttpResult> post;
    private final String tokenField;
    private final Duration margin;
    private final Clock clock;
    private String token;
    private Instant renewAt = Instant.MIN;
    private int obtained;

    /**
     * @param tokenRequest the POST that returns the token (its form carries the credentials, read with {@link Auth#required})
     * @param post how the request is sent (the market's fetcher, its retries and budgets)
     * @param tokenField the JSON field holding the token ({@code access_token}, {@code id_token})
     * @param margin how long before the token's expiry a new one is requested
     */
    public BearerToken(HttpRequest tokenRequest, Function<HttpRequest, HttpResult> post, String tokenField, Duration margin, Clock clock) {
      this.tokenRequest = requireNonNull(tokenRequest, "tokenRequest is null");
      this.post = requireNonNull(post, "post is null");
      this.tokenField = requireNonNull(tokenField, "tokenField is null");
      this.margin = requireNonNull(margin, "margin is null");
      this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public synchronized HttpRequest apply(HttpRequest request) {
      if (token == null || !clock.instant().isBefore(renewAt)) {
        obtain();
      }
      return request.withHeader("Authorization", "Bearer " + token);
    }

    @Override
    public synchronized boolean renew() {
      token = null;
      return true;
    }

    /** How many tokens were obtained so far (the log's and the tests' view of renewals). */
    public synchronized int obtained() {
      return obtained;
    }

    private void obtain() {
      HttpResult r = post.apply(tokenRequest);
      JsonNode n;
      try {
        n = JSON.readTree(r.body());
      } catch (IOException e) {
        throw new UpstreamUnavailableException(r.url() + ": the token answer is not JSON: " + e.getMessage(), e);
      }
      JsonNode t = n == null ? null : n.get(tokenField);
      if (t == null || !t.isTextual() || t.asText().isBlank()) {
        throw new UpstreamUnavailableException(r.url() + ": the token answer has no '" + tokenField + "'");
      }
      token = Secrets.register(t.asText());
      long seconds = n.path("expires_in").asLong(3600);
      Instant now = clock.instant();
      Duration life = Duration.ofSeconds(Math.max(1, seconds));
      Duration early = margin.compareTo(life.dividedBy(2)) < 0 ? margin : life.dividedBy(2);
      renewAt = now.plus(life).minus(early);
      obtained++;
    }
  }
}
