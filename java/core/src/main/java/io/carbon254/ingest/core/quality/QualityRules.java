package io.carbon254.ingest.core.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.config.ConfigException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The data-quality checks of a market's datasets: the built-in checks with their default severity
 * and thresholds, overridden by the market's rules file ({@code policies.quality} in
 * connectors/&lt;market&gt;.yaml): its {@code defaults:} apply to every dataset of the market, its
 * {@code datasets.<id>:} to one. An entry replaces the entry of the same check from the level
 * below; it is a mapping, or a list of mappings with effective dates ({@code from}, inclusive,
 * {@code until}, exclusive: local market days of the interval's start). The file is checked
 * strictly when it is read: an unknown check, key, severity or dataset, a threshold of the wrong
 * type, overlapping dates: each is a configuration error naming the file and the key (exit 2).
 */
public final class QualityRules {
  public static final String ERROR = "error";
  public static final String WARN = "warn";
  public static final String OFF = "off";
  private static final List<String> TOP = List.of("defaults", "datasets");
  private static final List<String> COMMON = List.of("severity", "from", "until");

  /** What a threshold is written as. */
  enum Type {
    NUMBER("a number"), RATIO("a number from 0 to 1"), DURATIONS("a list of durations like 5m, 1h"),
    CAPS("a mapping of cap name to price, e.g. {offer_cap: 1000}");

    final String text;

    Type(String text) {
      this.text = text;
    }
  }

  /**
   * A built-in check: its name, the kinds of record it applies to, its default severity and
   * thresholds (absent: the check runs only where a rules file declares it), what it means.
   */
  public record Check(String name, List<RecordKind> kinds, Optional<String> defaultSeverity, Map<String, Type> params,
      Map<RecordKind, Map<String, Object>> defaults, boolean structural, String meaning) {}

  private static final Map<String, Check> CHECKS = new LinkedHashMap<>();

  private static void def(String name, List<RecordKind> kinds, String severity, Map<String, Type> params,
      Map<RecordKind, Map<String, Object>> defaults, boolean structural, String meaning) {
    CHECKS.put(name, new Check(name, kinds, Optional.ofNullable(severity), params, defaults, structural, meaning));
  }

  static {
    List<RecordKind> all = List.of(RecordKind.values());
    List<RecordKind> prices = List.of(RecordKind.PRICES);
    def("row_count", all, ERROR, Map.of("min_rows", Type.NUMBER), same(all, Map.of("min_rows", 1.0)), false,
        "the interval holds at least min_rows rows");
    def("unique_natural_key", all, ERROR, Map.of(), Map.of(), false, "no natural key twice in the interval");
    def("interval_in_window", all, ERROR, Map.of(), Map.of(), true,
        "every row's interval lies inside the interval key's window (a payload about another interval is rejected)");
    def("interval_grid", all, ERROR, Map.of("durations", Type.DURATIONS), Map.of(), false,
        "interval starts on the grid of their length, one length per series (and one of durations, when given)");
    def("completeness", all, ERROR, Map.of("min_ratio", Type.RATIO), same(all, Map.of("min_ratio", 1.0)), false,
        "intervals per location and local market day (23/24/25 hours on DST days), per window for intraday runs,"
            + " at least min_ratio of those expected");
    def("price_components_sum", prices, ERROR, Map.of("tolerance", Type.NUMBER), Map.of(RecordKind.PRICES,
        Map.of("tolerance", 0.011)), false, "LMP = energy + congestion + loss (+ GHG) within tolerance");
    Map<RecordKind, Map<String, Object>> ranges = new LinkedHashMap<>();
    ranges.put(RecordKind.PRICES, Map.of("min", -5_000.0, "max", 20_000.0));
    ranges.put(RecordKind.LOAD, Map.of("min", 0.0, "max", 1_000_000.0));
    ranges.put(RecordKind.FUEL_MIX, Map.of("min", -1_000_000.0, "max", 1_000_000.0));
    def("value_range", all, ERROR, Map.of("min", Type.NUMBER, "max", Type.NUMBER), ranges, false,
        "every value within [min, max]: far outside anything a market produces, a parse or unit error");
    def("price_bounds", prices, null, Map.of("min", Type.NUMBER, "caps", Type.CAPS), Map.of(), false,
        "prices above the market's dated offer caps (or below its floor) are flagged, not dropped:"
            + " congestion legitimately takes an LMP past a cap");
    def("all_null_or_zero", all, ERROR, Map.of(), Map.of(), false, "not every value of the interval is zero or missing");
    def("location_set_shrink", all, WARN, Map.of("max_drop_ratio", Type.RATIO),
        same(all, Map.of("max_drop_ratio", 0.2)), false,
        "the locations (areas, fuels) of the interval against the previous interval in Silver: at most max_drop_ratio fewer");
    def("freshness", all, WARN, Map.of(), Map.of(), false,
        "the newest interval reaches what the dataset's publication lag promises, within its freshness");
  }

  private static Map<RecordKind, Map<String, Object>> same(List<RecordKind> kinds, Map<String, Object> params) {
    Map<RecordKind, Map<String, Object>> m = new LinkedHashMap<>();
    kinds.forEach(k -> m.put(k, params));
    return m;
  }

  /** Every built-in check, in the order they run. */
  public static Map<String, Check> checks() {
    return Collections.unmodifiableMap(CHECKS);
  }

  /**
   * One dated entry of one check of one dataset.
   *
   * @param from first local market day the entry applies to (inclusive), absent: always before
   * @param until first day it no longer applies (exclusive), absent: from then on
   * @param params the thresholds, numbers as Double, durations as a List of Duration, caps as a
   *     Map of name to Double in the file's order
   */
  public record Rule(String name, String severity, Optional<LocalDate> from, Optional<LocalDate> until,
      Map<String, Object> params) {
    public boolean appliesOn(LocalDate day) {
      return from.map(f -> !day.isBefore(f)).orElse(true) && until.map(u -> day.isBefore(u)).orElse(true);
    }

    public double number(String key) {
      return ((Number) params.get(key)).doubleValue();
    }

    public boolean has(String key) {
      return params.containsKey(key);
    }

    @SuppressWarnings("unchecked")
    public List<Duration> durations(String key) {
      return (List<Duration>) params.getOrDefault(key, List.of());
    }

    @SuppressWarnings("unchecked")
    public Map<String, Double> caps() {
      return (Map<String, Double>) params.getOrDefault("caps", Map.of());
    }

    /** One line for the catalogue and messages: {@code price_bounds (warn) from 2022-01-01: caps hcap=5000}. */
    public String describe() {
      StringBuilder sb = new StringBuilder(name).append(" (").append(severity).append(')');
      from.ifPresent(f -> sb.append(" from ").append(f));
      until.ifPresent(u -> sb.append(" until ").append(u));
      if (!params.isEmpty()) {
        sb.append(": ").append(new TreeMap<>(params).entrySet().stream()
            .map(e -> e.getKey() + " " + text(e.getValue())).collect(Collectors.joining(", ")));
      }
      return sb.toString();
    }

    private static String text(Object v) {
      return switch (v) {
        case Double d when d == Math.rint(d) && Math.abs(d) < 1e15 -> String.valueOf(d.longValue());
        case Map<?, ?> m -> m.entrySet().stream().map(e -> e.getKey() + "=" + text(e.getValue())).collect(Collectors.joining(" "));
        case List<?> l -> l.stream().map(x -> x instanceof Duration d ? Durations.format(d) : String.valueOf(x))
            .collect(Collectors.joining(" "));
        default -> String.valueOf(v);
      };
    }
  }

  private final Map<String, Map<String, List<Rule>>> byDataset;
  private final String source;

  private QualityRules(Map<String, Map<String, List<Rule>>> byDataset, String source) {
    this.byDataset = byDataset;
    this.source = source;
  }

  /** Where the rules came from, for messages: the market's rules file, or the built-in defaults. */
  public String source() {
    return source;
  }

  /** The rules of {@code spec}'s market: its {@code policies.quality} file over the built-in checks. */
  public static QualityRules load(IngestConfig config, ConnectorSpec spec) {
    Optional<String> own = spec.policies().quality();
    if (own.isEmpty()) {
      return parse(spec, null, "built-in checks");
    }
    return parse(spec, spec.policyFile(config, own.get()), spec.policyName(config, own.get()));
  }

  /** Every entry of every check of {@code dataset}, in run order (a dated check has one entry per period). */
  public List<Rule> rules(String dataset) {
    Map<String, List<Rule>> m = byDataset.get(dataset);
    if (m == null) {
      throw new IllegalArgumentException("no dataset " + dataset + " in " + source);
    }
    return m.values().stream().flatMap(List::stream).toList();
  }

  /** The entries in effect for an interval starting on local market day {@code day}, one per check, severity off left out. */
  public Map<String, Rule> inEffect(String dataset, LocalDate day) {
    Map<String, Rule> out = new LinkedHashMap<>();
    Map<String, List<Rule>> m = byDataset.get(dataset);
    if (m == null) {
      throw new IllegalArgumentException("no dataset " + dataset + " in " + source);
    }
    for (Map.Entry<String, List<Rule>> e : m.entrySet()) {
      for (Rule r : e.getValue()) {
        if (r.appliesOn(day) && !r.severity().equals(OFF)) {
          out.put(e.getKey(), r);
        }
      }
    }
    return out;
  }

  /** The built-in checks of a kind of record (no rules file): tests and markets without one. */
  public static Map<String, Rule> builtIn(RecordKind kind) {
    Map<String, Rule> out = new LinkedHashMap<>();
    for (Check c : CHECKS.values()) {
      if (c.kinds().contains(kind) && c.defaultSeverity().isPresent()) {
        out.put(c.name(), new Rule(c.name(), c.defaultSeverity().get(), Optional.empty(), Optional.empty(),
            c.defaults().getOrDefault(kind, Map.of())));
      }
    }
    return out;
  }

  static QualityRules parse(ConnectorSpec spec, JsonNode root, String file) {
    Map<String, List<Rule>> marketDefaults = new LinkedHashMap<>();
    Map<String, JsonNode> perDataset = new LinkedHashMap<>();
    if (root != null) {
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!TOP.contains(k)) {
          throw ConfigException.of(file, k, "unknown key (allowed: " + String.join(", ", TOP) + ")");
        }
      }
      JsonNode ds = root.path("datasets");
      if (!ds.isMissingNode() && !ds.isNull()) {
        if (!ds.isObject()) {
          throw ConfigException.of(file, "datasets", "expected a mapping of dataset id to its checks");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ds.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!spec.datasets().containsKey(e.getKey())) {
            throw ConfigException.of(file, "datasets." + e.getKey(), "no such dataset in " + spec.source()
                + " (declared: " + String.join(", ", spec.datasets().keySet()) + ")");
          }
          perDataset.put(e.getKey(), e.getValue());
        }
      }
    }
    Map<String, Map<String, List<Rule>>> out = new LinkedHashMap<>();
    for (ConnectorSpec.DatasetSpec d : spec.datasets().values()) {
      RecordKind kind = d.kind();
      Map<String, List<Rule>> rules = new LinkedHashMap<>();
      for (Map.Entry<String, Rule> e : builtIn(kind).entrySet()) {
        rules.put(e.getKey(), List.of(e.getValue()));
      }
      if (root != null) {
        JsonNode defaults = root.path("defaults");
        if (!defaults.isMissingNode() && !defaults.isNull()) {
          // market defaults: checks that do not apply to this dataset's kind are skipped for it
          overlay(rules, defaults, file, "defaults", kind, true);
        }
        JsonNode own = perDataset.get(d.id());
        if (own != null && !own.isNull()) {
          overlay(rules, own, file, "datasets." + d.id(), kind, false);
        }
      }
      // run order: the built-in order of the checks
      Map<String, List<Rule>> ordered = new LinkedHashMap<>();
      for (String name : CHECKS.keySet()) {
        if (rules.containsKey(name)) {
          ordered.put(name, List.copyOf(rules.get(name)));
        }
      }
      out.put(d.id(), Collections.unmodifiableMap(ordered));
    }
    return new QualityRules(Collections.unmodifiableMap(out), file);
  }

  private static void overlay(Map<String, List<Rule>> rules, JsonNode node, String file, String where, RecordKind kind,
      boolean skipOtherKinds) {
    if (!node.isObject()) {
      throw ConfigException.of(file, where, "expected a mapping of check name to its entry (checks: "
          + String.join(", ", CHECKS.keySet()) + ")");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      String at = where + "." + name;
      Check c = CHECKS.get(name);
      if (c == null) {
        throw ConfigException.of(file, at, "unknown check" + suggest(name, CHECKS.keySet()) + " (checks: "
            + String.join(", ", CHECKS.keySet()) + ")");
      }
      List<Rule> entries = entries(c, e.getValue(), file, at, kind);
      if (!c.kinds().contains(kind)) {
        if (skipOtherKinds) {
          continue;
        }
        throw ConfigException.of(file, at, "applies to " + c.kinds().stream().map(RecordKind::id).toList()
            + " datasets, not " + kind.id());
      }
      rules.put(name, entries);
    }
  }

  private static List<Rule> entries(Check c, JsonNode v, String file, String at, RecordKind kind) {
    List<Rule> out = new ArrayList<>();
    if (v.isArray()) {
      if (v.isEmpty()) {
        throw ConfigException.of(file, at, "an empty list: give one entry or more");
      }
      for (int i = 0; i < v.size(); i++) {
        out.add(entry(c, v.get(i), file, at + "[" + i + "]", kind));
      }
    } else {
      out.add(entry(c, v, file, at, kind));
    }
    for (int i = 0; i < out.size(); i++) {
      for (int j = i + 1; j < out.size(); j++) {
        if (overlap(out.get(i), out.get(j))) {
          throw ConfigException.of(file, at, "entries " + i + " and " + j + " overlap in their dates (from inclusive,"
              + " until exclusive): one entry per day");
        }
      }
    }
    return out;
  }

  private static boolean overlap(Rule a, Rule b) {
    LocalDate aFrom = a.from().orElse(LocalDate.MIN);
    LocalDate aUntil = a.until().orElse(LocalDate.MAX);
    LocalDate bFrom = b.from().orElse(LocalDate.MIN);
    LocalDate bUntil = b.until().orElse(LocalDate.MAX);
    return aFrom.isBefore(bUntil) && bFrom.isBefore(aUntil);
  }

  private static Rule entry(Check c, JsonNode n, String file, String at, RecordKind kind) {
    if (!n.isObject()) {
      throw ConfigException.of(file, at, "expected a mapping with severity (error, warn or off)"
          + (c.params().isEmpty() ? "" : " and " + String.join(", ", new java.util.TreeSet<>(c.params().keySet()))));
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!COMMON.contains(k) && !c.params().containsKey(k)) {
        List<String> allowed = new ArrayList<>(COMMON);
        allowed.addAll(new java.util.TreeSet<>(c.params().keySet()));
        throw ConfigException.of(file, at + "." + k, "unknown key of check " + c.name() + suggest(k, allowed)
            + " (allowed: " + String.join(", ", allowed) + ")");
      }
    }
    JsonNode sev = n.get("severity");
    String severity;
    if (sev == null || sev.isNull()) {
      if (c.defaultSeverity().isEmpty()) {
        throw ConfigException.of(file, at + ".severity", "required (error, warn or off): the check has no default");
      }
      severity = c.defaultSeverity().get();
    } else {
      severity = sev.asText();
      if (!List.of(ERROR, WARN, OFF).contains(severity)) {
        throw ConfigException.of(file, at + ".severity", "'" + severity + "' is not error, warn or off");
      }
    }
    if (c.structural() && !severity.equals(ERROR)) {
      throw ConfigException.of(file, at + ".severity", "'" + severity + "': " + c.name()
          + " is structural (normalize rejects such a payload), its severity is always error");
    }
    Optional<LocalDate> from = date(n, "from", file, at);
    Optional<LocalDate> until = date(n, "until", file, at);
    if (from.isPresent() && until.isPresent() && !from.get().isBefore(until.get())) {
      throw ConfigException.of(file, at + ".until", until.get() + " is not after from " + from.get());
    }
    Map<String, Object> params = new LinkedHashMap<>(c.defaults().getOrDefault(kind, Map.of()));
    for (Map.Entry<String, Type> p : c.params().entrySet()) {
      JsonNode pv = n.get(p.getKey());
      if (pv != null && !pv.isNull()) {
        params.put(p.getKey(), value(p.getValue(), pv, file, at + "." + p.getKey()));
      }
    }
    if (c.name().equals("price_bounds") && !severity.equals(OFF) && !params.containsKey("caps") && !params.containsKey("min")) {
      throw ConfigException.of(file, at, "price_bounds needs caps (and/or min)");
    }
    if (params.containsKey("min") && params.containsKey("max") && (double) params.get("min") > (double) params.get("max")) {
      throw ConfigException.of(file, at + ".min", params.get("min") + " is above max " + params.get("max"));
    }
    return new Rule(c.name(), severity, from, until, Collections.unmodifiableMap(params));
  }

  private static Object value(Type t, JsonNode v, String file, String at) {
    switch (t) {
      case NUMBER, RATIO -> {
        if (!v.isNumber()) {
          throw ConfigException.of(file, at, "'" + v.asText() + "' is not " + t.text);
        }
        double d = v.asDouble();
        if (t == Type.RATIO && (d < 0 || d > 1)) {
          throw ConfigException.of(file, at, d + " is not " + t.text);
        }
        return d;
      }
      case DURATIONS -> {
        if (!v.isArray() || v.isEmpty()) {
          throw ConfigException.of(file, at, "expected " + t.text);
        }
        List<Duration> out = new ArrayList<>();
        for (JsonNode x : v) {
          try {
            Duration d = Durations.parse(at, x.asText());
            if (d.isNegative() || d.isZero()) {
              throw new IllegalArgumentException(at + ": '" + x.asText() + "' must be positive");
            }
            out.add(d);
          } catch (IllegalArgumentException e) {
            throw ConfigException.of(file, at, e.getMessage());
          }
        }
        return List.copyOf(out);
      }
      case CAPS -> {
        if (!v.isObject() || v.isEmpty()) {
          throw ConfigException.of(file, at, "expected " + t.text);
        }
        Map<String, Double> caps = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getKey().matches("[a-z][a-z0-9_]*")) {
            throw ConfigException.of(file, at + "." + e.getKey(), "a cap name is an identifier like offer_cap");
          }
          if (!e.getValue().isNumber()) {
            throw ConfigException.of(file, at + "." + e.getKey(), "'" + e.getValue().asText() + "' is not a number");
          }
          caps.put(e.getKey(), e.getValue().asDouble());
        }
        return Collections.unmodifiableMap(caps);
      }
      default -> throw new IllegalStateException(t.name());
    }
  }

  private static Optional<LocalDate> date(JsonNode n, String key, String file, String at) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(v.asText()));
    } catch (DateTimeParseException e) {
      throw ConfigException.of(file, at + "." + key, "'" + v.asText() + "' is not a date YYYY-MM-DD");
    }
  }

  /** " (did you mean x?)" for a near miss: an edit distance of at most 2, or a shared prefix of 4. */
  static String suggest(String word, java.util.Collection<String> known) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(word, k);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    if (best != null && (bestD <= 2 || (word.length() >= 4 && best.startsWith(word.substring(0, 4))))) {
      return " (did you mean " + best + "?)";
    }
    return "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
