package io.carbon254.ingest.connectors.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CsvTest {
  private static Csv csv(String text) {
    return Csv.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void quotedFieldsKeepCommasAndDoubledQuotes() {
    Csv c = csv("NAME,LABEL,MW\n\"TH_SP15, hub\",\"he said \"\"hi\"\"\",12.5\n");
    assertEquals(List.of("NAME", "LABEL", "MW"), c.header());
    assertEquals(1, c.rows().size());
    Csv.Row r = c.rows().get(0);
    assertEquals("TH_SP15, hub", r.get("NAME"));
    assertEquals("he said \"hi\"", r.get("LABEL"));
    assertEquals("12.5", r.get("MW"));
    assertEquals(3, r.values().size());
  }

  @Test
  void crlfLineEndingsLeaveNoCarriageReturnsInValues() {
    Csv c = csv("Time,Solar\r\n00:00,0\r\n00:05,12\r\n");
    assertEquals(List.of("Time", "Solar"), c.header());
    assertEquals(2, c.rows().size());
    assertEquals("12", c.rows().get(1).get("Solar"));
    assertEquals(List.of("00:05", "12"), c.rows().get(1).values());
    assertEquals(List.of(2, 3), c.rows().stream().map(Csv.Row::line).toList());
  }

  @Test
  void byteOrderMarkIsNotPartOfTheFirstColumnName() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "Time,Wind\n01:00,300\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, bom.length);
    System.arraycopy(body, 0, all, bom.length, body.length);
    Csv c = Csv.parse(all);
    assertEquals("Time", c.header().get(0));
    assertTrue(c.has("Time"));
    assertEquals("01:00", c.rows().get(0).get("Time"));
  }

  @Test
  void lineNumbersCountTheHeaderBlankLinesAndEmbeddedNewlines() {
    String text = "A,B\n"            // line 1
        + "1,x\n"                      // line 2
        + "\n"                         // line 3 (blank, skipped)
        + "2,\"two\nlines\"\n"         // lines 4-5 (one record)
        + "3,y\n";                     // line 6
    Csv c = csv(text);
    assertEquals(3, c.rows().size());
    assertEquals(List.of(2, 4, 6), c.rows().stream().map(Csv.Row::line).toList());
    assertEquals("two\nlines", c.rows().get(1).get("B"));
    assertEquals("3", c.rows().get(2).get("A"));
  }

  @Test
  void columnsAreFoundByNameCaseInsensitivelyAndBlankCellsAreNull() {
    Csv c = csv(" INTERVALSTARTTIME_GMT , MW ,GROUP\n2024-11-03T08:00:00-00:00,  ,1\n");
    assertTrue(c.has("intervalstarttime_gmt"));
    assertTrue(c.has("MW"));
    assertFalse(c.has("VALUE"));
    Csv.Row r = c.rows().get(0);
    assertEquals("2024-11-03T08:00:00-00:00", r.get("IntervalStartTime_GMT"));
    assertNull(r.get("MW"), "a blank cell reads as null");
    assertNull(r.get("VALUE"), "an absent column reads as null");
    assertEquals(Optional.of("MW"), c.firstPresent("VALUE", "MW", "PRC"));
    assertEquals(Optional.empty(), c.firstPresent("VALUE", "PRC"));
  }

  @Test
  void columnIndexesResolveOnceAndReadTheSameCells() {
    Csv c = csv("NODE,MW\nTH_NP15_GEN-APND, 41.5 \n");
    int mw = c.column("mw");
    assertEquals(1, mw);
    assertEquals(-1, c.column("VALUE"));
    assertEquals("41.5", c.rows().get(0).get(mw));
    assertEquals(c.rows().get(0).get("MW"), c.rows().get(0).get(mw));
    assertNull(c.rows().get(0).get(-1));
    assertNull(c.rows().get(0).get(7));
  }


  @Test
  void cellsAreTrimmedOfAllWhitespace() {
    Csv c = csv("NODE,MW,LABEL\nTH_NP15_GEN-APND\t,\t,x\n");
    assertEquals("TH_NP15_GEN-APND", c.rows().get(0).get("NODE"));
    assertNull(c.rows().get(0).get("MW"), "a cell holding only a tab is blank");
  }

  @Test
  void shortRowsReadMissingCellsAsNull() {
    Csv c = csv("A,B,C\n1,2\n");
    assertEquals("2", c.rows().get(0).get("B"));
    assertNull(c.rows().get(0).get("C"));
  }

  @Test
  void emptyInputHasNoHeaderAndNoRows() {
    Csv c = csv("");
    assertTrue(c.header().isEmpty());
    assertTrue(c.rows().isEmpty());
  }

  @Test
  void headerOnlyHasNoRows() {
    Csv c = csv("A,B\n");
    assertEquals(List.of("A", "B"), c.header());
    assertTrue(c.rows().isEmpty());
  }


  @Test
  void unterminatedQuoteIsAnError() {
    // Line 3 opens a quote that never closes: the rows of lines 3-5 collapse into one record
    // whose last field holds the rest of the file, and no error is raised.
    String text = "A,B\n1,x\n2,\"broken\n3,y\n4,z\n";
    RuntimeException e = assertThrows(RuntimeException.class, () -> csv(text));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }
}
