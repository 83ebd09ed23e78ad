package io.carbon254.ingest.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.record.RecordKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  @Test
  void errorsNameTheFileAndTheKey(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("caiso.yaml"), """
        market: caiso
        timezone: America/Los_Angeles
        base_url: http://oasis.caiso.com
        rate_limit: {min_request_spacing: 5s}
        datasets:
          lmp_rt_5min: {kind: prices, cadence: 5min, window: five minutes}
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
