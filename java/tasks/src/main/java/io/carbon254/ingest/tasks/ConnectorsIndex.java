package io.carbon254.ingest.tasks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.config.Yaml;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.quality.QualityRules;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.sinks.production.kafka.KafkaEventSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The connector catalogue: every market of this JAR and each of its datasets, with what it reads
 * upstream (from the connector's own {@link MarketConnector#source} description), its schedule
 * and windows (from connectors/&lt;market&gt;.yaml as written, whatever the environment overrides),
 * its natural key, tables, topics with their schema subjects and versions (events/avro), its
 * data-quality checks and the source's terms. Rendered as {@code connectors/index.json} and
 * {@code docs/connectors.md}; the rendering is deterministic (sorted, no timestamps, {@code \n}
 * line ends), so a staleness check can compare bytes.
 */
final class ConnectorsIndex {
  /** The command that writes the catalogue, named in both files and in the staleness message. */
  static final String COMMAND = "make connectors-index";

  static final String BRONZE_TABLE = "bronze_payloads";
  static final String QUALITY_TABLE = "quality_results";
  private static final String PAYLOAD_SCHEMA = "PayloadFetched";
  /** The stages whose topic prefixes name the dataset's topics: fetched payloads, normalized rows, enriched rows. */
  private static final List<Stage> PUBLISHING = List.of(Stage.FETCH, Stage.NORMALIZE, Stage.ENRICH);

  /** One market. {@code credentials}: every variable any of its datasets' endpoints needs, in first-use order. */
  record Market(String market, String displayName, String owner, Optional<String> terms, String timezone, String baseUrl,
      RateLimit rateLimit, ConnectorSpec.HttpBudget http, String declaration, List<String> credentials, List<Entry> datasets) {}

  record RateLimit(Duration minRequestSpacing, String pool, int poolSlots) {}

  /** One dataset of one market. */
  record Entry(String dataset, RecordKind kind, String description, SourceDescription source, String cadence, String schedule,
      Duration window, Duration lag, Duration freshness, Duration maxWindow, List<Topic> topics, List<Check> checks) {}

  /** One topic of the dataset's events, its schema (record name and released version) and its registry subject. */
  record Topic(String topic, String schema, String version, String subject) {}

  /**
   * One data-quality check of the load's gate: {@code description} as {@link QualityRules.Rule#describe}
   * puts it (severity, dates, thresholds), {@code meaning} what the check holds the rows to.
   */
  record Check(String name, String severity, String description, String meaning) {}

  /** The two rendered files. */
  record Rendered(String json, String markdown) {}

  private ConnectorsIndex() {}

  /**
   * The catalogue of every connector in this JAR, read from {@code config}'s connectors directory
   * and the event schemas in {@code schemas} (events/avro, with released/&lt;Name&gt;/v&lt;N&gt;.avsc).
   */
  static List<Market> build(IngestConfig config, Path schemas) {
    Path dir = config.connectorsDir().orElseThrow(() -> new UsageException(
        "no connectors directory: run from the repository root (./connectors) or set INGEST_CONNECTORS_DIR"));
    SchemaVersions versions = SchemaVersions.read(schemas);
    List<MarketConnector> connectors = new ArrayList<>();
    ServiceLoader.load(MarketConnector.class).forEach(connectors::add);
    connectors.sort(Comparator.comparing(MarketConnector::market));
    List<String> markets = connectors.stream().map(MarketConnector::market).toList();
    for (String declared : declaredMarkets(dir)) {
      if (!markets.contains(declared)) {
        throw new UsageException(dir.resolve(declared + ".yaml") + ": no connector in this JAR for market '" + declared
            + "' (connectors: " + String.join(", ", markets) + ")");
      }
    }
    List<Market> out = new ArrayList<>();
    for (MarketConnector c : connectors) {
      out.add(market(config, dir, c, versions));
    }
    return out;
  }

  private static List<String> declaredMarkets(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
    } catch (IOException e) {
      throw new UsageException(dir + ": cannot list the connectors directory: " + e.getMessage(), e);
    }
  }

  private static Market market(IngestConfig config, Path dir, MarketConnector c, SchemaVersions versions) {
    String m = c.market();
    ConnectorSpec spec = ConnectorSpec.load(config, m);
    spec.checkConnector(m, c.datasetKinds());
    // the file as written: the environment's overrides (INGEST_<MARKET>_BASE_URL, _REQUEST_SPACING) are not the declaration
    String file = spec.source();
    JsonNode root = Yaml.load(Optional.of(dir.resolve(m + ".yaml")), "connectors/" + m + ".yaml");
    JsonNode rl = root.path("rate_limit");
    RateLimit rate = new RateLimit(duration(file, "rate_limit.min_request_spacing", rl.path("min_request_spacing").asText()),
        rl.path("pool").asText(), rl.path("pool_slots").asInt());
    QualityRules quality = QualityRules.load(config, spec);
    List<Entry> datasets = new ArrayList<>();
    LinkedHashSet<String> credentials = new LinkedHashSet<>();
    for (String id : spec.datasetIds()) {
      ConnectorSpec.DatasetSpec d = spec.dataset(id);
      JsonNode raw = root.path("datasets").path(id);
      String where = "datasets." + id;
      SourceDescription source = c.source(id).orElseThrow(() -> new IllegalStateException(
          "the " + m + " connector does not describe its dataset " + id + " (MarketConnector.source): the catalogue needs it"));
      source.endpoints().forEach(e -> credentials.addAll(e.auth().variables()));
      datasets.add(new Entry(id, d.kind(), d.description(), source, d.cadence(), raw.path("schedule").asText(), d.window(),
          duration(file, where + ".lag", raw.path("lag").asText()), duration(file, where + ".freshness", raw.path("freshness").asText()),
          d.maxWindow(), topics(m, id, d.kind(), versions), checks(quality, id)));
    }
    return new Market(m, spec.displayName(), root.path("owner").asText(), Yaml.optText(root, "terms"), spec.timezone().getId(),
        root.path("base_url").asText(), rate, spec.http(), "connectors/" + m + ".yaml", List.copyOf(credentials), datasets);
  }

  /**
   * The data-quality checks of one dataset, in the order the load's gate runs them: every entry of
   * {@link QualityRules} (the built-in checks, over the market's {@code policies.quality} file), a
   * dated check once per period. The one place checks enter the catalogue.
   */
  static List<Check> checks(QualityRules quality, String dataset) {
    return quality.rules(dataset).stream().map(r -> new Check(r.name(), r.severity(), r.describe(),
        Optional.ofNullable(QualityRules.checks().get(r.name())).map(QualityRules.Check::meaning).orElse(""))).toList();
  }

  private static List<Topic> topics(String market, String dataset, RecordKind kind, SchemaVersions versions) {
    List<Topic> out = new ArrayList<>();
    for (Stage s : PUBLISHING) {
      String topic = s.topicPrefix() + "." + market + "." + dataset;
      String schema = s == Stage.FETCH ? PAYLOAD_SCHEMA : kind.avroName();
      out.add(new Topic(topic, schema, versions.of(schema), KafkaEventSink.subject(topic)));
    }
    return out;
  }

  private static Duration duration(String file, String key, String text) {
    try {
      return Durations.parse(key, text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The released version of each event schema: {@code v<N>} when events/avro/&lt;Name&gt;.avsc is
   * the same schema as events/avro/released/&lt;Name&gt;/v&lt;N&gt;.avsc (the latest such N), else
   * {@code v<N+1> (unreleased)}: the version the next release will carry.
   */
  record SchemaVersions(Map<String, String> versions) {
    static SchemaVersions read(Path schemas) {
      if (!Files.isDirectory(schemas)) {
        throw new UsageException(schemas + ": no event schema directory (events/avro): run from the repository root or pass --schemas");
      }
      ObjectMapper json = new ObjectMapper();
      Map<String, String> out = new TreeMap<>();
      try (Stream<Path> files = Files.list(schemas)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".avsc")).sorted().toList()) {
          String name = f.getFileName().toString().replace(".avsc", "");
          JsonNode current = json.readTree(f.toFile());
          int latest = 0;
          int same = 0;
          Path released = schemas.resolve("released").resolve(name);
          if (Files.isDirectory(released)) {
            try (Stream<Path> vs = Files.list(released)) {
              for (Path v : vs.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc")).toList()) {
                int n = Integer.parseInt(v.getFileName().toString().replaceAll("\\D", ""));
                latest = Math.max(latest, n);
                if (json.readTree(v.toFile()).equals(current)) {
                  same = Math.max(same, n);
                }
              }
            }
          }
          out.put(name, same > 0 && same == latest ? "v" + same : "v" + (latest + 1) + " (unreleased)");
        }
      } catch (IOException e) {
        throw new UsageException(schemas + ": cannot read the event schemas: " + e.getMessage(), e);
      }
      return new SchemaVersions(out);
    }

    String of(String schema) {
      String v = versions.get(schema);
      if (v == null) {
        throw new UsageException("no event schema " + schema + ".avsc in the schema directory (schemas: " + versions.keySet() + ")");
      }
      return v;
    }
  }

  // ---- rendering ------------------------------------------------------------------------------

  static Rendered render(List<Market> markets) {
    return new Rendered(json(markets), markdown(markets));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static String json(List<Market> markets) {
    ObjectNode root = JSON.createObjectNode();
    root.put("generated_by", "ingest connectors index (" + COMMAND + ") from connectors/*.yaml, the connectors' code, events/avro and"
        + " the quality rules; do not edit");
    ArrayNode ms = root.putArray("markets");
    for (Market m : markets) {
      ObjectNode n = ms.addObject();
      n.put("market", m.market());
      n.put("display_name", m.displayName());
      n.put("owner", m.owner());
      if (m.terms().isPresent()) {
        n.put("terms", m.terms().get());
      } else {
        n.putNull("terms");
      }
      n.put("timezone", m.timezone());
      n.put("base_url", m.baseUrl());
      n.put("declaration", m.declaration());
      ObjectNode rl = n.putObject("rate_limit");
      rl.put("min_request_spacing", fmt(m.rateLimit().minRequestSpacing()));
      rl.put("pool", m.rateLimit().pool());
      rl.put("pool_slots", m.rateLimit().poolSlots());
      ObjectNode http = n.putObject("http");
      http.put("connect_timeout", fmt(m.http().connectTimeout()));
      http.put("attempt_timeout", fmt(m.http().attemptTimeout()));
      http.put("part_timeout", fmt(m.http().partTimeout()));
      strings(n.putArray("credentials"), m.credentials());
      ArrayNode ds = n.putArray("datasets");
      for (Entry e : m.datasets()) {
        ObjectNode d = ds.addObject();
        d.put("dataset", e.dataset());
        d.put("kind", e.kind().id());
        d.put("description", e.description());
        ObjectNode src = d.putObject("source");
        src.put("summary", e.source().summary());
        ArrayNode eps = src.putArray("endpoints");
        for (SourceDescription.Endpoint ep : e.source().endpoints()) {
          ObjectNode p = eps.addObject();
          p.put("use", ep.use());
          p.put("method", ep.method());
          p.put("url", ep.url());
          p.put("request", ep.request());
          p.put("auth", ep.auth().text());
          strings(p.putArray("credentials"), ep.auth().variables());
        }
        d.put("cadence", e.cadence());
        d.put("schedule", e.schedule());
        d.put("window", fmt(e.window()));
        d.put("lag", fmt(e.lag()));
        d.put("freshness", fmt(e.freshness()));
        d.put("max_window", fmt(e.maxWindow()));
        strings(d.putArray("natural_key"), e.kind().naturalKey());
        ObjectNode t = d.putObject("tables");
        t.put("bronze", BRONZE_TABLE);
        t.put("staging", e.kind().stagingTable());
        t.put("silver", e.kind().silverTable());
        t.put("quality", QUALITY_TABLE);
        ArrayNode tops = d.putArray("topics");
        for (Topic tp : e.topics()) {
          ObjectNode o = tops.addObject();
          o.put("topic", tp.topic());
          o.put("schema", tp.schema());
          o.put("schema_version", tp.version());
          o.put("subject", tp.subject());
        }
        ArrayNode cs = d.putArray("checks");
        for (Check c : e.checks()) {
          ObjectNode o = cs.addObject();
          o.put("name", c.name());
          o.put("severity", c.severity());
          o.put("description", c.description());
          o.put("meaning", c.meaning());
        }
      }
    }
    DefaultIndenter indent = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("").withArrayEmptySeparator(""));
    pp.indentArraysWith(indent);
    pp.indentObjectsWith(indent);
    try {
      return JSON.writer(pp).writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("the catalogue does not serialize: " + e.getMessage(), e);
    }
  }

  /** A duration as the market files write it ({@code 0s}, not {@code 0ms}). */
  static String fmt(Duration d) {
    return d.isZero() ? "0s" : Durations.format(d);
  }

  private static void strings(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }

  static String markdown(List<Market> markets) {
    StringBuilder md = new StringBuilder();
    md.append("# Connector catalogue\n\n");
    md.append("Generated by `ingest connectors index` (`").append(COMMAND).append("`) from `connectors/<market>.yaml`, the connectors' ")
        .append("own description of what they request, `events/avro` and the data-quality rules; do not edit it by hand. ")
        .append("The same catalogue for programs: [`connectors/index.json`](../connectors/index.json). `make test` fails while ")
        .append("either file is older than what the command writes (`ingest connectors index --check`).\n\n");
    md.append("Every dataset lands its payloads in `").append(BRONZE_TABLE).append("`, stages its rows in `stg_<kind>`, loads them ")
        .append("into `silver_<kind>` (the latest version per natural key) and records its checks in `").append(QUALITY_TABLE)
        .append("`. Its events go to `ingestion.<market>.<dataset>` (payloads), `normalized.…` and `enriched.…` (rows); each topic's schema ")
        .append("registry subject is `").append(KafkaEventSink.subject("<topic>")).append("`. Schedules are cron in the market's ")
        .append("timezone; durations as in the market files.\n\n");
    md.append("## Markets\n\n");
    md.append("| market | name | owner | timezone | base URL | credentials | rate limit | datasets | terms |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Market m : markets) {
      md.append(row("[" + m.market() + "](#" + m.market() + ")", m.displayName(), m.owner(), m.timezone(), m.baseUrl(),
          m.credentials().isEmpty() ? "none" : code(String.join(", ", m.credentials())), rate(m.rateLimit()),
          String.valueOf(m.datasets().size()), m.terms().orElse("not stated")));
    }
    for (Market m : markets) {
      md.append("\n## ").append(m.market()).append("\n\n");
      md.append("**").append(esc(m.displayName())).append("**, declared in [`").append(m.declaration()).append("`](../")
          .append(m.declaration()).append("). Owner `").append(m.owner()).append("`, timezone `").append(m.timezone())
          .append("`, base URL ").append(m.baseUrl()).append(".\n\n");
      md.append("- Rate limit: ").append(rate(m.rateLimit())).append(".\n");
      md.append("- HTTP budgets: connect ").append(fmt(m.http().connectTimeout())).append(", attempt ")
          .append(fmt(m.http().attemptTimeout())).append(", part ").append(fmt(m.http().partTimeout()))
          .append(".\n");
      md.append("- Credentials: ").append(m.credentials().isEmpty() ? "none" : code(String.join(", ", m.credentials())))
          .append(" (environment or Kubernetes secrets; which endpoint needs which: below).\n");
      md.append("- Terms: ").append(esc(m.terms().orElse("not stated"))).append("\n\n");
      md.append("| dataset | kind | source | cadence | schedule | window | lag | freshness | max window | natural key |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (Entry e : m.datasets()) {
        md.append(row(code(e.dataset()), e.kind().id(), e.source().summary(), e.cadence(), code(e.schedule()),
            fmt(e.window()), fmt(e.lag()), fmt(e.freshness()), fmt(e.maxWindow()),
            String.join(", ", e.kind().naturalKey())));
      }
      md.append("\n| dataset | staging | Silver | topics (schema, version) |\n|---|---|---|---|\n");
      for (Entry e : m.datasets()) {
        List<String> tops = e.topics().stream().map(t -> code(t.topic()) + " (" + t.schema() + " " + t.version() + ")").toList();
        md.append(row(code(e.dataset()), e.kind().stagingTable(), e.kind().silverTable(), String.join("<br>", tops)));
      }
      for (Entry e : m.datasets()) {
        md.append("\n### ").append(m.market()).append('/').append(e.dataset()).append("\n\n");
        md.append(esc(e.description())).append("\n\n");
        md.append("Source: ").append(esc(e.source().summary())).append(".\n\n");
        for (SourceDescription.Endpoint ep : e.source().endpoints()) {
          md.append("- ").append(esc(ep.use())).append(": `").append(ep.method()).append(' ').append(ep.url()).append("`; ")
              .append(esc(ep.request())).append("; auth: ").append(esc(ep.auth().text())).append('\n');
        }
        md.append("\nChecks (load's gate; `error` blocks the Silver load, `warn` is recorded):\n\n");
        if (e.checks().isEmpty()) {
          md.append("- none\n");
        }
        for (Check c : e.checks()) {
          md.append("- ").append(esc(c.description())).append(c.meaning().isEmpty() ? "" : " — " + esc(c.meaning())).append('\n');
        }
      }
    }
    return md.toString();
  }

  private static String rate(RateLimit r) {
    return fmt(r.minRequestSpacing()) + " between requests, pool `" + r.pool() + "` (" + r.poolSlots()
        + (r.poolSlots() == 1 ? " slot)" : " slots)");
  }

  private static String row(String... cells) {
    StringBuilder sb = new StringBuilder("|");
    for (String c : cells) {
      sb.append(' ').append(c.startsWith("`") || c.startsWith("[") ? c : esc(c)).append(" |");
    }
    return sb.append('\n').toString();
  }

  private static String code(String s) {
    return "`" + s.replace("|", "\\|") + "`";
  }

  /** Text in a Markdown cell or line: pipes and angle brackets escaped (no HTML), no line breaks. */
  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
        .replace("\r", " ").replace("\n", " ");
  }

  // ---- files ----------------------------------------------------------------------------------

  /** A file of the catalogue and what it should hold. */
  record Target(Path path, String content) {
    Target {
      requireNonNull(path, "path is null");
      requireNonNull(content, "content is null");
    }
  }

  /** The targets that differ from what is on disk (a missing file differs), each with its first differing line. */
  static Map<Target, String> stale(List<Target> targets) {
    Map<Target, String> out = new LinkedHashMap<>();
    for (Target t : targets) {
      if (!Files.isRegularFile(t.path())) {
        out.put(t, "missing");
        continue;
      }
      String current;
      try {
        current = Files.readString(t.path());
      } catch (IOException e) {
        throw new UsageException(t.path() + ": cannot read: " + e.getMessage(), e);
      }
      if (!current.equals(t.content())) {
        out.put(t, firstDifference(current, t.content()));
      }
    }
    return out;
  }

  static String firstDifference(String committed, String generated) {
    String[] a = committed.split("\n", -1);
    String[] b = generated.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "(end of file)";
      String y = i < b.length ? b[i] : "(end of file)";
      if (!x.equals(y)) {
        int at = 0;
        while (at < Math.min(x.length(), y.length()) && x.charAt(at) == y.charAt(at)) {
          at++;
        }
        return "line " + (i + 1) + " is " + clip(x, at) + ", would be " + clip(y, at);
      }
    }
    return "line ends differ";
  }

  /** A line around column {@code at} (where it first differs), stripped, at most about 100 characters. */
  private static String clip(String s, int at) {
    int from = Math.max(0, at - 40);
    int to = Math.min(s.length(), from + 100);
    String t = s.substring(from, to);
    return "'" + (from > 0 ? "…" : "") + (from > 0 ? t : t.stripLeading()) + (to < s.length() ? "…" : "") + "'";
  }

  /** Writes each target through a temporary file beside it, moved into place. */
  static void write(Target t) {
    try {
      Path parent = t.path().toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, "." + t.path().getFileName(), ".tmp");
      try {
        Files.writeString(tmp, t.content());
        Files.move(tmp, t.path(), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UsageException(t.path() + ": cannot write: " + e.getMessage(), e);
    }
  }
}
