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
   * Fetches every payload the source holds for the window: paging, window splitting, retries and
   * the rate limit live here.
   *
   * @throws io.carbon254.ingest.core.NotPublishedException when the source has nothing yet
   * @throws io.carbon254.ingest.core.UpstreamUnavailableException after the retries ran out
   */
  List<RawPayload> fetch(IntervalKey key);

  /**
   * Parses one payload into canonical records, in any order. Every row must lie inside the
   * payload's interval: normalize rejects a payload with a row outside it (exit 4). A source whose
   * request returns rows outside the window by design drops them here, saying why in its connector.
   *
   * @throws io.carbon254.ingest.core.PayloadRejectedException naming payload, row and field
   */
  List<CanonicalRecord> parse(RawPayload payload);
}
