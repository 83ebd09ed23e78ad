package io.carbon254.ingest.connectors.common;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * A response body with what Bronze keeps about it.
 *
 * @param url the request URL without secrets
 * @param headers the response headers a connector may read (paging totals, cursors), names in lower case
 */
public record HttpResult(String url, int status, String contentType, byte[] body, Instant receivedAt, int attempts,
    Map<String, String> headers) {

  public HttpResult {
    headers = Map.copyOf(headers);
  }

  public HttpResult(String url, int status, String contentType, byte[] body, Instant receivedAt, int attempts) {
    this(url, status, contentType, body, receivedAt, attempts, Map.of());
  }

  /** A response header by name, whatever its case; null when absent. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }
}
