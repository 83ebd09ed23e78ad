package io.carbon254.ingest.connectors.pjm;

import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.key;
import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.payload;
import static io.carbon254.ingest.connectors.pjm.PjmTestSupport.resource;

import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.MarketConnector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PJM against the connector contract. The DST fixtures (src/test/resources/pjm) are authored Data
 * Miner 2 pages: the hourly feeds cover the whole Eastern day (2024-03-10, 23 hours, 05:00Z..04:00Z;
 * 2024-11-03, 25 hours, 04:00Z..05:00Z), the five-minute feed the two UTC hours around the change.
 * "No data" is Data Miner's answer for a range it holds nothing for: 200 with an empty page.
 */
class PjmContractTest extends ConnectorContract {
  static final String SPRING_START = "2024-03-10T05:00:00Z";
  static final String SPRING_END = "2024-03-11T04:00:00Z";
  static final String FALL_START = "2024-11-03T04:00:00Z";
  static final String FALL_END = "2024-11-04T05:00:00Z";

  @Override
  protected MarketConnector connector() {
    return new PjmConnector();
  }

  @Override
  protected Map<String, String> extraEnvironment() {
    return Map.of("PJM_API_KEY", PjmTestSupport.KEY);
  }

  private static Fixtures day(String dataset, String feed) {
    return new Fixtures(
        List.of(payload(key(dataset, SPRING_START, SPRING_END), feed, feed + "_20240310.json")),
        List.of(payload(key(dataset, FALL_START, FALL_END), feed, feed + "_20241103.json")),
        new NoData(key(dataset, "2030-06-01T04:00:00Z", "2030-06-02T04:00:00Z"), 200, PjmTestSupport.JSON, resource("no_data.json")));
  }

  @Override
  protected Map<String, Fixtures> fixtures() {
    Map<String, Fixtures> f = new LinkedHashMap<>();
    f.put("lmp_da_hourly", day("lmp_da_hourly", "da_hrl_lmps"));
    f.put("lmp_rt_hourly", day("lmp_rt_hourly", "rt_hrl_lmps"));
    f.put("lmp_rt_5min", new Fixtures(
        List.of(payload(key("lmp_rt_5min", "2024-03-10T06:00:00Z", "2024-03-10T08:00:00Z"), "rt_fivemin_hrl_lmps",
            "rt_fivemin_hrl_lmps_20240310_0600Z-0800Z.json")),
        List.of(payload(key("lmp_rt_5min", "2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z"), "rt_fivemin_hrl_lmps",
            "rt_fivemin_hrl_lmps_20241103_0500Z-0700Z.json")),
        // neither the verified nor the unverified feed has the hour: both answer an empty page
        new NoData(key("lmp_rt_5min", "2030-06-01T04:00:00Z", "2030-06-01T05:00:00Z"), 200, PjmTestSupport.JSON, resource("no_data.json"))));
    f.put("load_actual", day("load_actual", "hrl_load_metered"));
    f.put("load_forecast", day("load_forecast", "load_frcstd_7_day"));
    f.put("fuel_mix", day("fuel_mix", "gen_by_fuel"));
    return f;
  }

  @Override
  protected IntervalKey simulatedKey(String dataset) {
    return dataset.equals("lmp_rt_5min") ? key(dataset, "2024-11-05T18:00:00Z", "2024-11-05T19:00:00Z")
        : key(dataset, "2024-11-05T05:00:00Z", "2024-11-06T05:00:00Z");
  }
}
