package io.carbon254.ingest.connectors.common;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads a zip held in memory with bounds: entry count, inflated size per entry and in total,
 * names without path traversal, and a complete central directory (so a truncated download is
 * rejected instead of yielding fewer rows). {@link #entryNames} lists the entries from the central
 * directory without inflating anything and {@link #open} streams one entry, inflating at most the
 * per-entry limit: a parser reads an entry as it inflates, never holding it whole, so the limit can
 * sit below the heap. {@link #read} (every entry inflated into memory) is for small bodies and tests.
 */
public final class SafeZip {
  public record Entry(String name, byte[] data) {}

  public record Limits(int maxEntries, long maxEntryBytes, long maxTotalBytes) {
    /** Default inflated-size limit of one entry: 256 MiB, below a task's heap (a zip bomb is rejected, not an OutOfMemoryError). */
    public static final long DEFAULT_MAX_ENTRY_BYTES = 256L << 20;

    public static Limits defaults() {
      return new Limits(64, DEFAULT_MAX_ENTRY_BYTES, 1L << 30);
    }

    /** The defaults with another per-entry limit (and a total of at least that). */
    public static Limits withMaxEntryBytes(long maxEntryBytes) {
      return new Limits(64, maxEntryBytes, Math.max(1L << 30, maxEntryBytes));
    }
  }

  /** An entry inflated past its limit while being streamed (a zip bomb, or a limit set too low). */
  public static final class LimitExceeded extends IOException {
    LimitExceeded(String message) {
      super(message);
    }
  }

  /** Why a body is not a usable zip. */
  public static final class ZipRejected extends Exception {
    ZipRejected(String message) {
      super(message);
    }
  }

  private static final int EOCD_SIG = 0x06054b50;

  private SafeZip() {}

  public static boolean looksLikeZip(byte[] body) {
    return body.length >= 4 && body[0] == 'P' && body[1] == 'K';
  }

  public static List<Entry> read(byte[] body, Limits limits) throws ZipRejected {
    if (!looksLikeZip(body)) {
      throw new ZipRejected("not a zip (" + describe(body) + ")");
    }
    if (!hasEndOfCentralDirectory(body)) {
      throw new ZipRejected("truncated zip: end of central directory not found (" + body.length + " bytes)");
    }
    List<Entry> out = new ArrayList<>();
    long total = 0;
    try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(body))) {
      ZipEntry e;
      while ((e = zin.getNextEntry()) != null) {
        if (out.size() >= limits.maxEntries()) {
          throw new ZipRejected("more than " + limits.maxEntries() + " entries");
        }
        String name = e.getName();
        if (name.startsWith("/") || name.startsWith("\\") || name.contains("..") || name.contains(":")) {
          throw new ZipRejected("entry name '" + name + "' is an absolute path or leaves the archive");
        }
        if (e.isDirectory()) {
          continue;
        }
        byte[] data = readBounded(zin, limits.maxEntryBytes(), name);
        total += data.length;
        if (total > limits.maxTotalBytes()) {
          throw new ZipRejected("inflates to more than " + limits.maxTotalBytes() + " bytes");
        }
        out.add(new Entry(name, data));
      }
    } catch (IOException ex) {
      throw new ZipRejected("corrupt zip: " + ex.getMessage());
    }
    if (out.isEmpty()) {
      throw new ZipRejected("zip has no entries");
    }
    return out;
  }

  /**
   * Names of the file entries, from the central directory, nothing inflated. Rejects what {@link
   * #read} rejects on structure: not a zip, truncated, too many entries, traversal, no entries.
   */
  public static List<String> entryNames(byte[] body, Limits limits) throws ZipRejected {
    if (!looksLikeZip(body)) {
      throw new ZipRejected("not a zip (" + describe(body) + ")");
    }
    int eocd = endOfCentralDirectory(body);
    if (eocd < 0) {
      throw new ZipRejected("truncated zip: end of central directory not found (" + body.length + " bytes)");
    }
    int count = u16(body, eocd + 10);
    long cdOffset = u32(body, eocd + 16);
    if (count > limits.maxEntries()) {
      throw new ZipRejected("more than " + limits.maxEntries() + " entries");
    }
    List<String> names = new ArrayList<>(count);
    long at = cdOffset;
    for (int i = 0; i < count; i++) {
      if (at < 0 || at + 46 > body.length || u32(body, (int) at) != 0x02014b50) {
        throw new ZipRejected("corrupt zip: central directory entry " + (i + 1) + " not found");
      }
      int p = (int) at;
      int nameLen = u16(body, p + 28);
      int extra = u16(body, p + 30);
      int comment = u16(body, p + 32);
      if (p + 46 + nameLen > body.length) {
        throw new ZipRejected("corrupt zip: central directory entry " + (i + 1) + " is cut off");
      }
      String name = new String(body, p + 46, nameLen, java.nio.charset.StandardCharsets.UTF_8);
      checkName(name);
      if (!name.endsWith("/")) {
        names.add(name);
      }
      at = p + 46L + nameLen + extra + comment;
    }
    if (names.isEmpty()) {
      throw new ZipRejected("zip has no entries");
    }
    return names;
  }

  /**
   * Streams entry {@code name}, inflating at most {@code limits.maxEntryBytes()}; reading past it
   * throws {@link LimitExceeded} naming the entry and the limit. Other entries before it are skipped
   * (inflated into nothing, also bounded). Closing the stream closes the zip reader.
   */
  public static InputStream open(byte[] body, String name, Limits limits) throws ZipRejected {
    ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(body));
    try {
      ZipEntry e;
      while ((e = zin.getNextEntry()) != null) {
        if (e.getName().equals(name)) {
          return new Bounded(zin, limits.maxEntryBytes(), name);
        }
        InputStream skip = new Bounded(zin, limits.maxEntryBytes(), e.getName());
        byte[] chunk = new byte[64 * 1024];
        while (skip.read(chunk) > 0) {
          // discard
        }
      }
    } catch (IOException ex) {
      throw new ZipRejected((ex instanceof LimitExceeded ? "" : "corrupt zip: ") + ex.getMessage());
    }
    throw new ZipRejected("entry " + name + " not found in the zip");
  }

  /** At most {@code max} bytes of the entry {@code name} (a bounded prefix, for sniffing small XML answers). */
  public static byte[] prefix(byte[] body, String name, int max) throws ZipRejected {
    try (InputStream in = open(body, name, new Limits(64, Long.MAX_VALUE, Long.MAX_VALUE))) {
      return in.readNBytes(max);
    } catch (IOException ex) {
      throw new ZipRejected("corrupt zip: " + ex.getMessage());
    }
  }

  private static final class Bounded extends java.io.FilterInputStream {
    private final long max;
    private final String name;
    private long n;

    Bounded(InputStream in, long max, String name) {
      super(in);
      this.max = max;
      this.name = name;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++n > max) {
        throw exceeded();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = super.read(b, off, (int) Math.min(len, Math.max(1, max + 1 - n)));
      if (r > 0) {
        n += r;
        if (n > max) {
          throw exceeded();
        }
      }
      return r;
    }

    private LimitExceeded exceeded() {
      return new LimitExceeded("entry " + name + " inflates to more than " + max + " bytes");
    }
  }

  private static void checkName(String name) throws ZipRejected {
    if (name.startsWith("/") || name.startsWith("\\") || name.contains("..") || name.contains(":")) {
      throw new ZipRejected("entry name '" + name + "' is an absolute path or leaves the archive");
    }
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static long u32(byte[] b, int i) {
    return ((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24);
  }

  private static int endOfCentralDirectory(byte[] b) {
    int stop = Math.max(0, b.length - 22 - 0xFFFF);
    for (int i = b.length - 22; i >= stop; i--) {
      if (u32(b, i) == EOCD_SIG) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] readBounded(InputStream in, long max, String name) throws IOException, ZipRejected {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    long n = 0;
    int r;
    while ((r = in.read(chunk)) > 0) {
      n += r;
      if (n > max) {
        throw new ZipRejected("entry " + name + " inflates to more than " + max + " bytes");
      }
      buf.write(chunk, 0, r);
    }
    return buf.toByteArray();
  }

  private static boolean hasEndOfCentralDirectory(byte[] b) {
    int stop = Math.max(0, b.length - 22 - 0xFFFF);
    for (int i = b.length - 22; i >= stop; i--) {
      int sig = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
      if (sig == EOCD_SIG) {
        return true;
      }
    }
    return false;
  }

  /** A short, safe description of a body that is not what was expected (HTML page, JSON, text). */
  public static String describe(byte[] body) {
    String head = new String(body, 0, Math.min(body.length, 200), java.nio.charset.StandardCharsets.UTF_8);
    String lower = head.toLowerCase(java.util.Locale.ROOT);
    String kind = lower.contains("<html") || lower.contains("<!doctype html") ? "an HTML page"
        : lower.startsWith("<?xml") ? "XML" : lower.startsWith("{") || lower.startsWith("[") ? "JSON" : "text";
    String text = head.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    return kind + ", " + body.length + " bytes" + (text.isEmpty() ? "" : ": \"" + (text.length() > 100 ? text.substring(0, 100) + "…" : text) + "\"");
  }
}
