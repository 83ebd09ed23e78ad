package io.carbon254.ingest.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.config.ConfigException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.config.Yaml;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** configs/normalization_rules.yaml: location types by pattern, canonical fuel names. */
public final class NormalizationRules {
  private record Rule(Pattern pattern, String type) {}

  private static final Set<String> TYPES = Set.of("node", "hub", "zone", "aggregate", "interface");
  private static final Set<String> TOP_KEYS = Set.of("location_types", "fuel_names");

  private final Map<String, List<Rule>> rules;
  private final String defaultType;
  private final Map<String, Map<String, String>> fuels;

  private NormalizationRules(Map<String, List<Rule>> rules, String defaultType, Map<String, Map<String, String>> fuels) {
    this.rules = rules;
    this.defaultType = defaultType;
    this.fuels = fuels;
  }

  public static NormalizationRules load(IngestConfig config) {
    String file = config.normalizationConfig().map(Object::toString).orElse("configs/normalization_rules.yaml");
    return parse(Yaml.load(config.normalizationConfig(), "configs/normalization_rules.yaml"), file);
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
      List<Rule> list = new ArrayList<>();
      int i = 0;
      for (JsonNode r : e.getValue()) {
        String where = "location_types." + e.getKey() + "[" + i++ + "]";
        try {
          list.add(new Rule(Pattern.compile(Yaml.text(r, file, where + ".", "pattern")),
              checkType(file, where + ".type", Yaml.text(r, file, where + ".", "type"))));
        } catch (PatternSyntaxException ex) {
          throw ConfigException.of(file, where + ".pattern", "not a regular expression: " + ex.getDescription());
        }
      }
      rules.put(e.getKey(), List.copyOf(list));
    }
    Map<String, Map<String, String>> fuels = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("fuel_names").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Map<String, String> m = new HashMap<>();
      e.getValue().fields().forEachRemaining(f -> m.put(f.getKey().trim().toLowerCase(Locale.ROOT), f.getValue().asText()));
      fuels.put(e.getKey(), Map.copyOf(m));
    }
    return new NormalizationRules(Map.copyOf(rules), def, Map.copyOf(fuels));
  }

  private static String checkType(String file, String key, String t) {
    if (!TYPES.contains(t)) {
      throw ConfigException.of(file, key, "'" + t + "' is not one of " + TYPES);
    }
    return t;
  }

  public String locationType(String market, String locationId) {
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
