package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.CliChecksTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.RecordKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingest connectors index}: the catalogue's content for a market (from the market file as
 * written and the connector's own description of its requests), its determinism, and
 * {@code --check} refusing a catalogue that no longer matches the market files.
 */
class ConnectorsIndexTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REPO = TestRepo.root();
  private static final String SCHEMAS = REPO.resolve("events/avro").toString();

  private static IngestConfig env(Path connectors, String... kv) {
    Map<String, String> m = new java.util.HashMap<>();
    m.put("INGEST_CONNECTORS_DIR", connectors.toString());
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return IngestConfig.of(m);
  }

  private static JsonNode catalogue(IngestConfig c) throws IOException {
    CliChecksTest.Outcome r = cli(c, "connectors", "index", "--stdout", "--schemas", SCHEMAS);
    assertEquals(0, r.exit(), r.err());
    return JSON.readTree(r.out());
  }

  private static JsonNode market(JsonNode catalogue, String market) {
    for (JsonNode m : catalogue.path("markets")) {
      if (m.path("market").asText().equals(market)) {
        return m;
      }
    }
    throw new AssertionError("no market " + market + " in the catalogue");
  }

  private static JsonNode dataset(JsonNode market, String dataset) {
    for (JsonNode d : market.path("datasets")) {
      if (d.path("dataset").asText().equals(dataset)) {
        return d;
      }
    }
    throw new AssertionError("no dataset " + dataset + " in " + market.path("market"));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void pjmIsCataloguedFromItsFileAndItsConnectorsRequests() throws IOException {
    JsonNode pjm = market(catalogue(env(REPO.resolve("connectors"))), "pjm");
    assertEquals("PJM Interconnection (Data Miner 2)", pjm.path("display_name").asText());
    assertEquals("ingestion-pjm", pjm.path("owner").asText());
    assertEquals("America/New_York", pjm.path("timezone").asText());
    assertEquals("https://api.pjm.com", pjm.path("base_url").asText());
    assertTrue(pjm.path("terms").asText().startsWith("Internal use only"), pjm.path("terms").toString());
    assertEquals("10s", pjm.path("rate_limit").path("min_request_spacing").asText());
    assertEquals("pjm_dataminer", pjm.path("rate_limit").path("pool").asText());
    assertEquals(List.of("PJM_API_KEY"), texts(pjm.path("credentials")));
    assertEquals(List.of("fuel_mix", "lmp_da_hourly", "lmp_rt_5min", "lmp_rt_hourly", "load_actual", "load_forecast"),
        texts(JSON.valueToTree(pjm.path("datasets").findValues("dataset"))), "datasets sorted by id");

    JsonNode rt5 = dataset(pjm, "lmp_rt_5min");
    assertEquals("prices", rt5.path("kind").asText());
    assertEquals(List.of("hourly", "0 * * * *", "1h", "15m", "2h", "1d"), List.of(rt5.path("cadence").asText(),
        rt5.path("schedule").asText(), rt5.path("window").asText(), rt5.path("lag").asText(), rt5.path("freshness").asText(),
        rt5.path("max_window").asText()));
    JsonNode endpoints = rt5.path("source").path("endpoints");
    assertEquals(List.of("https://api.pjm.com/api/v1/rt_fivemin_hrl_lmps", "https://api.pjm.com/api/v1/rt_unverified_fivemin_lmps"),
        texts(JSON.valueToTree(endpoints.findValues("url"))), "the verified feed, then the unverified one");
    assertEquals("header Ocp-Apim-Subscription-Key from PJM_API_KEY", endpoints.get(0).path("auth").asText());
    assertTrue(endpoints.get(0).path("request").asText().contains("datetime_beginning_ept"), endpoints.toString());
    assertEquals(RecordKind.PRICES.naturalKey(), texts(rt5.path("natural_key")));
    assertEquals(Map.of("bronze", "bronze_payloads", "staging", "stg_prices", "silver", "silver_prices", "quality", "quality_results"),
        JSON.convertValue(rt5.path("tables"), Map.class));
    JsonNode topics = rt5.path("topics");
    assertEquals(List.of("ingestion.pjm.lmp_rt_5min", "normalized.pjm.lmp_rt_5min", "enriched.pjm.lmp_rt_5min"),
        texts(JSON.valueToTree(topics.findValues("topic"))));
    assertEquals(List.of("PayloadFetched", "Price", "Price"), texts(JSON.valueToTree(topics.findValues("schema"))));
    assertEquals("normalized.pjm.lmp_rt_5min-value", topics.get(1).path("subject").asText());
    assertEquals("v1", topics.get(1).path("schema_version").asText(), "events/avro/Price.avsc is released/Price/v1.avsc");

    JsonNode checks = rt5.path("checks");
    List<String> names = texts(JSON.valueToTree(checks.findValues("name")));
    assertTrue(names.containsAll(List.of("row_count", "unique_natural_key", "price_components_sum")), names.toString());
    checks.forEach(c -> assertTrue(List.of("error", "warn", "off").contains(c.path("severity").asText()), c.toString()));
    List<String> loadChecks = texts(JSON.valueToTree(dataset(pjm, "load_actual").path("checks").findValues("name")));
    assertFalse(loadChecks.contains("price_components_sum"), "a price check on a load dataset: " + loadChecks);
  }

  @Test
  void everyDatasetOfEveryMarketSaysWhatItReadsOnTheSourcesOwnHosts() throws IOException {
    // the environment's overrides (a simulator on loopback, no spacing) are not the declaration
    JsonNode all = catalogue(env(REPO.resolve("connectors"), "INGEST_CAISO_BASE_URL", "http://127.0.0.1:9",
        "INGEST_CAISO_REQUEST_SPACING", "0s", "INGEST_ERCOT_BASE_URL", "http://127.0.0.1:9"));
    assertEquals(List.of("caiso", "ercot", "miso", "pjm"), texts(JSON.valueToTree(all.path("markets").findValues("market"))),
        "markets sorted by id");
    JsonNode caiso = market(all, "caiso");
    assertEquals("http://oasis.caiso.com", caiso.path("base_url").asText());
    assertEquals("5s", caiso.path("rate_limit").path("min_request_spacing").asText());
    assertEquals(List.of(), texts(caiso.path("credentials")), "OASIS and Today's Outlook need none");
    String oasis = dataset(caiso, "lmp_rt_5min").path("source").path("endpoints").get(0).path("url").asText();
    assertTrue(oasis.startsWith("http://oasis.caiso.com/oasisapi/SingleZip?") && oasis.contains("queryname=PRC_INTVL_LMP")
        && oasis.contains("market_run_id=RTM") && !oasis.contains("startdatetime"), oasis);
    JsonNode ercot = market(all, "ercot");
    assertEquals(List.of("ERCOT_API_KEY", "ERCOT_USERNAME", "ERCOT_PASSWORD"), texts(ercot.path("credentials")));
    JsonNode spp = dataset(ercot, "spp_rt_15min").path("source");
    assertTrue(spp.path("summary").asText().contains("NP6-905-CD"), spp.toString());
    assertEquals("none", spp.path("endpoints").get(0).path("auth").asText(), "the MIS needs no credentials");
    assertTrue(spp.path("endpoints").get(2).path("auth").asText().contains("Bearer"), "the archive: key and ID token");
    assertEquals(List.of("MISO_API_KEY"), texts(market(all, "miso").path("credentials")));

    int datasets = 0;
    for (JsonNode m : all.path("markets")) {
      assertTrue(m.path("owner").asText().startsWith("ingestion-"), m.path("market").toString());
      assertFalse(m.path("terms").isNull(), m.path("market") + " states its terms");
      for (JsonNode d : m.path("datasets")) {
        datasets++;
        String where = m.path("market").asText() + "/" + d.path("dataset").asText();
        assertFalse(d.path("source").path("summary").asText().isBlank(), where);
        assertFalse(d.path("source").path("endpoints").isEmpty(), where);
        for (JsonNode e : d.path("source").path("endpoints")) {
          String url = e.path("url").asText();
          assertTrue(url.matches("https?://[a-z0-9.-]+\\.(com|org)/.*") && !url.contains("127.0.0.1"), where + ": " + url);
        }
        assertEquals(3, d.path("topics").size(), where);
        assertFalse(d.path("checks").isEmpty(), where);
      }
    }
    assertEquals(24, datasets);
  }

  @Test
  void theCatalogueIsTheSameBytesEveryTimeWithoutATimestamp(@TempDir Path tmp) throws IOException {
    IngestConfig c = env(REPO.resolve("connectors"));
    List<String> first = write(c, tmp.resolve("a"));
    List<String> second = write(c, tmp.resolve("b"));
    assertEquals(first, second);
    assertEquals(first.get(0), cli(c, "connectors", "index", "--stdout", "--schemas", SCHEMAS).out(), "--stdout prints index.json");
    assertTrue(first.get(1).startsWith("# Connector catalogue\n\nGenerated by `ingest connectors index` (`make connectors-index`)"),
        first.get(1).substring(0, 200));
    for (String text : first) {
      assertFalse(text.contains(LocalDate.now().toString()) || text.contains("\r"), "no date of the run, \\n line ends only");
    }
    assertTrue(first.get(1).contains("| [pjm](#pjm) | PJM Interconnection (Data Miner 2) | ingestion-pjm |"), "the markets table");
    assertTrue(first.get(1).contains("\n## ercot\n") && first.get(1).contains("\n### ercot/spp_rt_15min\n"), "a section per market and dataset");
    assertTrue(first.get(1).contains("Authorization: Bearer &lt;ID token&gt;") && !first.get(1).contains("Bearer <ID token>"),
        "text outside code spans is not read as HTML");
  }

  @Test
  void checkFailsNamingTheStaleFilesWhenADatasetsScheduleChanged(@TempDir Path tmp) throws IOException {
    Path connectors = copy(REPO.resolve("connectors"), tmp.resolve("connectors"));
    IngestConfig c = env(connectors);
    Path out = tmp.resolve("catalogue");
    write(c, out);
    String[] check = {"connectors", "index", "--check", "--schemas", SCHEMAS, "--out-dir", out.toString(), "--docs",
        out.resolve("connectors.md").toString()};
    CliChecksTest.Outcome fresh = cli(c, check);
    assertEquals(0, fresh.exit(), fresh.err());
    assertTrue(fresh.out().contains("up to date"), fresh.out());

    Path pjm = connectors.resolve("pjm.yaml");
    String yaml = Files.readString(pjm);
    String hourly = "    cadence: hourly\n    schedule: \"0 * * * *\"\n";
    assertTrue(yaml.contains(hourly), "the fixture's lmp_rt_5min schedule");
    Files.writeString(pjm, yaml.replace(hourly, "    cadence: hourly\n    schedule: \"5 * * * *\"\n"));
    CliChecksTest.Outcome stale = cli(env(connectors, "INGEST_LOG_FORMAT", "text"), check);
    assertEquals(ExitCodes.USAGE, stale.exit(), stale.err());
    String index = out.resolve("index.json").toAbsolutePath().normalize().toString();
    String md = out.resolve("connectors.md").toAbsolutePath().normalize().toString();
    assertTrue(stale.err().contains("ingest: error: the connector catalogue is stale: " + index + " (line "), stale.err());
    assertTrue(stale.err().contains(md + " (line "), stale.err());
    assertTrue(stale.err().contains("would be '\"schedule\": \"5 * * * *\",'"), "the first differing line: " + stale.err());
    assertTrue(stale.err().contains("Run make connectors-index"), stale.err());
    assertEquals(ExitCodes.USAGE, cli(c, check).exit(), "still stale: --check wrote nothing");

    Files.delete(out.resolve("connectors.md"));
    CliChecksTest.Outcome missing = cli(env(connectors, "INGEST_LOG_FORMAT", "text"), check);
    assertEquals(ExitCodes.USAGE, missing.exit());
    assertTrue(missing.err().contains(md + " (missing)"), missing.err());
  }

  /** Writes the catalogue of {@code c} into {@code dir} (index.json and connectors.md); returns both texts. */
  private static List<String> write(IngestConfig c, Path dir) throws IOException {
    CliChecksTest.Outcome r = cli(c, "connectors", "index", "--schemas", SCHEMAS, "--out-dir", dir.toString(), "--docs",
        dir.resolve("connectors.md").toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("wrote ") && r.out().contains("(4 markets, 24 datasets)"), r.out());
    return List.of(Files.readString(dir.resolve("index.json")), Files.readString(dir.resolve("connectors.md")));
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      files.filter(p -> !p.getFileName().toString().equals("index.json")).forEach(p -> {
        try {
          Path t = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.copy(p, t);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return to;
  }
}
