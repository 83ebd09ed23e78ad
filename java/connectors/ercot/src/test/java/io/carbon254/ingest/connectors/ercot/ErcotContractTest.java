package io.carbon254.ingest.connectors.ercot;

import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.dashboard;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.key;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.listed;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.mis;
import static io.carbon254.ingest.connectors.ercot.ErcotTestSupport.resource;

import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.MarketConnector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ERCOT against the connector contract. The DST fixtures (src/test/resources/ercot) are authored
 * report documents as the MIS serves them (a zip holding one CRLF CSV): the daily reports cover the
 * whole Central day (2024-03-10, 23 hours, 06:00Z..05:00Z; 2024-11-03, 25 hours, 05:00Z..06:00Z), the
 * 15-minute and SCED files the hours around the change, one file per interval or run. "No data" is an
 * MIS document list without documents (the dashboard: no snapshot), for a window in 2030.
 */
class ErcotContractTest extends ConnectorContract {
  static final String SPRING_START = "2024-03-10T06:00:00Z";
  static final String SPRING_END = "2024-03-11T05:00:00Z";
  static final String FALL_START = "2024-11-03T05:00:00Z";
  static final String FALL_END = "2024-11-04T06:00:00Z";

  @Override
  protected MarketConnector connector() {
    return new ErcotConnector();
  }

  @Override
  protected Map<String, String> extraEnvironment() {
    return Map.of("ERCOT_API_KEY", ErcotTestSupport.KEY, "ERCOT_USERNAME", ErcotTestSupport.USER, "ERCOT_PASSWORD", ErcotTestSupport.PASSWORD);
  }

  private static NoData noDocuments(String dataset, String start, String end) {
    return new NoData(key(dataset, start, end), 200, "application/json", resource("mis_no_documents.json"));
  }

  private static Fixtures day(String dataset, String fixture, long docId) {
    return new Fixtures(
        List.of(mis(key(dataset, SPRING_START, SPRING_END), docId, fixture + "_20240310.zip")),
        List.of(mis(key(dataset, FALL_START, FALL_END), docId + 1, fixture + "_20241103.zip")),
        noDocuments(dataset, "2030-06-01T05:00:00Z", "2030-06-02T05:00:00Z"));
  }

  @Override
  protected Map<String, Fixtures> fixtures() {
    Map<String, Fixtures> f = new LinkedHashMap<>();
    f.put("spp_da_hourly", day("spp_da_hourly", "dam", 1100000001));
    f.put("spp_rt_15min", new Fixtures(
        listed(key("spp_rt_15min", "2024-03-10T07:00:00Z", "2024-03-10T09:00:00Z"), "spp_rt_20240310.list"),
        listed(key("spp_rt_15min", "2024-11-03T05:00:00Z", "2024-11-03T09:00:00Z"), "spp_rt_20241103.list"),
        noDocuments("spp_rt_15min", "2030-06-01T05:00:00Z", "2030-06-01T06:00:00Z")));
    f.put("lmp_rt_sced", new Fixtures(
        listed(key("lmp_rt_sced", "2024-03-10T07:00:00Z", "2024-03-10T09:00:00Z"), "sced_20240310.list"),
        listed(key("lmp_rt_sced", "2024-11-03T06:00:00Z", "2024-11-03T08:00:00Z"), "sced_20241103.list"),
        noDocuments("lmp_rt_sced", "2030-06-01T05:00:00Z", "2030-06-01T06:00:00Z")));
    f.put("load_actual", day("load_actual", "load_actual", 1400000001));
    f.put("load_forecast", day("load_forecast", "load_forecast", 1500000001));
    f.put("fuel_mix", new Fixtures(
        List.of(dashboard(key("fuel_mix", SPRING_START, SPRING_END), "fuel_mix_20240310.json")),
        List.of(dashboard(key("fuel_mix", FALL_START, FALL_END), "fuel_mix_20241103.json")),
        new NoData(key("fuel_mix", "2030-06-01T05:00:00Z", "2030-06-02T05:00:00Z"), 200, "application/json", resource("fuel_mix_empty.json"))));
    return f;
  }

  @Override
  protected IntervalKey simulatedKey(String dataset) {
    return switch (dataset) {
      case "spp_rt_15min", "lmp_rt_sced" -> key(dataset, "2029-12-30T18:00:00Z", "2029-12-30T19:00:00Z");
      case "fuel_mix" -> key(dataset, "2029-12-30T06:00:00Z", "2029-12-31T06:00:00Z");
      default -> key(dataset, "2029-12-28T06:00:00Z", "2029-12-29T06:00:00Z");
    };
  }
}
