package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IngestException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain-text error line for people, {@code ingest: error: <message>} on stderr, beside the log
 * line that carries the failure. Only in the text log format ({@link Logging}; a JSON stderr holds
 * JSON lines only, and the JSON ERROR line already has the message): there, printed for every
 * usage error (exit 2: a bad argument, a bad setting, bad SQL in {@code ingest query}, always meant
 * for the person who typed it), and for any other typed failure when the process runs on a
 * terminal. Terminal: {@link System#console()} is present and, on JDKs that can tell (22+), {@code
 * Console.isTerminal()}; under Airflow (pipes) the format is JSON and no plain line is printed.
 */
final class ErrorLine {
  private ErrorLine() {}

  static void print(IngestException e) {
    if (!Logging.json()) {
      print(e, System.err, terminal());
    }
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

  /** Whether a person reads stderr as text on a terminal: the text format, and {@link #terminal}. */
  static boolean onTerminal() {
    return !Logging.json() && terminal();
  }

  /** Whether the process runs on a terminal (what the default log format is chosen by). */
  static boolean terminal() {
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
