package io.carbon254.ingest.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.config.ConfigException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.config.Yaml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Location types by pattern and canonical fuel names: each market's own file, named by its
 * declaration ({@code policies.normalization} of connectors/&lt;market&gt;.yaml, e.g.
 * connectors/caiso/normalization.yaml); or, when {@code NORMALIZATION_CONFIG} is set, that one file
 * for every market ({@code location_types.<market>}, {@code fuel_names.<market>}).
 */
public final class NormalizationRules {
  private record Rule(Pattern pattern, String type) {}

  private static final Set<String> TYPES = Set.of("node", "hub", "zone", "aggregate", "interface");
  private static final Set<String> TOP_KEYS = Set.of("location_types", "fuel_names");
  private static final Set<String> MARKET_KEYS = Set.of("location_types", "default_location_type", "fuel_names");
  private static final NormalizationRules NONE = new NormalizationRules(Map.of(), "node", Map.of());

  private final Map<String, List<Rule>> rules;
  private final String defaultType;
  private final Map<String, Map<String, String>> fuels;
  private final Map<String, Map<String, String>> typeMemo = new java.util.concurrent.ConcurrentHashMap<>();

  private NormalizationRules(Map<String, List<Rule>> rules, String defaultType, Map<String, Map<String, String>> fuels) {
    this.rules = rules;
    this.defaultType = defaultType;
    this.fuels = fuels;
  }

  /**
   * The rules of {@code spec}'s market: {@code NORMALIZATION_CONFIG} when set, else the file the
   * market's declaration names, else none (every location a {@code node}, fuel names as written).
   */
  public static NormalizationRules load(IngestConfig config, ConnectorSpec spec) {
    if (config.normalizationConfig().isPresent()) {
      Path f = config.normalizationConfig().get();
      return parse(Yaml.load(Optional.of(f), f.toString()), f.toString());
    }
    Optional<String> own = spec.policies().normalization();
    if (own.isEmpty()) {
      return NONE;
    }
    return parseMarket(spec.market(), spec.policyFile(config, own.get()), spec.policyName(config, own.get()));
  }

  /** One market's file: {@code location_types} (a list), {@code default_location_type}, {@code fuel_names}. */
  static NormalizationRules parseMarket(String market, JsonNode root, String file) {
    root.fieldNames().forEachRemaining(k -> {
      if (!MARKET_KEYS.contains(k)) {
        throw ConfigException.of(file, k, "unknown key (allowed: " + new java.util.TreeSet<>(MARKET_KEYS) + ")");
      }
    });
    String def = root.has("default_location_type")
        ? checkType(file, "default_location_type", root.get("default_location_type").asText()) : "node";
    return new NormalizationRules(Map.of(market, rules(root.path("location_types"), file, "location_types")), def,
        Map.of(market, fuels(root.path("fuel_names"))));
  }

  private static List<Rule> rules(JsonNode list, String file, String prefix) {
    List<Rule> out = new ArrayList<>();
    int i = 0;
    for (JsonNode r : list) {
      String where = prefix + "[" + i++ + "]";
      try {
        out.add(new Rule(Pattern.compile(Yaml.text(r, file, where + ".", "pattern")),
            checkType(file, where + ".type", Yaml.text(r, file, where + ".", "type"))));
      } catch (PatternSyntaxException ex) {
        throw ConfigException.of(file, where + ".pattern", "not a regular expression: " + ex.getDescription());
      }
    }
    return List.copyOf(out);
  }

  private static Map<String, String> fuels(JsonNode names) {
    Map<String, String> m = new HashMap<>();
    names.fields().forEachRemaining(f -> m.put(f.getKey().trim().toLowerCase(Locale.ROOT), f.getValue().asText()));
    return Map.copyOf(m);
  }

  static NormalizationRules parse(JsonNode root, String file) {
    root.fieldNames().forEachRemaining(k -> {
      if (!TOP_KEYS.contains(k)) {
        throw ConfigException.of(file, k, "unknown key (allowed: " + TOP_KEYS + ")");
      }
    });
    Map<String, List<Rule>> rules = new HashMap<>();
    String def = "node";
    JsonNode lt = root.path("location_types");
    for (Iterator<Map.Entry<String, JsonNode>> it = lt.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("default")) {
        def = checkType(file, "location_types.default", e.getValue().asText());
        continue;
      }
      rules.put(e.getKey(), rules(e.getValue(), file, "location_types." + e.getKey()));
    }
    Map<String, Map<String, String>> fuels = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("fuel_names").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      fuels.put(e.getKey(), fuels(e.getValue()));
    }
    return new NormalizationRules(Map.copyOf(rules), def, Map.copyOf(fuels));
  }

  private static String checkType(String file, String key, String t) {
    if (!TYPES.contains(t)) {
      throw ConfigException.of(file, key, "'" + t + "' is not one of " + TYPES);
    }
    return t;
  }

  /**
   * The location type of {@code locationId}: the first matching rule, else the default. The type
   * depends on the id only, so each id is matched once per process (a parser asks for every row).
   */
  public String locationType(String market, String locationId) {
    Map<String, String> known = typeMemo.computeIfAbsent(market, m -> new java.util.concurrent.ConcurrentHashMap<>());
    String t = known.get(locationId);
    return t != null ? t : known.computeIfAbsent(locationId, id -> match(market, id));
  }

  private String match(String market, String locationId) {
    for (Rule r : rules.getOrDefault(market, List.of())) {
      if (r.pattern().matcher(locationId).find()) {
        return r.type();
      }
    }
    return defaultType;
  }

  /** Canonical fuel id; unlisted names become lower_snake_case. */
  public String fuel(String market, String sourceName) {
    String key = sourceName.trim().toLowerCase(Locale.ROOT);
    String mapped = fuels.getOrDefault(market, Map.of()).get(key);
    return mapped != null ? mapped : key.replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
  }

  public boolean knownFuel(String market, String sourceName) {
    return fuels.getOrDefault(market, Map.of()).containsKey(sourceName.trim().toLowerCase(Locale.ROOT));
  }
}
