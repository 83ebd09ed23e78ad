package io.carbon254.ingest.tasks.it;

import static io.carbon254.ingest.tasks.it.Infra.env;
import static io.carbon254.ingest.tasks.it.Infra.ingest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.Warehouse;
import io.carbon254.ingest.sinks.embedded.EmbeddedSinkProvider;
import io.carbon254.ingest.sinks.production.clickhouse.ClickHouseConfig;
import io.carbon254.ingest.sinks.production.clickhouse.ClickHouseWarehouse;
import io.carbon254.ingest.sinks.production.redis.RedisCacheWarmer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CAISO pipeline end to end with every production sink configured, against the real servers
 * of `make infra-up` and the CAISO simulator, through the task JAR as Airflow runs it
 * ({@code bin/ingest}). Each test uses its own interval; the class its own ClickHouse database and
 * Redis key prefix, so runs of the suite do not see each other.
 */
class CaisoProductionPipelineIT {
  private static final String ID = Long.toString(System.currentTimeMillis(), 36);
  private static final String DB = "it_e2e_" + ID;
  private static final String DATASET = "lmp_rt_5min";
  private static final String HUB = "TH_SP15_GEN-APND";
  private static Process simulator;
  private static Path home;
  private static Map<String, String> base;

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("ingest-it-");
    int port = Infra.freePort();
    simulator = new ProcessBuilder(Infra.root().resolve("bin/ingest").toString(), "simulate", "--market", "caiso",
        "--port", Integer.toString(port), "--count", "25")
        .redirectErrorStream(true).redirectOutput(home.resolve("simulator.log").toFile()).start();
    Infra.awaitPort(port, Duration.ofSeconds(60));
    base = new HashMap<>();
    base.put("INGEST_CAISO_BASE_URL", "http://127.0.0.1:" + port);
    base.put("INGEST_CAISO_REQUEST_SPACING", "0s");
    base.put("INGEST_HOME", home.resolve("production").toString());
    base.put("CLICKHOUSE_DSN", "clickhouse://127.0.0.1:8123/" + DB);
    base.put("CLICKHOUSE_RETRIES", "3");
    base.put("CLICKHOUSE_RETRY_BACKOFF", "200ms");
    base.put("KAFKA_BOOTSTRAP_SERVERS", Infra.KAFKA);
    // Generous for runs that should succeed (a loaded 2-core machine, a broker just restarted);
    // the broker-down test shortens it for the run that must fail.
    base.put("KAFKA_DELIVERY_TIMEOUT", "30s");
    base.put("SCHEMA_REGISTRY_URL", Infra.REGISTRY);
    base.put("REDIS_URL", Infra.REDIS);
    base.put("REDIS_KEY_PREFIX", "it" + ID);

