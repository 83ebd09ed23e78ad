package io.carbon254.ingest.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.record.RecordKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of connectors/&lt;market&gt;.yaml the task JAR uses. The Airflow DAG factory reads the
 * same file for schedules and validates every key; here only what the JAR needs is checked.
 */
public record ConnectorSpec(
    String market,
    String displayName,
    ZoneId timezone,
    String baseUrl,
    Duration minRequestSpacing,
    Map<String, DatasetSpec> datasets) {

  public record DatasetSpec(String id, RecordKind kind, String description, String cadence, Duration window) {}

  public DatasetSpec dataset(String id) {
    DatasetSpec d = datasets.get(id);
    if (d == null) {
      throw new UsageException(
          "dataset '" + id + "' is not declared for market " + market + " (declared: " + String.join(", ", datasets.keySet()) + ")");
    }
    return d;
  }

  public static ConnectorSpec load(IngestConfig config, String market) {
    Optional<Path> file = config.connectorsDir().map(d -> d.resolve(market + ".yaml"));
    if (file.isPresent() && !file.get().toFile().isFile()) {
      throw new UsageException("unknown market '" + market + "': " + file.get() + " does not exist");
    }
    String name = file.map(Path::toString).orElse("connectors/" + market + ".yaml");
    JsonNode root = Yaml.load(file, "connectors/" + market + ".yaml");
    return parse(root, name, config, market);
  }

  static ConnectorSpec parse(JsonNode root, String file, IngestConfig config, String market) {
    String declared = Yaml.text(root, file, "market");
    if (!declared.equals(market)) {
      throw ConfigException.of(file, "market", "'" + declared + "' does not match the file name " + market);
    }
    ZoneId tz;
    try {
      tz = ZoneId.of(Yaml.text(root, file, "timezone"));
    } catch (java.time.DateTimeException e) {
      throw ConfigException.of(file, "timezone", e.getMessage());
    }
    String baseUrl = config.baseUrlOverride(market).orElse(Yaml.text(root, file, "base_url"));
    JsonNode rl = root.path("rate_limit");
    Duration spacing = config.requestSpacingOverride(market).orElseGet(
        () -> duration(file, "rate_limit.min_request_spacing", Yaml.text(rl, file, "rate_limit.", "min_request_spacing")));
    JsonNode ds = root.get("datasets");
    if (ds == null || !ds.isObject() || ds.isEmpty()) {
      throw ConfigException.of(file, "datasets", "required: a mapping of dataset id to its declaration");
    }
    Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = ds.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String id = e.getKey();
      JsonNode d = e.getValue();
      String where = "datasets." + id;
      RecordKind kind;
      try {
        kind = RecordKind.fromId(Yaml.text(d, file, where + ".", "kind"));
      } catch (IllegalArgumentException ex) {
        throw ConfigException.of(file, where + ".kind", ex.getMessage());
      }
      datasets.put(id, new DatasetSpec(id, kind, Yaml.optText(d, "description").orElse(""),
          Yaml.text(d, file, where + ".", "cadence"),
          duration(file, where + ".window", Yaml.text(d, file, where + ".", "window"))));
    }
    return new ConnectorSpec(market, Yaml.optText(root, "display_name").orElse(market), tz, baseUrl, spacing,
        Map.copyOf(datasets));
  }

  public List<String> datasetIds() {
    return datasets.keySet().stream().sorted().toList();
  }

  private static Duration duration(String file, String key, String text) {
    try {
      return Durations.parse(key, text);
    } catch (IllegalArgumentException e) {
      throw ConfigException.of(file, key, e.getMessage());
    }
  }
}
