package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.PayloadHead;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The Bronze revision rule, one pure function every warehouse applies before it stores a batch of
 * payloads. A payload's {@code fetched_at}, the version of the rows parsed from it, is the instant its
 * bytes became the current content of their part:
 *
 * <ul>
 *   <li>{@link Kind#NEW}: bytes Bronze never held; versioned by this fetch.
 *   <li>{@link Kind#CURRENT}: the bytes already current for their part, fetched again; they keep the
 *       version of the fetch that made them current (a re-run changes nothing).
 *   <li>{@link Kind#RETURNED}: bytes Bronze holds that were replaced by others since and are back (a
 *       revision reverted); versioned by this fetch, so their rows replace the newer ones again.
 * </ul>
 *
 * Within a batch each payload becomes the current one of its part, so a later payload of the same
 * part is judged against it.
 */
public final class BronzeRevisions {
  private BronzeRevisions() {}

  public enum Kind { NEW, CURRENT, RETURNED }

  /** What becomes of one payload of the batch, and the version its rows carry. */
  public record Revision(Kind kind, Instant fetchedAt) {}

  /** What Bronze already holds for the keys of a batch (each warehouse answers from its own tables). */
  public interface Stored {
    /** The {@code fetched_at} Bronze holds for the key's payload, if it holds the payload. */
    Optional<Instant> fetchedAt(IntervalKey key, String payloadId);

    /** The id of the payload that is the current content of the key's part, if Bronze holds one. */
    Optional<String> current(IntervalKey key, int part);
  }

  /**
   * The revision of each payload of {@code batch}, in order.
   *
   * @param precision what the warehouse keeps of an instant (ClickHouse 18.16's DateTime: whole seconds)
   */
  public static List<Revision> revise(List<PayloadHead> batch, Stored stored, UnaryOperator<Instant> precision) {
    Map<String, Instant> versions = new HashMap<>();
    Map<String, String> current = new HashMap<>();
    List<Revision> out = new ArrayList<>(batch.size());
    for (PayloadHead p : batch) {
      String part = p.key() + "#" + p.part();
      String id = p.key() + "/" + p.payloadId();
      Instant held = versions.containsKey(id) ? versions.get(id) : stored.fetchedAt(p.key(), p.payloadId()).orElse(null);
      String cur = current.containsKey(part) ? current.get(part) : stored.current(p.key(), p.part()).orElse(null);
      Revision r;
      if (held == null) {
        r = new Revision(Kind.NEW, precision.apply(p.fetchedAt()));
      } else if (p.payloadId().equals(cur)) {
        r = new Revision(Kind.CURRENT, held);
      } else {
        r = new Revision(Kind.RETURNED, precision.apply(p.fetchedAt()));
      }
      versions.put(id, r.fetchedAt());
      current.put(part, p.payloadId());
      out.add(r);
    }
    return out;
  }
}
