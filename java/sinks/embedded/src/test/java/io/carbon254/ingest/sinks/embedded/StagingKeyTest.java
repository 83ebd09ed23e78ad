package io.carbon254.ingest.sinks.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.pipeline.Pipeline;
import io.carbon254.ingest.core.pipeline.TaskLog;
import io.carbon254.ingest.core.policy.Taxonomy;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.CacheWarmer;
import io.carbon254.ingest.core.sink.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A parsed row of another market or dataset than the key's is refused before anything is staged, and by the warehouse itself. */
class StagingKeyTest {
  static final IntervalKey KEY = DuckDbWarehouseTest.KEY;

  /** A parser that sets the dataset wrong on its second row. */
  static final class MislabellingDataset implements Dataset {
    @Override
    public String id() {
      return KEY.dataset();
    }

    @Override
    public RecordKind kind() {
      return RecordKind.PRICES;
    }

    @Override
    public Duration resolution() {
      return Duration.ofMinutes(5);
    }

    @Override
    public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
      throw new UnsupportedOperationException("Bronze is filled by the test");
    }

    @Override
    public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
      PriceRecord good = DuckDbWarehouseTest.price("N1", 0, 30.5, 1);
      PriceRecord wrong = DuckDbWarehouseTest.price("N2", 0, 31.5, 1);
      out.accept(good);
      out.accept(new PriceRecord(wrong.market(), "lmp_rt_15min", wrong.marketRun(), wrong.priceType(), wrong.locationId(),
          wrong.locationName(), wrong.locationType(), wrong.intervalStart(), wrong.intervalEnd(), wrong.price(), wrong.energy(),
          wrong.congestion(), wrong.loss(), wrong.ghg(), wrong.currency(), wrong.unit(), wrong.provenance(), wrong.enrichment()));
    }
  }

  @Test
  void aRowOfAnotherDatasetFailsNormalizeAsABugAndNothingIsStagedOrPublished(@TempDir Path dir) throws Exception {
    Path repo = Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../.."));
    IngestConfig config = IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", repo.resolve("connectors").toString()));
    Taxonomy taxonomy = Taxonomy.load(config, io.carbon254.ingest.core.config.ConnectorSpec.load(config, "caiso"));
    Path events = dir.resolve("events");
    try (DuckDbWarehouse wh = DuckDbWarehouseTest.open(dir)) {
      wh.putBronze(List.of(RawPayload.of(KEY, 0, "http://oasis.test/SingleZip", "text/csv", 200,
          "a,b\n".getBytes(StandardCharsets.UTF_8), DuckDbWarehouseTest.T0.plusSeconds(900))));
      Pipeline p = new Pipeline(KEY, new MislabellingDataset(), wh, new AvroFileEventSink(events), CacheWarmer.NONE, taxonomy,
          "America/Los_Angeles", "key-test", Clock.systemUTC(), TaskLog.NONE);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::normalize);
      assertEquals("a staging row of caiso/lmp_rt_15min (caiso|lmp_rt_15min|RT|LMP|N2|2024-11-03T08:00:00Z) cannot be written "
          + "under the key " + KEY, e.getMessage());
      assertEquals(List.of(), wh.readStaging(Stage.NORMALIZE, KEY, RecordKind.PRICES), "the first, good row is not staged either");
    }
    try (DuckDbWarehouse wh = DuckDbWarehouseTest.open(dir)) {
      PriceRecord row = DuckDbWarehouseTest.price("N3", 1, 9, 2); // of caiso/lmp_rt_5min
      IntervalKey elsewhere = new IntervalKey("caiso", "lmp_rt_15min", KEY.window());
      assertThrows(IllegalArgumentException.class, () -> wh.replaceStaging(Stage.NORMALIZE, elsewhere, RecordKind.PRICES, List.of(row)));
      try (var w = wh.openStaging(Stage.NORMALIZE, elsewhere, RecordKind.PRICES)) {
        assertThrows(IllegalArgumentException.class, () -> w.write(List.of(row)));
      }
      assertEquals(List.of(), wh.readStaging(Stage.NORMALIZE, elsewhere, RecordKind.PRICES));
    }
    if (Files.exists(events)) {
      try (Stream<Path> files = Files.walk(events)) {
        List<Path> published = files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".avro")).toList();
        assertTrue(published.isEmpty(), "nothing published: " + published);
      }
    }
  }
}
