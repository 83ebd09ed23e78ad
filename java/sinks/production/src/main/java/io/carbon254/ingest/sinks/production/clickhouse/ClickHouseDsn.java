package io.carbon254.ingest.sinks.production.clickhouse;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code CLICKHOUSE_DSN}: {@code clickhouse://[user[:password]@]host[:port][/database][?secure=true]}
 * or {@code http(s)://…} with the same parts. The HTTP interface is used (port 8123, 8443 with TLS);
 * the database defaults to {@code ingest}. {@code CLICKHOUSE_USER} / {@code CLICKHOUSE_PASSWORD}
 * override the credentials of the DSN (Kubernetes secrets). {@link #toString()} never shows them.
 */
public record ClickHouseDsn(String host, int port, boolean secure, String database, String user, String password) {

  public ClickHouseDsn {
    requireNonNull(host, "host is null");
    requireNonNull(database, "database is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    Sql.identifier(database);
  }

  public static ClickHouseDsn parse(String dsn, Optional<String> user, Optional<String> password) {
    URI uri;
    try {
      uri = new URI(dsn.trim());
    } catch (URISyntaxException e) {
      throw new UsageException("CLICKHOUSE_DSN is not a URI (expected clickhouse://host:8123/database)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Map<String, String> params = query(uri.getRawQuery());
    boolean secure =
        switch (scheme) {
          case "clickhouse", "http" -> "true".equalsIgnoreCase(params.getOrDefault("secure", "false"));
          case "clickhouses", "https" -> true;
          default ->
              throw new UsageException(
                  "CLICKHOUSE_DSN scheme '" + scheme + "' is not supported (clickhouse://, http://, https://)");
        };
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new UsageException("CLICKHOUSE_DSN has no host (expected clickhouse://host:8123/database)");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 8443 : 8123;
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
    String database = path.isEmpty() ? "ingest" : path;
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new UsageException("CLICKHOUSE_DSN database '" + database + "' is not a plain identifier");
    }
    String dsnUser = "default";
    String dsnPassword = "";
    if (uri.getRawUserInfo() != null) {
      String[] up = uri.getRawUserInfo().split(":", 2);
      dsnUser = decode(up[0]);
      dsnPassword = up.length > 1 ? decode(up[1]) : "";
    }
    return new ClickHouseDsn(
        uri.getHost(), port, secure, database, user.orElse(dsnUser), password.orElse(dsnPassword));
  }

  /** {@code host:port}, for messages. */
  public String server() {
    return host + ":" + port;
  }

  public String endpoint() {
    return (secure ? "https://" : "http://") + host + ":" + port;
  }

  @Override
  public String toString() {
    return "clickhouse://" + server() + "/" + database;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null || raw.isBlank()) {
      return m;
    }
    for (String kv : raw.split("&")) {
      String[] p = kv.split("=", 2);
      m.put(decode(p[0]), p.length > 1 ? decode(p[1]) : "");
    }
    return m;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
