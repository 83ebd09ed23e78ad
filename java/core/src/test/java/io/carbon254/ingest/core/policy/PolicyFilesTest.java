package io.carbon254.ingest.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.Enrichment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each market's own policy files, named by its declaration (connectors/caiso.yaml, policies:), and the one-file override. */
class PolicyFilesTest {
  static Path repo() {
    return Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../.."));
  }

  static IngestConfig config() {
    return IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString()));
  }

  static ConnectorSpec caiso(IngestConfig c) {
    return ConnectorSpec.load(c, "caiso");
  }

  @Test
  void caisoLocationTypesFollowTheNamingConventions() {
    NormalizationRules r = NormalizationRules.load(config(), caiso(config()));
    assertEquals("hub", r.locationType("caiso", "TH_SP15_GEN-APND"));
    assertEquals("zone", r.locationType("caiso", "DLAP_PGAE-APND"));
    assertEquals("aggregate", r.locationType("caiso", "ELAP_PACE-APND"));
    assertEquals("node", r.locationType("caiso", "ALAMO_6_N001"));
    assertEquals("natural_gas", r.fuel("caiso", "Natural Gas"));
    assertEquals("pumped_storage", r.fuel("caiso", "Pumped Storage"));
    assertFalse(r.knownFuel("caiso", "Pumped Storage"));
  }

  @Test
  void hubsAndDlapsAreEnrichedAndNodesGetTheMarketDefaults() {
    Taxonomy t = Taxonomy.load(config(), caiso(config()));
    assertEquals(new Enrichment("SP15", "SP15", "SoCal", "America/Los_Angeles", true), t.enrich("caiso", "TH_SP15_GEN-APND"));
    assertEquals(new Enrichment("PGAE", "NP15", "NorCal", "America/Los_Angeles", false), t.enrich("caiso", "DLAP_PGAE-APND"));
    assertEquals(new Enrichment(null, null, "CAISO", "America/Los_Angeles", false), t.enrich("caiso", "ALAMO_6_N001"));
    assertTrue(t.knows("caiso", "DLAP_SCE-APND"));
  }

  /** connectors/caiso.yaml in {@code dir}, with the repository's policies block replaced by {@code policies}. */
  static IngestConfig market(Path dir, String policies) throws Exception {
    String yaml = Files.readString(repo().resolve("connectors/caiso.yaml"));
    int at = yaml.indexOf("policies:");
    int next = yaml.indexOf("\ndefaults:");
    Files.writeString(dir.resolve("caiso.yaml"), yaml.substring(0, at) + policies + yaml.substring(next));
    return IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", dir.toString()));
  }

  @Test
  void aMarketWithoutPolicyFilesHasNodesAndFuelNamesAsWritten(@TempDir Path dir) throws Exception {
    IngestConfig c = market(dir, "");
    assertEquals("node", NormalizationRules.load(c, caiso(c)).locationType("caiso", "TH_SP15_GEN-APND"));
    assertEquals("small_hydro", NormalizationRules.load(c, caiso(c)).fuel("caiso", "Small hydro"));
    assertEquals(new Enrichment(null, null, null, null, false), Taxonomy.load(c, caiso(c)).enrich("caiso", "TH_SP15_GEN-APND"));
  }

  @Test
  void errorsInAMarketsPolicyFileNameTheFileAndTheKey(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("caiso"));
    Files.writeString(dir.resolve("caiso/norm.yaml"), "location_types:\n  - {pattern: '^TH_', type: hubb}\n");
    Files.writeString(dir.resolve("caiso/tax.yaml"), "defaults: {region: CAISO}\nlocations:\n  TH_SP15_GEN-APND: {zone: SP15, tradinghub: true}\n");
    IngestConfig c = market(dir, "policies: {normalization: caiso/norm.yaml, taxonomy: caiso/tax.yaml}");
    UsageException n = assertThrows(UsageException.class, () -> NormalizationRules.load(c, caiso(c)));
    assertTrue(n.getMessage().startsWith(dir.resolve("caiso/norm.yaml") + ": location_types[0].type: 'hubb' is not one of"), n.getMessage());
    UsageException t = assertThrows(UsageException.class, () -> Taxonomy.load(c, caiso(c)));
    assertTrue(t.getMessage().startsWith(dir.resolve("caiso/tax.yaml") + ": locations.TH_SP15_GEN-APND.tradinghub: unknown key"),
        t.getMessage());
    Files.writeString(dir.resolve("caiso/norm.yaml"), "location_type: []\n");
    UsageException k = assertThrows(UsageException.class, () -> NormalizationRules.load(c, caiso(c)));
    assertTrue(k.getMessage().startsWith(dir.resolve("caiso/norm.yaml") + ": location_type: unknown key"), k.getMessage());

    IngestConfig missing = market(dir, "policies: {taxonomy: caiso/nowhere.yaml}");
    UsageException m = assertThrows(UsageException.class, () -> Taxonomy.load(missing, caiso(missing)));
    assertTrue(m.getMessage().contains("nowhere.yaml") && m.getMessage().contains("cannot read"), m.getMessage());
    UsageException outside = assertThrows(UsageException.class, () -> caiso(market(dir, "policies: {taxonomy: ../x.yaml}")));
    assertTrue(outside.getMessage().contains("policies.taxonomy: expected a .yaml file beside the market's"), outside.getMessage());
  }

  @Test
  void theOneFileOverrideServesEveryMarketAndNamesItsKeys(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tax.yaml");
    Files.writeString(f, "markets:\n  caiso:\n    defaults: {region: CAISO}\n    locations:\n      TH_SP15_GEN-APND: {zone: SP15, tradinghub: true}\n");
    IngestConfig c = IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString(), "ENRICHMENT_CONFIG", f.toString()));
    UsageException e = assertThrows(UsageException.class, () -> Taxonomy.load(c, caiso(c)));
    assertTrue(e.getMessage().contains("tax.yaml") && e.getMessage().contains("markets.caiso.locations.TH_SP15_GEN-APND.tradinghub"),
        e.getMessage());
    Path n = dir.resolve("norm.yaml");
    Files.writeString(n, "location_types:\n  caiso:\n    - {pattern: '^TH_', type: zone}\n");
    IngestConfig c2 = IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo().resolve("connectors").toString(), "NORMALIZATION_CONFIG", n.toString()));
    assertEquals("zone", NormalizationRules.load(c2, caiso(c2)).locationType("caiso", "TH_SP15_GEN-APND"), "the override wins");
  }
}
