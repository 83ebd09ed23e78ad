package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;

/**
 * The Public API's answers, each path asked at most once a minute per process (MISO's request:
 * its values change every five minutes): an answer younger than the reuse period is handed out
 * again instead of asked for, so a backfill of today's windows costs one call per path, not one
 * per window. A Public API answer of {@code {"error": "no data"}} is not published (exit 99).
 */
final class PublicApi {
  private static final Map<String, HttpResult> RECENT = new ConcurrentHashMap<>();

  private final HttpFetcher http;
  private final String base;
  private final Duration reuse;
  private final Clock clock;

  PublicApi(HttpFetcher http, String base, Duration reuse, Clock clock) {
    this.http = http;
    this.base = base;
    this.reuse = reuse;
    this.clock = clock;
  }

  HttpUrl url(String path) {
    return HttpFetcher.rebase(HttpUrl.get(RealTimeFeed.PUBLIC_HOST + path), base);
  }

  HttpResult get(String path, String what) {
    HttpUrl url = url(path);
    String key = url.toString();
    HttpResult last = RECENT.get(key);
    if (last != null && !reuse.isZero() && Duration.between(last.receivedAt(), clock.instant()).compareTo(reuse) < 0
        && !last.receivedAt().isAfter(clock.instant())) {
      return last;
    }
    HttpResult r = http.get(url, what + " Public API " + path, MisoAnswers.PUBLIC_API);
    RECENT.put(key, r);
    return r;
  }
}
