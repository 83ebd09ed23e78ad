package io.carbon254.ingest.tasks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reading what a run wrote on stderr: JSON log lines (the format off a terminal) and plain lines. */
public final class LogLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LogLines() {}

  /** The JSON object of a line, or null when the line is not one. */
  public static Map<String, Object> parse(String line) {
    if (!line.startsWith("{")) {
      return null;
    }
    try {
      return JSON.readValue(line, new TypeReference<Map<String, Object>>() {});
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** Each line's message: the {@code msg} of a JSON line, a plain line as it is. */
  public static List<String> messages(String err) {
    List<String> out = new ArrayList<>();
    for (String l : err.lines().toList()) {
      Map<String, Object> o = parse(l);
      out.add(o != null && o.get("msg") != null ? String.valueOf(o.get("msg")) : l);
    }
    return out;
  }

  /** The JSON lines, parsed; fails on a line that is not a JSON object with ts, level and msg. */
  public static List<Map<String, Object>> json(String err) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String l : err.lines().toList()) {
      Map<String, Object> o = parse(l);
      if (o == null || !o.containsKey("ts") || !o.containsKey("level") || !o.containsKey("msg")) {
        throw new AssertionError("not a JSON log line: " + l + "\nin:\n" + err);
      }
      out.add(o);
    }
    return out;
  }
}
