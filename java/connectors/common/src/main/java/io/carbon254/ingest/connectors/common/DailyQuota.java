package io.carbon254.ingest.connectors.common;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A per-day request quota of one market (MISO's Data Exchange: 24,000 calls a day), counted per UTC
 * day by every request this process sends to the market. The count is the process's own: the
 * server's quota answer (a 403 or 429 saying so) is the authority across processes, and each
 * connector maps it to exit 3 with a message that says so.
 */
public final class DailyQuota {
  private static final Map<String, DailyQuota> BY_MARKET = new ConcurrentHashMap<>();

  private final String market;
  private final long limit;
  private final Clock clock;
  private LocalDate day;
  private long used;

  DailyQuota(String market, long limit, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("a daily quota must allow at least one request, got " + limit);
    }
    this.market = market;
    this.limit = limit;
    this.clock = clock;
  }

  /** The quota shared by every request to one market in this process. */
  public static DailyQuota forMarket(String market, long limit, Clock clock) {
    return BY_MARKET.computeIfAbsent(market + "@" + limit, m -> new DailyQuota(market, limit, clock));
  }

  /** A quota not shared with others (tests). */
  public static DailyQuota unshared(String market, long limit, Clock clock) {
    return new DailyQuota(market, limit, clock);
  }

  /**
   * Takes one request from today's quota; when it is used up, returns the message to fail with
   * (exit 3: the scheduler retries after the quota resets), else null.
   */
  public synchronized String take() {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (!today.equals(day)) {
      day = today;
      used = 0;
    }
    if (used >= limit) {
      return "the daily request quota of " + market + " (" + limit + " requests per UTC day) is used up for " + today
          + " by this process; it resets at 00:00 UTC";
    }
    used++;
    return null;
  }

  public synchronized long used() {
    return used;
  }
}
