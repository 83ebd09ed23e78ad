package io.carbon254.ingest.connectors.common;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide minimum spacing between the starts of two requests to one market (OASIS answers
 * 429 to requests less than 5 s apart). Unlike a cycle-based rate limiter it never lets two
 * requests through back to back at a cycle boundary.
 */
public final class RequestSpacer {
  private static final Map<String, RequestSpacer> BY_MARKET = new ConcurrentHashMap<>();

  private final Duration spacing;
  private long nextAllowedNanos;

  RequestSpacer(Duration spacing) {
    this.spacing = spacing;
    this.nextAllowedNanos = System.nanoTime();
  }

  /**
   * The spacer shared by every request to one market in this process (all datasets, all threads).
   * Keyed by market and spacing, so a configuration that sets another spacing gets its own.
   */
  public static RequestSpacer forMarket(String market, Duration spacing) {
    return BY_MARKET.computeIfAbsent(market + "@" + spacing.toMillis(), m -> new RequestSpacer(spacing));
  }

  /** A spacer not shared with others (tests). */
  public static RequestSpacer unshared(Duration spacing) {
    return new RequestSpacer(spacing);
  }

  public Duration spacing() {
    return spacing;
  }

  /** Blocks until a request may start; returns how long it waited. */
  public synchronized Duration acquire() throws InterruptedException {
    long now = System.nanoTime();
    long wait = nextAllowedNanos - now;
    if (wait > 0) {
      Thread.sleep(Duration.ofNanos(wait));
      now = System.nanoTime();
    }
    nextAllowedNanos = now + spacing.toNanos();
    return Duration.ofNanos(Math.max(0, wait));
  }

  /**
   * Like {@link #acquire()}, but only when the wait is at most {@code maxWait}: returns false at
   * once, reserving nothing, when the next allowed start lies further out (a time budget that the
   * wait alone would use up).
   */
  public synchronized boolean acquire(Duration maxWait) throws InterruptedException {
    long wait = nextAllowedNanos - System.nanoTime();
    if (wait > maxWait.toNanos()) {
      return false;
    }
    acquire();
    return true;
  }

  /** Pushes the next allowed start out (a 429 or Retry-After from the server). */
  public synchronized void backOff(Duration d) {
    nextAllowedNanos = Math.max(nextAllowedNanos, System.nanoTime() + d.toNanos());
  }
}
