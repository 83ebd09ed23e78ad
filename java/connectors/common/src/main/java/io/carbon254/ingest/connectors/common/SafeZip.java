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
 * rejected instead of yielding fewer rows).
 */
public final class SafeZip {
  public record Entry(String name, byte[] data) {}

  public record Limits(int maxEntries, long maxEntryBytes, long maxTotalBytes) {
    public static Limits defaults() {
      return new Limits(64, 1L << 30, 2L << 30);
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
