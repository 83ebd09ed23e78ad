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

  /**
   * A publish in batches: {@link EventWriter#append} takes the events as they are built, {@link
   * EventWriter#commit} publishes them (called after the stage's warehouse write committed), closing
   * without a commit publishes nothing. This default collects them and calls {@link #publish} on
   * commit (so Kafka sends nothing before the warehouse committed); the embedded event log streams
   * them into its temporary file and moves it in place on commit.
   */
  default EventWriter open(String topic, IntervalKey key) {
    EventSink self = this;
    return new EventWriter() {
      private final List<Event> events = new java.util.ArrayList<>();

      @Override
      public void append(List<Event> batch) {
        events.addAll(batch);
      }

      @Override
      public void commit() {
        self.publish(topic, key, events);
        events.clear();
      }

      @Override
      public void close() {
        events.clear();
      }
    };
  }

  /** A publish in progress (see {@link #open}). */
  interface EventWriter extends AutoCloseable {
    void append(List<Event> batch);

    /**
     * Appends the events of canonical records, as {@link EventFactory#record} builds them (same ids
     * and fields). This default builds the events; a sink that can encode a record directly (the
     * embedded event log) does so without the per-event maps.
     */
    default void appendRecords(String topic, List<? extends io.carbon254.ingest.core.record.CanonicalRecord> rows,
        java.util.Map<String, String> headers) {
      List<Event> evs = new java.util.ArrayList<>(rows.size());
      for (io.carbon254.ingest.core.record.CanonicalRecord r : rows) {
        evs.add(EventFactory.record(topic, r, headers));
      }
      append(evs);
    }

    void commit();

    /** Publishes nothing unless committed. */
    @Override
    void close();
  }

  @Override
  void close();
}
