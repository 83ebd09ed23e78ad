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
