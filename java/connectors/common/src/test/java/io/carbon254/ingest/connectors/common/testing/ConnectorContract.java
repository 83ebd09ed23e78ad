package io.carbon254.ingest.connectors.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.Simulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.sink.EventFactory;
import io.carbon254.ingest.core.sink.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * The contract every market connector passes (a connector's test extends this class and says where
 * its fixtures are): its declaration and its datasets agree; every dataset has authored fixtures for
 * both DST transition days of the market's timezone (of the US Eastern clock for a market that keeps
 * no DST), which parse to contiguous UTC intervals without a
 * duplicate, and a "no data" answer, which is exit 99; the simulator serves every dataset; and
 * parsing is deterministic, down to the event ids.
 */
public abstract class ConnectorContract {
  /** The connector under test, as the CLI finds it. */
  protected abstract MarketConnector connector();

  /**
   * What the source answers when it has nothing for {@code key} yet (an OASIS error zip, an HTTP 404,
   * an empty page), served for every request of a fetch of {@code key}.
   */
  public record NoData(IntervalKey key, int status, String contentType, byte[] body) {}

  /**
   * The authored fixtures of one dataset: payloads of a window around (or the whole local day of) the
   * spring-forward and the fall-back transition, as fetched for their keys, and its "no data" answer.
   */
  public record Fixtures(List<RawPayload> springForward, List<RawPayload> fallBack, NoData noData) {}

  /** The fixtures of every dataset, by dataset id. */
  protected abstract Map<String, Fixtures> fixtures();

  /** A key of {@code dataset} the simulator serves (one window on the dataset's grid). */
  protected abstract IntervalKey simulatedKey(String dataset);

  /** The repository root (connectors/, configs/): surefire's INGEST_REPO_ROOT, else the first parent holding connectors/. */
  public static Path repoRoot() {
    String env = System.getenv("INGEST_REPO_ROOT");
    if (env != null && !env.isBlank()) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("connectors/schema"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (set INGEST_REPO_ROOT)");
  }

  /** The configuration of a test run: the repository's declarations and policies, requests to {@code baseUrl}, no spacing. */
  protected IngestConfig config(String baseUrl) {
    Path root = repoRoot();
    String m = connector().market().toUpperCase(Locale.ROOT);
    Map<String, String> env = new HashMap<>();
    env.put("INGEST_CONNECTORS_DIR", root.resolve("connectors").toString());
    env.put("INGEST_" + m + "_REQUEST_SPACING", "0ms");
    if (baseUrl != null) {
      env.put("INGEST_" + m + "_BASE_URL", baseUrl);
    }
    env.putAll(extraEnvironment());
    return IngestConfig.of(env);
  }

  /** Variables the connector needs besides the common ones (its API keys, as a test's stand-ins). */
  protected Map<String, String> extraEnvironment() {
    return Map.of();
  }

  /**
   * The clock whose DST transitions the fixtures must hold: the market's own timezone, or, for a
   * market whose clock keeps no DST (MISO's EST all year), the US Eastern clock, so its fixtures
   * still prove the US DST days parse to their plain 24 hours.
   */
  protected ZoneId transitionZone() {
    ZoneId zone = spec().timezone();
    return zone.getRules().isFixedOffset() ? ZoneId.of("America/New_York") : zone;
  }

  protected ConnectorSpec spec() {
    return ConnectorSpec.load(config(null), connector().market());
  }

  /** The dataset as a stage builds it, its requests going to {@code baseUrl}. */
  protected Dataset dataset(String id, String baseUrl) {
    IngestConfig config = config(baseUrl);
    return connector().dataset(id, new ConnectorContext(ConnectorSpec.load(config, connector().market()), config, Clock.systemUTC()));
  }

  @Test
  void theDeclarationDeclaresExactlyTheConnectorsDatasetsWithTheirKinds() {
    ConnectorSpec spec = spec();
    assertEquals(new TreeSet<>(connector().datasetIds()), new TreeSet<>(spec.datasetIds()),
        "connectors/" + connector().market() + ".yaml declares the datasets the connector implements, no more, no fewer");
    spec.checkConnector(connector().market(), connector().datasetKinds());
    for (String id : connector().datasetIds()) {
      assertEquals(connector().datasetKinds().get(id), dataset(id, null).kind(), id + ": the dataset produces the kind it declares");
    }
  }

  @Test
  void everyDatasetHasFixturesForBothDstDaysAndANoDataAnswer() {
    Map<String, Fixtures> f = fixtures();
    assertEquals(new TreeSet<>(connector().datasetIds()), new TreeSet<>(f.keySet()), "fixtures for every dataset");
    ZoneId zone = transitionZone();
    f.forEach((id, fx) -> {
      assertFalse(fx.springForward().isEmpty(), id + ": a spring-forward fixture");
      assertFalse(fx.fallBack().isEmpty(), id + ": a fall-back fixture");
      assertNotNull(fx.noData(), id + ": a no-data answer");
      for (RawPayload p : fx.springForward()) {
        assertTrue(transition(zone, p.key()).map(ZoneOffsetTransition::isGap).orElse(false),
            id + ": " + p.key() + " holds the spring-forward transition of " + zone);
      }
      for (RawPayload p : fx.fallBack()) {
        assertTrue(transition(zone, p.key()).map(ZoneOffsetTransition::isOverlap).orElse(false),
            id + ": " + p.key() + " holds the fall-back transition of " + zone);
      }
    });
  }

  private static java.util.Optional<ZoneOffsetTransition> transition(ZoneId zone, IntervalKey key) {
    ZoneOffsetTransition t = zone.getRules().nextTransition(key.window().start());
    return t != null && t.getInstant().isBefore(key.window().end()) ? java.util.Optional.of(t) : java.util.Optional.empty();
  }

  @Test
  void bothDstDaysParseToContiguousUtcIntervalsWithoutADuplicate() {
    fixtures().forEach((id, fx) -> {
      Dataset ds = dataset(id, null);
      List<RawPayload> all = new ArrayList<>(fx.springForward());
      all.addAll(fx.fallBack());
      // a window's payloads together (a source may serve one file per interval): each payload without
      // a duplicate, the window's rows contiguous and covering it
      Map<IntervalKey, List<CanonicalRecord>> byKey = new java.util.LinkedHashMap<>();
      for (RawPayload p : all) {
        List<CanonicalRecord> rows = ds.parse(p);
        String what = id + " " + p.key() + " " + p.payloadId();
        assertFalse(rows.isEmpty(), what + ": rows");
        Set<String> keys = new HashSet<>();
        for (CanonicalRecord r : rows) {
          assertTrue(keys.add(r.naturalKey()), what + ": " + r.naturalKey() + " twice");
          assertTrue(!r.intervalStart().isBefore(p.key().window().start()) && !r.intervalEnd().isAfter(p.key().window().end()),
              what + ": " + r.naturalKey() + " lies outside the window");
        }
        byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).addAll(rows);
      }
      for (Map.Entry<IntervalKey, List<CanonicalRecord>> e : byKey.entrySet()) {
        String what = id + " " + e.getKey();
        Map<String, List<CanonicalRecord>> series = new TreeMap<>();
        // one natural key in two payloads of the window (a SCED re-run, a republication) is a revision:
        // their versions must differ, so Silver keeps the higher one
        Map<String, Long> versions = new HashMap<>();
        for (CanonicalRecord r : e.getValue()) {
          Long before = versions.put(r.naturalKey(), r.version());
          assertTrue(before == null || before != r.version(), what + ": " + r.naturalKey() + " twice at version " + r.version());
          if (before == null) {
            String k = r.naturalKey();
            series.computeIfAbsent(k.substring(0, k.lastIndexOf('|')), s -> new ArrayList<>()).add(r);
          }
        }
        boolean whole = false;
        for (Map.Entry<String, List<CanonicalRecord>> s : series.entrySet()) {
          List<CanonicalRecord> l = s.getValue();
          l.sort(Comparator.comparing(CanonicalRecord::intervalStart));
          for (int i = 1; i < l.size(); i++) {
            if (!l.get(i).intervalStart().equals(l.get(i - 1).intervalEnd())) {
              fail(what + ": series " + s.getKey() + " has a gap or an overlap between " + l.get(i - 1).intervalEnd() + " and "
                  + l.get(i).intervalStart() + " (a DST hour lost or doubled)");
            }
          }
          whole |= l.get(0).intervalStart().equals(e.getKey().window().start())
              && l.get(l.size() - 1).intervalEnd().equals(e.getKey().window().end());
        }
        assertTrue(whole, what + ": at least one series covers the whole window, transition included");
      }
    });
  }

