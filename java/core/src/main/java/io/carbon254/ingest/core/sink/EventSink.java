package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
import java.util.List;

/**
 * Publishes a stage's events after its warehouse write succeeded. Embedded: Avro container files
 * per topic and interval key. Production: Kafka, Avro in the Confluent wire format.
 */
public interface EventSink extends AutoCloseable {
  String describe();

  /** Publishes all events of one stage run for one topic; returns once they are durable. */
  void publish(String topic, IntervalKey key, List<Event> events);

  @Override
  void close();
}
