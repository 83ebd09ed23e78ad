package io.carbon254.ingest.connectors.common;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A streaming, byte-level RFC 4180 reader (quoted fields, doubled quotes, CRLF, LF or CR, BOM,
 * blank lines skipped, line numbers kept for messages, columns by header name, cells trimmed):
 * one record at a time from an {@link InputStream} (an inflating zip entry), so a
 * payload is never held as text. Fields stay bytes until asked for: numbers are parsed from the
 * bytes, repeated values (node names, timestamps) are turned into objects once through a {@link
 * Memo}, and the columns a parser does not ask for cost only the scan.
 */
public final class CsvReader implements Closeable {
  private static final double[] POW10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22
  };

  /** Longest record accepted (OASIS rows are a few hundred bytes): a record is held whole, so it is bounded. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  /** Where the current record's cells are: {@code buf} itself (a plain record read in place) or {@code rec} (a copied one). */
  private byte[] data;
  private int pos;
  private int lim;
  private boolean eof;
  private byte[] rec = new byte[1024];
  private int recLen;
  private int[] starts = new int[32];
  private int[] ends = new int[32];
  private int n;
  private int line;
  private int nextLine = 1;
  private final List<String> header;
  private final Map<String, Integer> index = new HashMap<>();

  /** Reads the header record; {@link #header()} is empty for an empty input. */
  public CsvReader(InputStream in) throws IOException {
    this.in = in;
    while (lim < 3 && fill()) {
      // a stream may hand over fewer bytes than a BOM per read
    }
    if (lim - pos >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
      pos = 3;
    }
    if (next()) {
      List<String> h = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        h.add(new String(data, starts[i], ends[i] - starts[i], StandardCharsets.UTF_8).trim());
      }
      header = List.copyOf(h);
      for (int i = 0; i < header.size(); i++) {
        index.putIfAbsent(header.get(i).toUpperCase(Locale.ROOT), i);
      }
    } else {
      header = List.of();
    }
  }

  public List<String> header() {
    return header;
  }

  /** Index of a column (case-insensitive), or -1. */
  public int column(String name) {
    return index.getOrDefault(name.toUpperCase(Locale.ROOT), -1);
  }

  public boolean has(String column) {
    return index.containsKey(column.toUpperCase(Locale.ROOT));
  }

  /** The first of {@code candidates} present in the header, or null. */
  public String firstPresent(String... candidates) {
    for (String c : candidates) {
      if (has(c)) {
        return c;
      }
    }
    return null;
  }

  /** 1-based line of the current record's start (the header is line 1). */
  public int line() {
    return line;
  }

  /** Number of cells of the current record. */
  public int cells() {
    return n;
  }

  /** Advances to the next non-blank record; false at the end of the input. */
  public boolean next() throws IOException {
    while (true) {
      int r = readRecord();
      if (r < 0) {
        return false;
      }
      if (r > 0) {
        return true;
      }
    }
  }

  /**
   * -1 at end of input, 0 for a blank line (skipped), 1 for a record. A record without quotes that
   * lies in the buffer (nearly all of them) is split in place: its cells are offsets into the
   * buffer, no byte copied. One that reaches the buffer's end is moved to its start and the buffer
   * refilled (grown for a record longer than the buffer) before it is split; one with a quote goes
   * the copying way ({@link #copyRecord}).
   */
  private int readRecord() throws IOException {
    n = 0;
    line = nextLine;
    if (pos >= lim && !fill()) {
      return -1;
    }
    while (true) {
      byte[] b = buf;
      int end = lim;
      int p = pos;
      int fs = p;
      int cells = 0;
      boolean boundary = false;
      while (true) {
        if (p >= end) {
          boundary = true;
          break;
        }
        byte c = b[p];
        if (c == ',') {
          cellAt(cells++, fs, p);
          fs = ++p;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && p + 1 >= end && !eof) {
            boundary = true; // a CR at the buffer's end: is it CRLF?
            break;
          }
          cellAt(cells++, fs, p);
          p++;
          if (c == '\r' && p < end && b[p] == '\n') {
            p++;
          }
          nextLine++;
          return endInPlace(cells, p);
        } else if (c == '"') {
          n = 0;
          return copyRecord();
        } else {
          p = skipPlain(b, p + 1, end);
        }
      }
      if (boundary) {
        if (eof) { // the last record, without a line end
          cellAt(cells++, fs, p);
          return endInPlace(cells, p);
        }
        n = 0;
        if (pos == 0 && lim == buf.length) {
          if (buf.length >= MAX_RECORD_BYTES) {
            throw new CsvException("line " + line + ": a record longer than " + MAX_RECORD_BYTES + " bytes (not a CSV row)");
          }
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        // read until the buffer is full (or the input ends) before splitting again: a stream that
        // hands over a few bytes per read must not make a long record cost a rescan per read
        boolean more = fill();
        while (more && lim < buf.length) {
          more = fill();
        }
        if (!more && pos >= lim) {
          return -1;
        }
      }
    }
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /** Non-zero where a byte of {@code w} equals the byte in every lane of {@code lanes}; the lowest set bit is exact. */
  private static long lanes(long w, long lanes) {
    long x = w ^ lanes;
    return (x - ONES) & ~x & HIGHS;
  }

  /**
   * The index of the first delimiter ({@code , " CR LF}) at or after {@code p}, or {@code end}: eight
   * bytes per step (SWAR), the last few one by one.
   */
  private static int skipPlain(byte[] b, int p, int end) {
    while (p + 8 <= end) {
      long w = (long) LONGS.get(b, p);
      long m = lanes(w, ',' * ONES) | lanes(w, '\n' * ONES) | lanes(w, '\r' * ONES) | lanes(w, '"' * ONES);
      if (m != 0) {
        return p + (Long.numberOfTrailingZeros(m) >>> 3);
      }
      p += 8;
    }
    while (p < end) {
      byte c = b[p];
      if (c == ',' || c == '\n' || c == '\r' || c == '"') {
        return p;
      }
      p++;
    }
    return end;
  }

  private void cellAt(int i, int from, int to) {
    if (i == starts.length) {
      starts = Arrays.copyOf(starts, i * 2);
      ends = Arrays.copyOf(ends, i * 2);
    }
    starts[i] = from;
    ends[i] = to;
  }

  private int endInPlace(int cells, int next) {
    n = cells;
    data = buf;
    int from = starts[0];
    int to = ends[0];
    pos = next;
    if (n == 1 && blank(buf, from, to)) {
      return 0;
    }
    return 1;
  }

  /** The copying way, for a record with quotes: bytes go to {@code rec}, quoted line ends included. */
  private int copyRecord() throws IOException {
    recLen = 0;
    data = rec;
    boolean quoted = false;
    boolean sawQuote = false;
    int fieldStart = 0;
    while (true) {
      if (pos >= lim && !fill()) {
        if (quoted) {
          throw new CsvException("line " + line + ": quoted field is never closed");
        }
        break;
      }
      if (!quoted) {
        // the common case: copy the run of plain bytes up to the next delimiter in one go
        int run = pos;
        byte[] bb = buf;
        int end = lim;
        while (run < end) {
          byte c = bb[run];
          if (c == ',' || c == '\n' || c == '\r' || c == '"') {
            break;
          }
          run++;
        }
        if (run > pos) {
          putAll(bb, pos, run - pos);
          pos = run;
          continue;
        }
      }
      byte b = buf[pos++];
      if (quoted) {
        if (b == '"') {
          if (pos >= lim) {
            fill();
          }
          if (pos < lim && buf[pos] == '"') {
            put((byte) '"');
            pos++;
          } else {
            quoted = false;
          }
        } else if (b == '\n' || b == '\r') {
          if (b == '\r') {
            if (pos >= lim) {
              fill();
            }
            if (pos < lim && buf[pos] == '\n') {
              pos++;
            }
          }
          nextLine++;
          put((byte) '\n');
        } else {
          put(b);
        }
      } else if (b == ',') {
        endField(fieldStart);
        fieldStart = recLen;
      } else if (b == '"') {
        quoted = true;
        sawQuote = true;
      } else if (b == '\n') {
        nextLine++;
        break;
      } else if (b == '\r') {
        if (pos >= lim) {
          fill();
        }
        if (pos < lim && buf[pos] == '\n') {
          pos++;
        }
        nextLine++;
        break;
      } else {
        put(b);
      }
    }
    endField(fieldStart);
    data = rec;
    if (n == 1 && !sawQuote && blank(rec, 0, recLen)) {
      return 0;
    }
    return 1;
  }

  private static boolean blank(byte[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      int c = a[i] & 0xff;
      if (c != ' ' && c != '\t' && c != 0x0B && c != 0x0C && !(c >= 0x1C && c <= 0x1F)) {
        return false;
      }
    }
    return true;
  }

  private void put(byte b) {
    if (recLen == rec.length) {
      if (rec.length >= MAX_RECORD_BYTES) {
        throw new CsvException("line " + line + ": a record longer than " + MAX_RECORD_BYTES + " bytes (not a CSV row)");
      }
      rec = Arrays.copyOf(rec, rec.length * 2);
    }
    rec[recLen++] = b;
  }

  private void putAll(byte[] src, int from, int len) {
    if (recLen + len > rec.length) {
      int cap = rec.length;
      while (cap < recLen + len) {
        if (cap >= MAX_RECORD_BYTES) {
          throw new CsvException("line " + line + ": a record longer than " + MAX_RECORD_BYTES + " bytes (not a CSV row)");
        }
        cap *= 2;
      }
      rec = Arrays.copyOf(rec, cap);
    }
    System.arraycopy(src, from, rec, recLen, len);
    recLen += len;
  }

  private void endField(int fieldStart) {
    if (n == starts.length) {
      starts = Arrays.copyOf(starts, n * 2);
      ends = Arrays.copyOf(ends, n * 2);
    }
    starts[n] = fieldStart;
    ends[n] = recLen;
    n++;
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (pos >= lim) {
      pos = 0;
      lim = 0;
    } else if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    int r = in.read(buf, lim, buf.length - lim);
    if (r < 0) {
      eof = true;
      return false;
    }
    lim += r;
    return true;
  }

  // --- field access (trimmed: bytes <= ' ' at both ends) ----------------------------------------

  private int from(int i) {
    int s = starts[i];
    int e = ends[i];
    while (s < e && (data[s] & 0xff) <= ' ') {
      s++;
    }
    return s;
  }

  private int to(int i, int s) {
    int e = ends[i];
    while (e > s && (data[e - 1] & 0xff) <= ' ') {
      e--;
    }
    return e;
  }

  /** True when cell {@code i} is absent or blank. */
  public boolean isBlank(int i) {
    if (i < 0 || i >= n) {
      return true;
    }
    int s = from(i);
    return to(i, s) == s;
  }

  /** The trimmed value of cell {@code i}; null when blank or absent. */
  public String get(int i) {
    if (i < 0 || i >= n) {
      return null;
    }
    int s = from(i);
    int e = to(i, s);
    return e == s ? null : new String(data, s, e - s, StandardCharsets.UTF_8);
  }

  /** The value of cell {@code i} through {@code memo}: one object per distinct value; null when blank. */
  public <V> V get(int i, Memo<V> memo) {
    if (i < 0 || i >= n) {
      return null;
    }
    int s = from(i);
    int e = to(i, s);
    return e == s ? null : memo.get(data, s, e - s);
  }

  /** True when cell {@code i} is exactly the ASCII text {@code ascii}. */
  public boolean is(int i, byte[] ascii) {
    if (i < 0 || i >= n) {
      return false;
    }
    int s = from(i);
    int e = to(i, s);
    return Arrays.equals(data, s, e, ascii, 0, ascii.length);
  }

  /**
   * Cell {@code i} as a double, exactly as {@link Double#parseDouble} reads its trimmed text:
   * plain decimals of up to 15 significant digits are read from the bytes (exact: Clinger's fast
   * path), anything else goes through {@code Double.parseDouble}.
   *
   * @throws NumberFormatException when blank or not a number
   */
  public double number(int i) {
    if (i < 0 || i >= n) {
      throw new NumberFormatException("absent");
    }
    int s = from(i);
    int e = to(i, s);
    if (s == e) {
      throw new NumberFormatException("blank");
    }
    int p = s;
    boolean neg = false;
    if (data[p] == '-' || data[p] == '+') {
      neg = data[p] == '-';
      p++;
    }
    long m = 0;
    int digits = 0;
    int frac = -1;
    boolean any = false;
    for (; p < e; p++) {
      byte c = data[p];
      if (c >= '0' && c <= '9') {
        any = true;
        if (m != 0 || c != '0') {
          digits++;
        }
        m = m * 10 + (c - '0');
        if (frac >= 0) {
          frac++;
        }
        if (digits > 15) {
          break;
        }
      } else if (c == '.' && frac < 0) {
        frac = 0;
      } else {
        break;
      }
    }
    if (p == e && any && digits <= 15 && frac <= 22) {
      double d = m;
      if (frac > 0) {
        d = d / POW10[frac];
      }
      return neg ? -d : d;
    }
    return Double.parseDouble(new String(data, s, e - s, StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /**
   * Values computed once per distinct cell text: a byte-keyed open-addressing table, so a repeated
   * value costs a hash and a compare, no String. {@code f} may return null (an unreadable value):
   * null is not stored, the caller rejects the row.
   */
  public static final class Memo<V> {
    private final Function<String, V> f;
    private byte[][] keys = new byte[256][];
    private Object[] vals = new Object[256];
    private int[] ids = new int[256];
    private int size;
    private int last = -1;

    public Memo(Function<String, V> f) {
      this.f = f;
    }

    @SuppressWarnings("unchecked")
    V get(byte[] a, int off, int len) {
      int h = 1;
      for (int i = off; i < off + len; i++) {
        h = 31 * h + a[i];
      }
      h ^= h >>> 16;
      int mask = keys.length - 1;
      int idx = h & mask;
      while (true) {
        byte[] k = keys[idx];
        if (k == null) {
          V v = f.apply(new String(a, off, len, StandardCharsets.UTF_8));
          last = -1;
          if (v != null) {
            keys[idx] = Arrays.copyOfRange(a, off, off + len);
            vals[idx] = v;
            ids[idx] = last = size;
            if (++size * 2 > keys.length) {
              grow();
            }
          }
          return v;
        }
        if (k.length == len && Arrays.equals(k, 0, len, a, off, off + len)) {
          last = ids[idx];
          return (V) vals[idx];
        }
        idx = (idx + 1) & mask;
      }
    }

    /**
     * The id of the value the last {@link CsvReader#get(int, Memo)} returned: distinct texts get
     * 0, 1, 2, … in order of first appearance (a dense key for per-value tables); -1 after a null.
     */
    public int lastId() {
      return last;
    }

    /** Number of distinct values seen. */
    public int size() {
      return size;
    }

    private void grow() {
      byte[][] ok = keys;
      Object[] ov = vals;
      int[] oi = ids;
      keys = new byte[ok.length * 2][];
      vals = new Object[ok.length * 2];
      ids = new int[ok.length * 2];
      int mask = keys.length - 1;
      for (int j = 0; j < ok.length; j++) {
        if (ok[j] == null) {
          continue;
        }
        byte[] k = ok[j];
        int h = 1;
        for (byte b : k) {
          h = 31 * h + b;
        }
        h ^= h >>> 16;
        int idx = h & mask;
        while (keys[idx] != null) {
          idx = (idx + 1) & mask;
        }
        keys[idx] = k;
        vals[idx] = ov[j];
        ids[idx] = oi[j];
      }
    }
  }
}
