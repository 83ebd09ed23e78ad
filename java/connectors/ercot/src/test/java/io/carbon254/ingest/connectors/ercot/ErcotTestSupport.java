package io.carbon254.ingest.connectors.ercot;

import io.carbon254.ingest.connectors.common.HttpPolicy;
import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Fixtures, payloads and connector wiring shared by the ERCOT tests. */
final class ErcotTestSupport {
  static final String KEY = "ercot-test-key-0123456789abcdef";
  static final String USER = "ingest-test@example.com";
  static final String PASSWORD = "ercot-test-password-42";
  static final HttpPolicy FAST = HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  static final Instant FETCHED_AT = Instant.parse("2024-11-05T12:00:00Z");
  static final String ZIP = "application/zip";

  private ErcotTestSupport() {}

  static Map<String, String> env(String baseUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", ConnectorContract.repoRoot().resolve("connectors").toString());
    env.put("INGEST_ERCOT_REQUEST_SPACING", "0ms");
    env.put("ERCOT_API_KEY", KEY);
    env.put("ERCOT_USERNAME", USER);
    env.put("ERCOT_PASSWORD", PASSWORD);
    if (baseUrl != null) {
      env.put("INGEST_ERCOT_BASE_URL", baseUrl);
    }
    return env;
  }

  static Dataset dataset(String id, Map<String, String> env, Clock clock, Consumer<String> retryLog) {
    IngestConfig c = IngestConfig.of(env);
    return new ErcotConnector().withPolicy(FAST).onRetry(retryLog)
        .dataset(id, new ConnectorContext(ConnectorSpec.load(c, "ercot"), c, clock));
  }

  static Dataset dataset(String id, String baseUrl) {
    return dataset(id, env(baseUrl), Clock.systemUTC(), s -> {});
  }

  static IntervalKey key(String dataset, String start, String end) {
    return new IntervalKey("ercot", dataset, new IntervalWindow(Instant.parse(start), Instant.parse(end)));
  }

  /** A fixture under src/test/resources/ercot/. */
  static byte[] resource(String name) {
    try (InputStream in = ErcotTestSupport.class.getResourceAsStream("/ercot/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A document as the MIS download stored it for {@code key}. */
  static RawPayload mis(IntervalKey key, int part, long docId, byte[] zip) {
    return RawPayload.of(key, part, "https://www.ercot.com/misdownload/servlets/mirDownload?doclookupId=" + docId, ZIP, 200, zip, FETCHED_AT);
  }

  static RawPayload mis(IntervalKey key, long docId, byte[] zip) {
    return mis(key, 0, docId, zip);
  }

  static RawPayload mis(IntervalKey key, long docId, String fixture) {
    return mis(key, 0, docId, resource(fixture));
  }

  /** The documents an index file names ({@code docId<TAB>file<TAB>friendly name} per line), as payloads of {@code key}. */
  static List<RawPayload> listed(IntervalKey key, String index) {
    List<RawPayload> out = new ArrayList<>();
    int part = 0;
    for (String line : new String(resource(index), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      out.add(mis(key, part++, Long.parseLong(f[0]), resource(f[1])));
    }
    return out;
  }

  /** A fuel-mix dashboard fixture as fetched for {@code key}. */
  static RawPayload dashboard(IntervalKey key, String fixture) {
    return RawPayload.of(key, 0, "https://www.ercot.com/api/1/services/read/dashboards/fuel-mix.json", "application/json", 200,
        resource(fixture), FETCHED_AT);
  }

  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  /** A document zip holding one CSV entry. */
  static byte[] zip(String entry, String csv) {
    return zip(Map.of(entry, csv.getBytes(StandardCharsets.UTF_8)));
  }
}
