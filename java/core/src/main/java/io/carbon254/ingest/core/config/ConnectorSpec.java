package io.carbon254.ingest.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.IntervalGrid;
import io.carbon254.ingest.core.IntervalKey;
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
 * The parts of connectors/&lt;market&gt;.yaml the task JAR uses. The whole file is checked first
 * against the key list both readers share ({@link ConnectorKeys}: every key known, each of its
 * type), then the values the JAR uses are read; {@link #checkConnector} holds the declaration
 * against the connector that implements it.
 *
 * @param http the optional {@code http:} block: time budgets of the market's upstream requests
 * @param policies the market's own policy files ({@code policies:}), relative to the connectors directory
 * @param source the file the declaration was read from, for messages
 */
public record ConnectorSpec(
    String market,
    String displayName,
    ZoneId timezone,
    String baseUrl,
    Duration minRequestSpacing,
    HttpBudget http,
    Map<String, DatasetSpec> datasets,
    Policies policies,
    String source) {

  /** The optional {@code policies:} block: files beside the market's, read by normalize and enrich. */
  public record Policies(Optional<String> normalization, Optional<String> taxonomy, Optional<String> quality) {
    public static final Policies NONE = new Policies(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** A policy file of this market as a YAML tree: under the connectors directory, else the copy bundled in the JAR. */
  public JsonNode policyFile(IngestConfig config, String relative) {
    return Yaml.load(config.connectorsDir().map(d -> d.resolve(relative)), "connectors/" + relative);
  }

  /** The name of a policy file in messages. */
  public String policyName(IngestConfig config, String relative) {
    return config.connectorsDir().map(d -> d.resolve(relative).toString()).orElse("connectors/" + relative);
  }

  /**
   * @param grid the instants intervals start and end on (from {@code cadence})
   * @param maxWindow the longest interval one task run may take ({@code max_window}; default 1d
   *     for intraday cadences, 31d for daily)
   * @param lag how long after an interval ends the source publishes it ({@code lag})
   * @param freshness how old the newest interval in Silver may be before it is late ({@code freshness})
   */
  public record DatasetSpec(String id, RecordKind kind, String description, String cadence, Duration window,
      IntervalGrid grid, Duration maxWindow, Duration lag, Duration freshness) {}

  /**
   * The {@code http:} block, every key optional.
   *
   * @param connectTimeout {@code connect_timeout}: TCP (and TLS) connect
   * @param attemptTimeout {@code attempt_timeout}: one attempt, from connect to the last body byte
   * @param partTimeout {@code part_timeout}: every attempt of one request part, backoffs and spacing included
   */
  public record HttpBudget(Duration connectTimeout, Duration attemptTimeout, Duration partTimeout) {
    public static final List<String> KEYS = List.of("connect_timeout", "attempt_timeout", "part_timeout");

    /** A hung part fails within about two minutes. */
    public static HttpBudget defaults() {
      return new HttpBudget(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2));
    }
  }

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
    ConnectorKeys.bundled().check(root, file);
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
      String cadence = Yaml.text(d, file, where + ".", "cadence");
      IntervalGrid grid;
      try {
        grid = IntervalGrid.of(cadence, tz);
      } catch (IllegalArgumentException ex) {
        throw ConfigException.of(file, where + ".cadence", ex.getMessage());
      }
      Duration window = duration(file, where + ".window", Yaml.text(d, file, where + ".", "window"));
      Duration maxWindow = grid.defaultMaxWindow();
      Optional<String> mw = Yaml.optText(d, "max_window");
      if (mw.isPresent()) {
        maxWindow = duration(file, where + ".max_window", mw.get());
        if (maxWindow.compareTo(grid.step()) < 0 || maxWindow.compareTo(window) < 0) {
          throw ConfigException.of(file, where + ".max_window", "'" + mw.get() + "' is shorter than one interval of the "
              + grid.describe() + " or the dataset's window " + Durations.format(window));
        }
        if (grid.daily() && maxWindow.toMillis() % Duration.ofDays(1).toMillis() != 0) {
          throw ConfigException.of(file, where + ".max_window", "'" + mw.get() + "' is not a whole number of days (cadence daily)");
        }
      }
      Duration lag = duration(file, where + ".lag", Yaml.text(d, file, where + ".", "lag"));
      Duration freshness = duration(file, where + ".freshness", Yaml.text(d, file, where + ".", "freshness"));
      datasets.put(id, new DatasetSpec(id, kind, Yaml.optText(d, "description").orElse(""), cadence, window, grid, maxWindow,
          lag, freshness));
    }
    return new ConnectorSpec(market, Yaml.optText(root, "display_name").orElse(market), tz, baseUrl, spacing,
        http(root, file), java.util.Collections.unmodifiableMap(datasets), policies(root), file);
  }

  private static Policies policies(JsonNode root) {
    JsonNode p = root.get("policies");
    if (p == null || p.isNull()) {
      return Policies.NONE;
    }
    return new Policies(Yaml.optText(p, "normalization"), Yaml.optText(p, "taxonomy"), Yaml.optText(p, "quality"));
  }

  /** The optional {@code http:} block; unknown keys are refused (a misspelt budget would silently be the default). */
  static HttpBudget http(JsonNode root, String file) {
    HttpBudget d = HttpBudget.defaults();
    JsonNode h = root.get("http");
    if (h == null || h.isNull()) {
      return d;
    }
    if (!h.isObject()) {
      throw ConfigException.of(file, "http", "expected a mapping of " + String.join(", ", HttpBudget.KEYS));
    }
    for (Iterator<String> it = h.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!HttpBudget.KEYS.contains(k)) {
        throw ConfigException.of(file, "http." + k, "unknown key (known: " + String.join(", ", HttpBudget.KEYS) + ")");
      }
    }
    Duration connect = optDuration(h, file, "connect_timeout").orElse(d.connectTimeout());
    Duration attempt = optDuration(h, file, "attempt_timeout").orElse(d.attemptTimeout());
    Duration part = optDuration(h, file, "part_timeout").orElse(d.partTimeout());
    if (connect.compareTo(attempt) > 0) {
      throw ConfigException.of(file, "http.connect_timeout", Durations.format(connect) + " is longer than attempt_timeout "
          + Durations.format(attempt) + " (an attempt includes its connect)");
    }
    if (attempt.compareTo(part) > 0) {
      throw ConfigException.of(file, "http.attempt_timeout", Durations.format(attempt) + " is longer than part_timeout "
          + Durations.format(part) + " (a part includes all its attempts)");
    }
    return new HttpBudget(connect, attempt, part);
  }

  private static Optional<Duration> optDuration(JsonNode n, String file, String key) {
    Optional<String> v = Yaml.optText(n, key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    Duration d = duration(file, "http." + key, v.get());
    if (d.isNegative() || d.isZero()) {
      throw ConfigException.of(file, "http." + key, "'" + v.get() + "' must be positive");
    }
    return Optional.of(d);
  }

  /**
   * Accepts the interval of a task run when it lies on the dataset's grid and is no longer than its
   * maximum window; otherwise a usage error (exit 2) naming the nearest valid interval.
   */
  public void checkInterval(IntervalKey key) {
    DatasetSpec d = dataset(key.dataset());
    d.grid().check(market + "/" + d.id(), key.window(), d.maxWindow());
  }

  /**
   * The declaration against the connector that implements the market: every declared dataset is
   * one the connector has, with the kind of record the connector produces for it. A disagreement
   * is a configuration error naming the file and the key (exit 2), before any request is made.
   */
  public void checkConnector(String connectorMarket, Map<String, RecordKind> implemented) {
    for (DatasetSpec d : datasets.values()) {
      RecordKind k = implemented.get(d.id());
      if (k == null) {
        throw ConfigException.of(source, "datasets." + d.id(), "the " + connectorMarket + " connector has no dataset '" + d.id()
            + "' (it has: " + String.join(", ", implemented.keySet()) + ")");
      }
      if (k != d.kind()) {
        throw ConfigException.of(source, "datasets." + d.id() + ".kind", "'" + d.kind().id() + "', but the " + connectorMarket
            + " connector's dataset " + d.id() + " produces " + k.id() + " records");
      }
    }
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
