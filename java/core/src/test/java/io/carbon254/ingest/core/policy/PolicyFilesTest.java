package io.carbon254.ingest.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.record.Enrichment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFilesTest {
  static IngestConfig config() {
    Path repo = Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../.."));
    return IngestConfig.of(Map.of("NORMALIZATION_CONFIG", repo.resolve("configs/normalization_rules.yaml").toString(),
        "ENRICHMENT_CONFIG", repo.resolve("configs/enrichment_taxonomy.yaml").toString()));
  }

  @Test
  void caisoLocationTypesFollowTheNamingConventions() {
    NormalizationRules r = NormalizationRules.load(config());
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
    Taxonomy t = Taxonomy.load(config());
    assertEquals(new Enrichment("SP15", "SP15", "SoCal", "America/Los_Angeles", true), t.enrich("caiso", "TH_SP15_GEN-APND"));
    assertEquals(new Enrichment("PGAE", "NP15", "NorCal", "America/Los_Angeles", false), t.enrich("caiso", "DLAP_PGAE-APND"));
    assertEquals(new Enrichment(null, null, "CAISO", "America/Los_Angeles", false), t.enrich("caiso", "ALAMO_6_N001"));
    assertTrue(t.knows("caiso", "DLAP_SCE-APND"));
  }

  @Test
  void unknownKeysAreRejectedNamingFileAndKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tax.yaml");
    Files.writeString(f, "markets:\n  caiso:\n    defaults: {region: CAISO}\n    locations:\n      TH_SP15_GEN-APND: {zone: SP15, tradinghub: true}\n");
    UsageException e = assertThrows(UsageException.class, () -> Taxonomy.load(IngestConfig.of(Map.of("ENRICHMENT_CONFIG", f.toString()))));
    assertTrue(e.getMessage().contains("tax.yaml") && e.getMessage().contains("locations.TH_SP15_GEN-APND.tradinghub"), e.getMessage());
    Path n = dir.resolve("norm.yaml");
    Files.writeString(n, "location_types:\n  caiso:\n    - {pattern: '^TH_', type: hubb}\n");
    UsageException e2 = assertThrows(UsageException.class, () -> NormalizationRules.load(IngestConfig.of(Map.of("NORMALIZATION_CONFIG", n.toString()))));
    assertTrue(e2.getMessage().contains("location_types.caiso[0].type"), e2.getMessage());
  }
}
