package io.carbon254.ingest.connectors.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
  private static CsvReader reader(String text) throws IOException {
    return reader(text.getBytes(StandardCharsets.UTF_8));
  }

  private static CsvReader reader(byte[] bytes) throws IOException {
    return new CsvReader(new ByteArrayInputStream(bytes));
  }

  /** A stream that hands out one byte per read, so every record crosses buffer refills. */
  private static InputStream trickle(byte[] bytes) {
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }

  /** Every record after the header as "line:cell|cell|…" (cells trimmed, blank as the empty string). */
  private static List<String> records(CsvReader r) throws IOException {
    List<String> out = new ArrayList<>();
    while (r.next()) {
      StringBuilder sb = new StringBuilder().append(r.line()).append(':');
      for (int i = 0; i < r.cells(); i++) {
        String v = r.get(i);
        sb.append(i == 0 ? "" : "|").append(v == null ? "" : v);
      }
      out.add(sb.toString());
    }
    return out;
  }

  @Test
  void quotedFieldsKeepCommasAndDoubledQuotes() throws IOException {
    CsvReader r = reader("NAME,LABEL,MW\n\"TH_SP15, hub\",\"he said \"\"hi\"\"\",12.5\n");
    assertEquals(List.of("NAME", "LABEL", "MW"), r.header());
    assertTrue(r.next());
    assertEquals(3, r.cells());
    assertEquals("TH_SP15, hub", r.get(r.column("NAME")));
    assertEquals("he said \"hi\"", r.get(r.column("LABEL")));
    assertEquals("12.5", r.get(r.column("MW")));
    assertFalse(r.next());
  }

  @Test
  void aQuotedEmptyFieldIsARecordNotABlankLine() throws IOException {
    CsvReader r = reader("A\n\"\"\n\n");
    assertTrue(r.next());
    assertEquals(1, r.cells());
    assertNull(r.get(0), "an empty quoted cell reads as blank");
    assertEquals(2, r.line());
    assertFalse(r.next(), "the blank line after it is skipped");
  }

  @Test
  void crlfLineEndingsLeaveNoCarriageReturnsInValues() throws IOException {
    CsvReader r = reader("Time,Solar\r\n00:00,0\r\n00:05,12\r\n");
    assertEquals(List.of("Time", "Solar"), r.header());
    assertEquals(List.of("2:00:00|0", "3:00:05|12"), records(r));
  }

  @Test
  void bareCarriageReturnsEndRecordsToo() throws IOException {
    CsvReader r = reader("Time,Solar\r00:00,0\r\r00:05,12");
    assertEquals(List.of("Time", "Solar"), r.header());
    assertEquals(List.of("2:00:00|0", "4:00:05|12"), records(r), "a record without a final newline is read");
  }

  @Test
  void byteOrderMarkIsNotPartOfTheFirstColumnName() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "Time,Wind\n01:00,300\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, bom.length);
    System.arraycopy(body, 0, all, bom.length, body.length);
    CsvReader r = reader(all);
    assertEquals("Time", r.header().get(0));
    assertTrue(r.has("Time"));
    assertEquals(0, r.column("TIME"));
    assertEquals(List.of("2:01:00|300"), records(r));
  }

  @Test
  void lineNumbersCountTheHeaderBlankLinesAndEmbeddedNewlines() throws IOException {
    String text = "A,B\n"          // line 1
        + "1,x\n"                  // line 2
        + "\n"                     // line 3 (blank, skipped)
        + "  \t\n"                 // line 4 (only whitespace: blank, skipped)
        + "2,\"two\r\nlines\"\n"   // lines 5-6 (one record; the quoted CRLF reads as \n)
        + "3,y\n";                 // line 7
    assertEquals(List.of("2:1|x", "5:2|two\nlines", "7:3|y"), records(reader(text)));
  }

  @Test
  void columnsAreFoundByNameCaseInsensitivelyAndBlankCellsAreNull() throws IOException {
    CsvReader r = reader(" INTERVALSTARTTIME_GMT , MW ,GROUP\n2024-11-03T08:00:00-00:00,  ,1\n");
    assertEquals(List.of("INTERVALSTARTTIME_GMT", "MW", "GROUP"), r.header(), "header names are trimmed");
    assertTrue(r.has("intervalstarttime_gmt"));
    assertTrue(r.has("MW"));
    assertFalse(r.has("VALUE"));
    assertEquals("MW", r.firstPresent("VALUE", "MW", "PRC"));
    assertNull(r.firstPresent("VALUE", "PRC"));
    assertTrue(r.next());
    assertEquals("2024-11-03T08:00:00-00:00", r.get(r.column("IntervalStartTime_GMT")));
    assertNull(r.get(r.column("MW")), "a blank cell reads as null");
    assertTrue(r.isBlank(r.column("MW")));
    assertEquals(-1, r.column("VALUE"));
    assertNull(r.get(r.column("VALUE")), "an absent column reads as null");
    assertTrue(r.isBlank(-1));
  }

  @Test
  void cellsAreTrimmedOfAllWhitespace() throws IOException {
    CsvReader r = reader("NODE,MW,LABEL\nTH_NP15_GEN-APND\t, 41.5 ,\t\n");
    assertTrue(r.next());
    assertEquals("TH_NP15_GEN-APND", r.get(0));
    assertEquals("41.5", r.get(1));
    assertEquals(41.5, r.number(1));
    assertNull(r.get(2), "a cell holding only a tab is blank");
  }

  @Test
  void raggedRowsReadMissingCellsAsNullAndKeepExtraCells() throws IOException {
    CsvReader r = reader("A,B,C\n1,2\n1,2,3,4\n");
    assertTrue(r.next());
    assertEquals(2, r.cells());
    assertEquals("2", r.get(r.column("B")));
    assertNull(r.get(r.column("C")));
    assertTrue(r.isBlank(r.column("C")));
    assertFalse(r.is(r.column("C"), "3".getBytes(StandardCharsets.US_ASCII)));
    assertThrows(NumberFormatException.class, () -> r.number(r.column("C")));
    assertTrue(r.next());
    assertEquals(4, r.cells());
    assertEquals("4", r.get(3));
    assertNull(r.get(7));
  }

  @Test
  void emptyInputHasNoHeaderAndNoRecords() throws IOException {
    CsvReader r = reader("");
    assertTrue(r.header().isEmpty());
    assertFalse(r.next());
  }

  @Test
  void headerOnlyHasNoRecords() throws IOException {
    CsvReader r = reader("A,B\n");
    assertEquals(List.of("A", "B"), r.header());
    assertFalse(r.next());
  }

  @Test
  void unterminatedQuoteIsAnErrorNamingTheLineItOpenedOn() throws IOException {
    // Line 3 opens a quote that never closes: the reader must not fold the rest of the file into
    // one field silently.
    CsvReader r = reader("A,B\n1,x\n2,\"broken\n3,y\n4,z\n");
    assertTrue(r.next());
    CsvException e = assertThrows(CsvException.class, r::next);
    assertTrue(e.getMessage().startsWith("line 3:"), e.getMessage());
  }

  @Test
  void aRecordPastTheBoundIsAnError() throws IOException {
    byte[] big = new byte[CsvReader.MAX_RECORD_BYTES + 10];
    java.util.Arrays.fill(big, (byte) 'x');
    byte[] head = "A\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + big.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(big, 0, all, head.length, big.length);
    CsvReader r = reader(all);
    CsvException e = assertThrows(CsvException.class, r::next);
    assertTrue(e.getMessage().startsWith("line 2:"), e.getMessage());
  }

  @Test
  void numbersReadAsDoubleParseDoubleReadsTheTrimmedText() throws IOException {
    String[] cells = {"41.5", "-0.25", "+3", "0", "-0", "0.1", "123456789012345", "1234567890123456789", "1e3",
      "-2.5E-2", "0.000000000000000000001", "Infinity", "NaN", " 7.25\t"};
    CsvReader r = reader("V\n" + String.join("\n", cells) + "\n");
    for (String c : cells) {
      assertTrue(r.next());
      double expected = Double.parseDouble(c.trim());
      assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(r.number(0)), c);
    }
    CsvReader bad = reader("V\n12x\n");
    assertTrue(bad.next());
    assertThrows(NumberFormatException.class, () -> bad.number(0));
  }

  @Test
  void isComparesTheTrimmedBytes() throws IOException {
    CsvReader r = reader("T\n MGHG \n");
    assertTrue(r.next());
    assertTrue(r.is(0, "MGHG".getBytes(StandardCharsets.US_ASCII)));
    assertFalse(r.is(0, "MGH".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void aMemoMakesOneObjectPerDistinctValueAndStoresNoNull() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    CsvReader.Memo<String> memo = new CsvReader.Memo<>(s -> {
      calls.incrementAndGet();
      return s.equals("bad") ? null : new String(s);
    });
    StringBuilder text = new StringBuilder("NODE\n");
    for (int i = 0; i < 2000; i++) {
      text.append("NODE_").append(i % 500).append('\n'); // 500 distinct values: the table grows
    }
    text.append("bad\nbad\n");
    CsvReader r = reader(text.toString());
    List<String> first = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      assertTrue(r.next());
      String v = r.get(0, memo);
      assertEquals("NODE_" + (i % 500), v);
      if (i < 500) {
        first.add(v);
      } else {
        assertSame(first.get(i % 500), v, "a repeated value is the object made the first time");
      }
    }
    assertEquals(500, calls.get());
    assertTrue(r.next());
    assertNull(r.get(0, memo));
    assertTrue(r.next());
    assertNull(r.get(0, memo));
    assertEquals(502, calls.get(), "a null result is not stored: asked again");
  }

  /** A stream that hands out at most {@code n} bytes per read. */
  private static InputStream chunks(byte[] bytes, int n) {
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, n));
      }
    };
  }

  @Test
  void plainRecordsSplitInPlaceGiveTheSameCellsWhateverTheReadsAndTheBufferEnds() throws IOException {
    // no quotes: the in-place path, with records crossing every kind of buffer end, CR at a buffer's
    // end before LF, and one record longer than the 64 KiB buffer (the buffer grows)
    StringBuilder text = new StringBuilder("NODE,START,VALUE\r\n");
    List<String> expected = new ArrayList<>();
    int line = 2;
    for (int i = 0; i < 5000; i++) {
      String eol = i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r";
      String node = i == 2500 ? "N".repeat(100_000) : "NODE_" + i;
      text.append(node).append(',').append("2024-11-03T0").append(i % 10).append(":00:00-00:00,").append(i * 0.25).append(eol);
      expected.add(line + ":" + node + "|2024-11-03T0" + (i % 10) + ":00:00-00:00|" + (i * 0.25));
      line++;
      if (i % 1000 == 999 && i % 3 != 2) { // (after a bare CR an LF would end that line, not add one)
        text.append("\n"); // a blank line: skipped, counted
        line++;
      }
    }
    text.append("LAST,2024-11-04T00:00:00-00:00,1.5"); // no final line end
    expected.add(line + ":LAST|2024-11-04T00:00:00-00:00|1.5");
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    assertEquals(expected, records(reader(bytes)));
    for (int n : new int[] {1, 7, 4096, 65_535}) {
      try (CsvReader r = new CsvReader(chunks(bytes, n))) {
        assertEquals(List.of("NODE", "START", "VALUE"), r.header());
        assertEquals(expected, records(r), "reads of " + n + " bytes");
      }
    }
  }

  @Test
  void aByteOrderMarkHandedOverByteByByteIsStillDropped() throws IOException {
    byte[] all = "\uFEFFTime,Wind\n01:00,300\n".getBytes(StandardCharsets.UTF_8);
    try (CsvReader r = new CsvReader(trickle(all))) {
      assertEquals(List.of("Time", "Wind"), r.header());
      assertEquals(List.of("2:01:00|300"), records(r));
    }
  }

  @Test
  void aMemoNumbersDistinctValuesInOrderOfFirstAppearance() throws IOException {
    CsvReader.Memo<String> memo = new CsvReader.Memo<>(s -> s.equals("bad") ? null : s);
    CsvReader r = reader("K\nb\na\nb\nbad\nc\na\n");
    List<Integer> ids = new ArrayList<>();
    while (r.next()) {
      r.get(0, memo);
      ids.add(memo.lastId());
    }
    assertEquals(List.of(0, 1, 0, -1, 2, 1), ids);
    assertEquals(3, memo.size());
  }

  @Test
  void oneByteReadsGiveTheSameRecordsAsOneBuffer() throws IOException {
    StringBuilder text = new StringBuilder("A,B,C\r\n");
    for (int i = 0; i < 300; i++) {
      String eol = i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r";
      text.append(i).append(",\"q,").append(i).append("\"\"x\"\"\r\nnext\",").append(i % 7 == 0 ? "" : " v ").append(eol);
      if (i % 50 == 0) {
        text.append("\r\n");
      }
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    List<String> whole = records(reader(bytes));
    List<String> trickled;
    try (CsvReader r = new CsvReader(trickle(bytes))) {
      assertEquals(List.of("A", "B", "C"), r.header());
      trickled = records(r);
    }
    assertEquals(300, whole.size());
    assertEquals("2:0|q,0\"x\"\nnext|", whole.get(0));
    assertEquals(whole, trickled);
  }

  @Test
  void closeClosesTheStream() throws IOException {
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream("A\n1\n".getBytes(StandardCharsets.US_ASCII)) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    new CsvReader(in).close();
    assertTrue(closed[0]);
  }

  @Test
  void readErrorsOfTheStreamPropagate() {
    InputStream failing = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("boom");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        throw new IOException("boom");
      }
    };
    IOException e = assertThrows(IOException.class, () -> new CsvReader(failing));
    assertEquals("boom", e.getMessage());
  }
}
