package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.SinkProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The training run of the class-data sharing archive ({@code scripts/cds-archive.sh}: {@code java
 * -XX:ArchiveClassesAtExit=… -cp ingest.jar io.carbon254.ingest.tasks.CdsTraining run …}). The
 * archive holds the classes one JVM loaded, so one process does what the task's processes do: the
 * command given (an embedded {@code ingest run} from the simulator), the usage messages, and the
 * production sinks opened against a closed loopback port (ClickHouse, Kafka with the registry,
 * Redis), whose client classes a pod would otherwise load from the JAR at every start. Their
 * failures are expected and ignored; the command's exit code is the training's.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    int rc = IngestCli.execute(args);
    if (rc != 0) {
      System.exit(rc);
    }
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none = new PrintStream(OutputStream.nullOutputStream());
    System.setOut(none);
    System.setErr(none);
    try {
      IngestCli.execute("--help");
      IngestCli.execute(args[0], "--help");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort(); // closed when the sinks try it: connections are refused at once
      }
      IngestConfig c = IngestConfig.of(Map.of(
          "CLICKHOUSE_DSN", "clickhouse://127.0.0.1:" + port + "/ingest",
          "CLICKHOUSE_RETRIES", "1",
          "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + port,
          "KAFKA_DELIVERY_TIMEOUT", "2s",
          "SCHEMA_REGISTRY_URL", "http://127.0.0.1:" + port,
          "REDIS_URL", "redis://127.0.0.1:" + port));
      for (SinkProvider p : Sinks.providers()) {
        if (p.fallback()) {
          continue; // the embedded default: the run above loaded it
        }
        touch(p, q -> q.warehouse(c), w -> {
          w.ensureSchema();
          return w;
        });
        touch(p, q -> q.events(c), e -> e);
        touch(p, q -> q.cache(c), k -> k);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    System.exit(0);
  }

  private static <T extends AutoCloseable> void touch(SinkProvider p, Function<SinkProvider, Optional<T>> open,
      Function<T, T> use) {
    T t = null;
    try {
      t = open.apply(p).orElse(null);
      if (t != null) {
        use.apply(t);
      }
    } catch (RuntimeException | LinkageError e) {
      // expected: nothing listens on the port
    } finally {
      if (t != null) {
        try {
          t.close();
        } catch (Exception e) {
          // as above
        }
      }
    }
  }
}
