package io.carbon254.ingest.sinks.production.redis;

import static io.carbon254.ingest.sinks.production.testing.Rows.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.sinks.production.testing.Rows;
import io.carbon254.ingest.sinks.production.testing.Servers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cache warmer on the real Redis server (`make infra-up`), under a key prefix of its own. */
class RedisCacheWarmerIT {
  private static final String PREFIX = "it" + Long.toString(System.currentTimeMillis(), 36);
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> conn;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(Servers.redis());
    conn = client.connect();
    redis = conn.sync();
  }

  @AfterAll
  static void cleanUp() {
    List<String> keys = redis.keys(PREFIX + ":*");
    if (!keys.isEmpty()) {
      redis.del(keys.toArray(String[]::new));
    }
    conn.close();
    client.shutdown();
  }

  private static RedisCacheWarmer warmer(String n) {
    return new RedisCacheWarmer(RedisSettings.from(IngestConfig.of(Map.of(
        "REDIS_URL", Servers.redis(), "REDIS_KEY_PREFIX", PREFIX, "REDIS_RECENT_INTERVALS", n))));
  }

  @Test
  void latestPriceAndTheLastNIntervalsAreWrittenAndAStaleWriteNeverOverwritesANewerOne() {
    try (RedisCacheWarmer w = warmer("4")) {
      List<CanonicalRecord> rows = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        rows.add(Rows.hub("caiso", "lmp_rt_5min", "TH_SP15_GEN-APND", T0.plusSeconds(300L * i), 30 + i, 10));
      }
      assertEquals(12, w.warm(rows), "6 latest CAS (each newer than the last) + 6 series writes");
      String latest = RedisCacheWarmer.latestPriceKey(PREFIX, "caiso", "TH_SP15_GEN-APND");
      Map<String, String> h = redis.hgetall(latest);
      assertEquals("35.0", h.get("price"));
      assertEquals(T0.plusSeconds(1500).toString(), h.get("interval_start_utc"));
      assertEquals("true", h.get("is_trading_hub"));
      assertEquals("10", h.get("version"));
      assertFalse(h.containsKey("ghg"), "nulls are left out");
      assertTrue(redis.ttl(latest) > 6 * 86_400 && redis.ttl(latest) <= 7 * 86_400);

      String series = RedisCacheWarmer.recentPriceKey(PREFIX, "caiso", "lmp_rt_5min", "TH_SP15_GEN-APND");
      assertEquals(4, redis.zcard(series), "trimmed to N");
      assertTrue(redis.zrange(series, -1, -1).get(0).contains("\"price\":35.0"));

      // stale: an older interval, and the same interval with a lower version
      long written = w.warm(List.of(Rows.hub("caiso", "lmp_rt_5min", "TH_SP15_GEN-APND", T0, 999, 99),
          Rows.hub("caiso", "lmp_rt_5min", "TH_SP15_GEN-APND", T0.plusSeconds(1500), 999, 9)));
      assertEquals(1, written, "only the series write of the older interval (a legit backfill) takes effect");
      assertEquals("35.0", redis.hget(latest, "price"));
      assertEquals(4, redis.zcard(series));
      assertTrue(redis.zrangebyscore(series, io.lettuce.core.Range.create(T0.plusSeconds(1500).toEpochMilli(),
          T0.plusSeconds(1500).toEpochMilli())).get(0).contains("\"price\":35.0"));

      // a revision (same interval, higher version) replaces
      assertEquals(2, w.warm(List.of(Rows.hub("caiso", "lmp_rt_5min", "TH_SP15_GEN-APND", T0.plusSeconds(1500), 36.5, 11))));
      assertEquals("36.5", redis.hget(latest, "price"));
      assertEquals(4, redis.zcard(series));
    }
  }

  @Test
  void loadAndFuelMixGetLatestKeysToo() {
    try (RedisCacheWarmer w = warmer("10")) {
      assertEquals(2, w.warm(List.of(Rows.load("caiso", "load_actual", "CA ISO-TAC", T0, 21_000, 1),
          Rows.fuel("caiso", "fuel_mix", "CAISO", "solar", T0, 9_000, 1))));
      assertEquals("21000.0", redis.hget(PREFIX + ":load:latest:caiso:load_actual:CA ISO-TAC", "mw"));
      assertEquals("9000.0", redis.hget(PREFIX + ":fuelmix:latest:caiso:CAISO:solar", "mw"));
    }
  }

  @Test
  void aFlushedScriptCacheIsReloadedAndAnUnreachableServerIsExit3NamingIt() throws Exception {
    try (RedisCacheWarmer w = warmer("10")) {
      redis.scriptFlush();
      assertEquals(2, w.warm(List.of(Rows.hub("caiso", "x", "N", T0, 1, 1))));
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (RedisCacheWarmer dead = new RedisCacheWarmer(RedisSettings.from(IngestConfig.of(
        Map.of("REDIS_URL", "redis://:pw-secret@127.0.0.1:" + port))))) {
      UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class,
          () -> dead.warm(List.of(Rows.hub("caiso", "x", "N", T0, 1, 1))));
      assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
      assertFalse(e.getMessage().contains("pw-secret"), e.getMessage());
    }
  }
}
