package io.carbon254.ingest.connectors.caiso.sim;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.carbon254.ingest.connectors.caiso.OasisQuery;
import io.carbon254.ingest.connectors.common.CsvReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code make bench-csv}: the CSV readers side by side on what {@code OasisPriceParser} reads, one
 * Pacific day of OASIS PRC_INTVL_LMP from the simulator ({@link OasisCsv#prices}, the real header and
 * row order). Every contender reads the same bytes from an {@link InputStream} (the parser gets the
 * inflating zip entry; inflation costs all of them the same and is left out), finds its columns by
 * header name and extracts the five fields the parser uses: NODE, INTERVALSTARTTIME_GMT,
 * INTERVALENDTIME_GMT, LMP_TYPE as text and VALUE as a double. The checksum over those fields and the
 * record count must agree across contenders, else the bench exits 1. Not a unit test: timings are
 * reported, never asserted ({@code CsvReaderBenchTest} checks the agreement on a small input).
 *
 * <p>Arguments: {@code nodes hours warmup runs} (default 1000 24 2 5: 1,007 locations, 1,450,080 rows).
 * Runs are interleaved (round r of every contender, then round r+1) so that noise from other work on
 * the machine is spread over all of them; the table shows the median of the timed runs.
 */
public final class CsvReaderBench {
  static final Instant DAY_START = Instant.parse("2024-11-04T08:00:00Z"); // the `make bench` day
  static final String[] TYPES = {"LMP", "MCE", "MCC", "MCL", "MGHG"};
  private static final byte[][] TYPE_BYTES = Arrays.stream(TYPES).map(t -> t.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
  private static final String NODE = "NODE";
  private static final String START = "INTERVALSTARTTIME_GMT";
  private static final String END = "INTERVALENDTIME_GMT";
  private static final String TYPE = "LMP_TYPE";
  private static final String VALUE = "VALUE";

  private CsvReaderBench() {}

  /** What a contender read: data records (header excluded) and a checksum of the extracted fields. */
  record Result(long records, long checksum) {}

  /** One reader under test. */
  record Contender(String name, Reader reader) {}

  @FunctionalInterface
  interface Reader {
    Result read(byte[] csv) throws IOException;
  }

  /** Folds one record into the checksum; every contender calls it with the same values. */
  static final class Sum {
    long records;
    long h = 17;

    void add(String node, String start, String end, String type, double value) {
      long r = node.hashCode();
      r = r * 31 + start.hashCode();
      r = r * 31 + end.hashCode();
      r = r * 31 + type.hashCode();
      r = r * 31 + Double.doubleToLongBits(value);
      h = h * 1_000_003L + r;
      records++;
    }

    Result result() {
      return new Result(records, h);
    }
  }

  static List<Contender> contenders() {
    return List.of(
        new Contender("CsvReader (memo + bytes, as OasisPriceParser)", CsvReaderBench::csvReaderMemo),
        new Contender("CsvReader (a String per field)", CsvReaderBench::csvReaderStrings),
        new Contender("Jackson CSV " + jacksonVersion() + " (CsvParser tokens)", CsvReaderBench::jackson),
        new Contender("FastCSV " + fastCsvVersion() + " (CsvRecord)", CsvReaderBench::fastCsvRecords),
        new Contender("FastCSV " + fastCsvVersion() + " (callback, 5 fields)", CsvReaderBench::fastCsvCallback));
  }

  /** The simulator's PRC_INTVL_LMP CSV for {@code nodes} (+ the 7 hubs and DLAPs) over {@code hours} from {@link #DAY_START}. */
  static byte[] input(int nodes, int hours) {
    String csv = OasisCsv.prices(OasisQuery.LMP_RT_5MIN, PriceModel.nodes(nodes), DAY_START, DAY_START.plus(Duration.ofHours(hours)));
    return csv.getBytes(StandardCharsets.UTF_8);
  }

  // --- contenders -------------------------------------------------------------------------------

  /** As the parser reads: repeated texts through a byte-keyed memo, LMP_TYPE compared as bytes, VALUE from the bytes. */
  static Result csvReaderMemo(byte[] csv) throws IOException {
    Sum sum = new Sum();
    try (CsvReader r = new CsvReader(new ByteArrayInputStream(csv))) {
      CsvReader.Memo<String> names = new CsvReader.Memo<>(Function.identity());
      CsvReader.Memo<String> times = new CsvReader.Memo<>(Function.identity());
      int iNode = r.column(NODE);
      int iStart = r.column(START);
      int iEnd = r.column(END);
      int iType = r.column(TYPE);
      int iValue = r.column(VALUE);
      while (r.next()) {
        int slot = -1;
        for (int t = 0; t < TYPE_BYTES.length; t++) {
          if (r.is(iType, TYPE_BYTES[t])) {
            slot = t;
            break;
          }
        }
        if (slot < 0) {
          throw new IllegalStateException("line " + r.line() + ": unknown LMP_TYPE " + r.get(iType));
        }
        sum.add(r.get(iNode, names), r.get(iStart, times), r.get(iEnd, times), TYPES[slot], r.number(iValue));
      }
    }
    return sum.result();
  }

  /** The same reader asked for a new String per field (what the libraries hand out). */
  static Result csvReaderStrings(byte[] csv) throws IOException {
    Sum sum = new Sum();
    try (CsvReader r = new CsvReader(new ByteArrayInputStream(csv))) {
      int iNode = r.column(NODE);
      int iStart = r.column(START);
      int iEnd = r.column(END);
      int iType = r.column(TYPE);
      int iValue = r.column(VALUE);
      while (r.next()) {
        sum.add(r.get(iNode), r.get(iStart), r.get(iEnd), r.get(iType), r.number(iValue));
      }
    }
    return sum.result();
  }

  private static final CsvFactory JACKSON = new CsvFactory();

  /** Jackson's streaming parser without a schema: each row an array of VALUE_STRING tokens. */
  static Result jackson(byte[] csv) throws IOException {
    Sum sum = new Sum();
    try (CsvParser p = JACKSON.createParser(new ByteArrayInputStream(csv))) {
      List<String> header = new ArrayList<>();
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalStateException("no header");
      }
      while (p.nextToken() == JsonToken.VALUE_STRING) {
        header.add(p.getText().trim().toUpperCase(Locale.ROOT));
      }
      int iNode = header.indexOf(NODE);
      int iStart = header.indexOf(START);
      int iEnd = header.indexOf(END);
      int iType = header.indexOf(TYPE);
      int iValue = header.indexOf(VALUE);
      String node = null;
      String start = null;
      String end = null;
      String type = null;
      String value = null;
      while (p.nextToken() == JsonToken.START_ARRAY) {
        int i = 0;
        for (JsonToken t = p.nextToken(); t == JsonToken.VALUE_STRING; t = p.nextToken(), i++) {
          if (i == iNode) {
            node = p.getText();
          } else if (i == iStart) {
            start = p.getText();
          } else if (i == iEnd) {
            end = p.getText();
          } else if (i == iType) {
            type = p.getText();
          } else if (i == iValue) {
            value = p.getText();
          }
        }
        sum.add(node, start, end, type, Double.parseDouble(value));
      }
    }
    return sum.result();
  }

  /** FastCSV's documented way: a {@link CsvRecord} (every field a String) per row. */
  static Result fastCsvRecords(byte[] csv) throws IOException {
    Sum sum = new Sum();
    try (var r = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(new ByteArrayInputStream(csv), StandardCharsets.UTF_8)) {
      var it = r.iterator();
      List<String> header = it.next().getFields().stream().map(h -> h.trim().toUpperCase(Locale.ROOT)).toList();
      int iNode = header.indexOf(NODE);
      int iStart = header.indexOf(START);
      int iEnd = header.indexOf(END);
      int iType = header.indexOf(TYPE);
      int iValue = header.indexOf(VALUE);
      while (it.hasNext()) {
        CsvRecord rec = it.next();
        sum.add(rec.getField(iNode), rec.getField(iStart), rec.getField(iEnd), rec.getField(iType),
            Double.parseDouble(rec.getField(iValue)));
      }
    }
    return sum.result();
  }

  /** FastCSV's callback API: only the five fields become Strings (its fastest public path). */
  static Result fastCsvCallback(byte[] csv) throws IOException {
    Sum sum = new Sum();
    FiveFields handler = new FiveFields();
    try (var r = de.siegmar.fastcsv.reader.CsvReader.builder().build(handler, new ByteArrayInputStream(csv), StandardCharsets.UTF_8)) {
      for (String[] f : r) {
        sum.add(f[0], f[1], f[2], f[3], Double.parseDouble(f[4]));
      }
    }
    return sum.result();
  }

  /** The first record is the header (columns found by name); later records hand out the five fields. */
  private static final class FiveFields extends AbstractBaseCsvCallbackHandler<String[]> {
    private static final String[] WANTED = {NODE, START, END, TYPE, VALUE};
    private final List<String> header = new ArrayList<>();
    private int[] slotOfColumn;
    private final String[] fields = new String[WANTED.length];

    @Override
    protected void handleField(int index, char[] buf, int offset, int len, boolean quoted) {
      if (slotOfColumn == null) {
        header.add(new String(buf, offset, len).trim().toUpperCase(Locale.ROOT));
      } else if (index < slotOfColumn.length && slotOfColumn[index] >= 0) {
        fields[slotOfColumn[index]] = new String(buf, offset, len);
      }
    }

    @Override
    protected String[] buildRecord() {
      if (slotOfColumn == null) {
        slotOfColumn = new int[header.size()];
        Arrays.fill(slotOfColumn, -1);
        for (int s = 0; s < WANTED.length; s++) {
          int i = header.indexOf(WANTED[s]);
          if (i < 0) {
            throw new IllegalStateException("no column " + WANTED[s] + " in " + header);
          }
          slotOfColumn[i] = s;
        }
        return null; // the header is not a data record
      }
      return fields;
    }
  }

  // --- the run ----------------------------------------------------------------------------------

  public static void main(String[] args) throws IOException {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int hours = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    long t0 = System.nanoTime();
    byte[] csv = input(nodes, hours);
    long lines = 0;
    for (byte b : csv) {
      if (b == '\n') {
        lines++;
      }
    }
    System.err.printf(Locale.ROOT, "bench-csv: input %,d bytes, %,d data rows (%d nodes + hubs/DLAPs, %d h), generated in %.1f s%n",
        csv.length, lines - 1, nodes, hours, (System.nanoTime() - t0) / 1e9);
    List<Contender> cs = contenders();
    Result[] results = new Result[cs.size()];
    long[][] nanos = new long[cs.size()][runs];
    for (int round = 0; round < warmup + runs; round++) {
      for (int c = 0; c < cs.size(); c++) {
        System.gc();
        long s = System.nanoTime();
        Result r = cs.get(c).reader().read(csv);
        long d = System.nanoTime() - s;
        if (results[c] != null && !results[c].equals(r)) {
          throw new IllegalStateException(cs.get(c).name() + " read " + r + " in one run and " + results[c] + " in another");
        }
        results[c] = r;
        if (round >= warmup) {
          nanos[c][round - warmup] = d;
        }
        System.err.printf(Locale.ROOT, "bench-csv: %s %d %-48s %.3f s%n", round < warmup ? "warm-up" : "run", round < warmup ? round + 1 : round - warmup + 1,
            cs.get(c).name(), d / 1e9);
      }
    }
    System.out.printf(Locale.ROOT, "%nJDK %s, %s, %d CPUs, load average %s; input: %,d rows, %.1f MB (%d nodes + hubs/DLAPs x %d h"
        + " of PRC_INTVL_LMP); median of %d runs after %d warm-up (records/s and MB/s from the median)%n%n", Runtime.version(),
        System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), loadAverage(), lines - 1, csv.length / 1e6,
        nodes, hours, runs, warmup);
    System.out.println("| reader | records | records/s | MB/s | median s | best s | checksum |");
    System.out.println("|---|---:|---:|---:|---:|---:|---|");
    boolean agree = true;
    for (int c = 0; c < cs.size(); c++) {
      long[] ts = nanos[c].clone();
      Arrays.sort(ts);
      double median = (runs % 2 == 1 ? ts[runs / 2] : (ts[runs / 2 - 1] + ts[runs / 2]) / 2.0) / 1e9;
      Result r = results[c];
      agree &= r.equals(results[0]);
      System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %.3f | %.3f | %016x |%n", cs.get(c).name(), r.records(),
          r.records() / median, csv.length / 1e6 / median, median, ts[0] / 1e9, r.checksum());
    }
    System.out.println();
    if (!agree || results[0].records() != lines - 1) {
      System.out.println("DISAGREEMENT: the contenders did not read the same records (" + (lines - 1) + " data rows in the input)");
      System.exit(1);
    }
    System.out.printf(Locale.ROOT, "agreement: all %d readers read %,d records, checksum %016x%n", cs.size(),
        results[0].records(), results[0].checksum());
  }

  /** The 1-minute load average (Linux), "?" elsewhere: other work on the machine skews every figure. */
  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String jacksonVersion() {
    return com.fasterxml.jackson.dataformat.csv.PackageVersion.VERSION.toString();
  }

  /** FastCSV's jar carries its version only in the OSGi manifest (Bundle-Version). */
  private static String fastCsvVersion() {
    try {
      var location = de.siegmar.fastcsv.reader.CsvReader.class.getProtectionDomain().getCodeSource().getLocation();
      try (var jar = new java.util.jar.JarFile(new java.io.File(location.toURI()))) {
        String v = jar.getManifest().getMainAttributes().getValue("Bundle-Version");
        return v != null ? v : "?";
      }
    } catch (Exception e) {
      return "?";
    }
  }
}
