package io.carbon254.ingest.connectors.pjm;

import io.carbon254.ingest.connectors.common.HttpPolicy;
import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Fixtures, payloads and connector wiring shared by the PJM tests. */
final class PjmTestSupport {
  static final String KEY = "pjm-test-key-0123456789abcdef";
  static final HttpPolicy FAST = HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  static final Instant FETCHED_AT = Instant.parse("2024-11-05T12:00:00Z");
  static final String JSON = "application/json; charset=utf-8";

  private PjmTestSupport() {}

  static Map<String, String> env(String baseUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", ConnectorContract.repoRoot().resolve("connectors").toString());
    env.put("INGEST_PJM_REQUEST_SPACING", "0ms");
    env.put("PJM_API_KEY", KEY);
    if (baseUrl != null) {
      env.put("INGEST_PJM_BASE_URL", baseUrl);
    }
    return env;
  }

  static IngestConfig config(Map<String, String> env) {
    return IngestConfig.of(env);
  }

  static Dataset dataset(String id, Map<String, String> env, Consumer<String> retryLog) {
    IngestConfig c = config(env);
    return new PjmConnector().withPolicy(FAST).onRetry(retryLog)
        .dataset(id, new ConnectorContext(ConnectorSpec.load(c, "pjm"), c, Clock.systemUTC()));
  }

  static Dataset dataset(String id, String baseUrl) {
    return dataset(id, env(baseUrl), s -> {});
  }

  static IntervalKey key(String dataset, String start, String end) {
    return new IntervalKey("pjm", dataset, new IntervalWindow(Instant.parse(start), Instant.parse(end)));
  }

  /** A fixture under src/test/resources/pjm/. */
  static byte[] resource(String name) {
    try (InputStream in = PjmTestSupport.class.getResourceAsStream("/pjm/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fixture as the page fetch stored for {@code key} from {@code feed}. */
  static RawPayload payload(IntervalKey key, String feed, String fixture) {
    return payload(key, feed, resource(fixture), FETCHED_AT);
  }

  static RawPayload payload(IntervalKey key, String feed, byte[] body, Instant fetchedAt) {
    return RawPayload.of(key, 0, "https://api.pjm.com/api/v1/" + feed + "?rowCount=50000&startRow=1", JSON, 200, body, fetchedAt);
  }
}
