package io.carbon254.ingest.connectors.miso;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.connectors.common.JsonStream;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * What MISO's answers mean beyond their status. A 403 has two causes, neither of them the
 * credentials: the Data Exchange's daily quota ({@code "Out of call volume quota. Quota will be
 * replenished in 05:20:33."}) and the Cloudflare bot challenge in front of MISO's hosts (an HTML
 * page, header {@code cf-mitigated: challenge}); both are exit 3 with a message naming the cause
 * (the scheduler's retry comes after the quota resets or the challenge lifts). A 403 that is
 * neither keeps the default (exit 2: credentials). A Public API answer of HTTP 200 carrying
 * {@code {"error": "no data"}} is not published (exit 99), never an empty success.
 */
final class MisoAnswers {
  static final long DAILY_QUOTA = 24_000;

  private MisoAnswers() {}

  /** The refusal check of every MISO fetcher. */
  static ResponseCheck refusals(String service) {
    return r -> {
      if (r.status() != 403) {
        return;
      }
      String body = new String(r.body(), 0, Math.min(r.body().length, 4096), StandardCharsets.UTF_8);
      String lower = body.toLowerCase(Locale.ROOT);
      String mitigated = r.header("cf-mitigated");
      if ((mitigated != null && mitigated.toLowerCase(Locale.ROOT).contains("challenge")) || lower.contains("just a moment")
          || lower.contains("cf-chl") || lower.contains("challenge-platform") || lower.contains("attention required! | cloudflare")) {
        throw new UpstreamUnavailableException("miso: " + r.url() + " answered HTTP 403 from a bot challenge (Cloudflare) in front of "
            + service + ", not from " + service + " itself: the request was refused as automated traffic; the scheduler retries"
            + " later (a challenge that persists blocks this address, which needs MISO's help)");
      }
      if (lower.contains("quota")) {
        throw new UpstreamUnavailableException("miso: " + r.url() + " answered HTTP 403: the Data Exchange's daily quota ("
            + String.format(Locale.ROOT, "%,d", DAILY_QUOTA) + " calls per subscription and day) is used up ('" + message(r.body())
            + "'); the scheduler retries after it is replenished");
      }
    };
  }

  /** A Public API answer that is {@code {"error": …}} instead of data: not published. */
  static final ResponseCheck PUBLIC_API = r -> {
    Optional<JsonNode> error;
    try {
      error = JsonStream.topLevel(r.body(), "error");
    } catch (IOException e) {
      return; // not JSON: the parser says what it is
    }
    if (error.isPresent() && !error.get().isNull()) {
      throw new NotPublishedException("miso: " + r.url() + " answered HTTP 200 with {\"error\": " + error.get()
          + "}: the Public API has no data for it (not published)");
    }
  };

  /** The gateway's {@code message}, else the body's start. */
  private static String message(byte[] body) {
    try {
      Optional<JsonNode> m = JsonStream.topLevel(body, "message");
      if (m.isPresent() && m.get().isTextual()) {
        return m.get().asText();
      }
    } catch (IOException e) {
      // not the gateway's JSON: quote the body
    }
    String one = new String(body, 0, Math.min(body.length, 240), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    return one.length() <= 120 ? one : one.substring(0, 120) + "…";
  }
}
