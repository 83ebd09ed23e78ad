package io.carbon254.ingest.connectors.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpPolicyTest {
  private static final HttpPolicy P =
      HttpPolicy.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(1_000));

  @Test
  void backoffDoublesPerAttemptWithoutJitterAtTheMidpoint() {
    assertEquals(Duration.ofMillis(100), P.backoff(1, 0.5));
    assertEquals(Duration.ofMillis(200), P.backoff(2, 0.5));
    assertEquals(Duration.ofMillis(400), P.backoff(3, 0.5));
    assertEquals(Duration.ofMillis(800), P.backoff(4, 0.5));
  }

  @Test
  void backoffIsCappedAtTheMaximum() {
    assertEquals(Duration.ofMillis(1_000), P.backoff(5, 0.5));
    assertEquals(Duration.ofMillis(1_000), P.backoff(12, 0.5));
    assertEquals(Duration.ofMillis(1_000), P.backoff(10_000, 0.5), "huge attempt numbers do not overflow");
  }

  @Test
  void jitterSpreadsPlusMinusAQuarterAroundTheCappedValue() {
    assertEquals(0.25, P.jitter());
    assertEquals(Duration.ofMillis(75), P.backoff(1, 0.0));
    assertEquals(Duration.ofMillis(125), P.backoff(1, 1.0));
    assertEquals(Duration.ofMillis(750), P.backoff(20, 0.0));
    assertEquals(Duration.ofMillis(1_250), P.backoff(20, 1.0));
    for (int attempt = 1; attempt < 8; attempt++) {
      for (double r = 0; r <= 1.0; r += 0.1) {
        long ms = P.backoff(attempt, r).toMillis();
        long nominal = Math.min(100L << (attempt - 1), 1_000);
        assertTrue(ms >= Math.round(nominal * 0.75) && ms <= Math.round(nominal * 1.25),
            "attempt " + attempt + " r " + r + " -> " + ms);
      }
    }
  }

  @Test
  void withersChangeOnlyTheirFields() {
    HttpPolicy d = HttpPolicy.defaults();
    assertEquals(5, d.maxAttempts());
    assertEquals(Duration.ofSeconds(2), d.baseBackoff());
    assertEquals(Duration.ofSeconds(60), d.maxBackoff());
    HttpPolicy t = d.withMaxAttempts(3).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
    assertEquals(3, t.maxAttempts());
    assertEquals(Duration.ofMillis(50), t.baseBackoff());
    assertEquals(Duration.ofMillis(200), t.maxBackoff());
    assertEquals(d.jitter(), t.jitter());
    assertEquals(d.readTimeout(), t.readTimeout());
    HttpPolicy to = t.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
    assertEquals(Duration.ofSeconds(1), to.connectTimeout());
    assertEquals(Duration.ofSeconds(2), to.readTimeout());
    assertEquals(Duration.ofSeconds(3), to.callTimeout());
    assertEquals(3, to.maxAttempts());
  }
}
