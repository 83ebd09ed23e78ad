package io.carbon254.ingest.tasks;

import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging (okhttp, the JDK's own loggers, …) into the log lines: the root logger's
 * console handler (plain two-line records on stderr) is replaced by this handler, which writes one
 * line per record at the mapped level (SEVERE ERROR, WARNING WARN, INFO INFO, CONFIG and finer
 * DEBUG) when {@link Logging#enabled} lets it; the root logger's level follows the threshold, so
 * the libraries skip what would be dropped.
 */
final class JulBridge extends Handler {
  private static final Formatter MESSAGE = new Formatter() {
    @Override
    public String format(LogRecord r) {
      return formatMessage(r);
    }
  };

  private JulBridge() {}

  static void install(Logging.Level threshold) {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      if (h instanceof ConsoleHandler || h instanceof JulBridge) {
        root.removeHandler(h);
      }
    }
    root.addHandler(new JulBridge());
    threshold(threshold);
  }

  /** The root logger's level for a threshold. */
  static void threshold(Logging.Level threshold) {
    Logger root = LogManager.getLogManager().getLogger("");
    if (root != null) {
      root.setLevel(switch (threshold) {
        case ERROR -> Level.SEVERE;
        case WARN -> Level.WARNING;
        case INFO -> Level.INFO;
        case DEBUG, TRACE -> Level.ALL;
      });
    }
  }

  static Logging.Level level(Level l) {
    int v = l.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return Logging.Level.ERROR;
    }
    if (v >= Level.WARNING.intValue()) {
      return Logging.Level.WARN;
    }
    if (v >= Level.INFO.intValue()) {
      return Logging.Level.INFO;
    }
    return Logging.Level.DEBUG;
  }

  @Override
  public void publish(LogRecord r) {
    if (r == null || r.getLevel().intValue() == Level.OFF.intValue()) {
      return;
    }
    Logging.Level level = level(r.getLevel());
    if (!Logging.enabled(level)) {
      return;
    }
    String msg;
    try {
      msg = MESSAGE.formatMessage(r);
    } catch (RuntimeException e) {
      msg = r.getMessage();
    }
    JsonLog.external(level, r.getLoggerName(), msg, r.getThrown(), Map.of());
  }

  @Override
  public void flush() {
    System.err.flush();
  }

  @Override
  public void close() {
    // stderr stays open
  }
}
