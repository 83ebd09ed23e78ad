package io.carbon254.ingest.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.record.RecordKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorSpecTest {
  static Path repo() {
    return Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../.."));
  }

  @Test
  void theCaisoDeclarationLoadsWithItsSixDatasets() {
    ConnectorSpec s = ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString())), "caiso");
    assertEquals("America/Los_Angeles", s.timezone().getId());
    assertEquals(Duration.ofSeconds(5), s.minRequestSpacing(), "OASIS spacing defaults to at least 5 s");
    assertEquals(java.util.List.of("fuel_mix", "lmp_da_hourly", "lmp_rt_15min", "lmp_rt_5min", "load_actual", "load_forecast"), s.datasetIds());
    assertEquals(RecordKind.LOAD, s.dataset("load_forecast").kind());
    assertEquals("http://oasis.caiso.com", s.baseUrl());
  }

  @Test
  void environmentOverridesBaseUrlAndSpacing() {
    ConnectorSpec s = ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString(),
        "INGEST_CAISO_BASE_URL", "http://127.0.0.1:8099", "INGEST_CAISO_REQUEST_SPACING", "250ms")), "caiso");
    assertEquals("http://127.0.0.1:8099", s.baseUrl());
    assertEquals(Duration.ofMillis(250), s.minRequestSpacing());
  }

  static ConnectorSpec parse(String yaml) throws Exception {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    return ConnectorSpec.parse(root, "caiso.yaml", IngestConfig.of(Map.of()), "caiso");
  }

  static final String HEAD = """
      market: caiso
      display_name: California ISO
      timezone: America/Los_Angeles
      owner: ingestion-caiso
      base_url: http://oasis.caiso.com
      rate_limit: {min_request_spacing: 5s, pool: caiso_oasis, pool_slots: 1}
      defaults: {start_date: 2024-11-01, retries: 3, retry_delay: 2m, max_retry_delay: 30m, execution_timeout: 30m, max_active_runs: 4, catchup: false}
      """;

  /** The keys of a dataset the JAR does not read (the Airflow schedule and freshness), for the tests' one-line datasets. */
  static final String REST = "description: d, schedule: '0 0 * * *', lag: 0s, freshness: 1h";

  @Test
  void cadenceGivesTheGridAndMaxWindowDefaultsTo1dIntradayAnd31dDaily() {
    ConnectorSpec s = ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString())), "caiso");
    assertEquals(Duration.ofMinutes(5), s.dataset("lmp_rt_5min").grid().step());
    assertEquals(Duration.ofDays(1), s.dataset("lmp_rt_5min").maxWindow());
    assertTrue(s.dataset("lmp_da_hourly").grid().daily());
    assertEquals(Duration.ofDays(31), s.dataset("lmp_da_hourly").maxWindow());
    assertEquals(ZoneId.of("America/Los_Angeles"), s.dataset("fuel_mix").grid().zone());
  }

  @Test
  void maxWindowIsReadAndChecked() throws Exception {
    ConnectorSpec s = parse(HEAD + "datasets:\n  a: {kind: prices, cadence: hourly, window: 1h, max_window: 6h, " + REST + "}\n"
        + "  b: {kind: load, cadence: daily, window: 1d, max_window: 7d, " + REST + "}\n");
    assertEquals(Duration.ofHours(6), s.dataset("a").maxWindow());
    assertEquals(Duration.ofDays(7), s.dataset("b").maxWindow());
    UsageException e = assertThrows(UsageException.class,
        () -> s.checkInterval(new IntervalKey("caiso", "a", IntervalWindow.parse("2024-11-04T08:00:00Z", "2024-11-04T15:00:00Z"))));
    assertTrue(e.getMessage().contains("caiso/a") && e.getMessage().contains("--interval-end 2024-11-04T14:00:00Z"), e.getMessage());
    s.checkInterval(new IntervalKey("caiso", "b", IntervalWindow.parse("2024-11-01T07:00:00Z", "2024-11-08T08:00:00Z")));

    UsageException partial = assertThrows(UsageException.class,
        () -> parse(HEAD + "datasets:\n  b: {kind: load, cadence: daily, window: 1d, max_window: 36h, " + REST + "}\n"));
    assertTrue(partial.getMessage().contains("datasets.b.max_window") && partial.getMessage().contains("whole number of days"),
        partial.getMessage());
    UsageException tooShort = assertThrows(UsageException.class,
        () -> parse(HEAD + "datasets:\n  a: {kind: prices, cadence: hourly, window: 1h, max_window: 30m, " + REST + "}\n"));
    assertTrue(tooShort.getMessage().contains("datasets.a.max_window"), tooShort.getMessage());
    UsageException cadence = assertThrows(UsageException.class,
        () -> parse(HEAD + "datasets:\n  a: {kind: prices, cadence: weekly, window: 7d, " + REST + "}\n"));
    assertTrue(cadence.getMessage().contains("caiso.yaml: datasets.a.cadence"), cadence.getMessage());
  }

  @Test
  void theHttpBlockSetsTheTimeBudgetsEveryKeyOptional() throws Exception {
    String ds = "datasets:\n  a: {kind: prices, cadence: 5min, window: 5m, " + REST + "}\n";
    assertEquals(ConnectorSpec.HttpBudget.defaults(), parse(HEAD + ds).http());
    assertEquals(new ConnectorSpec.HttpBudget(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2)),
        ConnectorSpec.HttpBudget.defaults());
    ConnectorSpec.HttpBudget all = parse(HEAD + "http: {connect_timeout: 2s, attempt_timeout: 45s, part_timeout: 3m}\n" + ds).http();
    assertEquals(new ConnectorSpec.HttpBudget(Duration.ofSeconds(2), Duration.ofSeconds(45), Duration.ofMinutes(3)), all);
    ConnectorSpec.HttpBudget one = parse(HEAD + "http:\n  part_timeout: 90s\n" + ds).http();
    assertEquals(new ConnectorSpec.HttpBudget(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(90)), one);

    UsageException typo = assertThrows(UsageException.class, () -> parse(HEAD + "http: {attempt_timout: 5s}\n" + ds));
    assertTrue(typo.getMessage().contains("caiso.yaml: http.attempt_timout: unknown key"), typo.getMessage());
    UsageException order = assertThrows(UsageException.class, () -> parse(HEAD + "http: {attempt_timeout: 5m, part_timeout: 2m}\n" + ds));
    assertTrue(order.getMessage().contains("http.attempt_timeout"), order.getMessage());
    UsageException bad = assertThrows(UsageException.class, () -> parse(HEAD + "http: {part_timeout: soon}\n" + ds));
    assertTrue(bad.getMessage().contains("http.part_timeout") && bad.getMessage().contains("soon"), bad.getMessage());
    assertThrows(UsageException.class, () -> parse(HEAD + "http: {connect_timeout: 0s}\n" + ds));
  }

  @Test
  void theCaisoDeclarationCarriesTheDefaultBudgets() {
    ConnectorSpec s = ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString())), "caiso");
    assertEquals(ConnectorSpec.HttpBudget.defaults(), s.http());
  }

  @Test
  void errorsNameTheFileAndTheKey(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("caiso.yaml"), """
        market: caiso
        display_name: California ISO
        timezone: America/Los_Angeles
        owner: ingestion-caiso
        base_url: http://oasis.caiso.com
        rate_limit: {min_request_spacing: 5s, pool: caiso_oasis, pool_slots: 1}
        defaults: {start_date: 2024-11-01, retries: 3, retry_delay: 2m, max_retry_delay: 30m, execution_timeout: 30m, max_active_runs: 4, catchup: false}
        datasets:
          lmp_rt_5min: {kind: prices, cadence: 5min, window: five minutes, description: d, schedule: "*/5 * * * *", lag: 0s, freshness: 1h}
        """);
    UsageException e = assertThrows(UsageException.class,
        () -> ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", dir.toString())), "caiso"));
    assertTrue(e.getMessage().contains("caiso.yaml") && e.getMessage().contains("datasets.lmp_rt_5min.window"), e.getMessage());

    UsageException unknown = assertThrows(UsageException.class,
        () -> ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", dir.toString())), "ercot"));
    assertTrue(unknown.getMessage().contains("unknown market 'ercot'"), unknown.getMessage());
    UsageException ds = assertThrows(UsageException.class, () -> ConnectorSpec.load(
        IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString())), "caiso").dataset("lmp_rt_1min"));
    assertTrue(ds.getMessage().contains("lmp_rt_1min"), ds.getMessage());
  }
}
