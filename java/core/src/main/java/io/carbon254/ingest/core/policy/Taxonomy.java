package io.carbon254.ingest.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.core.config.ConfigException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.config.Yaml;
import io.carbon254.ingest.core.record.Enrichment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zone, hub, region, timezone and trading-hub flag per location or area: each market's own file,
 * named by its declaration ({@code policies.taxonomy} of connectors/&lt;market&gt;.yaml, e.g.
 * connectors/caiso/taxonomy.yaml: {@code defaults}, {@code locations}, {@code prefixes}); or, when
 * {@code ENRICHMENT_CONFIG} is set, that one file for every market ({@code markets.<market>}).
 */
public final class Taxonomy {
  private static final Set<String> ENTRY_KEYS = Set.of("zone", "hub", "region", "timezone", "is_trading_hub", "prefix");

  private record Entry(String zone, String hub, String region, String timezone, Boolean tradingHub) {}

  private record Prefixed(String prefix, Entry entry) {}

  private record Market(Entry defaults, Map<String, Entry> exact, List<Prefixed> prefixes) {}

  private final Map<String, Market> markets;

  private Taxonomy(Map<String, Market> markets) {
    this.markets = markets;
  }

  /**
   * The taxonomy of {@code spec}'s market: {@code ENRICHMENT_CONFIG} when set, else the file the
   * market's declaration names, else none (rows get no zone, hub or region).
   */
  public static Taxonomy load(IngestConfig config, ConnectorSpec spec) {
    if (config.enrichmentConfig().isPresent()) {
      java.nio.file.Path f = config.enrichmentConfig().get();
      return parse(Yaml.load(java.util.Optional.of(f), f.toString()), f.toString());
    }
    java.util.Optional<String> own = spec.policies().taxonomy();
    if (own.isEmpty()) {
      return new Taxonomy(Map.of());
    }
    String file = spec.policyName(config, own.get());
    return new Taxonomy(Map.of(spec.market(), market(spec.policyFile(config, own.get()), "", file)));
  }

  static Taxonomy parse(JsonNode root, String file) {
    root.fieldNames().forEachRemaining(k -> {
      if (!k.equals("markets")) {
        throw ConfigException.of(file, k, "unknown key (allowed: [markets])");
      }
    });
    Map<String, Market> markets = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("markets").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      markets.put(m.getKey(), market(m.getValue(), "markets." + m.getKey() + ".", file));
    }
    return new Taxonomy(Map.copyOf(markets));
  }

  /** One market's taxonomy ({@code defaults}, {@code locations}, {@code prefixes}), its keys found at {@code base} in {@code file}. */
  private static Market market(JsonNode node, String base, String file) {
    node.fieldNames().forEachRemaining(k -> {
      if (!Set.of("defaults", "locations", "prefixes").contains(k)) {
        throw ConfigException.of(file, base + k, "unknown key (allowed: defaults, locations, prefixes)");
      }
    });
    Entry defaults = entry(file, base + "defaults", node.path("defaults"));
    Map<String, Entry> exact = new HashMap<>();
    node.path("locations").fields().forEachRemaining(
        e -> exact.put(e.getKey(), entry(file, base + "locations." + e.getKey(), e.getValue())));
    List<Prefixed> prefixes = new ArrayList<>();
    int i = 0;
    for (JsonNode p : node.path("prefixes")) {
      String where = base + "prefixes[" + i++ + "]";
      prefixes.add(new Prefixed(Yaml.text(p, file, where + ".", "prefix"), entry(file, where, p)));
    }
    return new Market(defaults, Map.copyOf(exact), List.copyOf(prefixes));
  }

  private static Entry entry(String file, String where, JsonNode n) {
    n.fieldNames().forEachRemaining(k -> {
      if (!ENTRY_KEYS.contains(k)) {
        throw ConfigException.of(file, where + "." + k, "unknown key (allowed: " + ENTRY_KEYS + ")");
      }
    });
    return new Entry(Yaml.optText(n, "zone").orElse(null), Yaml.optText(n, "hub").orElse(null),
        Yaml.optText(n, "region").orElse(null), Yaml.optText(n, "timezone").orElse(null),
        n.has("is_trading_hub") ? n.get("is_trading_hub").asBoolean() : null);
  }

  /** Enrichment of a location or area: exact entry, else first matching prefix, over the market defaults. */
  public Enrichment enrich(String market, String subject) {
    Market m = markets.get(market);
    if (m == null) {
      return new Enrichment(null, null, null, null, false);
    }
    Entry e = m.exact().get(subject);
    if (e == null) {
      e = m.prefixes().stream().filter(p -> subject.startsWith(p.prefix())).map(Prefixed::entry).findFirst().orElse(null);
    }
    Entry d = m.defaults();
    return new Enrichment(
        pick(e == null ? null : e.zone(), d.zone()),
        pick(e == null ? null : e.hub(), d.hub()),
        pick(e == null ? null : e.region(), d.region()),
        pick(e == null ? null : e.timezone(), d.timezone()),
        Boolean.TRUE.equals(pick(e == null ? null : e.tradingHub(), d.tradingHub())));
  }

  public boolean knows(String market, String subject) {
    Market m = markets.get(market);
    return m != null && (m.exact().containsKey(subject) || m.prefixes().stream().anyMatch(p -> subject.startsWith(p.prefix())));
  }

  private static <T> T pick(T a, T b) {
    return a != null ? a : b;
  }
}
