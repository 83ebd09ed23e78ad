package io.carbon254.ingest.connectors.caiso.sim;

/** Deterministic noise: the same inputs give the same value in every run and JVM. */
final class SimRandom {
  private SimRandom() {}

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  static double uniform(long... keys) {
    long h = 0x9E3779B97F4A7C15L;
    for (long k : keys) {
      h = mix(h ^ k) + 0x9E3779B97F4A7C15L;
    }
    return (mix(h) >>> 11) * 0x1.0p-53;
  }

  /** Roughly normal(0, 1) from four uniforms. */
  static double normal(long... keys) {
    double s = 0;
    for (int i = 0; i < 4; i++) {
      long[] k = java.util.Arrays.copyOf(keys, keys.length + 1);
      k[keys.length] = i;
      s += uniform(k);
    }
    return (s - 2.0) * Math.sqrt(3.0);
  }
}
