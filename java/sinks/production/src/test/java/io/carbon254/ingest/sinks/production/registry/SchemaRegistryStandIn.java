package io.carbon254.ingest.sinks.production.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A protocol-faithful stand-in for a Confluent-compatible schema registry, for tests and local
 * runs only (no registry server can be installed on the build machines). It speaks the subset of
 * the REST API the sinks and {@code ingest schemas validate} use, with the same paths, bodies,
 * status and error codes:
 *
 * <pre>
 * POST /subjects/{s}/versions                          register (idempotent) → {"id"}; 409 incompatible, 422 invalid
 * GET  /subjects · /subjects/{s}/versions · /subjects/{s}/versions/{v|latest}
 * GET  /schemas/ids/{id}                               → {"schema"}
 * POST /compatibility/subjects/{s}/versions/{v|latest}  → {"is_compatible", "messages"} (?verbose=true)
 * GET|PUT /config · /config/{s}                        compatibility level (default BACKWARD)
 * </pre>
 *
 * Ids are global: the same schema text gets the same id in every subject. Compatibility uses Avro's
 * own {@link SchemaCompatibility}. State is kept in memory and, with {@code --data FILE}, saved
 * after every change so a restart keeps the ids. Run: {@code SchemaRegistryStandIn --port 8081}.
 */
