package io.carbon254.ingest.sinks.production.kafka;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.sink.Event;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.events.AvroCodec;
import io.carbon254.ingest.sinks.production.registry.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes events to Kafka: an idempotent producer with {@code acks=all}, keys = the event key
 * (natural key, or payload id for ingestion events), values = Avro in the Confluent wire format
 * with the schema registered under {@code <topic>-value} (compatibility BACKWARD). Headers: the
 * event id ({@code ingest.event_id}), the event's own headers (run id) and a W3C
 * {@code traceparent}. Topics are created on first use with {@code KAFKA_TOPIC_PARTITIONS}
 * partitions (an existing topic is kept as it is). A stage's events are spooled to a file until
 * the warehouse committed ({@link #open}); {@link #publish} and a commit return only when the broker
 * acknowledged every record; a broker that stays away past {@code KAFKA_DELIVERY_TIMEOUT} fails
 * the stage with exit 3, naming the bootstrap servers.
 */
public final class KafkaEventSink implements EventSink {
  public static final String HEADER_EVENT_ID = "ingest.event_id";
  public static final String HEADER_TRACEPARENT = "traceparent";
  public static final String SUBJECT_COMPATIBILITY = "BACKWARD";

  private final KafkaSettings settings;
  private final SchemaRegistryClient registry;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
  private final Set<String> configuredSubjects = ConcurrentHashMap.newKeySet();

  public KafkaEventSink(KafkaSettings settings, SchemaRegistryClient registry) {
    this.settings = requireNonNull(settings, "settings is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.producer = new KafkaProducer<>(settings.producer(), new ByteArraySerializer(), new ByteArraySerializer());
    this.admin = Admin.create(settings.common());
  }

  static final Duration SETTLE_NEW_TOPIC = Duration.ofMillis(1500);

  public static String subject(String topic) {
    return topic + "-value";
  }

  @Override
  public String describe() {
    return "kafka://" + settings.bootstrapServers() + " (registry " + registry.describe() + ")";
  }

  /** All events of one stage run for one topic: the same path as {@link #open}, spooled, then sent. */
  @Override
  public void publish(String topic, IntervalKey key, List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    try (EventWriter w = open(topic, key)) {
      w.append(events);
      w.commit();
    }
  }

  /**
   * A publish in batches that holds none of them: each batch is encoded (registry id, Confluent
   * wire format, key, headers) and appended to a spool file in {@code KAFKA_SPOOL_DIR} as it
   * comes; {@link EventWriter#commit} (after the warehouse committed) creates the topic if needed
   * and sends the spooled records through the idempotent producer, returning once the broker
   * acknowledged every one; close deletes the spool, so a writer closed without a commit sent
   * nothing. A process killed meanwhile leaves its spool file, which the next spool removes.
   */
  @Override
  public EventWriter open(String topic, IntervalKey key) {
    requireNonNull(topic, "topic is null");
    // the current step's span when the process traces (its trace is the run's), else TRACEPARENT's trace
    String traceparent = TraceContext.childOf(io.carbon254.ingest.core.TraceParent.current().or(settings::parentTrace));
    return new EventWriter() {
      private final Map<String, Integer> ids = new HashMap<>();
      private EventSpool spool;
      private boolean closed;

      @Override
      public void append(List<Event> batch) {
        if (closed) {
          throw new IllegalStateException("the event writer of " + topic + " is closed");
        }
        try {
          if (spool == null) {
            spool = EventSpool.create(settings.spoolDir());
          }
          for (Event e : batch) {
            if (!e.topic().equals(topic)) {
              throw new IllegalArgumentException("event " + e.id() + " is for " + e.topic() + ", not " + topic);
            }
            int id = ids.computeIfAbsent(e.schema(), s -> schemaId(topic, s));
            byte[] value = WireFormat.encode(id, AvroCodec.encode(AvroCodec.toRecord(e)));
            spool.append(e.key().getBytes(StandardCharsets.UTF_8), value, headers(e, traceparent));
          }
        } catch (java.io.IOException e) {
          throw spoolFailed(topic, e);
        }
      }

      @Override
      public void commit() {
        if (closed) {
          throw new IllegalStateException("the event writer of " + topic + " is closed");
        }
        try {
          if (spool != null && spool.count() > 0) {
            send(topic, spool);
          }
        } finally {
          close();
        }
      }

      @Override
      public void close() {
        closed = true;
        if (spool != null) {
          spool.close();
          spool = null;
        }
      }
    };
  }

  private static List<Map.Entry<String, byte[]>> headers(Event e, String traceparent) {
    List<Map.Entry<String, byte[]>> h = new ArrayList<>(e.headers().size() + 2);
    h.add(Map.entry(HEADER_EVENT_ID, e.id().getBytes(StandardCharsets.UTF_8)));
    boolean traced = false;
    for (Map.Entry<String, String> x : e.headers().entrySet()) {
      if (x.getValue() != null) {
        h.add(Map.entry(x.getKey(), x.getValue().getBytes(StandardCharsets.UTF_8)));
        traced |= x.getKey().equals(HEADER_TRACEPARENT);
      }
    }
    if (!traced) {
      h.add(Map.entry(HEADER_TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8)));
    }
    return h;
  }

  /** Sends the spooled records; returns when every one is acknowledged (or fails with exit 3). */
  private void send(String topic, EventSpool spool) {
    int events = (int) Math.min(Integer.MAX_VALUE, spool.count());
    ensureTopic(topic);
    java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Exception> firstError = new java.util.concurrent.atomic.AtomicReference<>();
    try {
      spool.replay(e -> {
        Exception err = firstError.get();
        if (err != null) {
          throw new java.io.IOException("a send failed", err);
        }
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, null, e.key(), e.value());
        for (Map.Entry<String, byte[]> h : e.headers()) {
          rec.headers().add(new RecordHeader(h.getKey(), h.getValue()));
        }
        producer.send(rec, (md, ex) -> {
          if (ex != null) {
            firstError.compareAndSet(null, ex);
          } else {
            acked.incrementAndGet();
          }
        });
      });
      producer.flush();
    } catch (java.io.IOException e) {
      Exception err = firstError.get();
      if (err != null) {
        throw unavailable(topic, events, err);
      }
      throw spoolFailed(topic, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw unavailable(topic, events, e);
    }
    if (firstError.get() != null) {
      throw unavailable(topic, events, firstError.get());
    }
    if (acked.get() != spool.count()) {
      throw unavailable(topic, events, new TimeoutException(acked.get() + " of " + spool.count() + " record(s) acknowledged"));
    }
  }

  private UpstreamUnavailableException spoolFailed(String topic, java.io.IOException e) {
    return new UpstreamUnavailableException("Kafka event spool " + settings.spoolDir() + ": cannot spool the events of " + topic
        + " (" + e.getMessage() + "); set KAFKA_SPOOL_DIR to a writable directory with room for a stage's events", e);
  }

  private int schemaId(String topic, String schemaName) {
    String subject = subject(topic);
    if (configuredSubjects.add(subject)) {
      registry.setCompatibility(subject, SUBJECT_COMPATIBILITY);
    }
    return registry.register(subject, AvroCodec.schema(schemaName));
  }

  private void ensureTopic(String topic) {
    if (knownTopics.contains(topic)) {
      return;
    }
    NewTopic t = new NewTopic(topic, Optional.of(settings.partitions()), settings.replicationFactor());
    boolean created = true;
    try {
      admin.createTopics(List.of(t)).all().get(settings.deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw unavailable(topic, 0, e.getCause());
      }
      created = false;
    } catch (TimeoutException e) {
      throw unavailable(topic, 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(topic, 0, e);
    }
    awaitLeaders(topic);
    if (created) {
      // A new partition's leadership settles in two steps (leader -1 at epoch 1, then this broker at
      // epoch 2); a producer that first sees the intermediate state can leave a batch unsent until
      // delivery.timeout (seen on a single KRaft broker, about one new topic in twenty). Let it
      // settle once per topic, then check again.
      try {
        Thread.sleep(SETTLE_NEW_TOPIC.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable(topic, 0, e);
      }
      awaitLeaders(topic);
    }
    knownTopics.add(topic);
  }

  /**
   * Waits until every partition of a (new) topic has a leader and the producer knows them. Sending
   * into a topic whose leaders are still being elected lets a later batch land before the first
   * one, which an idempotent producer then can never deliver (OutOfOrderSequence).
   */
  private void awaitLeaders(String topic) {
    long deadline = System.nanoTime() + settings.deliveryTimeout().toNanos();
    try {
      while (true) {
        var d = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(settings.deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS).get(topic);
        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw unavailable(topic, 0, new TimeoutException("partitions of " + topic + " have no leader yet"));
        }
        Thread.sleep(100);
      }
      var parts = producer.partitionsFor(topic);
      while (parts.stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        parts = producer.partitionsFor(topic);
      }
    } catch (ExecutionException e) {
      throw unavailable(topic, 0, e.getCause());
    } catch (TimeoutException | org.apache.kafka.common.KafkaException e) {
      throw unavailable(topic, 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(topic, 0, e);
    }
  }

  private UpstreamUnavailableException unavailable(String topic, int events, Throwable cause) {
    String why = cause == null ? "no answer" : cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + firstLine(cause.getMessage()));
    String what = events == 0 ? "create topic " + topic : "publish " + events + " event(s) to " + topic;
    return new UpstreamUnavailableException(
        "Kafka at " + settings.bootstrapServers() + " unavailable: cannot " + what + " within "
            + human(settings.deliveryTimeout()) + " (" + why + "); event ids are deterministic, a re-run re-publishes"
            + " the same ids",
        cause);
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(5));
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
  }
}
