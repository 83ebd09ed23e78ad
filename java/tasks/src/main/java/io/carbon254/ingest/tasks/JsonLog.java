package io.carbon254.ingest.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.core.pipeline.TaskLog;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON lines on stderr; every line carries the context (run id, market, dataset, interval, stage). */
final class JsonLog implements TaskLog {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Map<String, Object> context;
  private final PrintStream out;

  JsonLog(Map<String, Object> context) {
    this(context, System.err);
  }

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
    write("INFO", message, fields);
  }

  @Override
  public void warn(String message, Map<String, Object> fields) {
    write("WARN", message, fields);
  }

  void error(String message, Map<String, Object> fields) {
    write("ERROR", message, fields);
  }

  private void write(String level, String message, Map<String, Object> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts", Instant.now().toString());
    line.put("level", level);
    line.putAll(context);
    line.put("msg", message);
    line.putAll(fields);
    try {
      // no credential leaves the process in a log line, whatever a message or field carries
      out.println(io.carbon254.ingest.core.Secrets.mask(MAPPER.writeValueAsString(line)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      out.println("{\"level\":\"ERROR\",\"msg\":\"log serialization failed\"}");
    }
    out.flush();
  }
}
