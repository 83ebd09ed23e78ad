package io.carbon254.ingest.connectors.ercot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.ercot.sim.ErcotSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A 30-day backfill of the 15-minute prices through the archive, as {@code ingest backfill} drives
 * it (the windows planned, then fetched one by one), at the declared request spacing against a
 * simulator that answers 429 past 30 calls a minute: a token, three listing pages and three bulk
 * downloads, never throttled.
 */
class ErcotBackfillTest {
  @Test
  void thirtyDaysOfFifteenMinutePricesAreAFewRequestsNeverMoreThan30AMinute() {
    try (ErcotSimulator sim = ErcotSimulator.start(new SimulatorOptions(0, 20, Instant.parse("2026-01-01T00:00:00Z")))) {
      Map<String, String> env = ErcotTestSupport.env(sim.baseUrl());
      env.remove("INGEST_ERCOT_REQUEST_SPACING"); // the declared spacing of connectors/ercot.yaml
      List<String> notices = new ArrayList<>();
      Dataset ds = ErcotTestSupport.dataset("spp_rt_15min", env, Clock.systemUTC(), notices::add);
      List<IntervalKey> keys = new ArrayList<>();
      Instant end = LocalDate.of(2024, 11, 16).atStartOfDay(ErcotClock.CPT).toInstant();
      for (Instant t = LocalDate.of(2024, 10, 17).atStartOfDay(ErcotClock.CPT).toInstant(); t.isBefore(end); t = t.plus(Duration.ofHours(1))) {
        keys.add(new IntervalKey("ercot", "spp_rt_15min", new IntervalWindow(t, t.plus(Duration.ofHours(1)))));
      }
      assertEquals(30 * 24 + 1, keys.size(), "30 Central days, the fall-back day's 25 hours included");
      long t0 = System.nanoTime();
      ds.plan(keys);
      int payloads = 0;
      Set<String> urls = new HashSet<>();
      for (IntervalKey k : keys) {
        for (RawPayload p : ds.fetch(k)) {
          payloads++;
          urls.add(p.url());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertEquals(30 * 96 + 4, payloads, "every quarter hour (100 on 2024-11-03), the republished ones as their _retry");
      assertEquals(payloads, urls.size(), "each document once, under its own download link");
      long calls = sim.requests();
      assertTrue(calls <= 12, "a token, the listing pages and the bulk downloads, not one request per window: " + calls);
      assertTrue(notices.stream().noneMatch(n -> n.contains("HTTP 429")), "never throttled: " + notices);
      assertTrue(seconds < 120, "took " + seconds + " s");
    }
  }
}
