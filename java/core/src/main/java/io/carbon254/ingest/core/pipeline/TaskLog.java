package io.carbon254.ingest.core.pipeline;

import java.util.Map;

/** Structured log of a task run; the CLI writes JSON lines carrying run id, market, dataset and interval. */
public interface TaskLog {
  void info(String message, Map<String, Object> fields);

  void warn(String message, Map<String, Object> fields);

  default void info(String message) {
    info(message, Map.of());
  }

  default void warn(String message) {
    warn(message, Map.of());
  }

  TaskLog NONE =
      new TaskLog() {
        @Override
        public void info(String message, Map<String, Object> fields) {}

        @Override
        public void warn(String message, Map<String, Object> fields) {}
      };
}
