package io.carbon254.ingest.sinks.production.kafka;

import static io.carbon254.ingest.sinks.production.testing.Rows.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.Event;
import io.carbon254.ingest.core.sink.EventFactory;
import io.carbon254.ingest.core.sink.Stage;
import io.carbon254.ingest.events.AvroCodec;
import io.carbon254.ingest.sinks.production.registry.SchemaRegistryClient;
import io.carbon254.ingest.sinks.production.testing.Rows;
import io.carbon254.ingest.sinks.production.testing.Servers;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** Kafka + schema registry round trip on the real broker and the registry stand-in (`make infra-up`). */
class KafkaEventSinkIT {
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);

  private static IngestConfig config(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka());
    env.put("SCHEMA_REGISTRY_URL", Servers.registry());
    env.put("KAFKA_TOPIC_PARTITIONS", "3");
    env.putAll(extra);
    return IngestConfig.of(env);
  }

  @Test
  void publishesEveryEventAcknowledgedAndAConsumerReadsThemBackThroughTheRegistry() throws Exception {
    IntervalKey key = Rows.key("itm" + RUN, "lmp_rt_5min", T0, T0.plusSeconds(3600));
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    List<CanonicalRecord> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(Rows.price(key.market(), key.dataset(), "NODE_" + (i % 50), T0.plusSeconds(300L * (i / 50)), i * 0.5, 7));
    }
    List<Event> events = rows.stream().map(r -> EventFactory.record(topic, r, Map.of("ingest.run_id", "run-a"))).toList();
    KafkaSettings settings = KafkaSettings.from(config(Map.of()));
    SchemaRegistryClient registry = new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2);
    try (KafkaEventSink sink = new KafkaEventSink(settings, registry)) {
      sink.publish(topic, key, events);
      sink.publish(topic, key, events); // a re-run publishes the same ids again
    }
    try (Admin admin = Admin.create(settings.common())) {
      assertEquals(3, admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());
    }
    assertEquals("BACKWARD", compatibilityOf(KafkaEventSink.subject(topic)));

    List<ConsumerRecord<byte[], byte[]>> got = consumeAll(topic, 1000);
    assertEquals(1000, got.size());
    SchemaRegistryClient consumerSide = new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2);
    Map<String, Integer> seen = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : got) {
      GenericRecord g = WireFormat.decode(r.value(), consumerSide::schemaById, null);
      Map<String, Object> fields = AvroCodec.fields(g);
      String id = header(r, KafkaEventSink.HEADER_EVENT_ID);
      assertEquals(id, fields.get("event_id"));
      assertEquals("run-a", header(r, "ingest.run_id"));
      assertTrue(TraceContext.valid(header(r, KafkaEventSink.HEADER_TRACEPARENT)), header(r, "traceparent"));
      CanonicalRecord back = RecordKind.PRICES.fromValues(fields.values().stream().skip(1).toArray());
      assertEquals(back.naturalKey(), new String(r.key(), StandardCharsets.UTF_8), "key = natural key");
      seen.merge(id, 1, Integer::sum);
    }
    assertEquals(events.stream().map(Event::id).collect(java.util.stream.Collectors.toSet()), seen.keySet());
    assertTrue(seen.values().stream().allMatch(n -> n == 2), "each id exactly once per run");
  }

  @Test
  void theEventsCarryTheTraceOfTheStepThatPublishedThem() throws Exception {
    IntervalKey key = Rows.key("ittrace" + RUN, "lmp_rt_5min", T0, T0.plusSeconds(3600));
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String orchestrator = "0af7651916cd43dd8448eb211c80319c";
    // the task's tracing names the current step's span; TRACEPARENT (the orchestrator's) is only the fallback
    io.carbon254.ingest.core.TraceParent.source(() -> java.util.Optional.of("00-" + trace + "-00f067aa0ba902b7-01"));
    try (KafkaEventSink sink = new KafkaEventSink(
        KafkaSettings.from(config(Map.of("TRACEPARENT", "00-" + orchestrator + "-b7ad6b7169203331-01"))),
        new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2))) {
      sink.publish(topic, key, events(key, topic, 20));
    } finally {
      io.carbon254.ingest.core.TraceParent.source(java.util.Optional::empty);
    }
    List<ConsumerRecord<byte[], byte[]>> got = consumeAll(topic, 20);
    assertEquals(20, got.size());
    for (ConsumerRecord<byte[], byte[]> r : got) {
      String tp = header(r, KafkaEventSink.HEADER_TRACEPARENT);
      assertTrue(TraceContext.valid(tp), tp);
      assertEquals(trace, tp.substring(3, 35), "the step's trace id: " + tp);
      assertFalse(tp.contains("00f067aa0ba902b7"), "a span of its own under the step: " + tp);
    }
  }

  private static List<Event> events(IntervalKey key, String topic, int n) {
    List<Event> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      CanonicalRecord r = Rows.price(key.market(), key.dataset(), "NODE_" + (i % 100), T0.plusSeconds(300L * (i / 100)), i * 0.25, 7);
      events.add(EventFactory.record(topic, r, Map.of("ingest.run_id", "run-spool")));
    }
    return events;
  }

  private static List<java.nio.file.Path> spoolFiles(java.nio.file.Path dir) throws Exception {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = java.nio.file.Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(EventSpool.PREFIX)).toList();
    }
  }

  private static boolean topicExists(KafkaSettings settings, String topic) throws Exception {
    try (Admin admin = Admin.create(settings.common())) {
      return admin.listTopics().names().get().contains(topic);
    }
  }

  @Test
  void aStageWritersEventsAreSpooledAndReachKafkaOnlyOnCommit() throws Exception {
    java.nio.file.Path spoolDir = java.nio.file.Files.createTempDirectory("kafka-spool-it");
    IntervalKey key = Rows.key("itspool" + RUN, "lmp_rt_5min", T0, T0.plusSeconds(3600));
    String topic = EventFactory.topic(Stage.ENRICH, key);
    List<Event> events = events(key, topic, 3_000);
    KafkaSettings settings = KafkaSettings.from(config(Map.of("KAFKA_SPOOL_DIR", spoolDir.toString())));
    try (KafkaEventSink sink = new KafkaEventSink(settings, new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2));
        var w = sink.open(topic, key)) {
      for (int from = 0; from < events.size(); from += 1_000) {
        w.append(events.subList(from, from + 1_000));
      }
      List<java.nio.file.Path> spooled = spoolFiles(spoolDir);
      assertEquals(1, spooled.size(), "one spool file while the stage runs");
      assertTrue(java.nio.file.Files.size(spooled.get(0)) > 3_000L * 100, "the encoded records are in the file");
      assertFalse(topicExists(settings, topic), "nothing sent (not even the topic created) before the commit");
      w.commit();
      assertTrue(spoolFiles(spoolDir).isEmpty(), "the spool is deleted once sent");
    }
    List<ConsumerRecord<byte[], byte[]>> got = consumeAll(topic, 3_000);
    assertEquals(3_000, got.size());
    SchemaRegistryClient consumerSide = new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2);
    Map<String, Event> byId = new HashMap<>();
    events.forEach(e -> byId.put(e.id(), e));
    for (ConsumerRecord<byte[], byte[]> r : got) {
      Event sent = byId.remove(header(r, KafkaEventSink.HEADER_EVENT_ID));
      assertTrue(sent != null, "a spooled id, once");
      assertEquals(sent.key(), new String(r.key(), StandardCharsets.UTF_8));
      assertEquals("run-spool", header(r, "ingest.run_id"));
      assertTrue(TraceContext.valid(header(r, KafkaEventSink.HEADER_TRACEPARENT)));
      Map<String, Object> fields = AvroCodec.fields(WireFormat.decode(r.value(), consumerSide::schemaById, null));
      assertEquals(sent.id(), fields.get("event_id"));
      assertEquals(sent.fields().get("price"), fields.get("price"));
    }
    assertTrue(byId.isEmpty(), "every event arrived");
  }

  @Test
  void aWriterClosedWithoutCommitSendsNothingAndDeletesItsSpool() throws Exception {
    java.nio.file.Path spoolDir = java.nio.file.Files.createTempDirectory("kafka-spool-it");
    IntervalKey key = Rows.key("itnocommit" + RUN, "lmp_rt_5min", T0, T0.plusSeconds(3600));
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    KafkaSettings settings = KafkaSettings.from(config(Map.of("KAFKA_SPOOL_DIR", spoolDir.toString())));
    try (KafkaEventSink sink = new KafkaEventSink(settings, new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2))) {
      try (var w = sink.open(topic, key)) {
        w.append(events(key, topic, 500));
        assertEquals(1, spoolFiles(spoolDir).size());
        // the warehouse write failed: the stage closes the writer without committing
      }
      assertTrue(spoolFiles(spoolDir).isEmpty(), "spool deleted");
      assertFalse(topicExists(settings, topic), "nothing sent");
      // an append after close is a bug, not a silent send
      var w = sink.open(topic, key);
      w.close();
      assertThrows(IllegalStateException.class, () -> w.append(events(key, topic, 1)));
      assertThrows(IllegalStateException.class, w::commit);
    }
    assertFalse(topicExists(settings, topic));
  }

  @Test
  void theNextSpoolRemovesTheSpoolOfAWriterThatIsGoneButNotALiveOnes() throws Exception {
    java.nio.file.Path spoolDir = java.nio.file.Files.createTempDirectory("kafka-spool-it");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long deadPid = gone.pid();
    java.nio.file.Path orphan = spoolDir.resolve(EventSpool.PREFIX + deadPid + "-123.tmp");
    java.nio.file.Files.write(orphan, new byte[1024]);
    long me = ProcessHandle.current().pid();
    java.nio.file.Path live = spoolDir.resolve(EventSpool.PREFIX + me + "-456.tmp"); // this process, written now
    java.nio.file.Files.write(live, new byte[16]);
    java.nio.file.Path reused = spoolDir.resolve(EventSpool.PREFIX + me + "-789.tmp"); // this pid, but before it started
    java.nio.file.Files.write(reused, new byte[16]);
    java.time.Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
    java.nio.file.Files.setLastModifiedTime(reused, java.nio.file.attribute.FileTime.from(started.minusSeconds(3600)));
    java.nio.file.Path other = spoolDir.resolve("unrelated.tmp");
    java.nio.file.Files.write(other, new byte[1]);

    IntervalKey key = Rows.key("itorphan" + RUN, "lmp_rt_5min", T0, T0.plusSeconds(3600));
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    KafkaSettings settings = KafkaSettings.from(config(Map.of("KAFKA_SPOOL_DIR", spoolDir.toString())));
    try (KafkaEventSink sink = new KafkaEventSink(settings, new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2));
        var w = sink.open(topic, key)) {
      w.append(events(key, topic, 10));
      assertFalse(java.nio.file.Files.exists(orphan), "a dead writer's spool is removed");
      assertFalse(java.nio.file.Files.exists(reused), "a spool older than the process now holding its pid is removed");
      assertTrue(java.nio.file.Files.exists(live), "a live writer's spool is kept");
      assertTrue(java.nio.file.Files.exists(other), "files that are not spools are not touched");
      assertEquals(2, spoolFiles(spoolDir).size(), "the live one and this writer's own");
    }
    assertEquals(List.of(live), spoolFiles(spoolDir));
  }

  @Test
  void anUnreachableBrokerFailsWithExit3NamingTheBootstrapServersWithinTheDeliveryTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    IngestConfig cfg = config(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + port, "KAFKA_DELIVERY_TIMEOUT", "4s"));
    IntervalKey key = Rows.key("itdown" + RUN, "lmp_rt_5min", T0, T0.plusSeconds(3600));
    String topic = EventFactory.topic(Stage.NORMALIZE, key);
    List<Event> events = List.of(EventFactory.record(topic, Rows.price(key.market(), key.dataset(), "A", T0, 1, 1), Map.of()));
    long t0 = System.nanoTime();
    try (KafkaEventSink sink = new KafkaEventSink(KafkaSettings.from(cfg),
        new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2))) {
      UpstreamUnavailableException e = assertThrows(UpstreamUnavailableException.class, () -> sink.publish(topic, key, events));
      assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
      assertEquals(3, e.exitCode());
    }
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 20, "bounded by KAFKA_DELIVERY_TIMEOUT");
  }

  @Test
  void anEmptyPublishTouchesNothing() {
    IntervalKey key = Rows.key("itempty" + RUN, "x", T0, T0.plusSeconds(3600));
    try (KafkaEventSink sink = new KafkaEventSink(KafkaSettings.from(config(Map.of())),
        new SchemaRegistryClient(Servers.registry(), Duration.ofSeconds(5), 2))) {
      sink.publish("normalized." + key.market() + ".x", key, List.of());
      assertFalse(sink.describe().contains("@"));
    }
  }

  private static String compatibilityOf(String subject) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(Servers.registry() + "/config/" + subject)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("compatibilityLevel").asText();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int expected) {
    Properties p = new Properties();
    p.put("bootstrap.servers", Servers.kafka());
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertTrue(out.size() >= expected, "read " + out.size() + " of " + expected);
    return out;
  }
}
