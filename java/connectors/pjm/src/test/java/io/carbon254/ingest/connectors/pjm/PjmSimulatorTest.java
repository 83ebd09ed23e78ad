package io.carbon254.ingest.connectors.pjm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.connectors.pjm.sim.PjmSimulator;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator answers as Data Miner does; a misspelt key of connectors/pjm.yaml is a usage error naming file and key. */
class PjmSimulatorTest {
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  static HttpResponse<String> get(PjmSimulator sim, String pathAndQuery, boolean withKey) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + pathAndQuery));
    if (withKey) {
      b.header("Ocp-Apim-Subscription-Key", "k");
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void itAnswersInTheRealEnvelopeWithPagingFiltersAndErrors() throws Exception {
    try (PjmSimulator sim = PjmSimulator.start(new SimulatorOptions(0, 5, Instant.parse("2026-01-01T00:00:00Z")))) {
      String day = "/api/v1/da_hrl_lmps?rowCount=500&startRow=1&datetime_beginning_ept=" + q("11/03/2024 00:00to11/03/2024 23:00");
      assertEquals(401, get(sim, day, false).statusCode(), "no key: 401");
      HttpResponse<String> r = get(sim, day, true);
      assertEquals(200, r.statusCode());
      JsonNode page = new ObjectMapper().readTree(r.body());
      int nodes = PjmSimulator.HUBS_AND_ZONES.size() + 5;
      assertEquals(25L * nodes, page.get("totalRows").asLong(), "25 hours of the fall-back day");
      assertEquals(500, page.get("items").size());
      assertEquals("next", page.get("links").get(1).get("rel").asText());
      assertEquals("2024-11-04T04:00:00", page.get("items").get(0).get("datetime_beginning_utc").asText(), "newest first: not sorted");
      JsonNode last = new ObjectMapper().readTree(get(sim, day.replace("startRow=1", "startRow=" + (25 * nodes - 9)), true).body());
      assertEquals(10, last.get("items").size());
      // the inclusive end: the range ends at the beginning of its last interval
      JsonNode one = new ObjectMapper().readTree(get(sim, "/api/v1/gen_by_fuel?rowCount=100&startRow=1&datetime_beginning_ept="
          + q("11/03/2024 01:00to11/03/2024 01:00"), true).body());
      assertEquals(2 * 11, one.get("totalRows").asInt(), "01:00 EPT on the fall-back day is two hours (11 fuels each)");
      JsonNode utc = new ObjectMapper().readTree(get(sim, "/api/v1/gen_by_fuel?rowCount=100&startRow=1&datetime_beginning_utc="
          + q("11/03/2024 06:00to11/03/2024 06:00"), true).body());
      assertEquals(11, utc.get("totalRows").asInt());
      assertEquals(400, get(sim, "/api/v1/da_hrl_lmps?rowCount=5&startRow=1", true).statusCode(), "no datetime filter");
      assertEquals(400, get(sim, "/api/v1/da_hrl_lmps?rowCount=5&startRow=1&datetime_beginning_ept="
          + q("12/31/2023 00:00to01/01/2024 05:00"), true).statusCode(), "a range across a UTC year");
      assertEquals(400, get(sim, day.replace("rowCount=500", "rowCount=50001"), true).statusCode(), "rowCount over 50,000");
      assertEquals(404, get(sim, "/api/v1/no_such_feed?rowCount=5", true).statusCode());
      // the verified five-minute feed lags the unverified one
      String recent = "rowCount=10&startRow=1&datetime_beginning_utc=" + q("12/31/2025 10:00to12/31/2025 10:55");
      assertEquals(0, new ObjectMapper().readTree(get(sim, "/api/v1/rt_fivemin_hrl_lmps?" + recent, true).body()).get("totalRows").asInt());
      assertEquals(12L * nodes, new ObjectMapper().readTree(get(sim, "/api/v1/rt_unverified_fivemin_lmps?" + recent, true).body())
          .get("totalRows").asLong());
    }
    try (PjmSimulator sim = PjmSimulator.start(new SimulatorOptions(0, 1, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(5)))) {
      String r = "/api/v1/gen_by_fuel?rowCount=5&startRow=1&datetime_beginning_ept=" + q("11/03/2024 01:00to11/03/2024 01:00");
      assertEquals(200, get(sim, r, true).statusCode());
      HttpResponse<String> throttled = get(sim, r, true);
      assertEquals(429, throttled.statusCode());
      assertEquals("5", throttled.headers().firstValue("Retry-After").orElseThrow());
    }
  }

  @Test
  void aMisspeltKeyInPjmYamlIsAUsageErrorNamingFileAndKey(@TempDir Path dir) throws Exception {
    Path connectors = ConnectorContract.repoRoot().resolve("connectors");
    Files.createDirectories(dir.resolve("schema"));
    Files.copy(connectors.resolve("schema/keys.yaml"), dir.resolve("schema/keys.yaml"));
    String yaml = Files.readString(connectors.resolve("pjm.yaml")).replace("min_request_spacing:", "min_request_spacng:");
    Files.writeString(dir.resolve("pjm.yaml"), yaml);
    UsageException x = assertThrows(UsageException.class,
        () -> ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", dir.toString())), "pjm"));
    assertEquals(ExitCodes.USAGE, x.exitCode());
    assertTrue(x.getMessage().contains("pjm.yaml") && x.getMessage().contains("min_request_spacng"), x.getMessage());
  }
}
