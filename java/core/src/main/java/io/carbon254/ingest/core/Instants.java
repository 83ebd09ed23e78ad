package io.carbon254.ingest.core;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parsing of instants given on the command line or in payloads that carry an explicit offset. */
public final class Instants {
  private Instants() {}

  /** Accepts ISO-8601 with {@code Z} or an explicit offset; a bare local time is a usage error. */
  public static Instant parseUtc(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new UsageException(what + " is required (ISO-8601 UTC, e.g. 2024-11-03T08:00:00Z)");
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new UsageException(
          what + " '" + text + "' is not an ISO-8601 instant with offset (e.g. 2024-11-03T08:00:00Z)");
    }
  }
}
