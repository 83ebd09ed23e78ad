package io.carbon254.ingest.connectors.caiso;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** OASIS clock conventions: GMT query times {@code yyyyMMdd'T'HH:mm-0000}, GMT columns with offset. */
public final class OasisTime {
  public static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
  static final DateTimeFormatter QUERY = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm'-0000'").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter COLUMN = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'-00:00'").withZone(ZoneOffset.UTC);

  private OasisTime() {}

  public static String query(Instant t) {
    return QUERY.format(t);
  }

  public static Instant parseQuery(String s) {
    return java.time.LocalDateTime.parse(s.replace("-0000", ""), DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm"))
        .toInstant(ZoneOffset.UTC);
  }

  public static String column(Instant t) {
    return COLUMN.format(t);
  }

  /** A GMT column value such as {@code 2024-11-03T08:00:00-00:00}; null if unreadable. */
  static Instant parseColumn(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
