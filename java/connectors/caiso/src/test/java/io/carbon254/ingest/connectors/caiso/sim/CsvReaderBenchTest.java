package io.carbon254.ingest.connectors.caiso.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench's plumbing, not its timings: every contender reads the same records from a small input. */
class CsvReaderBenchTest {
  @Test
  void everyContenderReadsTheSameRecordsAndChecksum() throws IOException {
    byte[] csv = CsvReaderBench.input(3, 1); // 3 nodes + 7 hubs/DLAPs, 12 intervals, 5 components
    CsvReaderBench.Result expected = new CsvReaderBench.Result(10 * 12 * 5, reference(csv));
    for (CsvReaderBench.Contender c : CsvReaderBench.contenders()) {
      assertEquals(expected, c.reader().read(csv), c.name());
    }
  }

  @Test
  void theChecksumSeesEveryExtractedField() throws IOException {
    byte[] csv = CsvReaderBench.input(3, 1);
    long base = reference(csv);
    String text = new String(csv, StandardCharsets.UTF_8);
    int firstRow = text.indexOf('\n') + 1;
    String[] header = text.substring(0, firstRow - 1).split(",");
    String[] cells = text.substring(firstRow, text.indexOf('\n', firstRow)).split(",", -1);
    String rest = text.substring(text.indexOf('\n', firstRow));
    for (String column : new String[] {"NODE", "INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "LMP_TYPE", "VALUE"}) {
      int i = java.util.Arrays.asList(header).indexOf(column);
      String[] changed = cells.clone();
      changed[i] = column.equals("VALUE") ? "1" + cells[i] : column.equals("LMP_TYPE") ? "MCE".equals(cells[i]) ? "MCC" : "MCE" : cells[i] + "X";
      byte[] other = (text.substring(0, firstRow) + String.join(",", changed) + rest).getBytes(StandardCharsets.UTF_8);
      for (CsvReaderBench.Contender c : CsvReaderBench.contenders()) {
        assertNotEquals(base, c.reader().read(other).checksum(), c.name() + " with " + column + " changed");
      }
    }
  }

  /** The checksum computed by splitting lines and cells by hand (the simulator writes no quotes). */
  private static long reference(byte[] csv) {
    String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n");
    java.util.List<String> header = java.util.Arrays.asList(lines[0].split(","));
    int node = header.indexOf("NODE");
    int start = header.indexOf("INTERVALSTARTTIME_GMT");
    int end = header.indexOf("INTERVALENDTIME_GMT");
    int type = header.indexOf("LMP_TYPE");
    int value = header.indexOf("VALUE");
    CsvReaderBench.Sum sum = new CsvReaderBench.Sum();
    for (int l = 1; l < lines.length; l++) {
      String[] c = lines[l].split(",", -1);
      sum.add(c[node], c[start], c[end], c[type], Double.parseDouble(c[value]));
    }
    return sum.result().checksum();
  }
}
