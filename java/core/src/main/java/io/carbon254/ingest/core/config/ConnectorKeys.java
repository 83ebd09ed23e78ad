package io.carbon254.ingest.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The keys of connectors/&lt;market&gt;.yaml and their types, from {@code connectors/schema/keys.yaml}
 * (bundled in the JAR; the Airflow DAG factory reads the same file). {@link #check} refuses an
 * unknown key, a missing required one and a value of the wrong type, naming the file and the key
 * (exit 2), before anything of the declaration is used.
 */
public final class ConnectorKeys {
  /** Where the key list is, in the repository under connectors/ and in the JAR. */
  public static final String RESOURCE = "connectors/schema/keys.yaml";

  /** The types a key can have (the comment of keys.yaml says what each accepts). */
  public enum Type {
    IDENT, TEXT, URL, ZONE, DURATION, DURATION0, INT0, INT1, BOOL, DATE, CADENCE, POOL, KIND, SCHEDULE, PATH, BLOCK, DATASETS;

    static Optional<Type> of(String name) {
      return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(name)).findFirst();
    }
  }

  /** One key of a section: its name, type and whether it must be there. */
  public record Key(String name, Type type, boolean required) {}

  private static final Pattern IDENT = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern CADENCE = Pattern.compile("[a-z0-9]+");
  private static final Pattern POOL = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final String DATASET_SECTION = "dataset";

  private static volatile ConnectorKeys bundled;

  private final Map<String, Map<String, Key>> sections;

  private ConnectorKeys(Map<String, Map<String, Key>> sections) {
    this.sections = sections;
  }

  /** The key list the JAR was built with. */
  public static ConnectorKeys bundled() {
    ConnectorKeys k = bundled;
    if (k == null) {
      k = parse(Yaml.load(Optional.empty(), RESOURCE), "bundled " + RESOURCE);
      bundled = k;
    }
    return k;
  }

  /** Reads a key list; a list that names an unknown type or a block with no section is refused. */
  static ConnectorKeys parse(JsonNode root, String name) {
    Map<String, Map<String, Key>> sections = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> s = it.next();
      if (!s.getValue().isObject()) {
        throw ConfigException.of(name, s.getKey(), "expected a mapping of key to type");
      }
      Map<String, Key> keys = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> kit = s.getValue().fields(); kit.hasNext(); ) {
        Map.Entry<String, JsonNode> k = kit.next();
        boolean optional = k.getKey().endsWith("?");
        String key = optional ? k.getKey().substring(0, k.getKey().length() - 1) : k.getKey();
        Type type = Type.of(k.getValue().asText()).orElseThrow(() -> ConfigException.of(name, s.getKey() + "." + k.getKey(),
            "unknown type '" + k.getValue().asText() + "' (types: " + Arrays.toString(Type.values()).toLowerCase() + ")"));
        keys.put(key, new Key(key, type, !optional));
      }
      sections.put(s.getKey(), Collections.unmodifiableMap(keys));
    }
    if (!sections.containsKey("top")) {
      throw ConfigException.of(name, "top", "required: the keys at the top of a market's file");
    }
    sections.forEach((section, keys) -> keys.values().forEach(k -> {
      String needs = k.type() == Type.BLOCK ? k.name() : k.type() == Type.DATASETS ? DATASET_SECTION : null;
      if (needs != null && !sections.containsKey(needs)) {
        throw ConfigException.of(name, section + "." + k.name(), "is a " + k.type().name().toLowerCase() + " but there is no section '" + needs + "'");
      }
    }));
    return new ConnectorKeys(Collections.unmodifiableMap(sections));
  }

  /** The sections by name ({@code top}, {@code rate_limit}, …, {@code dataset}), each its keys in file order. */
  public Map<String, Map<String, Key>> sections() {
    return sections;
  }

  /** Checks a market's declaration against the key list: every key known, the required ones there, each of its type. */
  public void check(JsonNode root, String file) {
    checkSection("top", root, "", file);
  }

  private void checkSection(String section, JsonNode node, String prefix, String file) {
    Map<String, Key> keys = sections.get(section);
    String where = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
    if (node == null || !node.isObject()) {
      throw ConfigException.of(file, where.isEmpty() ? "(top)" : where, "expected a mapping, got " + typeName(node));
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!keys.containsKey(k)) {
        throw ConfigException.of(file, prefix + k, "unknown key (allowed here: " + String.join(", ", keys.keySet()) + ")");
      }
    }
    for (Key k : keys.values()) {
      JsonNode v = node.get(k.name());
      if (v == null) {
        if (k.required()) {
          throw ConfigException.of(file, prefix + k.name(), "required key is missing");
        }
        continue;
      }
      checkValue(k, v, prefix + k.name(), file);
    }
  }

  private void checkValue(Key k, JsonNode v, String key, String file) {
    switch (k.type()) {
      case BLOCK -> checkSection(k.name(), v, key + ".", file);
      case DATASETS -> {
        if (!v.isObject() || v.isEmpty()) {
          throw ConfigException.of(file, key, "expected a non-empty mapping of dataset id to its declaration, got " + typeName(v));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> d = it.next();
          if (!IDENT.matcher(d.getKey()).matches()) {
            throw ConfigException.of(file, key, "dataset id '" + d.getKey() + "' does not match " + IDENT.pattern());
          }
          checkSection(DATASET_SECTION, d.getValue(), key + "." + d.getKey() + ".", file);
        }
      }
      case INT0, INT1 -> {
        if (!v.isIntegralNumber()) {
          throw ConfigException.of(file, key, "expected an integer, got " + typeName(v));
        }
        long min = k.type() == Type.INT0 ? 0 : 1;
        if (v.asLong() < min) {
          throw ConfigException.of(file, key, "must be >= " + min + ", got " + v.asLong());
        }
      }
      case BOOL -> {
        if (!v.isBoolean()) {
          throw ConfigException.of(file, key, "expected true or false, got " + typeName(v));
        }
      }
      default -> checkText(k.type(), text(v, key, file), key, file);
    }
  }

  private static void checkText(Type type, String s, String key, String file) {
    switch (type) {
      case IDENT -> match(IDENT, s, key, file);
      case CADENCE -> match(CADENCE, s, key, file);
      case POOL -> match(POOL, s, key, file);
      case URL -> {
        if (!s.startsWith("http://") && !s.startsWith("https://")) {
          throw ConfigException.of(file, key, "expected an http(s) URL, got '" + s + "'");
        }
      }
      case ZONE -> {
        try {
          if (!ZoneId.getAvailableZoneIds().contains(s)) {
            throw new DateTimeException("not a region id");
          }
        } catch (DateTimeException e) {
          throw ConfigException.of(file, key, "unknown IANA time zone '" + s + "'");
        }
      }
      case DURATION, DURATION0 -> duration(type, s, key, file);
      case DATE -> {
        boolean ok = DATE.matcher(s).matches();
        if (ok) {
          try {
            LocalDate.parse(s);
          } catch (DateTimeException e) {
            ok = false;
          }
        }
        if (!ok) {
          throw ConfigException.of(file, key, "expected a date YYYY-MM-DD, got '" + s + "'");
        }
      }
      case KIND -> {
        Set<String> kinds = new java.util.LinkedHashSet<>();
        for (RecordKind r : RecordKind.values()) {
          kinds.add(r.id());
        }
        if (!kinds.contains(s)) {
          throw ConfigException.of(file, key, "'" + s + "' is not one of " + String.join(", ", kinds));
        }
      }
      case PATH -> {
        if (s.startsWith("/") || s.contains("\\") || java.util.Arrays.asList(s.split("/")).contains("..") || !s.endsWith(".yaml")) {
          throw ConfigException.of(file, key, "expected a .yaml file beside the market's, relative to connectors/ (no '..'), got '" + s + "'");
        }
      }
      case SCHEDULE -> {
        if (!DURATION.matcher(s).matches() && s.trim().split("\\s+").length != 5) {
          throw ConfigException.of(file, key, "expected a 5-field cron expression or a duration, got '" + s + "'");
        }
      }
      default -> { } // TEXT: any non-empty string
    }
  }

  private static void duration(Type type, String s, String key, String file) {
    var m = DURATION.matcher(s);
    if (!m.matches()) {
      throw ConfigException.of(file, key, "expected a duration like 30s, 5m, 2h or 1d, got '" + s + "'");
    }
    if (type == Type.DURATION && Long.parseLong(m.group(1)) == 0) {
      throw ConfigException.of(file, key, "must be greater than zero");
    }
  }

  private static void match(Pattern p, String s, String key, String file) {
    if (!p.matcher(s).matches()) {
      throw ConfigException.of(file, key, "'" + s + "' does not match " + p.pattern());
    }
  }

  private static String text(JsonNode v, String key, String file) {
    if (!v.isTextual() || v.asText().isBlank()) {
      throw ConfigException.of(file, key, "expected a non-empty string, got " + typeName(v));
    }
    return v.asText();
  }

  private static String typeName(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isTextual()) {
      return v.asText().isBlank() ? "an empty string" : "a string";
    }
    if (v.isBoolean()) {
      return "a boolean";
    }
    if (v.isIntegralNumber()) {
      return "an integer";
    }
    if (v.isNumber()) {
      return "a number";
    }
    if (v.isArray()) {
      return "a list";
    }
    return v.isEmpty() ? "an empty mapping" : "a mapping";
  }

  /** Every key path of the list, for tests: {@code market}, {@code rate_limit.pool}, {@code dataset.kind}, … */
  public List<String> paths() {
    List<String> out = new ArrayList<>();
    sections.forEach((s, keys) -> keys.keySet().forEach(k -> out.add(s.equals("top") ? k : s + "." + k)));
    return out;
  }
}