    Infra.Run apply = ingest(base, "ddl", "apply");
    assertEquals(0, apply.exit(), apply.all());
    assertTrue(apply.out().contains("7 migration(s) applied"), apply.out());
    Infra.Run again = ingest(base, "ddl", "apply");
    assertEquals(0, again.exit(), again.all());
    assertTrue(again.out().contains("0 migration(s) applied, 7 already present"), again.out());
  }

  @AfterAll
  static void stop() {
    if (simulator != null) {
      simulator.destroy();
    }
    Infra.clickhouse("DROP DATABASE IF EXISTS " + DB);
  }

  private static String[] run(String start, String end, String runId) {
    return new String[] {"run", "--market", "caiso", "--dataset", DATASET, "--interval-start", start, "--interval-end", end,
      "--run-id", runId};
  }

  private static String window(String start, String end) {
    return "market = 'caiso' AND dataset = '" + DATASET + "' AND interval_start_utc >= toDateTime('" + start.replace("T", " ")
        .replace("Z", "") + "', 'UTC') AND interval_start_utc < toDateTime('" + end.replace("T", " ").replace("Z", "") + "', 'UTC')";
  }

  private static long silverFinal(String start, String end) {
    return Infra.clickhouseLong("SELECT count() FROM " + DB + ".silver_prices FINAL WHERE " + window(start, end));
  }

  private static long distinctKeys(String start, String end) {
    return Infra.clickhouseLong("SELECT uniqExact(market, dataset, market_run, price_type, location_id, interval_start_utc) FROM "
        + DB + ".silver_prices WHERE " + window(start, end));
  }

  private static Map<String, Map<TopicPartition, Long>> offsets() {
    Map<String, Map<TopicPartition, Long>> m = new HashMap<>();
    for (String prefix : List.of("ingestion", "normalized", "enriched")) {
      String topic = prefix + ".caiso." + DATASET;
      m.put(topic, Infra.endOffsets(topic));
    }
    return m;
  }

  /** Events of this interval published since {@code before}, by topic. */
  private static Map<String, List<Infra.Consumed>> eventsSince(Map<String, Map<TopicPartition, Long>> before, String start) {
    Instant s = Instant.parse(start);
    Map<String, List<Infra.Consumed>> out = new HashMap<>();
    before.forEach((topic, from) -> out.put(topic, Infra.consumeSince(topic, from).stream()
        .filter(c -> Instant.ofEpochMilli((Long) c.value().get("interval_start_utc")).equals(s)
            || topic.startsWith("normalized") || topic.startsWith("enriched"))
        .toList()));
    return out;
  }

  private static Map<String, Long> countById(List<Infra.Consumed> events) {
    return events.stream().collect(Collectors.groupingBy(Infra.Consumed::eventId, Collectors.counting()));
  }

  @Test
  void twoRunsEqualTheEmbeddedRunAddNoVisibleRowRepublishTheSameIdsAndWarmRedis() throws Exception {
    String start = "2024-11-03T08:00:00Z";
    String end = "2024-11-03T09:00:00Z";
    Map<String, Map<TopicPartition, Long>> before = offsets();

    Infra.Run first = ingest(base, run(start, end, "it-first-" + ID));
    assertEquals(0, first.exit(), first.all());
    long rows = silverFinal(start, end);
    assertTrue(rows > 0, "Silver has rows");
    assertEquals(distinctKeys(start, end), rows, "count() FINAL = distinct natural keys");

    Infra.Run second = ingest(base, run(start, end, "it-second-" + ID));
    assertEquals(0, second.exit(), second.all());
    assertEquals(rows, silverFinal(start, end), "a second run adds no visible row");
    assertEquals(rows, distinctKeys(start, end));

    // The same interval on the embedded default (DuckDB): the same Silver rows.
    Path embeddedHome = home.resolve("embedded");
    Map<String, String> embedded = new HashMap<>(base);
    embedded.keySet().removeAll(Set.of("CLICKHOUSE_DSN", "KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "REDIS_URL"));
    embedded.put("INGEST_HOME", embeddedHome.toString());
    Infra.Run local = ingest(embedded, run(start, end, "it-embedded-" + ID));
    assertEquals(0, local.exit(), local.all());
    IntervalKey key = new IntervalKey("caiso", DATASET, new IntervalWindow(Instant.parse(start), Instant.parse(end)));
    List<CanonicalRecord> ch;
    try (Warehouse w = ClickHouseWarehouse.open(ClickHouseConfig.from(IngestConfig.of(base)))) {
      ch = w.readSilver(key, RecordKind.PRICES);
    }
    List<CanonicalRecord> duck;
    try (Warehouse w = EmbeddedSinkProvider.readOnly(IngestConfig.of(Map.of("INGEST_HOME", embeddedHome.toString())))) {
      duck = w.readSilver(key, RecordKind.PRICES);
    }
    assertEquals(rows, ch.size());
    assertEquals(comparable(duck), comparable(ch), "Silver in ClickHouse = Silver in DuckDB (fetch-time columns aside)");

    // Events: every id of the interval exactly once per run, readable through the registry.
    Map<String, List<Infra.Consumed>> events = eventsSince(before, start);
    for (var e : events.entrySet()) {
      assertFalse(e.getValue().isEmpty(), e.getKey());
      Map<String, Long> byId = countById(e.getValue());
      assertTrue(byId.values().stream().allMatch(n -> n == 2), e.getKey() + ": each id exactly once per run " + byId);
      for (Infra.Consumed c : e.getValue()) {
        assertEquals(c.eventId(), c.value().get("event_id").toString(), "header and value carry the same id");
        assertTrue(c.runId().equals("it-first-" + ID) || c.runId().equals("it-second-" + ID), c.runId());
      }
    }
    assertEquals(rows, countById(events.get("normalized.caiso." + DATASET)).size(), "one normalized event per Silver row");
    assertEquals(rows, countById(events.get("enriched.caiso." + DATASET)).size(), "one enriched event per Silver row");

    // Redis: the latest price of a trading hub is the Silver price of its newest interval.
    CanonicalRecord newest = ch.stream().filter(r -> r.subject().equals(HUB))
        .max(java.util.Comparator.comparing(CanonicalRecord::intervalStart)).orElseThrow(() -> new AssertionError("no " + HUB));
    RedisClient client = RedisClient.create(Infra.REDIS);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      Map<String, String> h = c.sync().hgetall(RedisCacheWarmer.latestPriceKey("it" + ID, "caiso", HUB));
      assertEquals(newest.intervalStart().toString(), h.get("interval_start_utc"));
      assertEquals(Double.toString(((Number) newest.values()[RecordKind.PRICES.indexOf("price")]).doubleValue()), h.get("price"));
      assertEquals("true", h.get("is_trading_hub"));
    } finally {
      client.shutdown();
    }
  }

  /** Values without the fetch-time columns (fetched_at and the version derived from it). */
  private static List<List<Object>> comparable(List<CanonicalRecord> rows) {
    int version = RecordKind.PRICES.indexOf("version");
    int fetched = RecordKind.PRICES.indexOf("fetched_at");
    List<List<Object>> out = new ArrayList<>();
    for (CanonicalRecord r : rows) {
      Object[] v = r.values();
      v[version] = null;
      v[fetched] = null;
      out.add(Arrays.asList(v));
    }
    return out;
  }

  @Test
  void withClickHouseStoppedAStageExits3NamingTheServerAndARerunCompletesWithNothingLostOrDoubled() {
    String start = "2024-11-03T10:00:00Z";
    String end = "2024-11-03T11:00:00Z";
    Infra.Run fetch = ingest(base, "fetch", "--market", "caiso", "--dataset", DATASET, "--interval-start", start,
        "--interval-end", end, "--run-id", "it-ch-fetch-" + ID);
    assertEquals(0, fetch.exit(), fetch.all());
    Map<String, Map<TopicPartition, Long>> before = offsets();
    Infra.Run down;
    Infra.server("down", "clickhouse");
    try {
      long t0 = System.nanoTime();
      down = ingest(base, "normalize", "--market", "caiso", "--dataset", DATASET, "--interval-start", start,
          "--interval-end", end, "--run-id", "it-ch-down-" + ID);
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 60, "bounded retries");
    } finally {
      Infra.server("up", "clickhouse");
    }
    assertEquals(3, down.exit(), down.all());
    assertTrue(down.all().contains("ClickHouse at 127.0.0.1:8123"), down.all());
    assertTrue(down.all().contains("3 attempts"), down.all());

    Infra.Run rerun = ingest(base, run(start, end, "it-ch-rerun-" + ID));
    assertEquals(0, rerun.exit(), rerun.all());
    long rows = silverFinal(start, end);
    assertTrue(rows > 0);
    assertEquals(distinctKeys(start, end), rows, "nothing doubled");
    assertEquals(rows, Infra.clickhouseLong("SELECT count() FROM " + DB + ".silver_prices WHERE " + window(start, end)),
        "one load, one physical row per key");
    Map<String, Long> normalized = countById(eventsSince(before, start).get("normalized.caiso." + DATASET));
    assertEquals(rows, normalized.size(), "nothing lost: an event per Silver row");
    assertTrue(normalized.values().stream().allMatch(n -> n == 1), "the failed stage published nothing");
  }

  @Test
  void withKafkaStoppedAStageExits3NamingTheBrokerAndARerunCompletesWithNothingLostOrDoubled() {
    String start = "2024-11-03T12:00:00Z";
    String end = "2024-11-03T13:00:00Z";
    Map<String, Map<TopicPartition, Long>> before = offsets();
    Infra.Run down;
    Infra.server("down", "kafka");
    try {
      long t0 = System.nanoTime();
      Map<String, String> shortTimeout = new HashMap<>(base);
      shortTimeout.put("KAFKA_DELIVERY_TIMEOUT", "6s");
      down = ingest(shortTimeout, run(start, end, "it-kafka-down-" + ID));
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 90, "bounded by KAFKA_DELIVERY_TIMEOUT");
    } finally {
      Infra.server("up", "kafka");
    }
    assertEquals(3, down.exit(), down.all());
    assertTrue(down.all().contains("Kafka at 127.0.0.1:9092 unavailable"), down.all());

    Infra.Run rerun = ingest(base, run(start, end, "it-kafka-rerun-" + ID));
    assertEquals(0, rerun.exit(), rerun.all());
    long rows = silverFinal(start, end);
    assertTrue(rows > 0);
    assertEquals(distinctKeys(start, end), rows, "nothing doubled");
    Map<String, List<Infra.Consumed>> events = eventsSince(before, start);
    for (String prefix : List.of("ingestion", "normalized", "enriched")) {
      Map<String, Long> byId = countById(events.get(prefix + ".caiso." + DATASET));
      assertFalse(byId.isEmpty(), prefix);
      assertTrue(byId.values().stream().allMatch(n -> n == 1), prefix + ": each id exactly once " + byId);
    }
    assertEquals(rows, countById(events.get("enriched.caiso." + DATASET)).size(), "nothing lost");
  }
}
