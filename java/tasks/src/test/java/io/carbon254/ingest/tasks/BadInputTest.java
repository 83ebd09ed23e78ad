package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.PipelineEndToEndTest.ALL;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.RT;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.config;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.sink.QueryResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad payloads served through INGEST_CAISO_BASE_URL: the stage that meets them exits non-zero with
 * a message naming the payload, Bronze keeps the payload, Silver keeps what it had.
 */
class BadInputTest {
  MockWebServer server;
  CaisoSimulator sim;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    sim = CaisoSimulator.start(new SimulatorOptions(0, 5, Instant.parse("2026-01-01T00:00:00Z")));
  }

  @AfterEach
  void stop() {
    server.close();
    sim.close();
  }

  static byte[] zip(String name, String content) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      z.putNextEntry(new ZipEntry(name));
      z.write(content.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return bos.toByteArray();
  }

  static byte[] body(String kind) throws Exception {
    String header = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,"
        + "XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,VALUE,OPR_INTERVAL,GROUP\n";
    String row = "2024-11-03T08:00:00-00:00,2024-11-03T08:05:00-00:00,2024-11-03,02,TH_SP15_GEN-APND,TH_SP15_GEN-APND,"
        + "TH_SP15_GEN-APND,RTM,LMP,LMP_PRC,TH_SP15_GEN-APND,ALL_APNODES,0,31.5,1,1\n";
    return switch (kind) {
      case "truncated" -> {
        byte[] full = zip("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_00_00_v1.csv", header + row.repeat(200));
        yield Arrays.copyOf(full, full.length / 2);
      }
      case "html" -> "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>The OASIS site is under maintenance</h1></body></html>"
          .getBytes(StandardCharsets.UTF_8);
      case "no_start_column" -> zip("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_00_00_v1.csv",
          header.replace("INTERVALSTARTTIME_GMT,", "START_GMT,") + row);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  @ParameterizedTest
  @CsvSource({"truncated, truncated zip", "html, HTML page", "no_start_column, no column INTERVALSTARTTIME_GMT"})
  void badPayloadIsKeptInBronzeRejectedByNameAndSilverIsUntouched(String kind, String expectedReason, @TempDir Path home)
      throws Exception {
    assertEquals(0, StageRunner.run(config(home, sim.baseUrl()), RT, "good", ALL));
    String silverSql = "SELECT * FROM silver_prices ORDER BY location_id, interval_start_utc";
    QueryResult silverBefore = query(home, silverSql);

    byte[] bad = body(kind);
    String type = kind.equals("html") ? "text/html" : "application/x-zip-compressed";
    for (int i = 0; i < 2; i++) {
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", type).body(new Buffer().write(bad)).build());
    }
    int exit = StageRunner.run(config(home, server.url("/").toString()), RT, "bad-" + kind, ALL);

    assertEquals(ExitCodes.REJECTED, exit);
    QueryResult runs = query(home, "SELECT stage, status, exit_code, message FROM ingest_runs WHERE run_id = 'bad-" + kind + "' ORDER BY started_at");
    assertEquals(List.of("fetch", "ok", "0"), runs.rows().get(0).subList(0, 3));
    assertEquals(List.of("normalize", "payload_rejected", "4"), runs.rows().get(1).subList(0, 3));
    assertEquals(2, runs.rows().size(), "nothing after normalize ran");
    String message = runs.rows().get(1).get(3);
    assertTrue(message.contains("payload caiso.lmp_rt_5min.20241103T0800Z-20241103T1000Z.p0."), message);
    assertTrue(message.contains(expectedReason), message);
    String sha = io.carbon254.ingest.core.connector.RawPayload.sha256Hex(bad);
    assertEquals(List.of(List.of("2", String.valueOf(bad.length))), query(home,
        "SELECT count(*), max(size_bytes) FROM bronze_payloads WHERE sha256 = '" + sha + "'").rows(), "Bronze keeps the bad payloads");
    assertEquals(silverBefore, query(home, silverSql), "Silver untouched");
  }

  @Test
  void noDataErrorZipIsNotPublishedAndWritesNothing(@TempDir Path home) throws Exception {
    byte[] err = CaisoSimulator.errorZip("PRC_INTVL_LMP", "1000", "No data returned for the specified selection",
        Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T09:00:00Z"));
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed").body(new Buffer().write(err)).build());
    int exit = StageRunner.run(config(home, server.url("/").toString()), RT, "early", ALL);
    assertEquals(ExitCodes.NOT_PUBLISHED, exit);
    assertEquals(List.of(List.of("0")), query(home, "SELECT count(*) FROM bronze_payloads").rows());
    assertEquals(List.of(List.of("fetch", "not_published", "99")),
        query(home, "SELECT stage, status, exit_code FROM ingest_runs WHERE run_id = 'early'").rows());
    assertEquals(1, server.getRequestCount(), "no retry of a 'not published' answer");
  }

  @Test
  void aFetchThatFailsOnItsSecondPartStoresNeitherPartAndLeavesNoSpool(@TempDir Path home) throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed")
        .body(new Buffer().write(RevisionTest.payload(30.0))).build());
    byte[] err = CaisoSimulator.errorZip("PRC_INTVL_LMP", "1000", "No data returned for the specified selection",
        Instant.parse("2024-11-03T09:00:00Z"), Instant.parse("2024-11-03T10:00:00Z"));
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed").body(new Buffer().write(err)).build());
    int exit = StageRunner.run(config(home, server.url("/").toString()), RT, "half", List.of(io.carbon254.ingest.core.sink.Stage.FETCH));
    assertEquals(ExitCodes.NOT_PUBLISHED, exit);
    assertEquals(2, server.getRequestCount(), "both parts were asked for");
    assertEquals(List.of(List.of("0")), query(home, "SELECT count(*) FROM bronze_payloads").rows(), "the first part is not stored alone");
    String mine = "ingest-fetch-" + ProcessHandle.current().pid() + "-";
    try (var left = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertEquals(List.of(), left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(mine)).toList(), "spool removed");
    }
  }

  @Test
  void stageWithoutItsInputIsAUsageErrorNotAnEmptySuccess(@TempDir Path home) {
    int exit = StageRunner.run(config(home, sim.baseUrl()), RT, "load-first", List.of(io.carbon254.ingest.core.sink.Stage.LOAD));
    assertEquals(ExitCodes.USAGE, exit);
  }

  /** A payload about 08:00..09:00 served for {@code key}: the rows outside the key's window are another interval's. */
  private int runWithHourPayload(Path home, io.carbon254.ingest.core.IntervalKey key, String runId) throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed")
        .body(new Buffer().write(RevisionTest.payload(30.0))).build());
    return StageRunner.run(config(home, server.url("/").toString()), key, runId, ALL);
  }

  private static void assertRejectedByIntervalInWindow(Path home, String runId, long outside, String payloadPrefix) {
    QueryResult runs = query(home, "SELECT stage, status, exit_code, message FROM ingest_runs WHERE run_id = '" + runId + "' ORDER BY started_at");
    assertEquals(List.of("fetch", "ok", "0"), runs.rows().get(0).subList(0, 3));
    assertEquals(List.of("normalize", "payload_rejected", "4"), runs.rows().get(1).subList(0, 3));
    assertEquals(2, runs.rows().size(), "nothing after normalize ran");
    String message = runs.rows().get(1).get(3);
    assertTrue(message.startsWith("payload " + payloadPrefix), message);
    assertTrue(message.contains("outside the interval") && message.contains("interval_in_window"), message);
    assertEquals(List.of(List.of("false", "error", String.valueOf((double) outside))), query(home,
        "SELECT passed, severity, observed FROM quality_results WHERE check_name = 'interval_in_window'").rows());
    assertEquals(List.of(List.of("0")), query(home, "SELECT count(*) FROM silver_prices").rows(), "Silver untouched");
    assertEquals(List.of(List.of("0")), query(home, "SELECT count(*) FROM stg_prices").rows(), "nothing staged");
  }

  @Test
  void aPayloadWhoseRowsAllLieOutsideTheIntervalIsRejectedExit4NotSkippedAsUnpublished(@TempDir Path home) throws Exception {
    io.carbon254.ingest.core.IntervalKey later = new io.carbon254.ingest.core.IntervalKey("caiso", "lmp_rt_5min",
        new io.carbon254.ingest.core.IntervalWindow(Instant.parse("2024-11-03T10:00:00Z"), Instant.parse("2024-11-03T11:00:00Z")));
    assertEquals(ExitCodes.REJECTED, runWithHourPayload(home, later, "all-outside"));
    assertRejectedByIntervalInWindow(home, "all-outside", 12, "caiso.lmp_rt_5min.20241103T1000Z-20241103T1100Z.p0.");
    assertTrue(query(home, "SELECT message FROM ingest_runs WHERE stage = 'normalize'").rows().get(0).get(0)
        .contains("all 12 of 12 row(s)"));
  }

  @Test
  void aPayloadWithSomeRowsOutsideTheIntervalIsRejectedExit4NotTrimmed(@TempDir Path home) throws Exception {
    io.carbon254.ingest.core.IntervalKey half = new io.carbon254.ingest.core.IntervalKey("caiso", "lmp_rt_5min",
        new io.carbon254.ingest.core.IntervalWindow(Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T08:30:00Z")));
    assertEquals(ExitCodes.REJECTED, runWithHourPayload(home, half, "half-outside"));
    assertRejectedByIntervalInWindow(home, "half-outside", 6, "caiso.lmp_rt_5min.20241103T0800Z-20241103T0830Z.p0.");
    assertTrue(query(home, "SELECT message FROM ingest_runs WHERE stage = 'normalize'").rows().get(0).get(0)
        .contains("6 of 12 row(s)"));
  }

  @Test
  void http400IsAUsageErrorExit2RecordedInTheLedgerAlthoughNothingElseWasWritten(@TempDir Path home) {
    server.enqueue(new MockResponse.Builder().code(400).body("Invalid parameter: queryname").build());
    int exit = StageRunner.run(config(home, server.url("/").toString()), RT, "bad-request", ALL);
    assertEquals(ExitCodes.USAGE, exit);
    assertEquals(1, server.getRequestCount(), "not retried");
    QueryResult runs = query(home, "SELECT stage, status, exit_code, message FROM ingest_runs WHERE run_id = 'bad-request'");
    assertEquals(List.of("fetch", "usage_error", "2"), runs.rows().get(0).subList(0, 3));
    assertTrue(runs.rows().get(0).get(3).contains("HTTP 400") && runs.rows().get(0).get(3).contains("a retry will not help"),
        runs.rows().get(0).get(3));
  }
}
