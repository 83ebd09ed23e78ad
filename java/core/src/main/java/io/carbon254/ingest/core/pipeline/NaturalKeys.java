package io.carbon254.ingest.core.pipeline;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The natural keys normalize has seen, for its first-wins de-duplication, without a string per row:
 * per series (the natural key without the interval start) one slot per grid interval of the window
 * holding a 64-bit hash of the row's values without provenance and the index of the payload it came
 * from. Keys are exact (series tuple, interval start): two rows share a slot only when their natural
 * keys are equal, so there is no key collision; starts off the series' grid go to a map keyed by
 * the exact start. Two rows of one key are taken as identical when their content hashes are equal
 * (doubles by their full bits, so 64-bit hash equality is the only way a difference could pass).
 */
final class NaturalKeys {
  static final int NEW = -1;
  static final int SAME = -2;

  private static final class Slots {
    final long lengthNanos;
    final int size;
    long[] hash;
    int[] payload;
    Map<Long, long[]> extra;

    Slots(long lengthNanos, int size) {
      this.lengthNanos = lengthNanos;
      this.size = size;
    }
  }

  private final long windowStart;
  private final long windowNanos;
  private final Map<List<Object>, Slots> series = new HashMap<>();

  NaturalKeys(IntervalKey key) {
    this.windowStart = SeriesKey.instant(key.window().start());
    this.windowNanos = SeriesKey.instant(key.window().end()) - windowStart;
  }

  /** {@link #NEW} for a first row, {@link #SAME} for an identical repeat, else the payload index of the differing first row. */
  int add(CanonicalRecord r, int payloadIndex) {
    List<Object> sk = SeriesKey.of(r);
    Slots s = series.get(sk);
    if (s == null) {
      long len = SeriesKey.instant(r.intervalEnd()) - SeriesKey.instant(r.intervalStart());
      int size = len > 0 ? (int) Math.min(1 << 20, windowNanos / len) : 0;
      s = new Slots(len, size);
      series.put(sk, s);
    }
    long h = contentHash(r);
    if (h == 0) {
      h = 1; // 0 marks an empty slot
    }
    long start = SeriesKey.instant(r.intervalStart());
    long off = start - windowStart;
    if (s.lengthNanos > 0 && off >= 0 && off % s.lengthNanos == 0 && off / s.lengthNanos < s.size) {
      int i = (int) (off / s.lengthNanos);
      if (s.hash == null) {
        s.hash = new long[s.size];
        s.payload = new int[s.size];
      }
      if (s.hash[i] == 0) {
        s.hash[i] = h;
        s.payload[i] = payloadIndex;
        return NEW;
      }
      return s.hash[i] == h ? SAME : s.payload[i];
    }
    if (s.extra == null) {
      s.extra = new HashMap<>();
    }
    long[] prev = s.extra.putIfAbsent(start, new long[] {h, payloadIndex});
    if (prev == null) {
      return NEW;
    }
    return prev[0] == h ? SAME : (int) prev[1];
  }

  /** A 64-bit hash of the values a duplicate must repeat (all but provenance and enrichment). */
  static long contentHash(CanonicalRecord r) {
    long h = 0xcbf29ce484222325L;
    switch (r) {
      case PriceRecord p -> {
        h = mix(h, p.market(), p.dataset(), p.marketRun(), p.priceType(), p.locationId(), p.locationName(), p.locationType());
        h = mix(h, p.intervalStart());
        h = mix(h, p.intervalEnd());
        h = mix(h, p.price());
        h = mix(h, p.energy());
        h = mix(h, p.congestion());
        h = mix(h, p.loss());
        h = mix(h, p.ghg());
        h = mix(h, p.currency(), p.unit());
      }
      case LoadRecord l -> {
        h = mix(h, l.market(), l.dataset(), l.marketRun(), l.area());
        h = mix(h, l.intervalStart());
        h = mix(h, l.intervalEnd());
        h = mix(h, l.mw());
        h = mix(h, l.unit());
      }
      case FuelMixRecord f -> {
        h = mix(h, f.market(), f.dataset(), f.area(), f.fuel());
        h = mix(h, f.intervalStart());
        h = mix(h, f.intervalEnd());
        h = mix(h, f.mw());
        h = mix(h, f.unit());
      }
    }
    return h;
  }

  private static long step(long h, long x) {
    h ^= x;
    h *= 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29);
  }

  private static long mix(long h, String... s) {
    for (String v : s) {
      h = step(h, v == null ? 0x5bd1e995L : (long) Objects.hashCode(v) << 32 | v.length());
    }
    return h;
  }

  private static long mix(long h, Instant t) {
    return step(step(h, t.getEpochSecond()), t.getNano());
  }

  private static long mix(long h, double d) {
    return step(h, Double.doubleToLongBits(d));
  }

  private static long mix(long h, Double d) {
    return d == null ? step(h, 0x27d4eb2dL) : step(step(h, 1), Double.doubleToLongBits(d));
  }
}
