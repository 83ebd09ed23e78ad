package io.carbon254.ingest.connectors.common;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A small RFC 4180 reader (quoted fields, doubled quotes, CRLF or LF, BOM) that keeps line
 * numbers for error messages. Columns are looked up by header name, never by position.
 */
public final class Csv {
  private final List<String> header;
  private final Map<String, Integer> index = new HashMap<>();
  private final List<Row> rows;

  /** One data row; {@code line} is the 1-based line number in the file (header is line 1). */
  public record Row(int line, List<String> values, Csv csv) {
    public String get(String column) {
      Integer i = csv.index.get(column.toUpperCase(Locale.ROOT));
      return i == null ? null : get(i);
    }

    /** The trimmed value at a column index from {@link Csv#column}; null when blank or absent. */
    public String get(int i) {
      if (i < 0 || i >= values.size()) {
        return null;
      }
      String v = values.get(i);
      if (!v.isEmpty() && (v.charAt(0) <= ' ' || v.charAt(v.length() - 1) <= ' ')) {
        v = v.trim();
      }
      return v.isEmpty() ? null : v;
    }
  }

  /** A structural problem of the text itself (an unterminated quote), with the line it started on. */
  public static final class CsvException extends RuntimeException {
    CsvException(String message) {
      super(message);
    }
  }

  private Csv(List<String> header, List<List<String>> raw, List<Integer> lines) {
    this.header = header;
    for (int i = 0; i < header.size(); i++) {
      index.putIfAbsent(header.get(i).trim().toUpperCase(Locale.ROOT), i);
    }
    this.rows = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      rows.add(new Row(lines.get(i), raw.get(i), this));
    }
  }

  public static Csv parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<List<String>> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new StringReader(text))) {
      int[] lineNo = {0};
      read(r, lineNo, (rec) -> {
        records.add(rec.values);
        lines.add(rec.line);
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (records.isEmpty()) {
      return new Csv(List.of(), List.of(), List.of());
    }
    List<String> header = records.get(0).stream().map(String::trim).toList();
    return new Csv(header, records.subList(1, records.size()), lines.subList(1, lines.size()));
  }

  private record Rec(int line, List<String> values) {}

  private static void read(BufferedReader r, int[] lineNo, Consumer<Rec> sink) throws IOException {
    String line;
    while ((line = r.readLine()) != null) {
      lineNo[0]++;
      int start = lineNo[0];
      if (line.isBlank()) {
        continue;
      }
      if (line.indexOf('"') < 0) {
        List<String> fast = new ArrayList<>(16);
        int from = 0;
        int comma;
        while ((comma = line.indexOf(',', from)) >= 0) {
          fast.add(line.substring(from, comma));
          from = comma + 1;
        }
        fast.add(line.substring(from));
        sink.accept(new Rec(start, fast));
        continue;
      }
      List<String> vals = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      int i = 0;
      while (true) {
        if (i >= line.length()) {
          if (quoted) {
            String next = r.readLine();
            if (next == null) {
              throw new CsvException("line " + start + ": quoted field is never closed");
            }
            lineNo[0]++;
            cur.append('\n');
            line = next;
            i = 0;
            continue;
          }
          break;
        }
        char c = line.charAt(i++);
        if (quoted) {
          if (c == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              cur.append('"');
              i++;
            } else {
              quoted = false;
            }
          } else {
            cur.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          vals.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      vals.add(cur.toString());
      sink.accept(new Rec(start, vals));
    }
  }

  public List<String> header() {
    return header;
  }

  public List<Row> rows() {
    return rows;
  }

  /** Index of a column (case-insensitive), or -1: resolve once, then read rows with {@link Row#get(int)}. */
  public int column(String name) {
    return index.getOrDefault(name.toUpperCase(Locale.ROOT), -1);
  }

  public boolean has(String column) {
    return index.containsKey(column.toUpperCase(Locale.ROOT));
  }

  /** The first of {@code candidates} present in the header. */
  public Optional<String> firstPresent(String... candidates) {
    for (String c : candidates) {
      if (has(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
