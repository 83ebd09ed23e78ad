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
}
