package io.carbon254.ingest.core.connector;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one dataset reads upstream, as its connector requests it: for the connector catalogue
 * ({@code ingest connectors index}). The connector builds it from the same constants and URL
 * builders its fetch uses, so the catalogue names what the code does, not what a document says.
 *
 * @param summary one line naming the source's own identifier (an OASIS queryname, a Data Miner
 *     feed, an ERCOT EMIL id, a MISO report file or API path)
 * @param endpoints every endpoint the fetch may call, in the order it considers them
 */
public record SourceDescription(String summary, List<Endpoint> endpoints) {
  public SourceDescription {
    requireNonNull(summary, "summary is null");
    endpoints = List.copyOf(requireNonNull(endpoints, "endpoints is null"));
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(summary + ": a source has at least one endpoint");
    }
  }

  public SourceDescription(String summary, Endpoint... endpoints) {
    this(summary, List.of(endpoints));
  }

  /**
   * One request the fetch makes.
   *
   * @param use when the fetch calls it ({@code every window}, {@code windows older than the MIS keeps})
   * @param method {@code GET} or {@code POST}
   * @param url the request on the source's real host, without the window's own parameters;
   *     {@code {name}} marks a part of the path the window fills in
   * @param request how the window (and paging) reaches the request, how a window is split
   * @param auth the credentials it carries
   */
  public record Endpoint(String use, String method, String url, String request, Auth auth) {
    public Endpoint {
      requireNonNull(use, "use is null");
      requireNonNull(method, "method is null");
      requireNonNull(url, "url is null");
      requireNonNull(request, "request is null");
      requireNonNull(auth, "auth is null");
    }
  }

  /**
   * The credentials of a request.
   *
   * @param text what is sent, in words ({@code none}, {@code header Ocp-Apim-Subscription-Key from PJM_API_KEY})
   * @param variables the environment variables holding the secrets (never their values)
   */
  public record Auth(String text, List<String> variables) {
    public static final Auth NONE = new Auth("none", List.of());

    public Auth {
      requireNonNull(text, "text is null");
      variables = List.copyOf(requireNonNull(variables, "variables is null"));
    }

    /** A key sent as a header on every request, read from one variable. */
    public static Auth header(String header, String variable) {
      return new Auth("header " + header + " from " + variable, List.of(variable));
    }
  }
}
