package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.config.IngestConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How the process logs, set at the start of every command ({@link #configure}):
 * <ul>
 *   <li>the format of stderr: {@code --log-format text|json}, else {@code INGEST_LOG_FORMAT}, else
 *       JSON lines off a terminal (Airflow, pods, pipes) and text on one ({@link ErrorLine#terminal});</li>
 *   <li>the threshold of the third-party libraries' loggers (SLF4J: kafka-clients, lettuce and
 *       netty, the ClickHouse client, okhttp's java.util.logging, …): {@code INGEST_LOG_LEVEL}
 *       ({@code ERROR}, {@code WARN}, the default, {@code INFO}, {@code DEBUG}, {@code TRACE}). The
 *       task's own lines are always written.</li>
 * </ul>
 * The first call also installs the java.util.logging bridge (the root logger's console handler
 * replaced by {@link JulBridge}) and a default uncaught-exception handler writing one ERROR line.
 * SLF4J finds {@link JsonSlf4jProvider} through its service file.
 */
final class Logging {
  /** The format of the lines on stderr. */
  enum Format { TEXT, JSON }

  /** Levels in rising order; TRACE is written as {@code DEBUG}. */
  enum Level {
    TRACE, DEBUG, INFO, WARN, ERROR;

    String label() {
      return this == TRACE ? "DEBUG" : name();
    }
  }

  static final String FORMAT_OPTION = "--log-format";
  static final Level DEFAULT_THRESHOLD = Level.WARN;

  private static volatile Format format;
  private static volatile Level threshold = initialThreshold();
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  private Logging() {}

  /** The format in force: the one configured, else the default for where stderr goes. */
  static Format format() {
    Format f = format;
    return f != null ? f : DefaultFormat.VALUE;
  }

  static boolean json() {
    return format() == Format.JSON;
  }

  /** Sets the format (tests; {@link #configure} in the CLI). */
  static void format(Format f) {
    format = f;
  }

  /** Whether a third-party line of {@code level} is written. */
  static boolean enabled(Level level) {
    return level.compareTo(threshold) >= 0;
  }

  static Level threshold() {
    return threshold;
  }

  static void threshold(Level level) {
    threshold = level;
    JulBridge.threshold(level);
  }

  /**
   * Sets the format and the threshold for a command from its arguments and configuration, and
   * installs the bridges on the first call. A malformed {@code INGEST_LOG_FORMAT} or {@code
   * INGEST_LOG_LEVEL} is a WARN line and the default (logging never stops a task); a malformed
   * {@code --log-format} is picocli's usage error.
   */
  static void configure(IngestConfig config, String... args) {
    List<String> problems = new ArrayList<>();
    Format f = formatArgument(args);
    if (f == null) {
      f = config.get("INGEST_LOG_FORMAT").map(v -> parse(Format.class, "INGEST_LOG_FORMAT", v, problems)).orElse(null);
    }
    format = f;
    Level t = config.get("INGEST_LOG_LEVEL").map(v -> parse(Level.class, "INGEST_LOG_LEVEL", v, problems)).orElse(null);
    install();
    threshold(t != null ? t : DEFAULT_THRESHOLD);
    for (String p : problems) {
      JsonLog.external(Level.WARN, null, p, null, Map.of());
    }
  }

  /** The value of {@code --log-format} among {@code args} (before a {@code --}), null when absent or malformed. */
  static Format formatArgument(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        return null;
      }
      String v = a.equals(FORMAT_OPTION) && i + 1 < args.length ? args[i + 1]
          : a.startsWith(FORMAT_OPTION + "=") ? a.substring(FORMAT_OPTION.length() + 1) : null;
      if (v != null) {
        return parse(Format.class, FORMAT_OPTION, v, new ArrayList<>());
      }
    }
    return null;
  }

  /** {@code args} without the global options (their values included): the command is the first. */
  static List<String> withoutGlobalOptions(String... args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(FORMAT_OPTION)) {
        i++;
      } else if (!args[i].startsWith(FORMAT_OPTION + "=")) {
        out.add(args[i]);
      }
    }
    return out;
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String name, String value, List<String> problems) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        allowed.add(c.name().toLowerCase(Locale.ROOT));
      }
      Object fallback = type == Format.class ? DefaultFormat.VALUE : DEFAULT_THRESHOLD;
      problems.add(name + " '" + value + "' is not one of " + String.join(", ", allowed) + "; using "
          + fallback.toString().toLowerCase(Locale.ROOT));
      return null;
    }
  }

  private static Level initialThreshold() {
    String v = System.getenv("INGEST_LOG_LEVEL");
    if (v == null || v.isBlank()) {
      return DEFAULT_THRESHOLD;
    }
    Level l = parse(Level.class, "INGEST_LOG_LEVEL", v, new ArrayList<>());
    return l != null ? l : DEFAULT_THRESHOLD;
  }

  /** Once per process: java.util.logging to the log lines, and the uncaught-exception handler. */
  static void install() {
    if (!INSTALLED.compareAndSet(false, true)) {
      return;
    }
    JulBridge.install(threshold);
    if (Thread.getDefaultUncaughtExceptionHandler() == null) {
      Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
          JsonLog.external(Level.ERROR, null, "uncaught exception in thread \"" + thread.getName() + "\": " + e, e,
              Map.of("thread", thread.getName())));
    }
  }

  /** The default format, decided once: text when the process runs on a terminal. */
  private static final class DefaultFormat {
    static final Format VALUE = ErrorLine.terminal() ? Format.TEXT : Format.JSON;
  }
}
