package io.carbon254.ingest.core.connector;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.util.List;

/** One dataset of one market: HTTP in {@link #fetch}, a pure function in {@link #parse}. */
public interface Dataset {
  String id();

  RecordKind kind();

  /** Length of one interval of this dataset (5 min, 15 min, 1 h). */
  Duration resolution();

  /**
   * Fetches every payload the source holds for the window, handing each to {@code out} as soon as
   * it is complete (fetch spools it to disk: one body in memory at a time, whatever the window):
   * paging, window splitting, retries and the rate limit live here. Nothing is stored until every
   * payload arrived, so a failure part-way leaves Bronze as it was.
   *
   * @throws io.carbon254.ingest.core.NotPublishedException when the source has nothing yet
   * @throws io.carbon254.ingest.core.UpstreamUnavailableException after the retries ran out
   */
  void fetch(IntervalKey key, RowSink<? super RawPayload> out);

  /**
   * The keys a range command (a backfill) is about to fetch, in order, before it fetches the first:
   * a source that serves many intervals per request (ERCOT's bulk archive download) may list and
   * download ahead for them, so a long backfill costs a few requests instead of some per window.
   * Each key's {@link #fetch} still fails or succeeds as it would alone. Default: nothing to prepare.
   */
  default void plan(List<IntervalKey> keys) {}

  /** Every payload of {@link #fetch(IntervalKey, RowSink)} as a list: for tests and tools. */
  default List<RawPayload> fetch(IntervalKey key) {
    List<RawPayload> out = new java.util.ArrayList<>();
    fetch(key, out::add);
    return out;
  }

  /**
   * Parses one payload and pushes its canonical records to {@code out} as they are read, in any
   * order; memory is bounded by what the format needs to fold one payload (never the interval). Every row must lie inside the
   * payload's interval: normalize rejects a payload with a row outside it (exit 4). A source whose
   * request returns rows outside the window by design drops them here, saying why in its connector.
   *
   * @throws io.carbon254.ingest.core.PayloadRejectedException naming payload, row and field
   */
  void parse(RawPayload payload, RowSink<? super CanonicalRecord> out);

  /** Every record of one payload as a list: for tests and tools; the stages use {@link #parse(RawPayload, RowSink)}. */
  default List<CanonicalRecord> parse(RawPayload payload) {
    List<CanonicalRecord> out = new java.util.ArrayList<>();
    parse(payload, out::add);
    return out;
  }
}
