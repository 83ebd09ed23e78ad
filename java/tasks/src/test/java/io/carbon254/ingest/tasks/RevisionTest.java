package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.PipelineEndToEndTest.ALL;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.config;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.eventIds;
import static io.carbon254.ingest.tasks.PipelineEndToEndTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refetch with different content is a revision: Silver takes it, Bronze keeps both, events get new ids. */
class RevisionTest {
  static final IntervalKey HOUR = new IntervalKey("caiso", "lmp_rt_5min",
      new IntervalWindow(Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T09:00:00Z")));

  static byte[] payload(double energy) throws Exception {
    StringBuilder csv = new StringBuilder("INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,"
        + "MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,VALUE,OPR_INTERVAL,GROUP\n");
    String[][] parts = {{"LMP", "LMP_PRC"}, {"MCE", "LMP_ENE_PRC"}, {"MCC", "LMP_CONG_PRC"}, {"MCL", "LMP_LOSS_PRC"}, {"MGHG", "LMP_GHG_PRC"}};
    for (String[] p : parts) {
      for (int i = 0; i < 12; i++) {
        Instant s = HOUR.window().start().plusSeconds(300L * i);
        double v = switch (p[0]) {
          case "LMP" -> energy + 1.25;
          case "MCE" -> energy;
          case "MCC" -> 1.0;
          case "MCL" -> 0.25;
          default -> 0.0;
        };
        csv.append(s.toString().replace("Z", "-00:00")).append(',').append(s.plusSeconds(300).toString().replace("Z", "-00:00"))
            .append(",2024-11-03,01,TH_NP15_GEN-APND,TH_NP15_GEN-APND,TH_NP15_GEN-APND,RTM,").append(p[0]).append(',').append(p[1])
            .append(",TH_NP15_GEN-APND,ALL_APNODES,0,").append(v).append(',').append(i + 1).append(",1\n");
      }
    }
    return BadInputTest.zip("20241103_20241103_PRC_INTVL_LMP_N_20241103_09_00_00_v1.csv", csv.toString());
  }

  @Test
  void aRevisedPayloadReplacesSilverRowsWithAHigherVersion(@TempDir Path home) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      for (double e : new double[] {30.0, 30.0, 42.0}) {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-zip-compressed")
            .body(new Buffer().write(payload(e))).build());
      }
      var c = config(home, server.url("/").toString());
      String sql = "SELECT price, version FROM silver_prices WHERE interval_start_utc = TIMESTAMP '2024-11-03 08:30:00'";

      assertEquals(0, StageRunner.run(c, HOUR, "original", ALL));
      List<String> original = query(home, sql).rows().get(0);
      assertEquals(31.25, Double.parseDouble(original.get(0)), 1e-9);
      Set<Object> idsOriginal = new HashSet<>(eventIds(home, "enriched.caiso.lmp_rt_5min"));

      Thread.sleep(5); // fetch instants (versions) have millisecond resolution
      assertEquals(0, StageRunner.run(c, HOUR, "same-bytes", ALL));
      assertEquals(original, query(home, sql).rows().get(0), "identical bytes: same version, same row");
      assertEquals(idsOriginal, eventIds(home, "enriched.caiso.lmp_rt_5min"), "identical bytes: same event ids");

      Thread.sleep(5);
      assertEquals(0, StageRunner.run(c, HOUR, "revision", ALL));
      List<String> revised = query(home, sql).rows().get(0);
      assertEquals(43.25, Double.parseDouble(revised.get(0)), 1e-9);
      assertTrue(Long.parseLong(revised.get(1)) > Long.parseLong(original.get(1)), "higher version");
      assertEquals(List.of(List.of("12")), query(home, "SELECT count(*) FROM silver_prices").rows(), "replaced, not added");
      assertEquals(List.of(List.of("2")), query(home, "SELECT count(*) FROM bronze_payloads").rows(), "Bronze keeps both");
      Set<Object> idsRevised = eventIds(home, "enriched.caiso.lmp_rt_5min");
      assertTrue(idsRevised.stream().noneMatch(idsOriginal::contains), "a revision publishes new event ids");
    }
  }
}
