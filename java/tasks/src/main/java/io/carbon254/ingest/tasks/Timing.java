package io.carbon254.ingest.tasks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the wall time of one stage command went: JVM start to {@code main} ({@code jvm_start_ms},
 * counted by the first run of a process only: later runs of a backfill paid none), setup (config,
 * connector, sinks, and the opening of a warehouse opened on first use, with the time spent
 * waiting for its lock), the stages, and closing (sinks, summary and metrics files).
 * {@code total_ms} is their sum.
 */
final class Timing {
  private static volatile long mainAtMillis;
  private static final AtomicBoolean FIRST_RUN = new AtomicBoolean(true);

  private final long jvmMs;
  private final long beforeRunMs;
  private final long started = System.nanoTime();
  private long setupEnded = -1;
  private long stagesEnded = -1;
  private long closed = -1;
  private long stageNanos;
  private long openedInStagesNanos;
  private long lockWaitMs;
  private final Map<String, Long> perStage = new LinkedHashMap<>();

  private Timing(long jvmMs, long beforeRunMs) {
    this.jvmMs = jvmMs;
    this.beforeRunMs = beforeRunMs;
  }

  /** Called first thing in {@code main}. */
  static void mainStarted() {
    mainAtMillis = System.currentTimeMillis();
  }

  /** The timing of a run starting now. */
  static Timing start() {
    long now = System.currentTimeMillis();
    if (FIRST_RUN.getAndSet(false) && mainAtMillis > 0) {
      long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
      return new Timing(Math.max(0, mainAtMillis - jvmStart), Math.max(0, now - mainAtMillis));
    }
    return new Timing(0, 0);
  }

  void setupDone() {
    setupEnded = System.nanoTime();
  }

  /** One stage took {@code nanos}, of which {@code opening} went to opening the warehouse (counted as setup). */
  void stage(String id, long nanos, Duration opening) {
    long open = Math.min(nanos, opening.toNanos());
    stageNanos += nanos - open;
    openedInStagesNanos += open;
    perStage.merge(id, (nanos - open) / 1_000_000, Long::sum);
  }

  void lockWait(Duration d) {
    lockWaitMs = d.toMillis();
  }

  void stagesDone() {
    if (stagesEnded < 0) {
      stagesEnded = System.nanoTime();
    }
  }

  void closed() {
    if (closed < 0) {
      closed = System.nanoTime();
    }
  }

  Map<String, Object> fields() {
    long now = System.nanoTime();
    long setupEnd = setupEnded >= 0 ? setupEnded : stagesEnded >= 0 ? stagesEnded : now;
    long stagesEnd = stagesEnded >= 0 ? stagesEnded : setupEnd;
    long end = closed >= 0 ? closed : now;
    long setupMs = beforeRunMs + (setupEnd - started + openedInStagesNanos) / 1_000_000;
    long stageMs = stageNanos / 1_000_000;
    long closeMs = Math.max(0, (end - Math.max(stagesEnd, setupEnd)) / 1_000_000);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("jvm_start_ms", jvmMs);
    f.put("setup_ms", setupMs);
    f.put("lock_wait_ms", lockWaitMs);
    f.put("stage_ms", stageMs);
    f.put("stages_ms", new LinkedHashMap<>(perStage));
    f.put("close_ms", closeMs);
    f.put("total_ms", jvmMs + setupMs + stageMs + closeMs);
    return f;
  }

  /** {@code timing: total 3.1 s = jvm 0.4 s + setup 0.6 s (lock wait 0.0 s) + stages 2.0 s + close 0.1 s}. */
  static String human(Map<String, Object> f) {
    return "timing: total " + s(f.get("total_ms")) + " = jvm " + s(f.get("jvm_start_ms")) + " + setup " + s(f.get("setup_ms"))
        + " (lock wait " + s(f.get("lock_wait_ms")) + ") + stages " + s(f.get("stage_ms")) + " + close " + s(f.get("close_ms"));
  }

  private static String s(Object ms) {
    return String.format(Locale.ROOT, "%.1f s", ((Number) ms).longValue() / 1000.0);
  }
}
