package io.carbon254.ingest.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.core.Secrets;
import io.carbon254.ingest.core.pipeline.TaskLog;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The log lines on stderr, one per event: {@code ts}, {@code level}, the process context (see
 * {@link #contextSupplier}), this log's context (run id, market, dataset, interval, stage),
 * {@code msg}, then the event's fields. As JSON objects ({@code --log-format json}, the default
 * off a terminal) or as {@code <ts> <LEVEL> <msg> key=value ...} ({@code text}, on a terminal); see
 * {@link Logging}. Every line goes through {@link Secrets#mask}. The task's own lines, the
 * third-party libraries' (SLF4J, java.util.logging) and the human notices all come through here.
 */
public final class JsonLog implements TaskLog {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> RESERVED = Set.of("ts", "level", "msg");
  private static final Supplier<Map<String, Object>> NO_CONTEXT = Map::of;
  private static volatile Supplier<Map<String, Object>> contextSupplier = NO_CONTEXT;

  private final Map<String, Object> context;
  private final PrintStream out;

  JsonLog(Map<String, Object> context) {
    this(context, null);
  }

  /** A log writing to {@code out}; null: to {@link System#err} as it is at each line (tests replace it). */
  JsonLog(Map<String, Object> context, PrintStream out) {
    this.context = new LinkedHashMap<>(context);
    this.out = out;
  }

  JsonLog with(String key, Object value) {
    JsonLog l = new JsonLog(context, out);
    l.context.put(key, value);
    return l;
  }

  @Override
  public void info(String message, Map<String, Object> fields) {
    write(out, "INFO", context, message, fields);
  }

  @Override
  public void warn(String message, Map<String, Object> fields) {
    write(out, "WARN", context, message, fields);
  }

  void error(String message, Map<String, Object> fields) {
    write(out, "ERROR", context, message, fields);
  }

  /**
   * Fields added to every line of the process, after {@code ts} and {@code level} and before the
   * log's own context and {@code msg} (e.g. the OpenTelemetry {@code trace_id} and {@code
   * span_id} of the current span); asked once per line, from the thread that logs. Null: none (the
   * default). Keys {@code ts}, {@code level} and {@code msg} are ignored; a supplier that throws
   * adds nothing.
   */
  public static void contextSupplier(Supplier<Map<String, Object>> supplier) {
    contextSupplier = supplier == null ? NO_CONTEXT : supplier;
  }

  /**
   * A line meant for the person at the terminal (a backfill's progress and summary, Ctrl-C, the
   * simulator's address): printed as it is in the text format, the {@code msg} of a JSON line with
   * {@code fields} otherwise.
   */
  public static void notice(String level, String line, Map<String, Object> fields) {
    notice(level, line, line, fields);
  }

  /** {@link #notice(String, String, Map)} with another {@code msg} for the JSON line than the text line (e.g. without its indent). */
  public static void notice(String level, String line, String message, Map<String, Object> fields) {
    if (Logging.json()) {
      write(null, level, Map.of(), message, fields);
    } else {
      PrintStream err = System.err;
      err.println(Secrets.mask(line));
      err.flush();
    }
  }

  /**
   * A line from outside the task's own log: a third-party library's logger (SLF4J,
   * java.util.logging; {@code logger} is its name) or an uncaught exception. A failure becomes
   * {@code error} (class and message), {@code cause} (the root cause, if another) and {@code at}
   * (the top frames), never a multi-line stack trace.
   */
  static void external(Logging.Level level, String logger, String message, Throwable thrown, Map<String, Object> extra) {
    Map<String, Object> ctx = logger == null ? Map.of() : Map.of("logger", logger);
    Map<String, Object> fields = new LinkedHashMap<>(extra);
    if (thrown != null) {
      fields.putAll(failure(thrown));
    }
    write(null, level.label(), ctx, message == null ? String.valueOf(thrown) : message, fields);
  }

  /** {@code error}, {@code cause} (when the root cause is another exception) and {@code at} of a failure. */
  static Map<String, Object> failure(Throwable t) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("error", t.toString());
    Throwable root = t;
    for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    if (root != t) {
      f.put("cause", root.toString());
    }
    f.put("at", frames(t));
    return f;
  }

  /** The top frames of a failure, in one line. */
  static String frames(Throwable t) {
    StringBuilder sb = new StringBuilder();
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(8, st.length); i++) {
      sb.append(i == 0 ? "" : " < ").append(st[i]);
    }
    return sb.toString();
  }

  private static void write(PrintStream to, String level, Map<String, Object> context, String message, Map<String, Object> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts", Instant.now().toString());
    line.put("level", level);
    try {
      contextSupplier.get().forEach((k, v) -> {
        if (k != null && !RESERVED.contains(k)) {
          line.put(k, v);
        }
      });
    } catch (RuntimeException e) {
      // the context is extra: a failing supplier never costs the line
    }
    line.putAll(context);
    line.put("msg", message);
    line.putAll(fields);
    String text;
    try {
      text = Logging.json() ? MAPPER.writeValueAsString(line) : text(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      text = Logging.json() ? "{\"ts\":\"" + line.get("ts") + "\",\"level\":\"ERROR\",\"msg\":\"log serialization failed\"}"
          : line.get("ts") + " ERROR log serialization failed";
    }
    PrintStream out = to != null ? to : System.err;
    // no credential leaves the process in a log line, whatever a message or field carries
    out.println(Secrets.mask(text));
    out.flush();
  }

  /** {@code <ts> <LEVEL> <msg> key=value ...}: one line whatever the message holds. */
  private static String text(Map<String, Object> line) throws com.fasterxml.jackson.core.JsonProcessingException {
    StringBuilder sb = new StringBuilder();
    sb.append(line.get("ts")).append(' ').append(line.get("level")).append(' ').append(oneLine(String.valueOf(line.get("msg"))));
    for (Map.Entry<String, Object> e : line.entrySet()) {
      if (!RESERVED.contains(e.getKey())) {
        sb.append(' ').append(e.getKey()).append('=').append(value(e.getValue()));
      }
    }
    return sb.toString();
  }

  private static String value(Object v) throws com.fasterxml.jackson.core.JsonProcessingException {
    if (v == null || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    if (v instanceof CharSequence s) {
      String str = s.toString();
      return !str.isEmpty() && str.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '=')
          ? str : MAPPER.writeValueAsString(str);
    }
    return MAPPER.writeValueAsString(v);
  }

  private static String oneLine(String s) {
    return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n");
  }
}
