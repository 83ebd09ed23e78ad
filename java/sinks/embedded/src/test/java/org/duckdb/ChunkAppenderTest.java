package org.duckdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk appender writes exactly what the driver's own appender writes, over many chunks and flushes. */
class ChunkAppenderTest {
  private static final String COLUMNS = "s VARCHAR, n VARCHAR NOT NULL, d DOUBLE, l BIGINT, i INTEGER, b BOOLEAN, t TIMESTAMP, x BLOB";

  @TempDir
  Path dir;

  /** Row r: strings inline (≤ 12 bytes) and long ones, non-ASCII, empty, nulls in every nullable column. */
  private static final String[] WORDS = {"", "RTM", "lmp_rt_5min", "exactly12byt", "thirteen_byte", "a longer location name",
      "Zürich", "東京電力パワーグリッド"};

  private static void fill(Object a, int rows) throws SQLException {
    String constant = "USD/MWh";
    for (int r = 0; r < rows; r++) {
      String s = r % 7 == 0 ? null : WORDS[r % WORDS.length] + (r % 3 == 0 ? "" : "_" + r);
      Double d = r % 5 == 0 ? null : r * 1.25 - 1000.5;
      Long l = r % 11 == 0 ? null : (long) r * 1_000_003L - Long.MAX_VALUE / 3;
      Integer i = r % 13 == 0 ? null : r - 5000;
      Boolean b = r % 17 == 0 ? null : r % 2 == 0;
      Long t = r % 19 == 0 ? null : 1_730_707_200_000_000L + r * 300_000_000L;
      byte[] x = r % 23 == 0 ? null : new byte[] {(byte) r, 0, (byte) (r >> 8), -1};
      if (a instanceof ChunkAppender c) {
        c.beginRow().append(s).append(constant);
        if (d == null) { c.appendNull(); } else { c.append(d.doubleValue()); }
        if (l == null) { c.appendNull(); } else { c.append(l.longValue()); }
        if (i == null) { c.appendNull(); } else { c.append(i.intValue()); }
        if (b == null) { c.appendNull(); } else { c.append(b.booleanValue()); }
        if (t == null) { c.appendNull(); } else { c.appendEpochMicros(t); }
        c.append(x).endRow();
      } else {
        DuckDBAppender c = (DuckDBAppender) a;
        c.beginRow();
        if (s == null) { c.appendNull(); } else { c.append(s); }
        c.append(constant);
        if (d == null) { c.appendNull(); } else { c.append(d.doubleValue()); }
        if (l == null) { c.appendNull(); } else { c.append(l.longValue()); }
        if (i == null) { c.appendNull(); } else { c.append(i.intValue()); }
        if (b == null) { c.appendNull(); } else { c.append(b.booleanValue()); }
        if (t == null) { c.appendNull(); } else { c.appendEpochMicros(t); }
        if (x == null) { c.appendNull(); } else { c.append(x); }
        c.endRow();
      }
    }
  }

  private static List<String> rows(Connection c, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY ALL")) {
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int k = 1; k <= 8; k++) {
          Object v = rs.getObject(k);
          b.append(v instanceof java.sql.Blob blob ? java.util.Arrays.toString(blob.getBytes(1, (int) blob.length())) : v).append('|');
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  /** A fresh database file holding the table {@code mine} and the tables of {@code more}. */
  private Connection withTable(String file, String... more) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(file));
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mine (" + COLUMNS + ")");
      for (String ddl : more) {
        s.execute(ddl);
      }
    }
    return c;
  }

  @Test
  void sameRowsAsTheDriversAppenderAcrossChunksAndFlushes() throws Exception {
    // More than CHUNKS_PER_FLUSH chunks of 2,048 rows, and a partial last chunk.
    int n = 2048 * (ChunkAppender.CHUNKS_PER_FLUSH + 3) + 777;
    try (Connection c = withTable("t.duckdb", "CREATE TABLE theirs (" + COLUMNS + ")")) {
      c.setAutoCommit(false);
      try (ChunkAppender a = ChunkAppender.open(c, "mine")) {
        fill(a, n);
        a.flush();
        assertEquals(n, a.rows());
      }
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "theirs")) {
        fill(a, n);
        a.flush();
      }
      c.commit();
      List<String> mine = rows(c, "mine");
      assertEquals(n, mine.size());
      assertEquals(rows(c, "theirs"), mine);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT count(*) FILTER (WHERE s IS NULL), count(DISTINCT n), max(length(s)) FROM mine")) {
        rs.next();
        assertEquals((n + 6) / 7, rs.getLong(1));
        assertEquals(1, rs.getLong(2));
        assertTrue(rs.getLong(3) > 12);
      }
      // Equality on inlined strings compares the whole slot: a short value must match its literal.
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM mine WHERE s = 'RTM'")) {
        rs.next();
        assertTrue(rs.getLong(1) > 0);
      }
    }
  }

  @Test
  void rolledBackWithTheTransactionAndClosedWithoutFlush() throws Exception {
    try (Connection c = withTable("r.duckdb")) {
      c.setAutoCommit(false);
      try (ChunkAppender a = ChunkAppender.open(c, "mine")) {
        fill(a, 10_000);
        a.flush();
      }
      c.rollback();
      try (ChunkAppender a = ChunkAppender.open(c, "mine")) {
        fill(a, 100); // a partial chunk, never flushed: dropped at close
      }
      c.commit();
      assertEquals(0, rows(c, "mine").size());
    }
  }

  @Test
  void misuseIsAnSqlExceptionNotACrash() throws Exception {
    try (Connection c = withTable("m.duckdb", "CREATE TABLE odd (d DATE)")) {
      c.setAutoCommit(false);
      try (ChunkAppender a = ChunkAppender.open(c, "mine")) {
        assertThrows(SQLException.class, () -> a.append(1.0)); // outside a row
        a.beginRow();
        assertThrows(SQLException.class, () -> a.append(1.0)); // VARCHAR column
        a.append("ok").append("n");
        assertThrows(SQLException.class, a::endRow); // too few values
        assertThrows(SQLException.class, a::flush); // inside a row
      }
      SQLException e = assertThrows(SQLException.class, () -> ChunkAppender.open(c, "odd"));
      assertTrue(e.getMessage().contains("column 1 of odd"), e.getMessage());
      assertThrows(SQLException.class, () -> ChunkAppender.open(c, "missing"));
      c.rollback();
    }
  }

  @Test
  void aNotNullViolationIsReportedAtTheAppend() throws Exception {
    try (Connection c = withTable("n.duckdb")) {
      c.setAutoCommit(false);
      try (ChunkAppender a = ChunkAppender.open(c, "mine")) {
        a.beginRow().append("x").appendNull();
        for (int k = 0; k < 6; k++) {
          a.appendNull();
        }
        a.endRow();
        SQLException e = assertThrows(SQLException.class, a::flush);
        assertTrue(e.getMessage().contains("mine"), e.getMessage());
      }
      c.rollback();
      assertArrayEquals(new Object[0], rows(c, "mine").toArray());
    }
  }
}
