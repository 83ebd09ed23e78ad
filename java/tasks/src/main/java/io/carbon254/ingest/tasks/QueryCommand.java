package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.core.sink.SinkProvider;
import io.carbon254.ingest.core.sink.Warehouse;
import io.carbon254.ingest.sinks.embedded.EmbeddedSinkProvider;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Run SQL against the configured warehouse (DuckDB under INGEST_HOME, or CLICKHOUSE_DSN) and print the result.")
final class QueryCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SQL", description = "e.g. \"SELECT count(*) FROM silver_prices WHERE market='caiso'\"")
  String sql;

  @Option(names = "--format", defaultValue = "table", description = "table (readable) or csv (scripts); default ${DEFAULT-VALUE}")
  String format;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!format.equals("table") && !format.equals("csv")) {
      throw new io.carbon254.ingest.core.UsageException("--format must be table or csv, not '" + format + "'");
    }
    IngestConfig config = IngestCli.config(spec);
    Warehouse w = null;
    for (SinkProvider p : Sinks.providers()) {
      if (!p.fallback()) {
        w = p.warehouse(config).orElse(null);
        if (w != null) {
          break;
        }
      }
    }
    if (w == null) {
      w = EmbeddedSinkProvider.readOnly(config);
    }
    try (Warehouse wh = w) {
      QueryResult r = wh.query(sql);
      if (format.equals("csv")) {
        printCsv(r, System.out);
      } else {
        printTable(r, System.out);
      }
    }
    return 0;
  }

  static void printCsv(QueryResult r, PrintStream out) {
    out.println(String.join(",", r.columns().stream().map(QueryCommand::csvCell).toList()));
    for (List<String> row : r.rows()) {
      out.println(String.join(",", row.stream().map(QueryCommand::csvCell).toList()));
    }
  }

  private static String csvCell(String v) {
    if (v == null) {
      return "";
    }
    return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  static void printTable(QueryResult r, PrintStream out) {
    int n = r.columns().size();
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = r.columns().get(i).length();
      for (List<String> row : r.rows()) {
        w[i] = Math.max(w[i], String.valueOf(row.get(i)).length());
      }
    }
    StringBuilder sep = new StringBuilder("+");
    for (int x : w) {
      sep.append("-".repeat(x + 2)).append('+');
    }
    out.println(sep);
    out.println(line(r.columns(), w));
    out.println(sep);
    for (List<String> row : r.rows()) {
      out.println(line(row, w));
    }
    out.println(sep);
    out.println(r.rows().size() + " row(s)");
  }

  private static String line(List<String> cells, int[] w) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < w.length; i++) {
      String v = String.valueOf(cells.get(i));
      sb.append(' ').append(v).append(" ".repeat(w[i] - v.length())).append(" |");
    }
    return sb.toString();
  }
}