public final class SchemaRegistryStandIn implements AutoCloseable {
  private static final String JSON_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LEVELS =
      Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");
  private static final Pattern SUBJECT_VERSIONS = Pattern.compile("^/subjects/([^/]+)/versions/?$");
  private static final Pattern SUBJECT_VERSION = Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)$");
  private static final Pattern SCHEMA_BY_ID = Pattern.compile("^/schemas/ids/(\\d+)$");
  private static final Pattern COMPATIBILITY = Pattern.compile("^/compatibility/subjects/([^/]+)/versions/([^/]+)$");
  private static final Pattern CONFIG = Pattern.compile("^/config(?:/([^/]+))?$");

  private final HttpServer server;
  private final Path data;
  private final List<String> schemas = new ArrayList<>(); // id - 1 → canonical schema text
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>(); // subject → ids by version
  private final Map<String, String> config = new LinkedHashMap<>(); // subject → level
  private String globalLevel = "BACKWARD";

  private SchemaRegistryStandIn(int port, Path data) throws IOException {
    this.data = data;
    load();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", this::handle);
  }

  /** Starts a stand-in on loopback; port 0 picks a free port. */
  public static SchemaRegistryStandIn start(int port, Path data) throws IOException {
    SchemaRegistryStandIn r = new SchemaRegistryStandIn(port, data);
    r.server.start();
    return r;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public static void main(String[] args) throws IOException {
    int port = 8081;
    Path data = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("usage: SchemaRegistryStandIn [--port N] [--data FILE]");
      }
    }
    SchemaRegistryStandIn r = start(port, data);
    System.out.println("schema registry stand-in listening on " + r.url());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ------------------------------------------------------------------------------- dispatch

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      boolean verbose = "verbose=true".equals(ex.getRequestURI().getRawQuery());
      Matcher m;
      synchronized (this) {
        if (path.equals("/subjects") || path.equals("/subjects/")) {
          ArrayNode a = JSON.createArrayNode();
          subjects.keySet().forEach(a::add);
          reply(ex, 200, a);
        } else if ((m = SUBJECT_VERSIONS.matcher(path)).matches()) {
          String s = decode(m.group(1));
          if (method.equals("POST")) {
            register(ex, s, body(ex));
          } else if (!subjects.containsKey(s)) {
            error(ex, 404, 40401, "Subject '" + s + "' not found.");
          } else {
            ArrayNode a = JSON.createArrayNode();
            for (int v = 1; v <= subjects.get(s).size(); v++) {
              a.add(v);
            }
            reply(ex, 200, a);
          }
        } else if ((m = SUBJECT_VERSION.matcher(path)).matches() && method.equals("GET")) {
          String s = decode(m.group(1));
          Integer v = version(s, m.group(2));
          if (v == null) {
            error(ex, 404, subjects.containsKey(s) ? 40402 : 40401,
                subjects.containsKey(s) ? "Version " + m.group(2) + " not found." : "Subject '" + s + "' not found.");
          } else {
            int id = subjects.get(s).get(v - 1);
            reply(ex, 200, JSON.createObjectNode().put("subject", s).put("version", v).put("id", id)
                .put("schema", schemas.get(id - 1)));
          }
        } else if ((m = SCHEMA_BY_ID.matcher(path)).matches() && method.equals("GET")) {
          int id = Integer.parseInt(m.group(1));
          if (id < 1 || id > schemas.size()) {
            error(ex, 404, 40403, "Schema " + id + " not found");
          } else {
            reply(ex, 200, JSON.createObjectNode().put("schema", schemas.get(id - 1)));
          }
        } else if ((m = COMPATIBILITY.matcher(path)).matches() && method.equals("POST")) {
          compatibility(ex, decode(m.group(1)), m.group(2), body(ex), verbose);
        } else if ((m = CONFIG.matcher(path)).matches()) {
          config(ex, m.group(1) == null ? null : decode(m.group(1)), method);
        } else {
          error(ex, 404, 404, "HTTP 404 Not Found");
        }
      }
    } catch (RuntimeException e) {
      error(ex, 500, 50001, "Error in the backend data store: " + e);
    }
  }

  private void register(HttpExchange ex, String subject, JsonNode body) throws IOException {
    Schema schema;
    try {
      schema = parse(body);
    } catch (SchemaParseException | IllegalArgumentException e) {
      error(ex, 422, 42201, "Invalid schema: " + e.getMessage());
      return;
    }
    String text = schema.toString();
    List<Integer> versions = subjects.getOrDefault(subject, List.of());
    for (int id : versions) {
      if (schemas.get(id - 1).equals(text)) {
        reply(ex, 200, JSON.createObjectNode().put("id", id));
        return;
      }
    }
    List<String> problems = problems(subject, schema, level(subject), versions.size());
    if (!problems.isEmpty()) {
      error(ex, 409, 409, "Schema being registered is incompatible with an earlier schema for subject \"" + subject
          + "\", details: " + problems);
      return;
    }
    int id = schemas.indexOf(text) + 1;
    if (id == 0) {
      schemas.add(text);
      id = schemas.size();
    }
    subjects.computeIfAbsent(subject, k -> new ArrayList<>()).add(id);
    save();
    reply(ex, 200, JSON.createObjectNode().put("id", id));
  }

  private void compatibility(HttpExchange ex, String subject, String ver, JsonNode body, boolean verbose) throws IOException {
    Integer v = version(subject, ver);
    if (v == null) {
      error(ex, 404, subjects.containsKey(subject) ? 40402 : 40401,
          subjects.containsKey(subject) ? "Version " + ver + " not found." : "Subject '" + subject + "' not found.");
      return;
    }
    Schema schema;
    try {
      schema = parse(body);
    } catch (SchemaParseException | IllegalArgumentException e) {
      error(ex, 422, 42201, "Invalid schema: " + e.getMessage());
      return;
    }
    String level = level(subject);
    List<String> problems = "latest".equals(ver) || level.endsWith("_TRANSITIVE")
        ? problems(subject, schema, level, v) : problems(subject, schema, level.replace("_TRANSITIVE", ""), v);
    ObjectNode r = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
    if (verbose) {
      ArrayNode msgs = r.putArray("messages");
      problems.forEach(msgs::add);
    }
    reply(ex, 200, r);
  }

  private void config(HttpExchange ex, String subject, String method) throws IOException {
    if (method.equals("PUT")) {
      String level = body(ex).path("compatibility").asText("");
      if (!LEVELS.contains(level)) {
        error(ex, 422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, and their transitive variants");
        return;
      }
      if (subject == null) {
        globalLevel = level;
      } else {
        config.put(subject, level);
      }
      save();
      reply(ex, 200, JSON.createObjectNode().put("compatibility", level));
    } else if (subject != null && !config.containsKey(subject)) {
      error(ex, 404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
    } else {
      reply(ex, 200, JSON.createObjectNode().put("compatibilityLevel", subject == null ? globalLevel : config.get(subject)));
    }
  }

  // ------------------------------------------------------------------------------- compatibility

  /** Problems of {@code schema} against the versions 1..{@code upTo} of the subject under {@code level}. */
  private List<String> problems(String subject, Schema schema, String level, int upTo) {
    List<String> out = new ArrayList<>();
    List<Integer> ids = subjects.getOrDefault(subject, List.of());
    if (level.equals("NONE") || ids.isEmpty() || upTo == 0) {
      return out;
    }
    int from = level.endsWith("_TRANSITIVE") ? 0 : upTo - 1;
    for (int i = from; i < upTo; i++) {
      Schema old = new Schema.Parser().parse(schemas.get(ids.get(i) - 1));
      if (level.startsWith("BACKWARD") || level.startsWith("FULL")) {
        check(schema, old, "BACKWARD", i + 1, out);
      }
      if (level.startsWith("FORWARD") || level.startsWith("FULL")) {
        check(old, schema, "FORWARD", i + 1, out);
      }
    }
    return out;
  }

  private static void check(Schema reader, Schema writer, String direction, int version, List<String> out) {
    var pair = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    for (var i : pair.getResult().getIncompatibilities()) {
      out.add("{errorType:'" + i.getType() + "', description:'" + direction + " with version " + version + ": "
          + i.getMessage() + "', additionalInfo:'" + i.getMessage() + "', location:'" + i.getLocation() + "'}");
    }
  }

  private String level(String subject) {
    return config.getOrDefault(subject, globalLevel);
  }

  private Integer version(String subject, String v) {
    List<Integer> ids = subjects.get(subject);
    if (ids == null || ids.isEmpty()) {
      return null;
    }
    if (v.equals("latest") || v.equals("-1")) {
      return ids.size();
    }
    try {
      int n = Integer.parseInt(v);
      return n >= 1 && n <= ids.size() ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Schema parse(JsonNode body) {
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new IllegalArgumentException("only AVRO schemas are supported by this stand-in, got " + type);
    }
    if (!body.hasNonNull("schema")) {
      throw new IllegalArgumentException("no 'schema' in the request body");
    }
    return new Schema.Parser().parse(body.get("schema").asText());
  }

  // ------------------------------------------------------------------------------- HTTP + state

  private static JsonNode body(HttpExchange ex) throws IOException {
    byte[] b = ex.getRequestBody().readAllBytes();
    return b.length == 0 ? JSON.createObjectNode() : JSON.readTree(b);
  }

  private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", JSON_TYPE);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static void error(HttpExchange ex, int status, int code, String message) throws IOException {
    reply(ex, status, JSON.createObjectNode().put("error_code", code).put("message", message));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private void load() throws IOException {
    if (data == null || !Files.exists(data)) {
      return;
    }
    JsonNode n = JSON.readTree(data.toFile());
    n.path("schemas").forEach(s -> schemas.add(s.asText()));
    n.path("subjects").fields().forEachRemaining(e -> {
      List<Integer> ids = new ArrayList<>();
      e.getValue().forEach(i -> ids.add(i.asInt()));
      subjects.put(e.getKey(), ids);
    });
    n.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    globalLevel = n.path("global").asText("BACKWARD");
  }

  private void save() {
    if (data == null) {
      return;
    }
    ObjectNode n = JSON.createObjectNode();
    ArrayNode s = n.putArray("schemas");
    schemas.forEach(s::add);
    ObjectNode subj = n.putObject("subjects");
    subjects.forEach((k, ids) -> {
      ArrayNode a = subj.putArray(k);
      ids.forEach(a::add);
    });
    ObjectNode c = n.putObject("config");
    config.forEach(c::put);
    n.put("global", globalLevel);
    try {
      Path tmp = data.resolveSibling(data.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), n);
      Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
