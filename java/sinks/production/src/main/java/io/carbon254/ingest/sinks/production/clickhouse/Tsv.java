package io.carbon254.ingest.sinks.production.clickhouse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads ClickHouse's TabSeparated output (the text format every version writes): rows end with
 * {@code \n}, fields are split by {@code \t}, {@code \N} is NULL and {@code \\ \t \n \r \0 \b \f \'}
 * are escapes. Works on bytes, so escaped binary survives; fields are decoded as UTF-8.
 */
final class Tsv {
  private Tsv() {}

  static List<List<String>> read(InputStream in) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    ByteArrayOutputStream field = new ByteArrayOutputStream(64);
    boolean nullField = false;
    boolean any = false;
    byte[] buf = new byte[64 * 1024];
    boolean escape = false;
    int n;
    while ((n = in.read(buf)) > 0) {
      for (int i = 0; i < n; i++) {
        int b = buf[i] & 0xFF;
        any = true;
        if (escape) {
          escape = false;
          switch (b) {
            case 'N' -> nullField = true;
            case 't' -> field.write('\t');
            case 'n' -> field.write('\n');
            case 'r' -> field.write('\r');
            case '0' -> field.write(0);
            case 'b' -> field.write('\b');
            case 'f' -> field.write('\f');
            default -> field.write(b);
          }
        } else if (b == '\\') {
          escape = true;
        } else if (b == '\t') {
          row.add(nullField ? null : field.toString(StandardCharsets.UTF_8));
          field.reset();
          nullField = false;
        } else if (b == '\n') {
          row.add(nullField ? null : field.toString(StandardCharsets.UTF_8));
          field.reset();
          nullField = false;
          rows.add(row);
          row = new ArrayList<>();
          any = false;
        } else {
          field.write(b);
        }
      }
    }
    if (any) {
      row.add(nullField ? null : field.toString(StandardCharsets.UTF_8));
      rows.add(row);
    }
    return rows;
  }
}
