package io.carbon254.ingest.tasks;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** One SLF4J logger of {@link JsonSlf4jProvider}: a line per enabled event, key-value pairs of the fluent API as fields. */
final class JsonSlf4jLogger extends LegacyAbstractLogger implements LoggingEventAware {
  private static final long serialVersionUID = 1L;

  JsonSlf4jLogger(String name) {
    this.name = name;
  }

  static Logging.Level level(Level l) {
    return switch (l) {
      case ERROR -> Logging.Level.ERROR;
      case WARN -> Logging.Level.WARN;
      case INFO -> Logging.Level.INFO;
      case DEBUG -> Logging.Level.DEBUG;
      case TRACE -> Logging.Level.TRACE;
    };
  }

  @Override
  public boolean isTraceEnabled() {
    return Logging.enabled(Logging.Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return Logging.enabled(Logging.Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return Logging.enabled(Logging.Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return Logging.enabled(Logging.Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return Logging.enabled(Logging.Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
    Logging.Level l = level(level);
    if (Logging.enabled(l)) {
      JsonLog.external(l, name, MessageFormatter.basicArrayFormat(pattern, arguments), thrown, Map.of());
    }
  }

  @Override
  public void log(LoggingEvent event) {
    Logging.Level l = level(event.getLevel());
    if (!Logging.enabled(l)) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        Object v = kv.value;
        fields.put(kv.key, v == null || v instanceof Number || v instanceof Boolean ? v : String.valueOf(v));
      }
    }
    JsonLog.external(l, name, MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray()), event.getThrowable(), fields);
  }
}
