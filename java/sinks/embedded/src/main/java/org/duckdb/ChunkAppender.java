package org.duckdb;

import static org.duckdb.DuckDBBindings.duckdb_append_data_chunk;
import static org.duckdb.DuckDBBindings.duckdb_appender_column_count;
import static org.duckdb.DuckDBBindings.duckdb_appender_column_type;
import static org.duckdb.DuckDBBindings.duckdb_appender_create_ext;
import static org.duckdb.DuckDBBindings.duckdb_appender_destroy;
import static org.duckdb.DuckDBBindings.duckdb_appender_error;
import static org.duckdb.DuckDBBindings.duckdb_appender_flush;
import static org.duckdb.DuckDBBindings.duckdb_create_data_chunk;
import static org.duckdb.DuckDBBindings.duckdb_data_chunk_get_vector;
import static org.duckdb.DuckDBBindings.duckdb_data_chunk_reset;
import static org.duckdb.DuckDBBindings.duckdb_data_chunk_set_size;
import static org.duckdb.DuckDBBindings.duckdb_destroy_data_chunk;
import static org.duckdb.DuckDBBindings.duckdb_destroy_logical_type;
import static org.duckdb.DuckDBBindings.duckdb_get_type_id;
import static org.duckdb.DuckDBBindings.duckdb_vector_assign_string_element_len;
import static org.duckdb.DuckDBBindings.duckdb_vector_ensure_validity_writable;
import static org.duckdb.DuckDBBindings.duckdb_vector_get_data;
import static org.duckdb.DuckDBBindings.duckdb_vector_get_validity;
import static org.duckdb.DuckDBBindings.duckdb_vector_size;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A bulk appender over DuckDB's C API data chunks for flat tables of VARCHAR, BLOB, BOOLEAN, INTEGER,
 * BIGINT, DOUBLE and TIMESTAMP columns: values are written in place into the chunk's vectors, a full
 * chunk (2,048 rows) is handed to the appender's buffer, and the buffer goes into the table every
 * {@value #CHUNKS_PER_FLUSH} chunks and at {@link #flush()}.
 *
 * <p>The driver's own {@link DuckDBAppender} flushes into the table after every chunk; for the
 * 26-column staging table that flush was most of the write (ADR 0007, "Second pass"). This class
 * uses the driver's package-private bindings (hence the package) and is checked against the
 * driver's appender by {@code ChunkAppenderTest}; a driver upgrade must keep that test passing.
 *
 * <p>Not thread-safe; one row at a time: {@link #beginRow()}, one append per column in table order,
 * {@link #endRow()}.
 */
public final class ChunkAppender implements AutoCloseable {
  static final int CHUNKS_PER_FLUSH = 60;
  private static final int INLINE = 12; // DuckDB inlines strings of up to 12 bytes in the 16-byte slot

  private final int vectorSize;
  private final int[] types;
  private final ByteBuffer[] typeRefs;
  private final ByteBuffer[] vectors;
  private final ByteBuffer[] data;
  private final ByteBuffer[] validity;
  private final String[] lastString;
  private final byte[][] lastBytes;
  private final String table;
  private ByteBuffer appender;
  private ByteBuffer chunk;
  private int row;
  private int col = -1;
  private int chunks;
  private long rows;

  private ChunkAppender(ByteBuffer appender, String table) throws SQLException {
    this.appender = appender;
    this.table = table;
    this.vectorSize = Math.toIntExact(duckdb_vector_size());
    int n = Math.toIntExact(duckdb_appender_column_count(appender));
    types = new int[n];
    typeRefs = new ByteBuffer[n];
    for (int i = 0; i < n; i++) {
      typeRefs[i] = duckdb_appender_column_type(appender, i);
      types[i] = duckdb_get_type_id(typeRefs[i]);
      switch (types[i]) {
        case T_BOOLEAN, T_INTEGER, T_BIGINT, T_DOUBLE, T_TIMESTAMP, T_VARCHAR, T_BLOB -> { }
        default -> {
          release();
          throw new SQLException("ChunkAppender: column " + (i + 1) + " of " + table + " has DuckDB type id " + types[i]
              + ", not one of VARCHAR, BLOB, BOOLEAN, INTEGER, BIGINT, DOUBLE, TIMESTAMP");
        }
      }
    }
    vectors = new ByteBuffer[n];
    data = new ByteBuffer[n];
    validity = new ByteBuffer[n];
    lastString = new String[n];
    lastBytes = new byte[n][];
    chunk = duckdb_create_data_chunk(typeRefs);
    bindVectors();
  }

  static final int T_BOOLEAN = 1;
  static final int T_INTEGER = 4;
  static final int T_BIGINT = 5;
  static final int T_DOUBLE = 11;
  static final int T_TIMESTAMP = 12;
  static final int T_VARCHAR = 17;
  static final int T_BLOB = 18;

  /**
   * An appender on {@code main.table} of a DuckDB JDBC connection. With auto-commit off the appends
   * belong to the connection's transaction: it is begun here if no statement has begun it yet (DuckDB
   * begins it lazily, and an append outside one commits on its own at every flush).
   */
  public static ChunkAppender open(Connection connection, String table) throws SQLException {
    DuckDBConnection c = connection.unwrap(DuckDBConnection.class);
    if (!connection.getAutoCommit()) {
      try (java.sql.Statement s = connection.createStatement()) {
        s.execute("SELECT 1");
      }
    }
    ByteBuffer[] out = new ByteBuffer[1];
    c.connRefLock.lock();
    try {
      if (c.connRef == null) {
        throw new SQLException("ChunkAppender: the connection is closed");
      }
      if (duckdb_appender_create_ext(c.connRef, null, "main".getBytes(StandardCharsets.UTF_8),
          table.getBytes(StandardCharsets.UTF_8), out) != 0) {
        String msg = out[0] == null ? "" : ": " + new String(duckdb_appender_error(out[0]), StandardCharsets.UTF_8);
        if (out[0] != null) {
          duckdb_appender_destroy(out[0]);
        }
        throw new SQLException("cannot append to " + table + msg);
      }
    } finally {
      c.connRefLock.unlock();
    }
    return new ChunkAppender(out[0], table);
  }

  private void bindVectors() {
    for (int i = 0; i < types.length; i++) {
      vectors[i] = duckdb_data_chunk_get_vector(chunk, i);
      long width = switch (types[i]) {
        case T_BOOLEAN -> 1;
        case T_INTEGER -> 4;
        case T_VARCHAR, T_BLOB -> 16;
        default -> 8;
      };
      data[i] = duckdb_vector_get_data(vectors[i], width * vectorSize).order(ByteOrder.LITTLE_ENDIAN);
      duckdb_vector_ensure_validity_writable(vectors[i]);
      validity[i] = duckdb_vector_get_validity(vectors[i], vectorSize).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  public ChunkAppender beginRow() throws SQLException {
    if (appender == null) {
      throw new SQLException("ChunkAppender on " + table + " is closed");
    }
    if (col != -1) {
      throw new SQLException("ChunkAppender: endRow must come before the next beginRow");
    }
    col = 0;
    return this;
  }

  public ChunkAppender endRow() throws SQLException {
    if (col != types.length) {
      throw new SQLException("ChunkAppender: row of " + table + " has " + col + " values, the table " + types.length);
    }
    col = -1;
    rows++;
    if (++row == vectorSize) {
      appendChunk();
      if (++chunks % CHUNKS_PER_FLUSH == 0) {
        check(duckdb_appender_flush(appender));
      }
    }
    return this;
  }

  /** The column the next value goes to. */
  private int current() throws SQLException {
    int c = col;
    if (c < 0 || c >= types.length) {
      throw new SQLException("ChunkAppender: value outside a row, or more values than the " + types.length + " columns of " + table);
    }
    return c;
  }

  /** The column the next value of {@code type} goes to, moving on past it (not on a type mismatch). */
  private int next(int type) throws SQLException {
    int c = current();
    if (types[c] != type && !(type == T_VARCHAR && types[c] == T_BLOB)) {
      throw new SQLException("ChunkAppender: column " + (c + 1) + " of " + table + " has type id " + types[c]
          + ", the value type id " + type);
    }
    col = c + 1;
    return c;
  }

  public ChunkAppender append(String s) throws SQLException {
    if (s == null) {
      return appendNull();
    }
    int c = next(T_VARCHAR);
    byte[] b;
    if (s == lastString[c]) { // constants (market, dataset, units) are one String instance
      b = lastBytes[c];
    } else {
      b = s.getBytes(StandardCharsets.UTF_8);
      lastString[c] = s;
      lastBytes[c] = b;
    }
    putBytes(c, b);
    return this;
  }

  public ChunkAppender append(byte[] b) throws SQLException {
    if (b == null) {
      return appendNull();
    }
    putBytes(next(T_VARCHAR), b);
    return this;
  }

  private void putBytes(int c, byte[] b) {
    if (b.length <= INLINE) {
      ByteBuffer d = data[c];
      int pos = row * 16;
      d.putLong(pos, 0L);
      d.putLong(pos + 8, 0L);
      d.putInt(pos, b.length);
      d.put(pos + 4, b, 0, b.length);
    } else {
      duckdb_vector_assign_string_element_len(vectors[c], row, b);
    }
  }

  public ChunkAppender append(double v) throws SQLException {
    data[next(T_DOUBLE)].putDouble(row * 8, v);
    return this;
  }

  public ChunkAppender append(long v) throws SQLException {
    data[next(T_BIGINT)].putLong(row * 8, v);
    return this;
  }

  public ChunkAppender append(int v) throws SQLException {
    data[next(T_INTEGER)].putInt(row * 4, v);
    return this;
  }

  public ChunkAppender append(boolean v) throws SQLException {
    data[next(T_BOOLEAN)].put(row, (byte) (v ? 1 : 0));
    return this;
  }

  /** A TIMESTAMP value as microseconds since the epoch. */
  public ChunkAppender appendEpochMicros(long micros) throws SQLException {
    data[next(T_TIMESTAMP)].putLong(row * 8, micros);
    return this;
  }

  public ChunkAppender appendNull() throws SQLException {
    int c = current();
    col = c + 1;
    ByteBuffer v = validity[c];
    int word = (row >>> 6) * 8;
    v.putLong(word, v.getLong(word) & ~(1L << (row & 63)));
    return this;
  }

  /** Rows appended so far. */
  public long rows() {
    return rows;
  }

  private void appendChunk() throws SQLException {
    duckdb_data_chunk_set_size(chunk, row);
    check(duckdb_append_data_chunk(appender, chunk));
    duckdb_data_chunk_reset(chunk);
    bindVectors();
    row = 0;
  }

  private void check(int state) throws SQLException {
    if (state != 0) {
      throw new SQLException("append to " + table + ": " + new String(duckdb_appender_error(appender), StandardCharsets.UTF_8));
    }
  }

  /** Hands every complete row to the table (still in the connection's transaction). */
  public void flush() throws SQLException {
    if (appender == null) {
      throw new SQLException("ChunkAppender on " + table + " is closed");
    }
    if (col != -1) {
      throw new SQLException("ChunkAppender: endRow must come before flush");
    }
    if (row > 0) {
      appendChunk();
    }
    check(duckdb_appender_flush(appender));
  }

  /**
   * Releases the appender. Rows of the chunk being filled are dropped; DuckDB hands the chunks it
   * buffered to the table, so what stays is the transaction's to decide (commit or roll back).
   */
  @Override
  public void close() {
    release();
  }

  private void release() {
    if (chunk != null) {
      duckdb_destroy_data_chunk(chunk);
      chunk = null;
    }
    for (int i = 0; i < typeRefs.length; i++) {
      if (typeRefs[i] != null) {
        duckdb_destroy_logical_type(typeRefs[i]);
        typeRefs[i] = null;
      }
    }
    if (appender != null) {
      duckdb_appender_destroy(appender);
      appender = null;
    }
  }
}
