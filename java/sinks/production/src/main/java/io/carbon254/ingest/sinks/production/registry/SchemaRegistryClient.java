package io.carbon254.ingest.sinks.production.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (also served by Karapace and by Apicurio's
 * {@code /apis/ccompat/v7} endpoint): register a version, fetch a schema by id, the latest version
 * of a subject, test compatibility, set a subject's compatibility level, list subjects.
 *
 * <p>Ids are cached (a schema registered once per process and subject; a fetched id never changes).
 * Credentials come from the URL's user info ({@code https://key:secret@host}) and are sent as HTTP
 * basic auth; {@link #describe()} never shows them. Connection failures and 5xx answers are retried
 * with backoff, then surface as {@link UpstreamUnavailableException} (exit 3); a refused schema
 * (409 incompatible, 422 invalid) as {@link UsageException} (exit 2).
 */
public final class SchemaRegistryClient {
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The latest registered version of a subject. */
  public record Version(String subject, int version, int id, Schema schema) {}

  /** The registry's answer to a compatibility test, with its reasons when incompatible. */
  public record Compatibility(boolean compatible, List<String> messages) {}

  private final URI base;
  private final String display;
  private final Optional<String> authorization;
  private final HttpClient http;
  private final Duration timeout;
  private final int attempts;
  private final Map<String, Integer> registered = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

  public SchemaRegistryClient(String url, Duration timeout, int attempts) {
    requireNonNull(url, "url is null");
    URI u = URI.create(url.endsWith("/") ? url : url + "/");
    if (u.getScheme() == null || u.getHost() == null || !u.getScheme().startsWith("http")) {
      throw new UsageException("SCHEMA_REGISTRY_URL must be an http(s) URL, e.g. http://127.0.0.1:8081");
    }
    this.authorization =
        Optional.ofNullable(u.getRawUserInfo())
            .map(ui -> "Basic " + Base64.getEncoder().encodeToString(
                java.net.URLDecoder.decode(ui, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)));
    this.base = URI.create(u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getRawPath());
    this.display = base.toString().replaceAll("/$", "");
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.attempts = Math.max(1, attempts);
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The registry URL without credentials. */
  public String describe() {
    return display;
  }

  /** Registers the schema under the subject (or finds it already there); returns its global id. */
  public int register(String subject, Schema schema) {
    String text = schema.toString();
    return registered.computeIfAbsent(subject + "\u0000" + text, k -> {
      ObjectNode body = JSON.createObjectNode().put("schema", text);
      JsonNode r = call("POST", "subjects/" + enc(subject) + "/versions", body, "register a schema under " + subject);
      int id = r.path("id").asInt(-1);
      if (id < 0) {
        throw new UpstreamUnavailableException("schema registry at " + display + " answered without an id for " + subject);
      }
      byId.putIfAbsent(id, schema);
      return id;
    });
  }

  /** The schema of a global id (what a consumer does with the id of the wire format). */
  public Schema schemaById(int id) {
    return byId.computeIfAbsent(id, i -> {
      JsonNode r = call("GET", "schemas/ids/" + i, null, "fetch schema id " + i);
      return new Schema.Parser().parse(r.path("schema").asText());
    });
  }

  /** The latest version of a subject; empty when the subject does not exist. */
  public Optional<Version> latest(String subject) {
    JsonNode r = callOrNull("GET", "subjects/" + enc(subject) + "/versions/latest", null, "read the latest " + subject);
    if (r == null) {
      return Optional.empty();
    }
    Schema s = new Schema.Parser().parse(r.path("schema").asText());
    return Optional.of(new Version(subject, r.path("version").asInt(), r.path("id").asInt(), s));
  }

  /** Tests the schema against the latest version of the subject, under the subject's level. */
  public Compatibility testCompatibility(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    JsonNode r = callOrNull("POST", "compatibility/subjects/" + enc(subject) + "/versions/latest?verbose=true", body,
        "test compatibility with " + subject);
    if (r == null) {
      return new Compatibility(true, List.of("no version registered yet"));
    }
    List<String> messages = new ArrayList<>();
    r.path("messages").forEach(m -> messages.add(m.asText()));
    return new Compatibility(r.path("is_compatible").asBoolean(false), messages);
  }

  /** Sets the compatibility level of one subject (BACKWARD, FORWARD, FULL, …, NONE). */
  public void setCompatibility(String subject, String level) {
    call("PUT", "config/" + enc(subject), JSON.createObjectNode().put("compatibility", level),
        "set the compatibility of " + subject);
  }

  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    call("GET", "subjects", null, "list subjects").forEach(s -> out.add(s.asText()));
    return out;
  }

  private JsonNode call(String method, String path, JsonNode body, String what) {
    JsonNode r = callOrNull(method, path, body, what);
    if (r == null) {
      throw new UsageException("schema registry at " + display + ": not found while trying to " + what);
    }
    return r;
  }

  /** Null on 404 (subject or version not found). */
  private JsonNode callOrNull(String method, String path, JsonNode body, String what) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Accept", CONTENT_TYPE + ", application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (body != null) {
      b.header("Content-Type", CONTENT_TYPE);
    }
    authorization.ifPresent(a -> b.header("Authorization", a));
    HttpRequest req = b.build();
    Exception last = null;
    String lastStatus = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int sc = resp.statusCode();
        if (sc / 100 == 2) {
          return JSON.readTree(resp.body().isEmpty() ? "{}" : resp.body());
        }
        if (sc == 404) {
          return null;
        }
        String msg = message(resp.body());
        if (sc == 409 || sc == 422 || sc == 400) {
          throw new UsageException("schema registry at " + display + " refused to " + what + " (HTTP " + sc + "): " + msg);
        }
        if (sc == 401 || sc == 403) {
          throw new UsageException("schema registry at " + display + " denied access to " + what + " (HTTP " + sc
              + "): check the credentials in SCHEMA_REGISTRY_URL");
        }
        lastStatus = "HTTP " + sc + ": " + msg;
      } catch (IOException e) {
        last = e;
        lastStatus = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UpstreamUnavailableException("interrupted while trying to " + what, e);
      }
      if (attempt < attempts) {
        try {
          Thread.sleep(250L << (attempt - 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new UpstreamUnavailableException(
        "schema registry at " + display + " unavailable after " + attempts + " attempts (" + lastStatus + ") while trying to "
            + what, last);
  }

  private static String message(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n.has("message")) {
        return n.get("message").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: show the start of the body
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
