package io.carbon254.ingest.sinks.production.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.events.AvroCodec;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against the protocol stand-in of the test tree (in-process, loopback). */
class SchemaRegistryClientTest {
  @TempDir Path tmp;
  private SchemaRegistryStandIn registry;
  private SchemaRegistryClient client;

  @BeforeEach
  void start() throws Exception {
    registry = SchemaRegistryStandIn.start(0, tmp.resolve("subjects.json"));
    client = new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5), 2);
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void registersOnceFetchesByIdAndReadsTheLatestVersion() {
    Schema price = AvroCodec.schema("Price");
    int id = client.register("normalized.caiso.lmp_rt_5min-value", price);
    assertEquals(id, client.register("normalized.caiso.lmp_rt_5min-value", price));
    assertEquals(id, new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5), 1)
        .register("enriched.caiso.lmp_rt_5min-value", price), "one id per schema across subjects");
    assertEquals(price, new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5), 1).schemaById(id));
    var latest = client.latest("normalized.caiso.lmp_rt_5min-value").orElseThrow();
    assertEquals(1, latest.version());
    assertEquals(id, latest.id());
    assertTrue(client.latest("nope-value").isEmpty());
    assertTrue(client.subjects().contains("enriched.caiso.lmp_rt_5min-value"));
  }

  @Test
  void backwardSubjectsRefuseANewRequiredFieldAndNameIt() {
    String subject = "t-value";
    client.setCompatibility(subject, "BACKWARD");
    Schema v1 = SchemaBuilder.record("R").namespace("x").fields().requiredString("a").endRecord();
    Schema v2 = SchemaBuilder.record("R").namespace("x").fields().requiredString("a").requiredString("b").endRecord();
    Schema v2ok = SchemaBuilder.record("R").namespace("x").fields().requiredString("a").optionalString("b").endRecord();
    int id1 = client.register(subject, v1);
    var c = client.testCompatibility(subject, v2);
    assertFalse(c.compatible());
    assertTrue(c.messages().toString().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), c.messages().toString());
    UsageException e = assertThrows(UsageException.class, () -> client.register(subject, v2));
    assertTrue(e.getMessage().contains("HTTP 409"), e.getMessage());
    assertTrue(client.testCompatibility(subject, v2ok).compatible());
    assertNotEquals(id1, client.register(subject, v2ok));
    assertEquals(2, client.latest(subject).orElseThrow().version());
  }

  @Test
  void theStandInKeepsItsIdsAcrossARestart() throws Exception {
    int id = client.register("a-value", AvroCodec.schema("Load"));
    registry.close();
    registry = SchemaRegistryStandIn.start(0, tmp.resolve("subjects.json"));
    SchemaRegistryClient again = new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5), 1);
    assertEquals(AvroCodec.schema("Load"), again.schemaById(id));
  }

  @Test
  void anUnreachableRegistryIsUpstreamUnavailableNamingItWithoutCredentials() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    SchemaRegistryClient dead = new SchemaRegistryClient("http://user:secret@127.0.0.1:" + port, Duration.ofSeconds(2), 2);
    UpstreamUnavailableException e =
        assertThrows(UpstreamUnavailableException.class, () -> dead.register("x-value", AvroCodec.schema("Load")));
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    assertEquals(3, e.exitCode());
  }
}
