package io.carbon254.ingest.sinks.production.clickhouse;

import io.carbon254.ingest.core.UsageException;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The only values that appear in SQL text. ClickHouse 18.16 has no query parameters, so reads by
 * interval key render the key itself: market and dataset ids checked against a strict pattern, and
 * instants as integer epoch seconds. Payload values (names, prices, bodies, URLs) never reach SQL
 * text: they travel only in RowBinary insert streams.
 */
final class Sql {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern KEY_VALUE = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

  private Sql() {}

  /** A database, table or column name. */
  static String identifier(String s) {
    if (s == null || !IDENTIFIER.matcher(s).matches()) {
      throw new UsageException("'" + s + "' is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    return s;
  }

  /** A key value (market, dataset, stage or kind id, payload id) as a quoted literal; anything else is refused. */
  static String key(String s) {
    if (s == null || !KEY_VALUE.matcher(s).matches()) {
      throw new UsageException("'" + s + "' is not a valid key value ([A-Za-z0-9_.-], at most 128 characters)");
    }
    return "'" + s + "'";
  }

  static String time(Instant t) {
    return "toDateTime(" + RowBinary.epochSeconds(t) + ", 'UTC')";
  }
}
