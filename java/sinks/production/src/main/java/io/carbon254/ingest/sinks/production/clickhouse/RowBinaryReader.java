package io.carbon254.ingest.sinks.production.clickhouse;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads ClickHouse's RowBinary output incrementally from a stream (the inverse of {@link
 * RowBinary}): little-endian fixed widths, varint-prefixed strings, a null-flag byte before a
 * Nullable value. 18.16 and current servers write it alike. Reads through its own 64 KiB buffer,
 * so a result of any size passes through a constant amount of memory.
 */
final class RowBinaryReader {
  private final InputStream in;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int limit;

  RowBinaryReader(InputStream in) {
    this.in = in;
  }

  /** Whether the stream is at its end (no row follows); reads ahead if needed. */
  boolean atEnd() throws IOException {
    return pos == limit && !fill();
  }

  int uint8() throws IOException {
    if (pos == limit && !fill()) {
      throw new EOFException("RowBinary: stream ended inside a row");
    }
    return buf[pos++] & 0xFF;
  }

  /** The null flag of a Nullable column: true when a value follows. */
  boolean present() throws IOException {
    return uint8() == 0;
  }

  long uint32() throws IOException {
    return fixed(4) & 0xFFFF_FFFFL;
  }

  long uint64() throws IOException {
    return fixed(8);
  }

  double float64() throws IOException {
    return Double.longBitsToDouble(fixed(8));
  }

  /**
   * A string; {@code previous} is returned instead of a new one when the bytes are the same (rows
   * read in key order repeat most of their texts), so repeated values share one object.
   */
  String string(String previous) throws IOException {
    int n = (int) varint();
    if (n < 0) {
      throw new IOException("RowBinary: string length " + n);
    }
    if (limit - pos < n) {
      if (n > buf.length) {
        byte[] b = new byte[n];
        int have = limit - pos;
        System.arraycopy(buf, pos, b, 0, have);
        pos = limit;
        readFully(b, have, n - have);
        String s = new String(b, StandardCharsets.UTF_8);
        return s.equals(previous) ? previous : s;
      }
      compactAndFill(n);
    }
    String s;
    if (previous != null && sameBytes(previous, pos, n)) {
      s = previous;
    } else {
      s = new String(buf, pos, n, StandardCharsets.UTF_8);
    }
    pos += n;
    return s;
  }

  private boolean sameBytes(String previous, int at, int n) {
    // ASCII fast path: equal length and equal chars (non-ASCII texts are simply decoded)
    if (previous.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int b = buf[at + i];
      if (b < 0 || previous.charAt(i) != b) {
        return false;
      }
    }
    return true;
  }

  private long varint() throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = uint8();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("RowBinary: malformed varint");
  }

  private long fixed(int width) throws IOException {
    if (limit - pos < width) {
      compactAndFill(width);
    }
    long v = 0;
    for (int i = 0; i < width; i++) {
      v |= (long) (buf[pos + i] & 0xFF) << (8 * i);
    }
    pos += width;
    return v;
  }

  /** Moves the unread bytes to the front and reads until at least {@code need} are buffered. */
  private void compactAndFill(int need) throws IOException {
    int have = limit - pos;
    System.arraycopy(buf, pos, buf, 0, have);
    pos = 0;
    limit = have;
    while (limit < need) {
      int n = in.read(buf, limit, buf.length - limit);
      if (n < 0) {
        throw new EOFException("RowBinary: stream ended inside a row");
      }
      limit += n;
    }
  }

  private boolean fill() throws IOException {
    pos = 0;
    limit = 0;
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    limit = n;
    return true;
  }

  private void readFully(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = in.read(b, off, len);
      if (n < 0) {
        throw new EOFException("RowBinary: stream ended inside a row");
      }
      off += n;
      len -= n;
    }
  }
}
