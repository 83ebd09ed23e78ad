package io.carbon254.ingest.connectors.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class SafeZipTest {
  private static final SafeZip.Limits DEFAULTS = SafeZip.Limits.defaults();

  static byte[] zip(Map<String, byte[]> entries) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(bos)) {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          z.putNextEntry(new ZipEntry(e.getKey()));
          z.write(e.getValue());
          z.closeEntry();
        }
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] zip(String name, byte[] data) {
    return zip(Map.of(name, data));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Incompressible text, so the deflated stream is long enough to damage in the middle. */
  private static byte[] noise(int n) {
    Random r = new Random(7);
    StringBuilder sb = new StringBuilder("A,B\n");
    while (sb.length() < n) {
      sb.append(r.nextInt(1_000_000)).append(',').append(r.nextDouble()).append('\n');
    }
    return bytes(sb.toString());
  }

  private static String rejected(byte[] body, SafeZip.Limits limits) {
    SafeZip.ZipRejected e = assertThrows(SafeZip.ZipRejected.class, () -> SafeZip.read(body, limits));
    return e.getMessage();
  }

  @Test
  void readsEveryEntryWithItsBytes() throws Exception {
    Map<String, byte[]> in = new LinkedHashMap<>();
    in.put("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_00_00_v3.csv", bytes("A,B\n1,2\n"));
    in.put("readme.txt", bytes("hello"));
    List<SafeZip.Entry> out = SafeZip.read(zip(in), DEFAULTS);
    assertEquals(2, out.size());
    assertEquals("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_00_00_v3.csv", out.get(0).name());
    assertArrayEquals(bytes("A,B\n1,2\n"), out.get(0).data());
    assertEquals("readme.txt", out.get(1).name());
    assertArrayEquals(bytes("hello"), out.get(1).data());
  }

  @Test
  void directoryEntriesAreSkipped() throws Exception {
    Map<String, byte[]> in = new LinkedHashMap<>();
    in.put("dir/", new byte[0]);
    in.put("dir/data.csv", bytes("A\n1\n"));
    List<SafeZip.Entry> out = SafeZip.read(zip(in), DEFAULTS);
    assertEquals(List.of("dir/data.csv"), out.stream().map(SafeZip.Entry::name).toList());
  }

  @Test
  void pathTraversalAndAbsoluteNamesAreRejected() {
    for (String name : List.of("../evil.csv", "a/../../evil.csv", "/etc/passwd", "\\windows\\evil.csv", "C:evil.csv")) {
      String msg = rejected(zip(name, bytes("x")), DEFAULTS);
      assertTrue(msg.contains(name) && msg.contains("leaves the archive"), name + " -> " + msg);
    }
  }

  @Test
  void tooManyEntriesAreRejected() throws Exception {
    Map<String, byte[]> in = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      in.put("e" + i + ".csv", bytes("A\n" + i + "\n"));
    }
    SafeZip.Limits two = new SafeZip.Limits(2, 1 << 20, 1 << 20);
    assertTrue(rejected(zip(in), two).contains("more than 2 entries"));
    assertEquals(3, SafeZip.read(zip(in), new SafeZip.Limits(3, 1 << 20, 1 << 20)).size(), "exactly at the bound is fine");
  }

  @Test
  void anEntryInflatingBeyondTheBoundIsRejected() throws Exception {
    byte[] zeros = new byte[200_000]; // compresses to a few hundred bytes: a small zip bomb
    byte[] body = zip("bomb.csv", zeros);
    assertTrue(body.length < 2_000, "deflated to " + body.length);
    String msg = rejected(body, new SafeZip.Limits(64, 100_000, 1L << 30));
    assertTrue(msg.contains("bomb.csv") && msg.contains("more than 100000 bytes"), msg);
    assertEquals(200_000, SafeZip.read(body, new SafeZip.Limits(64, 200_000, 1L << 30)).get(0).data().length);
  }

  @Test
  void entriesInflatingBeyondTheTotalBoundAreRejected() {
    Map<String, byte[]> in = new LinkedHashMap<>();
    in.put("a.csv", new byte[60_000]);
    in.put("b.csv", new byte[60_000]);
    String msg = rejected(zip(in), new SafeZip.Limits(64, 100_000, 100_000));
    assertTrue(msg.contains("more than 100000 bytes"), msg);
  }

  @Test
  void aTruncatedZipIsRejectedAsTruncated() {
    byte[] whole = zip("data.csv", noise(50_000));
    byte[] half = Arrays.copyOf(whole, whole.length / 2);
    String msg = rejected(half, DEFAULTS);
    assertTrue(msg.contains("truncated"), msg);
    byte[] lastByteMissing = Arrays.copyOf(whole, whole.length - 1);
    assertTrue(rejected(lastByteMissing, DEFAULTS).contains("truncated"));
  }

  @Test
  void aZipWithDamagedDataIsRejectedAsCorrupt() {
    byte[] body = zip("data.csv", noise(50_000));
    for (int i = body.length / 3; i < body.length / 3 + 64; i++) {
      body[i] ^= 0x5A;
    }
    String msg = rejected(body, DEFAULTS);
    assertTrue(msg.startsWith("corrupt zip"), msg);
  }

  @Test
  void anEmptyZipIsRejected() {
    byte[] endOfCentralDirectoryOnly = new byte[22];
    endOfCentralDirectoryOnly[0] = 'P';
    endOfCentralDirectoryOnly[1] = 'K';
    endOfCentralDirectoryOnly[2] = 5;
    endOfCentralDirectoryOnly[3] = 6;
    assertTrue(rejected(endOfCentralDirectoryOnly, DEFAULTS).contains("no entries"));
  }

  @Test
  void somethingElseIsDescribedNotUnzipped() {
    byte[] html = bytes("<html><body><p>CAISO Acceptable Use Policy Violation. Please retry your request after 5 seconds.</p></body></html>");
    String msg = rejected(html, DEFAULTS);
    assertTrue(msg.startsWith("not a zip (an HTML page"), msg);
    assertTrue(msg.contains("CAISO Acceptable Use Policy Violation"), msg);
    assertTrue(rejected(new byte[0], DEFAULTS).startsWith("not a zip"));
  }

  @Test
  void describeClassifiesBodies() {
    assertTrue(SafeZip.describe(bytes("<!DOCTYPE html><html><head><title>Error</title></head></html>")).startsWith("an HTML page, "));
    assertTrue(SafeZip.describe(bytes("<?xml version=\"1.0\"?><Error><Code>BlobNotFound</Code></Error>")).startsWith("XML, "));
    assertTrue(SafeZip.describe(bytes("{\"totalRecords\": 0}")).startsWith("JSON, "));
    assertTrue(SafeZip.describe(bytes("Time,Solar\n00:00,0\n")).startsWith("text, "));
    String d = SafeZip.describe(bytes("x".repeat(500)));
    assertTrue(d.contains("500 bytes") && d.endsWith("…\""), d);
  }

  @Test
  void looksLikeZipChecksTheLocalHeaderMagic() {
    assertTrue(SafeZip.looksLikeZip(zip("a.csv", bytes("A\n"))));
    assertFalse(SafeZip.looksLikeZip(bytes("PK")));
    assertFalse(SafeZip.looksLikeZip(bytes("<html>")));
  }
}
