package io.carbon254.ingest.sinks.production.clickhouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.carbon254.ingest.core.UsageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RowBinary writing, TabSeparated reading and the literal guard, byte by byte. */
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
