package io.carbon254.ingest.core.pipeline;

import java.util.Arrays;

/** An open-addressing set of longs, with an int value per key (no boxing): one per series. */
final class LongSet {
  private static final long EMPTY = Long.MIN_VALUE;
  private long[] keys = newKeys(16);
  private int[] values = new int[16];
  private int size;

  private static long[] newKeys(int n) {
    long[] k = new long[n];
    Arrays.fill(k, EMPTY);
    return k;
  }

  private static int slot(long k, int mask) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  int size() {
    return size;
  }

  /** Adds {@code k} with {@code value}; returns -1 if it was absent, else the index of the present key (see {@link #valueAt}). */
  int add(long k, int value) {
    if (k == EMPTY) {
      k = EMPTY + 1; // never produced by SeriesKey.instant for real data; folded for safety
    }
    int mask = keys.length - 1;
    int i = slot(k, mask);
    while (keys[i] != EMPTY) {
      if (keys[i] == k) {
        return i;
      }
      i = (i + 1) & mask;
    }
    keys[i] = k;
    values[i] = value;
    if (++size * 2 > keys.length) {
      grow();
    }
    return -1;
  }

  int valueAt(int index) {
    return values[index];
  }

  private void grow() {
    long[] ok = keys;
    int[] ov = values;
    keys = newKeys(ok.length * 2);
    values = new int[ok.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < ok.length; j++) {
      if (ok[j] != EMPTY) {
        int i = slot(ok[j], mask);
        while (keys[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        keys[i] = ok[j];
        values[i] = ov[j];
      }
    }
  }
}
