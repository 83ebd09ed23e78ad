package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IngestException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain-text error line for people, {@code ingest: error: <message>} on stderr, beside the
 * JSON line that log collectors read. Printed for every usage error (exit 2: a bad argument, a
 * bad setting, bad SQL in {@code ingest query}, always meant for the person who typed it; picocli
 * prints its own argument errors as plain text too), and for any other typed failure when the
 * process runs on a terminal. Terminal: {@link System#console()} is present and, on JDKs that
 * can tell (22+), {@code Console.isTerminal()}; under Airflow (pipes) only exit 2 gets the line.
 */
final class ErrorLine {
  private ErrorLine() {}

  static void print(IngestException e) {
    print(e, System.err, onTerminal());
  }

  static void print(IngestException e, PrintStream err, boolean terminal) {
    if (e.exitCode() == ExitCodes.USAGE || terminal) {
      err.println("ingest: error: " + io.carbon254.ingest.core.Secrets.mask(oneLine(e.getMessage())));
      err.flush();
    }
  }

  /** Multi-line messages (DuckDB's parser errors with their caret line) folded into one line. */
  static String oneLine(String message) {
    List<String> parts = new ArrayList<>();
    for (String line : String.valueOf(message).split("\\R")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.matches("\\^+")) {
        parts.add(t.replaceAll("\\s+", " "));
      }
    }
    if (parts.isEmpty()) {
      return "";
    }
    return parts.size() == 1 ? parts.get(0) : parts.get(0) + " (" + String.join("; ", parts.subList(1, parts.size())) + ")";
  }

  static boolean onTerminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }
}
