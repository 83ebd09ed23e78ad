package io.carbon254.ingest.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carbon254.ingest.core.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a YAML policy file from a path, or its copy bundled in the JAR under the same relative name. */
public final class Yaml {
  /** A key written twice is an error, not the last one silently (as in the Airflow side's reader). */
  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Yaml() {}

  public static JsonNode load(Optional<Path> file, String bundled) {
    if (file.isPresent()) {
      Path p = file.get();
      try (InputStream in = Files.newInputStream(p)) {
        return read(in, p.toString());
      } catch (IOException e) {
        throw new UsageException(p + ": cannot read: " + e.getMessage(), e);
      }
    }
    try (InputStream in = Yaml.class.getClassLoader().getResourceAsStream(bundled)) {
      if (in == null) {
        throw new UsageException(bundled + ": not found (set the variable that points at it)");
      }
      return read(in, "bundled " + bundled);
    } catch (IOException e) {
      throw new UsageException(bundled + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static JsonNode read(InputStream in, String name) throws IOException {
    try {
      JsonNode n = MAPPER.readTree(in);
      if (n == null || !n.isObject()) {
        throw new UsageException(name + ": expected a mapping at the top level");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new UsageException(name + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
  }

  public static String text(JsonNode n, String file, String key) {
    return text(n, file, "", key);
  }

  /** A required scalar {@code key} of node {@code n}, found at {@code prefix} in {@code file}. */
  public static String text(JsonNode n, String file, String prefix, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank()) {
      throw ConfigException.of(file, prefix + key, "required");
    }
    return v.asText();
  }

  public static Optional<String> optText(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }
}
