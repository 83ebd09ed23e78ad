package io.carbon254.ingest.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in connectors/*.yaml: {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 250ms}. */
public final class Durations {
  private static final Pattern P = Pattern.compile("^(-?\\d+(?:\\.\\d+)?)(ms|s|m|h|d)$");

  private Durations() {}

  public static Duration parse(String where, String text) {
    Matcher m = P.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(where + ": '" + text + "' is not a duration like 30s, 5m, 2h, 1d");
    }
    double n = Double.parseDouble(m.group(1));
    long millis =
        switch (m.group(2)) {
          case "ms" -> Math.round(n);
          case "s" -> Math.round(n * 1_000);
          case "m" -> Math.round(n * 60_000);
          case "h" -> Math.round(n * 3_600_000);
          default -> Math.round(n * 86_400_000);
        };
    return Duration.ofMillis(millis);
  }

  /** The inverse of {@link #parse} for messages: the largest unit that divides the duration ({@code 25h}, {@code 1d}, {@code 250ms}). */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms != 0 && ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
