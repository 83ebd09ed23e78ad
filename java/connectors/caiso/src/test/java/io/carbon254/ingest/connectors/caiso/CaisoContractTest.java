package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.oasisPayload;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.outlookPayload;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resource;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resourceBytes;

import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.connector.RawPayload;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CAISO against the connector contract. The DST fixtures (src/test/resources/caiso) are authored in
 * OASIS's and Outlook's formats: the day-ahead, load and fuel-mix files cover the whole Pacific day or
 * the hours around the transition (2024-03-10 02:00 PST → 03:00 PDT at 10:00Z; 2024-11-03 01:00 PDT →
 * 01:00 PST at 09:00Z), the real-time price files the two UTC hours around it.
 */
class CaisoContractTest extends ConnectorContract {
  @Override
  protected MarketConnector connector() {
    return new CaisoConnector();
  }

  private static RawPayload oasis(String dataset, String start, String end, String entry, String fixture) {
    return oasisPayload(key(dataset, start, end), entry, resource(fixture));
  }

  /** OASIS's answer for a window it has nothing for: an error zip with ERR_CODE 1000 ("No data returned"). */
  private static NoData oasisNoData(String dataset) {
    String end = switch (dataset) {
      case "lmp_rt_5min" -> "2030-06-01T07:05:00Z";
      case "lmp_rt_15min" -> "2030-06-01T07:15:00Z";
      default -> "2030-06-02T07:00:00Z";
    };
    return new NoData(key(dataset, "2030-06-01T07:00:00Z", end), 200, CaisoTestSupport.ZIP_TYPE, OasisErrorsTest.noDataZip());
  }

  @Override
  protected Map<String, Fixtures> fixtures() {
    Map<String, Fixtures> f = new LinkedHashMap<>();
    f.put("lmp_da_hourly", new Fixtures(
        List.of(oasis("lmp_da_hourly", "2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z",
            "20240310_20240311_PRC_LMP_N_20240309_13_00_00_v1.csv", "PRC_LMP_DAM_20240310.csv")),
        List.of(oasis("lmp_da_hourly", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z", OasisPriceParserTest.DA_FALL_ENTRY,
            "PRC_LMP_DAM_20241103.csv")),
        oasisNoData("lmp_da_hourly")));
    f.put("lmp_rt_5min", new Fixtures(
        List.of(oasis("lmp_rt_5min", "2024-03-10T09:00:00Z", "2024-03-10T11:00:00Z",
            "20240310_20240310_PRC_INTVL_LMP_N_20240310_11_05_00_v1.csv", "PRC_INTVL_LMP_RTM_20240310_0900Z-1100Z.csv")),
        List.of(oasis("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z", OasisPriceParserTest.RT_FALL_ENTRY,
            "PRC_INTVL_LMP_RTM_20241103_0800Z-1000Z.csv")),
        oasisNoData("lmp_rt_5min")));
    f.put("lmp_rt_15min", new Fixtures(
        List.of(oasis("lmp_rt_15min", "2024-03-10T09:00:00Z", "2024-03-10T11:00:00Z",
            "20240310_20240310_PRC_RTPD_LMP_N_20240310_11_05_00_v1.csv", "PRC_RTPD_LMP_RTPD_20240310_0900Z-1100Z.csv")),
        List.of(oasis("lmp_rt_15min", "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z",
            "20241103_20241103_PRC_RTPD_LMP_N_20241103_10_05_00_v1.csv", "PRC_RTPD_LMP_RTPD_20241103_0800Z-1000Z.csv")),
        oasisNoData("lmp_rt_15min")));
    for (String load : List.of("load_actual", "load_forecast")) {
      f.put(load, new Fixtures(
          List.of(oasis(load, "2024-03-10T09:00:00Z", "2024-03-10T12:00:00Z",
              "20240310_20240310_SLD_FCST_N_20240310_12_10_00_v1.csv", "SLD_FCST_20240310_0900Z-1200Z.csv")),
          List.of(oasis(load, "2024-11-03T08:00:00Z", "2024-11-03T11:00:00Z", OasisLoadParserTest.ENTRY,
              OasisLoadParserTest.SLD)),
          oasisNoData(load)));
    }
    f.put("fuel_mix", new Fixtures(
        List.of(outlookPayload(key("fuel_mix", "2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z"), "20240310",
            resourceBytes("fuelsource_20240310.csv"))),
        List.of(outlookPayload(key("fuel_mix", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"), "20241103",
            resourceBytes("fuelsource_20241103.csv"))),
        // Outlook's history has no file for a day not yet published: HTTP 404
        new NoData(key("fuel_mix", "2030-06-01T07:00:00Z", "2030-06-02T07:00:00Z"), 404, "text/html",
            "<html><body><h1>404 - File or directory not found.</h1></body></html>".getBytes(StandardCharsets.UTF_8))));
    return f;
  }

  @Override
  protected IntervalKey simulatedKey(String dataset) {
    return switch (dataset) {
      case "lmp_rt_5min" -> key(dataset, "2024-11-05T18:00:00Z", "2024-11-05T18:05:00Z");
      case "lmp_rt_15min" -> key(dataset, "2024-11-05T18:00:00Z", "2024-11-05T18:15:00Z");
      default -> key(dataset, "2024-11-05T08:00:00Z", "2024-11-06T08:00:00Z");
    };
  }
}
