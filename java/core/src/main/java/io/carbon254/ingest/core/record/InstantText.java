package io.carbon254.ingest.core.record;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Instant#toString()} memoized: natural keys and event content digests print the same few
 * hundred instants of an interval for every row. Bounded (cleared when full); the text is exactly
 * {@code Instant.toString()}.
 */
public final class InstantText {
  private static final int MAX = 1 << 16;
  private static final ConcurrentHashMap<Instant, String> CACHE = new ConcurrentHashMap<>();

  private InstantText() {}

  public static String of(Instant t) {
    String s = CACHE.get(t);
    if (s == null) {
      if (CACHE.size() >= MAX) {
        CACHE.clear();
      }
      s = t.toString();
      CACHE.put(t, s);
    }
    return s;
  }

  /** {@code String.valueOf(o)}, with instants through the cache. */
  public static String valueOf(Object o) {
    return o instanceof Instant t ? of(t) : String.valueOf(o);
  }
}
