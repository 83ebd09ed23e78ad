package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.HttpPolicy;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

/** Fixtures, payloads and connector wiring shared by the CAISO tests. */
final class CaisoTestSupport {
  static final long FIXED_ZIP_TIME = java.time.Instant.parse("2024-11-04T08:00:00Z").toEpochMilli();

  static final HttpPolicy FAST =
      HttpPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  static final Instant FETCHED_AT = Instant.parse("2024-11-05T12:00:00Z");
  static final String ZIP_TYPE = "application/x-zip-compressed";

  private CaisoTestSupport() {}

  /** The repository root (surefire's INGEST_REPO_ROOT, else the first parent holding connectors/), as the connector contract finds it. */
  static Path repoRoot() {
    return io.carbon254.ingest.connectors.common.testing.ConnectorContract.repoRoot();
  }

  static IngestConfig config(String baseUrl, Duration spacing) {
    Path root = repoRoot();
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", root.resolve("connectors").toString());
    if (baseUrl != null) {
      env.put("INGEST_CAISO_BASE_URL", baseUrl);
    }
    if (spacing != null) {
      env.put("INGEST_CAISO_REQUEST_SPACING", spacing.toMillis() + "ms");
    }
    return IngestConfig.of(env);
  }

  static NormalizationRules rules() {
    IngestConfig c = config(null, null);
    return NormalizationRules.load(c, ConnectorSpec.load(c, "caiso"));
  }

  static ConnectorContext context(String baseUrl, Duration spacing) {
    IngestConfig config = config(baseUrl, spacing);
    return new ConnectorContext(ConnectorSpec.load(config, "caiso"), config, Clock.systemUTC());
  }

  static Dataset dataset(String id, String baseUrl, Duration spacing, HttpPolicy policy, Consumer<String> retryLog) {
    return new CaisoConnector().withPolicy(policy).onRetry(retryLog).dataset(id, context(baseUrl, spacing));
  }

  static Dataset dataset(String id, String baseUrl, Duration spacing) {
    return dataset(id, baseUrl, spacing, FAST, s -> {});
  }

  /** A fixture under src/test/resources/caiso/. */
  static byte[] resourceBytes(String name) {
    try (InputStream in = CaisoTestSupport.class.getResourceAsStream("/caiso/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource caiso/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String resource(String name) {
    return new String(resourceBytes(name), StandardCharsets.UTF_8);
  }

  static byte[] zip(String entryName, byte[] data) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(bos)) {
        ZipEntry entry = new ZipEntry(entryName);
        entry.setTime(FIXED_ZIP_TIME); // same bytes on every call: a payload's id is its checksum
        z.putNextEntry(entry);
        z.write(data);
        z.closeEntry();
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] zip(String entryName, String text) {
    return zip(entryName, text.getBytes(StandardCharsets.UTF_8));
  }

  static IntervalKey key(String dataset, String start, String end) {
    return new IntervalKey("caiso", dataset, new IntervalWindow(Instant.parse(start), Instant.parse(end)));
  }

  static RawPayload payload(IntervalKey key, String url, String contentType, byte[] body) {
    return RawPayload.of(key, 0, url, contentType, 200, body, FETCHED_AT);
  }

  /** An OASIS SingleZip payload holding one CSV entry, as fetched for {@code key}. */
  static RawPayload oasisPayload(IntervalKey key, String entryName, String csv) {
    return payload(key, "http://oasis.caiso.com/oasisapi/SingleZip?resultformat=6", ZIP_TYPE, zip(entryName, csv));
  }

  /** An Outlook fuelsource.csv payload for the Pacific day {@code yyyymmdd}. */
  static RawPayload outlookPayload(IntervalKey key, String yyyymmdd, byte[] body) {
    return payload(key, "https://www.caiso.com/outlook/history/" + yyyymmdd + "/fuelsource.csv", "text/csv", body);
  }

  /** Splits a fixture into its header and data lines (the fixtures hold no quoted fields). */
  static List<String> lines(String csv) {
    List<String> out = new ArrayList<>();
    for (String l : csv.split("\r?\n")) {
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }

  /** One data line of a fixture as a map from column name to cell. */
  static Map<String, String> cells(String header, String line) {
    String[] h = header.split(",", -1);
    String[] v = line.split(",", -1);
    if (h.length != v.length) {
      throw new IllegalArgumentException("line has " + v.length + " cells, header " + h.length + ": " + line);
    }
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < h.length; i++) {
      m.put(h[i], v[i]);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  static <T extends CanonicalRecord> List<T> as(Class<T> type, List<CanonicalRecord> records) {
    for (CanonicalRecord r : records) {
      if (!type.isInstance(r)) {
        throw new AssertionError("expected " + type.getSimpleName() + ", got " + r);
      }
    }
    return (List<T>) (List<?>) records;
  }
}
