package io.carbon254.ingest.core.record;

import java.time.Instant;

/**
 * {@link Instant#toString()} memoized: natural keys and event content digests print the same few
 * hundred instants of an interval for every row. A {@link Cache} is direct-mapped and bounded; the
 * text is exactly {@code Instant.toString()}.
 */
public final class InstantText {
  private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

  private InstantText() {}

  public static String of(Instant t) {
    return CACHE.get().text(t);
  }

  /** {@code String.valueOf(o)}, with instants through the cache. */
  public static String valueOf(Object o) {
    return o instanceof Instant t ? of(t) : String.valueOf(o);
  }

  /**
   * The texts of the last instants seen, direct-mapped by their value (512 slots): not thread-safe,
   * so one per thread; a hot loop may hold its own to skip the thread-local lookup.
   */
  public static final class Cache {
    private final Instant[] instants = new Instant[512];
    private final String[] texts = new String[512];

    public String text(Instant t) {
      long e = t.getEpochSecond();
      int h = (int) (e ^ (e >>> 9) ^ (e >>> 32) ^ t.getNano()) & 511;
      if (t.equals(instants[h])) {
        return texts[h];
      }
      String text = t.toString();
      instants[h] = t;
      texts[h] = text;
      return text;
    }
  }
}
