package io.carbon254.ingest.core.connector;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.IntervalKey;
import java.time.Instant;

/**
 * A {@link RawPayload} without its bytes: what Bronze, the events and the run summary say of a
 * payload while its body waits in a spool on disk.
 */
public record PayloadHead(
    String payloadId,
    IntervalKey key,
    int part,
    String url,
    String contentType,
    int httpStatus,
    long sizeBytes,
    String sha256,
    Instant fetchedAt) {

  public PayloadHead {
    requireNonNull(payloadId, "payloadId is null");
    requireNonNull(key, "key is null");
    requireNonNull(url, "url is null");
    requireNonNull(sha256, "sha256 is null");
    requireNonNull(fetchedAt, "fetchedAt is null");
  }

  public PayloadHead withFetchedAt(Instant firstFetchedAt) {
    return new PayloadHead(payloadId, key, part, url, contentType, httpStatus, sizeBytes, sha256, firstFetchedAt);
  }
}
