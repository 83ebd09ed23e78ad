package io.carbon254.ingest.connectors.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Streamed reading of the JSON pages the ISOs' APIs answer with ({@code {"totalRows": …, "items": […]}}):
 * one item in memory at a time, and a top-level field read without building the rest. A body that is
 * not such an object fails with {@link IOException} naming what was found.
 */
public final class JsonStream {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private JsonStream() {}

  /**
   * Hands each element of the top-level array field {@code arrayField} to {@code item}, as it is read;
   * returns how many there were. A body without the field is an error; an empty array gives 0.
   */
  public static long forEachItem(InputStream in, String arrayField, Consumer<JsonNode> item) throws IOException {
    return walk(in, arrayField, p -> item.accept(MAPPER.readTree(p)));
  }

  /** How many elements the top-level array field {@code arrayField} holds, each skipped token by token (no tree built). */
  public static long countItems(InputStream in, String arrayField) throws IOException {
    return walk(in, arrayField, JsonParser::skipChildren);
  }

  @FunctionalInterface
  private interface Element {
    /** Consumes the element the parser stands on. */
    void take(JsonParser p) throws IOException;
  }

  private static long walk(InputStream in, String arrayField, Element element) throws IOException {
    try (JsonParser p = FACTORY.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object, found " + p.currentToken());
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (!name.equals(arrayField)) {
          p.skipChildren();
          continue;
        }
        if (t == JsonToken.VALUE_NULL) {
          return 0;
        }
        if (t != JsonToken.START_ARRAY) {
          throw new IOException("'" + arrayField + "' is " + t + ", not an array");
        }
        long n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          element.take(p);
          n++;
        }
        return n;
      }
      throw new IOException("no '" + arrayField + "' array in the object");
    }
  }

  /** The top-level field {@code field} of a JSON object (a scalar or an object), skipping everything else unread. */
  public static Optional<JsonNode> topLevel(byte[] body, String field) throws IOException {
    try (JsonParser p = FACTORY.createParser(new ByteArrayInputStream(body))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object, found " + p.currentToken());
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals(field)) {
          return Optional.of(MAPPER.readTree(p));
        }
        p.skipChildren();
      }
      return Optional.empty();
    }
  }

  /**
   * A number at {@code path} of a JSON object: a top-level field, or {@code a.b} inside a top-level
   * object ({@code _meta.totalPages}). Empty when absent or not a whole number.
   */
  public static Optional<Long> longAt(byte[] body, String path) throws IOException {
    int dot = path.indexOf('.');
    Optional<JsonNode> top = topLevel(body, dot < 0 ? path : path.substring(0, dot));
    if (top.isEmpty()) {
      return Optional.empty();
    }
    JsonNode n = dot < 0 ? top.get() : top.get().at("/" + path.substring(dot + 1).replace('.', '/'));
    if (n.isIntegralNumber()) {
      return Optional.of(n.asLong());
    }
    return n.isTextual() && n.asText().strip().matches("\\d{1,18}") ? Optional.of(Long.parseLong(n.asText().strip())) : Optional.empty();
  }
}
