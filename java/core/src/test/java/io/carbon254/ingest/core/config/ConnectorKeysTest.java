package io.carbon254.ingest.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.record.RecordKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key list of connectors/&lt;market&gt;.yaml as the JAR reads it: the recorded default of every
 * optional key, the mapping of every key to what the JAR does with it, and the errors of unknown,
 * missing, mistyped and duplicated keys (each naming the file and the key).
 */
class ConnectorKeysTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Every key of the list, set to a value that is not its default. */
  static final String FULL = """
      market: caiso
      display_name: California ISO (test)
      timezone: America/Denver
      owner: team-x
      terms: internal use only
      base_url: https://example.test
      rate_limit: {min_request_spacing: 7s, pool: pool_x, pool_slots: 3}
      http: {connect_timeout: 3s, attempt_timeout: 40s, part_timeout: 5m}
      policies: {normalization: x/norm.yaml, taxonomy: x/tax.yaml, quality: x/quality.yaml}
      defaults: {start_date: 2024-01-02, retries: 5, retry_delay: 1m, max_retry_delay: 9m, execution_timeout: 20m, max_active_runs: 2, catchup: true}
      datasets:
        d1: {kind: load, description: the one, cadence: hourly, schedule: "0 * * * *", window: 2h, lag: 15m, freshness: 3h, max_window: 12h}
      """;

  /** Only the required keys. */
  static final String MINIMAL = """
      market: caiso
      display_name: CAISO
      timezone: America/Los_Angeles
      owner: team-x
      base_url: http://oasis.caiso.com
      rate_limit: {min_request_spacing: 0s, pool: p, pool_slots: 1}
      defaults: {start_date: 2024-11-01, retries: 0, retry_delay: 2m, max_retry_delay: 30m, execution_timeout: 30m, max_active_runs: 1, catchup: false}
      datasets:
        d5: {kind: prices, description: five, cadence: 5min, schedule: "*/5 * * * *", window: 5m, lag: 0s, freshness: 20m}
        dd: {kind: prices, description: daily, cadence: daily, schedule: "0 0 * * *", window: 1d, lag: 0s, freshness: 26h}
      """;

  static ConnectorSpec parse(String yaml) throws Exception {
    return ConnectorSpec.parse(YAML.readTree(yaml), "caiso.yaml", IngestConfig.of(Map.of()), "caiso");
  }

  static UsageException refused(String yaml) {
    return assertThrows(UsageException.class, () -> parse(yaml));
  }

  @Test
  void everyOptionalKeyHasItsRecordedDefault() throws Exception {
    // a new optional key fails here until its default is recorded below
    List<String> optional = new ArrayList<>();
    ConnectorKeys.bundled().sections().forEach((s, keys) -> keys.values().stream().filter(k -> !k.required())
        .forEach(k -> optional.add(s.equals("top") ? k.name() : s + "." + k.name())));
    assertEquals(List.of("terms", "http", "policies", "http.connect_timeout", "http.attempt_timeout", "http.part_timeout",
        "policies.normalization", "policies.taxonomy", "policies.quality", "dataset.max_window"), optional);

    ConnectorSpec s = parse(MINIMAL);
    assertEquals(new ConnectorSpec.HttpBudget(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2)), s.http(),
        "http and each of its keys: 10s, 30s, 2m");
    assertEquals(Duration.ofDays(1), s.dataset("d5").maxWindow(), "max_window of an intraday cadence: 1d");
    assertEquals(Duration.ofDays(31), s.dataset("dd").maxWindow(), "max_window of a daily cadence: 31d");
    assertEquals(Duration.ZERO, s.minRequestSpacing(), "min_request_spacing may be zero");
    assertEquals(ConnectorSpec.Policies.NONE, s.policies(), "policies and each of its keys: no file (no rules, no taxonomy)");
    // terms: absent, the connector catalogue (ingest connectors index) says "not stated" (ConnectorsIndexTest)
  }

  @Test
  void everyKeyMapsToWhatTheJarReadsOrIsNamedAsCheckedForTheAirflowSide() throws Exception {
    ConnectorSpec s = parse(FULL);
    Map<String, Object> read = new LinkedHashMap<>();
    read.put("market", s.market());
    read.put("display_name", s.displayName());
    read.put("timezone", s.timezone());
    read.put("base_url", s.baseUrl());
    read.put("rate_limit.min_request_spacing", s.minRequestSpacing());
    read.put("http.connect_timeout", s.http().connectTimeout());
    read.put("http.attempt_timeout", s.http().attemptTimeout());
    read.put("http.part_timeout", s.http().partTimeout());
    read.put("policies.normalization", s.policies().normalization());
    read.put("policies.taxonomy", s.policies().taxonomy());
    read.put("policies.quality", s.policies().quality());
    ConnectorSpec.DatasetSpec d = s.dataset("d1");
    read.put("datasets", s.datasetIds());
    read.put("dataset.kind", d.kind());
    read.put("dataset.description", d.description());
    read.put("dataset.cadence", d.cadence());
    read.put("dataset.window", d.window());
    read.put("dataset.max_window", d.maxWindow());
    read.put("dataset.lag", d.lag());
    read.put("dataset.freshness", d.freshness());
    assertEquals(Map.ofEntries(Map.entry("market", "caiso"), Map.entry("display_name", "California ISO (test)"),
        Map.entry("timezone", ZoneId.of("America/Denver")), Map.entry("base_url", "https://example.test"),
        Map.entry("rate_limit.min_request_spacing", Duration.ofSeconds(7)), Map.entry("http.connect_timeout", Duration.ofSeconds(3)),
        Map.entry("http.attempt_timeout", Duration.ofSeconds(40)), Map.entry("http.part_timeout", Duration.ofMinutes(5)),
        Map.entry("policies.normalization", java.util.Optional.of("x/norm.yaml")), Map.entry("policies.taxonomy", java.util.Optional.of("x/tax.yaml")),
        Map.entry("policies.quality", java.util.Optional.of("x/quality.yaml")),
        Map.entry("datasets", List.of("d1")), Map.entry("dataset.kind", RecordKind.LOAD), Map.entry("dataset.description", "the one"),
        Map.entry("dataset.cadence", "hourly"), Map.entry("dataset.window", Duration.ofHours(2)),
        Map.entry("dataset.max_window", Duration.ofHours(12)), Map.entry("dataset.lag", Duration.ofMinutes(15)),
        Map.entry("dataset.freshness", Duration.ofHours(3))), read);
    // checked here by type, used by the Airflow DAG factory only (schedules, pools, retries, freshness)
    List<String> airflowOnly = List.of("owner", "rate_limit.pool", "rate_limit.pool_slots", "defaults.start_date", "defaults.retries",
        "defaults.retry_delay", "defaults.max_retry_delay", "defaults.execution_timeout", "defaults.max_active_runs",
        "defaults.catchup", "dataset.schedule");
    // checked here by type, read only by the connector catalogue (ingest connectors index), from the file as written
    List<String> catalogueOnly = List.of("terms");
    List<String> blocks = List.of("rate_limit", "http", "defaults", "policies");
    TreeSet<String> covered = new TreeSet<>(read.keySet());
    covered.addAll(airflowOnly);
    covered.addAll(catalogueOnly);
    covered.addAll(blocks);
    // a new key fails here until the test says what the JAR does with it
    assertEquals(new TreeSet<>(ConnectorKeys.bundled().paths()), covered);
  }

  @Test
  void theCaisoDeclarationPassesTheKeyList() {
    ConnectorSpec s = ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR",
        ConnectorSpecTest.repo().resolve("connectors").toString())), "caiso");
    assertEquals(6, s.datasetIds().size());
  }

  @Test
  void anUnknownKeyAtAnyLevelNamesTheFileTheKeyAndWhatIsAllowed() {
    UsageException top = refused(FULL + "timezon: UTC\n");
    assertEquals("caiso.yaml: timezon: unknown key (allowed here: market, display_name, timezone, owner, terms, base_url, rate_limit, "
        + "http, defaults, policies, datasets)", top.getMessage());
    assertTrue(refused(FULL.replace("pool_slots: 3", "pool_slot: 3")).getMessage()
        .startsWith("caiso.yaml: rate_limit.pool_slot: unknown key"));
    assertTrue(refused(FULL.replace("catchup: true", "catch_up: true")).getMessage()
        .startsWith("caiso.yaml: defaults.catch_up: unknown key"));
    assertTrue(refused(FULL.replace("freshness: 3h", "freshnes: 3h")).getMessage()
        .startsWith("caiso.yaml: datasets.d1.freshnes: unknown key (allowed here: kind, description, cadence, schedule, window, lag, "
            + "freshness, max_window)"));
  }

  @Test
  void aMissingRequiredKeyIsNamed() {
    assertEquals("caiso.yaml: owner: required key is missing", refused(FULL.replace("owner: team-x\n", "")).getMessage());
    assertEquals("caiso.yaml: datasets.d1.lag: required key is missing", refused(FULL.replace("lag: 15m, ", "")).getMessage());
    assertEquals("caiso.yaml: defaults.retries: required key is missing", refused(FULL.replace("retries: 5, ", "")).getMessage());
  }

  @Test
  void aValueOfTheWrongTypeIsNamedWithWhatWasExpected() {
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put("pool_slots: 3", new String[] {"pool_slots: three", "rate_limit.pool_slots: expected an integer, got a string"});
    cases.put("pool_slots: 3 ", new String[] {"pool_slots: 0", "rate_limit.pool_slots: must be >= 1, got 0"});
    cases.put("retries: 5", new String[] {"retries: -1", "defaults.retries: must be >= 0, got -1"});
    cases.put("catchup: true", new String[] {"catchup: \"yes please\"", "defaults.catchup: expected true or false, got a string"});
    cases.put("start_date: 2024-01-02", new String[] {"start_date: 2024-13-02", "defaults.start_date: expected a date YYYY-MM-DD, got '2024-13-02'"});
    cases.put("window: 2h", new String[] {"window: two hours", "datasets.d1.window: expected a duration like 30s, 5m, 2h or 1d, got 'two hours'"});
    cases.put("window: 2h ", new String[] {"window: 0h", "datasets.d1.window: must be greater than zero"});
    cases.put("kind: load", new String[] {"kind: loads", "datasets.d1.kind: 'loads' is not one of prices, load, fuel_mix"});
    cases.put("timezone: America/Denver", new String[] {"timezone: Mars/Olympus", "timezone: unknown IANA time zone 'Mars/Olympus'"});
    cases.put("base_url: https://example.test", new String[] {"base_url: example.test", "base_url: expected an http(s) URL, got 'example.test'"});
    cases.put("market: caiso", new String[] {"market: 42", "market: expected a non-empty string, got an integer"});
    cases.put("schedule: \"0 * * * *\"", new String[] {"schedule: hourly", "datasets.d1.schedule: expected a 5-field cron expression or a duration, got 'hourly'"});
    cases.put("cadence: hourly", new String[] {"cadence: Hourly", "datasets.d1.cadence: 'Hourly' does not match [a-z0-9]+"});
    cases.put("pool: pool_x", new String[] {"pool: pool x", "rate_limit.pool: 'pool x' does not match [A-Za-z0-9_.-]+"});
    cases.put("http: {connect_timeout: 3s, attempt_timeout: 40s, part_timeout: 5m}",
        new String[] {"http: [3s]", "http: expected a mapping, got a list"});
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      String from = c.getKey().strip();
      assertTrue(FULL.contains(from), from);
      assertEquals("caiso.yaml: " + c.getValue()[1], refused(FULL.replace(from, c.getValue()[0])).getMessage(), from);
    }
    assertEquals("caiso.yaml: datasets: expected a non-empty mapping of dataset id to its declaration, got an empty mapping",
        refused(FULL.substring(0, FULL.indexOf("datasets:")) + "datasets: {}\n").getMessage());
    assertEquals("caiso.yaml: datasets: dataset id 'D1' does not match [a-z][a-z0-9_]*", refused(FULL.replace("  d1:", "  D1:")).getMessage());
  }

  @Test
  void aKeyWrittenTwiceIsRefusedNotTheLastOneKept(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("caiso.yaml"), FULL + "owner: team-y\n");
    UsageException e = assertThrows(UsageException.class,
        () -> ConnectorSpec.load(IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", dir.toString())), "caiso"));
    assertTrue(e.getMessage().contains("caiso.yaml") && e.getMessage().contains("not valid YAML")
        && e.getMessage().contains("Duplicate field 'owner'"), e.getMessage());
  }

  @Test
  void theDeclarationIsHeldAgainstTheConnectorsDatasetsAndKinds() throws Exception {
    ConnectorSpec s = parse(FULL);
    s.checkConnector("caiso", Map.of("d1", RecordKind.LOAD, "other", RecordKind.PRICES)); // the connector may have more
    UsageException kind = assertThrows(UsageException.class, () -> s.checkConnector("caiso", Map.of("d1", RecordKind.PRICES)));
    assertEquals("caiso.yaml: datasets.d1.kind: 'load', but the caiso connector's dataset d1 produces prices records", kind.getMessage());
    UsageException missing = assertThrows(UsageException.class,
        () -> s.checkConnector("caiso", new java.util.TreeMap<>(Map.of("d2", RecordKind.LOAD, "d3", RecordKind.LOAD))));
    assertEquals("caiso.yaml: datasets.d1: the caiso connector has no dataset 'd1' (it has: d2, d3)", missing.getMessage());
  }

  @Test
  void aKeyListThatNamesAnUnknownTypeOrABlockWithoutASectionIsRefused() throws Exception {
    JsonNode badType = YAML.readTree("top: {market: identifier}\n");
    assertTrue(assertThrows(UsageException.class, () -> ConnectorKeys.parse(badType, "keys.yaml")).getMessage()
        .startsWith("keys.yaml: top.market: unknown type 'identifier'"));
    JsonNode noSection = YAML.readTree("top: {market: ident, limits: block}\n");
    assertEquals("keys.yaml: top.limits: is a block but there is no section 'limits'",
        assertThrows(UsageException.class, () -> ConnectorKeys.parse(noSection, "keys.yaml")).getMessage());
  }
}
