package io.carbon254.ingest.tasks.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.carbon254.ingest.sinks.production.kafka.WireFormat;
import io.carbon254.ingest.sinks.production.registry.SchemaRegistryClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The end-to-end tests' view of the checkout and the servers `make infra-up` starts: runs
 * {@code bin/ingest} as a subprocess, stops and starts one server through scripts/infra/infra.sh,
 * reads ClickHouse over HTTP and Kafka through the registry.
 */
final class Infra {
  static final String CLICKHOUSE_HTTP = "http://127.0.0.1:8123/";
  static final String KAFKA = "127.0.0.1:9092";
  static final String REGISTRY = "http://127.0.0.1:8081";
  static final String REDIS = "redis://127.0.0.1:6379/0";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Infra() {}

  static Path root() {
    String r = System.getenv("INGEST_REPO_ROOT");
    Path p = r == null ? Path.of("../..") : Path.of(r);
    return p.toAbsolutePath().normalize();
  }

  /** The outcome of one CLI run. */
  record Run(int exit, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  static Run ingest(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(root().resolve("bin/ingest").toString());
    cmd.addAll(List.of(args));
    return exec(cmd, env, Duration.ofMinutes(4));
  }

  static Run exec(List<String> cmd, Map<String, String> env, Duration timeout) {
    try {
      Path out = Files.createTempFile("it-out", ".log");
      Path err = Files.createTempFile("it-err", ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(root().toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      for (String v : List.of("CLICKHOUSE_DSN", "KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "REDIS_URL", "INGEST_HOME")) {
        pb.environment().remove(v);
      }
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(cmd + " did not finish within " + timeout);
      }
      Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code scripts/infra/infra.sh up|down SERVICE}. */
  static void server(String action, String service) {
    Run r = exec(List.of(root().resolve("scripts/infra/infra.sh").toString(), action, service), Map.of(), Duration.ofMinutes(3));
    assertEquals(0, r.exit(), "infra.sh " + action + " " + service + ":\n" + r.all());
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void awaitPort(int port, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("nothing listens on 127.0.0.1:" + port + " after " + within);
  }

  /** A ClickHouse query over HTTP, TabSeparated rows. */
  static List<List<String>> clickhouse(String sql) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(CLICKHOUSE_HTTP))
          .POST(HttpRequest.BodyPublishers.ofString(sql + " FORMAT TabSeparated")).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        throw new AssertionError("ClickHouse: " + r.body());
      }
      List<List<String>> rows = new ArrayList<>();
      for (String line : r.body().split("\n")) {
        if (!line.isEmpty()) {
          rows.add(List.of(line.split("\t", -1)));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static long clickhouseLong(String sql) {
    return Long.parseLong(clickhouse(sql).get(0).get(0));
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", KAFKA);
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** End offsets per partition, empty for a topic that does not exist yet. */
  static Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      var infos = c.listTopics(Duration.ofSeconds(20)).get(topic);
      if (infos == null) {
        return Map.of();
      }
      return c.endOffsets(infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList());
    }
  }

  /** One event as a consumer sees it after resolving the schema id at the registry. */
  record Consumed(String eventId, String runId, String key, GenericRecord value) {}

  /** Every record of the topic written after {@code from}, decoded through the registry. */
  static List<Consumed> consumeSince(String topic, Map<TopicPartition, Long> from) {
    SchemaRegistryClient registry = new SchemaRegistryClient(REGISTRY, Duration.ofSeconds(5), 2);
    List<Consumed> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(20)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      for (TopicPartition tp : parts) {
        c.seek(tp, from.getOrDefault(tp, 0L));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end within 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
            continue;
          }
          GenericRecord v = WireFormat.decode(r.value(), registry::schemaById, null);
          out.add(new Consumed(header(r, "ingest.event_id"), header(r, "ingest.run_id"),
              new String(r.key(), StandardCharsets.UTF_8), v));
        }
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static Map<String, String> env(Map<String, String> base, String... kv) {
    Map<String, String> m = new HashMap<>(base);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
