package io.carbon254.ingest.tasks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ingest …} in a JVM of its own (the test's classpath), started and not awaited, its stdout
 * and stderr in files under the home; for tests of processes side by side and of signals.
 */
final class Forks {
  private Forks() {}

  record Started(Process process, Path outFile, Path errFile) {
    String err() throws java.io.IOException {
      return Files.readString(errFile);
    }

    String out() throws java.io.IOException {
      return Files.readString(outFile);
    }

    /** Waits until stderr holds {@code text} (or the process ended, or {@code seconds} passed); true if it does. */
    boolean awaitErr(String text, int seconds) throws Exception {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < until) {
        if (err().contains(text)) {
          return true;
        }
        if (!process.isAlive()) {
          return err().contains(text);
        }
        Thread.sleep(20);
      }
      return false;
    }

    int await(int seconds) throws Exception {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("ingest did not finish in " + seconds + " s: " + err());
      }
      return process.exitValue();
    }

    /** Sends SIGINT, as Ctrl-C on a terminal does. */
    void interrupt() throws Exception {
      Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill -INT " + process.pid() + " failed");
      }
    }
  }

  /**
   * Starts {@code ingest args…} with the config of {@code home} and {@code baseUrl}; {@code env}
   * adds variables, a null value removes one (e.g. INGEST_CAISO_REQUEST_SPACING, to get the YAML's).
   */
  static Started start(Path home, String baseUrl, Map<String, String> env, String name, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), IngestCli.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("INGEST_") || k.startsWith("CLICKHOUSE") || k.startsWith("KAFKA") || k.startsWith("REDIS"));
    Path repo = TestRepo.root();
    e.put("INGEST_HOME", home.toString());
    e.put("INGEST_CAISO_BASE_URL", baseUrl);
    e.put("INGEST_CAISO_REQUEST_SPACING", "0s");
    e.put("INGEST_CONNECTORS_DIR", repo.resolve("connectors").toString());
    env.forEach((k, v) -> {
      if (v == null) {
        e.remove(k);
      } else {
        e.put(k, v);
      }
    });
    Files.createDirectories(home);
    Path out = home.resolve(name + ".out");
    Path err = home.resolve(name + ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    return new Started(pb.start(), out, err);
  }

  /** Whether SIGINT reaches a child of this JVM (it does not where a parent set it to be ignored, e.g. `cmd &` without job control). */
  static boolean sigintDeliverable() throws java.io.IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status) || !Files.isExecutable(Path.of("/bin/kill")) && !Files.isExecutable(Path.of("/usr/bin/kill"))) {
      return false;
    }
    for (String l : Files.readAllLines(status)) {
      if (l.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16);
        return (mask & (1L << (2 - 1))) == 0; // SIGINT is signal 2
      }
    }
    return false;
  }
}
