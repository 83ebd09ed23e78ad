package io.carbon254.ingest.sinks.production.clickhouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RowBinary writing and reading, TabSeparated reading and the literal guard, byte by byte. */
class WireFormatsTest {
  @Test
  void rowBinaryEncodesLittleEndianVarintStringsAndNullFlags() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RowBinary w = new RowBinary(out);
    w.string("é");
    w.int32(1);
    w.uint64(258);
    w.dateTime(Instant.ofEpochSecond(1, 999_000_000));
    w.present(null);
    if (w.present("x")) {
      w.string("x");
    }
    w.bytes(new byte[200]);
    byte[] b = out.toByteArray();
    assertArrayEquals(new byte[] {2, (byte) 0xC3, (byte) 0xA9, 1, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'x',
        (byte) 0xC8, 1}, java.util.Arrays.copyOf(b, 25));
    assertEquals(25 + 200, b.length);
    assertThrows(IllegalArgumentException.class, () -> w.uint64(-1));
    assertThrows(IllegalArgumentException.class, () -> w.dateTime(Instant.parse("1960-01-01T00:00:00Z")));
  }

  /** A stream that hands out at most {@code step} bytes per read, so values straddle every buffer boundary. */
  private static java.io.InputStream trickle(byte[] b, int step) {
    return new java.io.FilterInputStream(new ByteArrayInputStream(b)) {
      @Override
      public int read(byte[] buf, int off, int len) throws java.io.IOException {
        return super.read(buf, off, Math.min(len, step));
      }
    };
  }

  @Test
  void rowBinaryReadsBackWhatWasWrittenWhateverTheChunkingAndSharesRepeatedTexts() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RowBinary w = new RowBinary(out);
    String big = "x".repeat(70_000) + "é"; // longer than the reader's 64 KiB buffer
    for (int i = 0; i < 3_000; i++) {
      w.string(i % 1000 == 999 ? big : "node_" + (i / 10));
      w.uint64(Long.MAX_VALUE - i);
      w.float64(i == 7 ? Double.NaN : i * -0.5);
      w.dateTime(Instant.ofEpochSecond(1_730_620_800L + i));
      if (w.present(i % 3 == 0 ? null : "Zürich")) {
        w.string("Zürich");
      }
      w.uint8(i % 2);
    }
    byte[] bytes = out.toByteArray();
    for (int step : new int[] {1, 7, 4096, bytes.length}) {
      RowBinaryReader r = new RowBinaryReader(trickle(bytes, step));
      String prev = null;
      String prevCity = null;
      int shared = 0;
      for (int i = 0; i < 3_000; i++) {
        String s = r.string(prev);
        assertEquals(i % 1000 == 999 ? big : "node_" + (i / 10), s, "row " + i + " step " + step);
        shared += s == prev ? 1 : 0;
        prev = s;
        assertEquals(Long.MAX_VALUE - i, r.uint64());
        double d = r.float64();
        assertEquals(i == 7 ? Double.doubleToRawLongBits(Double.NaN) : Double.doubleToRawLongBits(i * -0.5),
            Double.doubleToRawLongBits(d));
        assertEquals(1_730_620_800L + i, r.uint32());
        if (r.present()) {
          String city = r.string(prevCity);
          assertEquals("Zürich", city);
          prevCity = city;
        } else {
          assertEquals(0, i % 3);
        }
        assertEquals(i % 2, r.uint8());
      }
      assertTrue(r.atEnd(), "step " + step);
      assertTrue(shared > 2_000, "repeated texts share one String: " + shared);
    }
    // a stream that ends inside a row is an error, never a short row
    RowBinaryReader cut = new RowBinaryReader(new ByteArrayInputStream(java.util.Arrays.copyOf(bytes, 10)));
    cut.string(null);
    assertThrows(java.io.EOFException.class, cut::uint64);
  }

  @Test
  void tabSeparatedUnescapesAndKeepsNulls() throws Exception {
    String text = "a\\tb\t\\N\tc\\\\d\\ne\n\t1\n";
    List<List<String>> rows = Tsv.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    assertEquals(2, rows.size());
    assertEquals("a\tb", rows.get(0).get(0));
    assertNull(rows.get(0).get(1));
    assertEquals("c\\d\ne", rows.get(0).get(2));
    assertEquals(List.of("", "1"), rows.get(1));
    assertEquals(List.of(), Tsv.read(new ByteArrayInputStream(new byte[0])));
  }

  @Test
  void onlyKeyShapedValuesBecomeLiterals() {
    assertEquals("'caiso'", Sql.key("caiso"));
    assertEquals("'caiso.lmp_rt_5min.20241103T0800Z-20241103T0900Z.p0.abcdef012345'",
        Sql.key("caiso.lmp_rt_5min.20241103T0800Z-20241103T0900Z.p0.abcdef012345"));
    assertThrows(UsageException.class, () -> Sql.key("x' OR 1=1 --"));
    assertThrows(UsageException.class, () -> Sql.key("a b"));
    assertEquals("toDateTime(1730620800, 'UTC')", Sql.time(Instant.parse("2024-11-03T08:00:00Z")));
  }
}