  @Test
  void noDataIsNotPublishedExit99() throws Exception {
    for (Map.Entry<String, Fixtures> e : fixtures().entrySet()) {
      NoData nd = e.getValue().noData();
      try (MockWebServer server = new MockWebServer()) {
        RecordingDispatcher d = new RecordingDispatcher(r -> {
          MockResponse.Builder b = new MockResponse.Builder().code(nd.status()).body(new Buffer().write(nd.body()));
          return (nd.contentType() == null ? b : b.setHeader("Content-Type", nd.contentType())).build();
        });
        server.setDispatcher(d);
        server.start();
        Dataset ds = dataset(e.getKey(), server.url("/").toString());
        NotPublishedException x = assertThrows(NotPublishedException.class, () -> ds.fetch(nd.key()), e.getKey());
        assertEquals(ExitCodes.NOT_PUBLISHED, x.exitCode());
        assertFalse(d.requests.isEmpty(), e.getKey() + ": asked the source");
      }
    }
  }

  @Test
  void theSimulatorServesEveryDataset() {
    try (Simulator sim = connector().simulator(new SimulatorOptions(0, 12, Instant.parse("2030-01-01T00:00:00Z")))) {
      for (String id : connector().datasetIds()) {
        IntervalKey key = simulatedKey(id);
        Dataset ds = dataset(id, sim.baseUrl());
        List<RawPayload> payloads = ds.fetch(key);
        assertFalse(payloads.isEmpty(), id + ": payloads from the simulator");
        long rows = 0;
        for (RawPayload p : payloads) {
          for (CanonicalRecord r : ds.parse(p)) {
            assertEquals(List.of(key.market(), key.dataset()), List.of(r.market(), r.dataset()), id);
            rows++;
          }
        }
        assertTrue(rows > 0, id + ": rows from the simulator's payloads");
      }
    }
  }

  @Test
  void parsingIsDeterministicDownToTheEventIds() {
    fixtures().forEach((id, fx) -> {
      Dataset ds = dataset(id, null);
      for (RawPayload p : fx.fallBack()) {
        List<CanonicalRecord> a = ds.parse(p);
        List<CanonicalRecord> b = dataset(id, null).parse(p);
        assertEquals(new HashSet<>(a), new HashSet<>(b), id + ": the same rows from the same bytes");
        String topic = EventFactory.topic(Stage.NORMALIZE, p.key());
        Set<String> ida = new HashSet<>();
        Set<String> idb = new HashSet<>();
        a.forEach(r -> ida.add(EventFactory.recordId(topic, r, r.values())));
        b.forEach(r -> idb.add(EventFactory.recordId(topic, r, r.values())));
        assertEquals(ida, idb, id + ": the same event ids");
        assertEquals(a.size(), ida.size(), id + ": one id per row");
      }
    });
  }
}
