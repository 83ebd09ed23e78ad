package io.carbon254.ingest.connectors.miso;

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

/** Fixtures, payloads and connector wiring shared by the MISO tests. */
final class MisoTestSupport {
  static final String KEY = "miso-test-key-0123456789abcdef";
  static final HttpPolicy FAST = HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  static final Instant FETCHED_AT = Instant.parse("2024-11-10T12:00:00Z");
  static final String REPORTS = "https://docs.misoenergy.org/marketreports/";
  static final String PUBLIC = "https://public-api.misoenergy.org";
  static final String EXCHANGE = "https://apim.misoenergy.org";

  private MisoTestSupport() {}

  static Map<String, String> env(String baseUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", ConnectorContract.repoRoot().resolve("connectors").toString());
    env.put("INGEST_MISO_REQUEST_SPACING", "0ms");
    env.put("INGEST_MISO_PUBLIC_API_REUSE", "0s");
    env.put("MISO_API_KEY", KEY);
    if (baseUrl != null) {
      env.put("INGEST_MISO_BASE_URL", baseUrl);
    }
    return env;
  }

  static Dataset dataset(String id, Map<String, String> env, Clock clock, Consumer<String> retryLog) {
    IngestConfig c = IngestConfig.of(env);
    return new MisoConnector().withPolicy(FAST).onRetry(retryLog).dataset(id, new ConnectorContext(ConnectorSpec.load(c, "miso"), c, clock));
  }

  static Dataset dataset(String id, String baseUrl) {
    return dataset(id, env(baseUrl), Clock.systemUTC(), s -> {});
  }

  static IntervalKey key(String dataset, String start, String end) {
    return new IntervalKey("miso", dataset, new IntervalWindow(Instant.parse(start), Instant.parse(end)));
  }

  /** The EST market day {@code yyyy-mm-dd}: 05:00Z to 05:00Z, 24 hours whatever the US clocks do. */
  static IntervalKey day(String dataset, String day) {
    Instant s = Instant.parse(day + "T05:00:00Z");
    return new IntervalKey("miso", dataset, new IntervalWindow(s, s.plus(Duration.ofDays(1))));
  }

  /** A fixture under src/test/resources/miso/. */
  static byte[] resource(String name) {
    try (InputStream in = MisoTestSupport.class.getResourceAsStream("/miso/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A market report as fetched for {@code key}: its URL names the day and the file. */
  static RawPayload report(IntervalKey key, String file, byte[] body) {
    return RawPayload.of(key, 0, REPORTS + file, "application/octet-stream", 200, body, FETCHED_AT);
  }

  static RawPayload report(IntervalKey key, String file) {
    return report(key, file, resource(file));
  }

  /** A Public API answer ({@code path} under /api/) as fetched for {@code key}. */
  static RawPayload publicApi(IntervalKey key, String path, byte[] body) {
    return RawPayload.of(key, 0, PUBLIC + path, "application/json", 200, body, FETCHED_AT);
  }

  /** A Data Exchange page ({@code path} under /pricing/v1 or /lgi/v1) as fetched for {@code key}. */
  static RawPayload exchange(IntervalKey key, String path, byte[] body) {
    return RawPayload.of(key, 0, EXCHANGE + path, "application/json", 200, body, FETCHED_AT);
  }
}
