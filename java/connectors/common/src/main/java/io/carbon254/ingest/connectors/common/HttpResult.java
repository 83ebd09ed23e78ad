package io.carbon254.ingest.connectors.common;

import java.time.Instant;

/**
 * A response body with what Bronze keeps about it.
 *
 * @param url the request URL without secrets
 */
public record HttpResult(String url, int status, String contentType, byte[] body, Instant receivedAt, int attempts) {}
