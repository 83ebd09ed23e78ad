package io.carbon254.ingest.sinks.production.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes values in ClickHouse's RowBinary format (little-endian fixed widths, varint-prefixed
 * strings, a null-flag byte before a Nullable value). Supported by 18.16 and current releases.
 */
final class RowBinary {
  private static final long MAX_DATETIME = 0xFFFF_FFFFL;
  private final OutputStream out;
  private final byte[] buf = new byte[8];

  RowBinary(OutputStream out) {
    this.out = out;
  }

  /** {@code DateTime} holds whole seconds since the epoch as UInt32; sub-second parts are dropped. */
  static long epochSeconds(Instant t) {
    long s = t.getEpochSecond();
    if (s < 0 || s > MAX_DATETIME) {
      throw new IllegalArgumentException(t + " is outside ClickHouse DateTime (1970..2106)");
    }
    return s;
  }

  void string(String s) throws IOException {
    bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  void bytes(byte[] b) throws IOException {
    varint(b.length);
    out.write(b);
  }

  void float64(double d) throws IOException {
    fixed(Double.doubleToRawLongBits(d), 8);
  }

  void uint64(long v) throws IOException {
    if (v < 0) {
      throw new IllegalArgumentException("negative value " + v + " for a UInt64 column");
    }
    fixed(v, 8);
  }

  void int32(int v) throws IOException {
    fixed(v, 4);
  }

  void uint32(long v) throws IOException {
    fixed(v, 4);
  }

  void uint8(int v) throws IOException {
    out.write(v & 0xFF);
  }

  void dateTime(Instant t) throws IOException {
    fixed(epochSeconds(t), 4);
  }

  /** {@code Array(String)}: the count, then each string. */
  void strings(java.util.List<String> values) throws IOException {
    varint(values.size());
    for (String v : values) {
      string(v);
    }
  }

  /** The null flag of a Nullable column; returns true when a value must follow. */
  boolean present(Object v) throws IOException {
    out.write(v == null ? 1 : 0);
    return v != null;
  }

  private void varint(long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private void fixed(long v, int width) throws IOException {
    for (int i = 0; i < width; i++) {
      buf[i] = (byte) (v >>> (8 * i));
    }
    out.write(buf, 0, width);
  }
}
