package io.carbon254.ingest.connectors.miso.sim;

/**
 * The seeded hash under every simulated value: the same keys give the same number in every run and
 * JVM, so the simulator's data are reproducible without any random source.
 */
final class Hash {
  private Hash() {}

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long of(long a, long b, long c) {
    long h = 0x2545F4914F6CDD1DL;
    h = mix(h ^ a) + 0x9E3779B97F4A7C15L;
    h = mix(h ^ b) + 0x9E3779B97F4A7C15L;
    h = mix(h ^ c) + 0x9E3779B97F4A7C15L;
    return mix(h);
  }

  /** Uniform in [0, 1). */
  static double uniform(long a, long b, long c) {
    return (of(a, b, c) >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [−1, 1). */
  static double signed(long a, long b, long c) {
    return 2 * uniform(a, b, c) - 1;
  }

  /** Roughly normal(0, 1): the sum of four uniforms, rescaled. */
  static double normal(long a, long b, long c) {
    double s = uniform(a, b, c) + uniform(a, b, c ^ 0x55L) + uniform(a, b, c ^ 0xAAL) + uniform(a, b, c ^ 0xFFL);
    return (s - 2.0) * Math.sqrt(3.0);
  }

  /** A stable 64-bit key of a name (FNV-1a). */
  static long key(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }
}
