package io.carbon254.ingest.connectors.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestSpacerTest {
  @Test
  void secondAcquireWaitsForTheSpacing() throws Exception {
    RequestSpacer s = RequestSpacer.unshared(Duration.ofMillis(200));
    s.acquire();
    long t0 = System.nanoTime();
    s.acquire();
    long waited = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(waited >= 190, "waited " + waited + " ms");
    s.acquire();
    long waited2 = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(waited2 >= 390, "two spacings after the first acquire, got " + waited2 + " ms");
  }

  @Test
  void zeroSpacingNeverWaits() throws Exception {
    RequestSpacer s = RequestSpacer.unshared(Duration.ZERO);
    long t0 = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertEquals(Duration.ZERO, s.acquire());
    }
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 200);
  }

  @Test
  void backOffPushesTheNextStartOut() throws Exception {
    RequestSpacer s = RequestSpacer.unshared(Duration.ofMillis(10));
    s.acquire();
    s.backOff(Duration.ofMillis(400));
    long t0 = System.nanoTime();
    s.acquire();
    long waited = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(waited >= 380, "waited " + waited + " ms");
  }

  @Test
  void backOffNeverShortensAPendingWait() throws Exception {
    RequestSpacer s = RequestSpacer.unshared(Duration.ofMillis(300));
    s.acquire();
    s.backOff(Duration.ofMillis(1));
    long t0 = System.nanoTime();
    s.acquire();
    assertTrue((System.nanoTime() - t0) / 1_000_000 >= 280);
  }

  @Test
  void forMarketSharesOneSpacerPerMarketAndSpacing() throws Exception {
    String market = "spacer-test-" + System.nanoTime();
    RequestSpacer a = RequestSpacer.forMarket(market, Duration.ofMillis(250));
    assertSame(a, RequestSpacer.forMarket(market, Duration.ofMillis(250)), "same market and spacing: one spacer");
    RequestSpacer b = RequestSpacer.forMarket(market, Duration.ofSeconds(5));
    assertNotSame(a, b, "another spacing gets its own spacer");
    assertEquals(Duration.ofMillis(250), a.spacing());
    assertEquals(Duration.ofSeconds(5), b.spacing());
    assertNotSame(a, RequestSpacer.forMarket(market + "-other", Duration.ofMillis(250)));
    assertNotSame(a, RequestSpacer.unshared(Duration.ofMillis(250)));

    // Sharing is real: an acquire through one handle delays the next through the other.
    a.acquire();
    long t0 = System.nanoTime();
    RequestSpacer.forMarket(market, Duration.ofMillis(250)).acquire();
    assertTrue((System.nanoTime() - t0) / 1_000_000 >= 230);
  }
}
