package io.carbon254.ingest.sinks.production.kafka;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * W3C trace context for the {@code traceparent} header: {@code 00-<trace-id>-<parent-id>-<flags>}.
 * The trace id is the caller's (an event's own header, or {@code TRACEPARENT} handed in by the
 * orchestrator) when there is one, else a new one per publish; each publish is a new span.
 */
public final class TraceContext {
  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TraceContext() {}

  public static boolean valid(String traceparent) {
    return traceparent != null && TRACEPARENT.matcher(traceparent).matches()
        && !traceparent.substring(3, 35).equals("0".repeat(32));
  }

  /** A child span of {@code parent} when it is valid, else the root of a new trace. */
  public static String childOf(Optional<String> parent) {
    String traceId = parent.filter(TraceContext::valid).map(p -> p.substring(3, 35)).orElseGet(() -> hex(16));
    String flags = parent.filter(TraceContext::valid).map(p -> p.substring(53, 55)).orElse("01");
    return "00-" + traceId + "-" + hex(8) + "-" + flags;
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    do {
      RANDOM.nextBytes(b);
    } while (allZero(b));
    return HexFormat.of().formatHex(b);
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
