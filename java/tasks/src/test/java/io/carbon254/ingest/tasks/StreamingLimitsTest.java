package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.PipelineEndToEndTest.config;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.sink.Stage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory bounds of the streaming stages, in a forked JVM with {@code -Xmx384m} (the heap the
 * bench and the issue name): a zip bomb ends as a rejected payload naming its inflated-size limit
 * (not an OutOfMemoryError), and a 10,000-node day normalizes.
 */
class StreamingLimitsTest {
  static final String HEAP = "-Xmx384m";

  record Forked(int exit, String out, String err) {}

  /** Runs {@code ingest args…} in a new JVM with the test's classpath, {@link #HEAP} and the config of {@code home}. */
  static Forked fork(Path home, String baseUrl, Map<String, String> extraEnv, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), IngestCli.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("INGEST_") || k.startsWith("CLICKHOUSE") || k.startsWith("KAFKA") || k.startsWith("REDIS"));
    Path repo = TestRepo.root();
    env.put("INGEST_HOME", home.toString());
    env.put("INGEST_CAISO_BASE_URL", baseUrl);
    env.put("INGEST_CAISO_REQUEST_SPACING", "0s");
    env.put("INGEST_CONNECTORS_DIR", repo.resolve("connectors").toString());
    env.putAll(extraEnv);
    Path out = Files.createTempFile(home, "fork-", ".out");
    Path err = Files.createTempFile(home, "fork-", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("forked ingest did not finish in 120 s: " + Files.readString(out));
    }
    return new Forked(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static String[] stage(String stage, IntervalKey key, String runId) {
    return new String[] {stage, "--market", key.market(), "--dataset", key.dataset(), "--interval-start",
      key.window().start().toString(), "--interval-end", key.window().end().toString(), "--run-id", runId};
  }

  /** A valid OASIS CSV entry whose one row repeats until the entry inflates to {@code inflated} bytes (~2 MB deflated). */
  static byte[] bomb(long inflated) throws Exception {
    String header = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,"
        + "XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,VALUE,OPR_INTERVAL,GROUP\n";
    String row = "2024-11-03T08:00:00-00:00,2024-11-03T08:05:00-00:00,2024-11-03,01,TH_SP15_GEN-APND,TH_SP15_GEN-APND,"
        + "TH_SP15_GEN-APND,RTM,LMP,LMP_PRC,TH_SP15_GEN-APND,ALL_APNODES,0,31.5,1,1\n";
    byte[] block = row.repeat((1 << 20) / row.length()).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      z.setLevel(Deflater.BEST_SPEED);
      z.putNextEntry(new ZipEntry("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_00_00_v1.csv"));
      z.write(header.getBytes(StandardCharsets.US_ASCII));
      for (long n = header.length(); n < inflated; n += block.length) {
        z.write(block);
      }
      z.closeEntry();
    }
    return bos.toByteArray();
  }

  @Test
  void aZipBombIsARejectedPayloadNamingItsInflatedSizeLimitNotAnOutOfMemoryError(@TempDir Path home) throws Exception {
    IntervalKey key = new IntervalKey("caiso", "lmp_rt_5min",
        new IntervalWindow(Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T09:00:00Z")));
    byte[] body = bomb(300L << 20); // past the default 256 MiB entry limit, and near the whole 384 MiB heap
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed")
          .body(new Buffer().write(body)).build());
      String url = server.url("/").toString();
      assertEquals(0, StageRunner.run(config(home, url), key, "bomb", List.of(Stage.FETCH)), "fetch reads entry names only");
      Forked f = fork(home, url, Map.of(), stage("normalize", key, "bomb"));
      assertEquals(ExitCodes.REJECTED, f.exit(), f.out() + f.err());
      assertFalse(f.err().contains("Exception in thread") || f.err().contains("OutOfMemoryError"), f.err());
      String msg = query(home, "SELECT status, exit_code, message FROM ingest_runs WHERE run_id = 'bomb' AND stage = 'normalize'")
          .rows().get(0).toString();
      assertTrue(msg.contains("payload_rejected, 4") && msg.contains("payload caiso.lmp_rt_5min.20241103T0800Z-20241103T0900Z.p0.")
          && msg.contains("inflates to more than 268435456 bytes") && msg.contains("256 MiB"), msg);
      assertTrue(f.err().contains("\"level\":\"ERROR\"") && f.err().contains("268435456"), f.err());
    }
  }

  @Test
  void aTenThousandNodeDayNormalizesWithA384MegabyteHeap(@TempDir Path home) throws Exception {
    // One Pacific day of day-ahead hourly LMPs for 10,000 nodes: one 1.2 M-row OASIS CSV, 240 k canonical rows.
    IntervalKey key = new IntervalKey("caiso", "lmp_da_hourly",
        new IntervalWindow(Instant.parse("2024-11-04T08:00:00Z"), Instant.parse("2024-11-05T08:00:00Z")));
    try (CaisoSimulator sim = CaisoSimulator.start(new SimulatorOptions(0, 10_000, Instant.parse("2026-01-01T00:00:00Z")))) {
      assertEquals(0, StageRunner.run(config(home, sim.baseUrl()), key, "big", List.of(Stage.FETCH)));
      Forked f = fork(home, sim.baseUrl(), Map.of(), stage("normalize", key, "big"));
      assertEquals(0, f.exit(), f.out() + f.err());
      long nodes = Long.parseLong(query(home, "SELECT count(DISTINCT location_id) FROM stg_prices").rows().get(0).get(0));
      assertTrue(nodes >= 10_000, nodes + " locations");
      assertEquals(List.of(List.of(String.valueOf(nodes * 24))), query(home, "SELECT count(*) FROM stg_prices WHERE stage = 'normalize'").rows());
    }
  }
}
