package io.carbon254.ingest.core.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.sink.BronzeRevisions.Kind;
import io.carbon254.ingest.core.sink.BronzeRevisions.Revision;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BronzeRevisionsTest {
  static final Instant T0 = Instant.parse("2024-11-03T08:00:00Z");
  static final IntervalKey KEY = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0, T0.plusSeconds(3600)));
  static final IntervalKey OTHER = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0.plusSeconds(3600), T0.plusSeconds(7200)));
  static final Instant FIRST = Instant.parse("2024-11-03T09:10:00Z");
  static final Instant NOW = Instant.parse("2024-11-05T12:00:00.123456Z");

  static PayloadHead head(IntervalKey key, int part, String id) {
    return new PayloadHead(id, key, part, "http://oasis.test/SingleZip", "application/zip", 200, 10, "sha-" + id, NOW);
  }

  /** A Bronze of literal maps: payload id -> fetched_at, "key#part" -> current payload id. */
  static BronzeRevisions.Stored bronze(Map<String, Instant> held, Map<String, String> current) {
    return new BronzeRevisions.Stored() {
      @Override
      public Optional<Instant> fetchedAt(IntervalKey key, String payloadId) {
        return Optional.ofNullable(held.get(key + "/" + payloadId));
      }

      @Override
      public Optional<String> current(IntervalKey key, int part) {
        return Optional.ofNullable(current.get(key + "#" + part));
      }
    };
  }

  @Test
  void newBytesTakeThisFetchCurrentOnesKeepTheirVersionReturnedOnesTakeThisFetch() {
    Map<String, Instant> held = new HashMap<>(Map.of(KEY + "/a", FIRST, KEY + "/b", FIRST.plusSeconds(60), KEY + "/old", FIRST));
    Map<String, String> current = Map.of(KEY + "#0", "a", KEY + "#1", "b", KEY + "#2", "new2");
    List<Revision> r = BronzeRevisions.revise(List.of(head(KEY, 0, "a"), head(KEY, 1, "c"), head(KEY, 2, "old")),
        bronze(held, current), t -> t);
    assertEquals(List.of(new Revision(Kind.CURRENT, FIRST), new Revision(Kind.NEW, NOW), new Revision(Kind.RETURNED, NOW)), r);
  }

  @Test
  void aPartJudgedTwiceInOneBatchIsJudgedAgainstTheFirstOfThem() {
    Map<String, Instant> held = Map.of(KEY + "/a", FIRST);
    Map<String, String> current = Map.of(KEY + "#0", "a");
    // b replaces a within the batch, then a comes back: a is returned, b again after it too
    List<Revision> r = BronzeRevisions.revise(
        List.of(head(KEY, 0, "b"), head(KEY, 0, "a"), head(KEY, 0, "a"), head(KEY, 0, "b")), bronze(held, current), t -> t);
    assertEquals(List.of(Kind.NEW, Kind.RETURNED, Kind.CURRENT, Kind.RETURNED), r.stream().map(Revision::kind).toList());
    assertEquals(List.of(NOW, NOW, NOW, NOW), r.stream().map(Revision::fetchedAt).toList());
  }

  @Test
  void keysAreSeparateAndThePrecisionIsTheWarehousesOwn() {
    Map<String, Instant> held = Map.of(KEY + "/a", FIRST);
    Map<String, String> current = Map.of(KEY + "#0", "a");
    List<Revision> r = BronzeRevisions.revise(List.of(head(OTHER, 0, "a"), head(KEY, 0, "a"), head(KEY, 1, "c")),
        bronze(held, current), t -> Instant.ofEpochSecond(t.getEpochSecond()));
    Instant seconds = Instant.parse("2024-11-05T12:00:00Z");
    assertEquals(List.of(new Revision(Kind.NEW, seconds), new Revision(Kind.CURRENT, FIRST), new Revision(Kind.NEW, seconds)), r,
        "another key's Bronze does not count; a held version is kept as stored, a new one cut to the warehouse's precision");
  }
}
