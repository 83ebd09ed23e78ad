package io.carbon254.ingest.core.connector;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.IntervalKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * One response body exactly as the source sent it, with the interval key it was fetched for. The
 * id is derived from the key, the part number and the content checksum, so fetching identical
 * bytes twice yields the same id (Bronze keeps one row) and changed bytes a new one (a revision).
 *
 * @param part index of the request inside the window (a window split to the source's limits)
 * @param url the request URL without secrets
 */
public record RawPayload(
    String payloadId,
    IntervalKey key,
    int part,
    String url,
    String contentType,
    int httpStatus,
    byte[] body,
    String sha256,
    Instant fetchedAt) {

  private static final DateTimeFormatter COMPACT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

  public RawPayload {
    requireNonNull(payloadId, "payloadId is null");
    requireNonNull(key, "key is null");
    requireNonNull(url, "url is null");
    requireNonNull(body, "body is null");
    requireNonNull(sha256, "sha256 is null");
    requireNonNull(fetchedAt, "fetchedAt is null");
  }

  public static RawPayload of(
      IntervalKey key, int part, String url, String contentType, int httpStatus, byte[] body, Instant fetchedAt) {
    String sha = sha256Hex(body);
    String id = key.market() + "." + key.dataset() + "." + COMPACT.format(key.window().start()) + "-"
        + COMPACT.format(key.window().end()) + ".p" + part + "." + sha.substring(0, 12);
    return new RawPayload(id, key, part, url, contentType, httpStatus, body, sha, fetchedAt);
  }

  /** The same payload as stored, with the instant it was first fetched (which sets the row version). */
  public RawPayload withFetchedAt(Instant firstFetchedAt) {
    return new RawPayload(payloadId, key, part, url, contentType, httpStatus, body, sha256, firstFetchedAt);
  }

  /** Everything but the bytes. */
  public PayloadHead head() {
    return new PayloadHead(payloadId, key, part, url, contentType, httpStatus, body.length, sha256, fetchedAt);
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256Hex(String s) {
    return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return payloadId + " (" + body.length + " bytes, " + contentType + ")";
  }
}
