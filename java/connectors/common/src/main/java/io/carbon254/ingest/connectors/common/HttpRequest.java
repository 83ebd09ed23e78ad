package io.carbon254.ingest.connectors.common;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * One request a connector makes: GET, or POST with a body. Headers set here (an API key, a bearer
 * token) are sent but never written anywhere: what is logged and stored is the URL, redacted.
 *
 * @param body null for GET
 */
public record HttpRequest(String method, HttpUrl url, Map<String, String> headers, String contentType, byte[] body) {
  public HttpRequest {
    requireNonNull(method, "method is null");
    requireNonNull(url, "url is null");
    headers = Map.copyOf(headers);
  }

  public static HttpRequest get(HttpUrl url) {
    return new HttpRequest("GET", url, Map.of(), null, null);
  }

  public static HttpRequest post(HttpUrl url, String contentType, byte[] body) {
    return new HttpRequest("POST", url, Map.of(), requireNonNull(contentType, "contentType is null"), requireNonNull(body, "body is null"));
  }

  /** A POST of {@code application/x-www-form-urlencoded} fields, in the map's order. */
  public static HttpRequest form(HttpUrl url, Map<String, String> fields) {
    String body = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return post(url, "application/x-www-form-urlencoded", body.getBytes(StandardCharsets.UTF_8));
  }

  public HttpRequest withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(requireNonNull(name, "name is null"), requireNonNull(value, "value of " + name + " is null"));
    return new HttpRequest(method, url, h, contentType, body);
  }

  public HttpRequest withUrl(HttpUrl other) {
    return new HttpRequest(method, other, headers, contentType, body);
  }

  /** The same request with query parameter {@code name} set to {@code value} (paging). */
  public HttpRequest withQuery(String name, String value) {
    return withUrl(url.newBuilder().setQueryParameter(name, value).build());
  }
}
