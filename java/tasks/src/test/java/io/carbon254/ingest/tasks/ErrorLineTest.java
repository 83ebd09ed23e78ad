package io.carbon254.ingest.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorLineTest {
  private static String printed(io.carbon254.ingest.core.IngestException e, boolean terminal) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ErrorLine.print(e, new PrintStream(b, true, StandardCharsets.UTF_8), terminal);
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageErrorsAlwaysGetThePlainLineOtherFailuresOnATerminalOnly() {
    assertEquals("ingest: error: bad --format\n", printed(new UsageException("bad --format"), false));
    assertEquals("", printed(new UpstreamUnavailableException("OASIS down"), false));
    assertEquals("ingest: error: OASIS down\n", printed(new UpstreamUnavailableException("OASIS down"), true));
  }

  @Test
  void multiLineMessagesFoldIntoOneLine() {
    assertEquals("query failed: Parser Error: syntax error at or near \"SELEC\" (LINE 1: SELEC 1)",
        ErrorLine.oneLine("query failed: Parser Error: syntax error at or near \"SELEC\"\n\nLINE 1: SELEC 1\n        ^"));
    assertEquals("one", ErrorLine.oneLine("one"));
    assertEquals("a (b; c)", ErrorLine.oneLine("a\r\n  b  \nc\n"));
  }

  @Test
  void aRegisteredCredentialNeverReachesTheErrorLineOrTheJsonLog() {
    String key = io.carbon254.ingest.core.Secrets.register("errorline-test-key-91f3");
    assertEquals("ingest: error: API key *** refused\n", printed(new UsageException("API key " + key + " refused"), false));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    new JsonLog(java.util.Map.of("run_id", "r1"), new PrintStream(b, true, StandardCharsets.UTF_8))
        .error("refused " + key, java.util.Map.of("url", "https://api.test/x?k=" + key));
    String line = b.toString(StandardCharsets.UTF_8);
    org.junit.jupiter.api.Assertions.assertFalse(line.contains(key), line);
    org.junit.jupiter.api.Assertions.assertTrue(line.contains("\"msg\":\"refused ***\"") && line.contains("x?k=***"), line);
  }
}
