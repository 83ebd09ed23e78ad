package io.carbon254.ingest.connectors.miso;

import static io.carbon254.ingest.connectors.miso.MisoTestSupport.day;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.exchange;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.key;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.publicApi;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.report;
import static io.carbon254.ingest.connectors.miso.MisoTestSupport.resource;

import io.carbon254.ingest.connectors.common.testing.ConnectorContract;
import io.carbon254.ingest.connectors.miso.sim.MisoSimulator;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.MarketConnector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MISO against the connector contract. MISO's clock keeps no DST, so the fixtures are the US DST
 * days (src/test/resources/miso): each EST day is 24 hours, 05:00Z..05:00Z, on 2024-03-10 and on
 * 2024-11-03 alike. The hourly fixtures are market reports as docs.misoenergy.org serves them; the
 * real-time ones a Public API answer for one day and a Data Exchange page for the other, so both
 * sources meet both days. "No data" is a 404 BlobNotFound (reports) or the Data Exchange's 404
 * "Date not found" for a past day (real-time: a past day goes to the Data Exchange).
 */
class MisoContractTest extends ConnectorContract {
  static final String SPRING = "2024-03-10";
  static final String FALL = "2024-11-03";

  @Override
  protected MarketConnector connector() {
    return new MisoConnector();
  }

  @Override
  protected Map<String, String> extraEnvironment() {
    return Map.of("MISO_API_KEY", MisoSimulator.DEFAULT_KEY, "INGEST_MISO_PUBLIC_API_REUSE", "0s");
  }

  private static Fixtures reports(String dataset, String file) {
    return new Fixtures(
        List.of(report(day(dataset, SPRING), "20240310_" + file + ".csv")),
        List.of(report(day(dataset, FALL), "20241103_" + file + ".csv")),
        new NoData(day(dataset, "2030-06-01"), 404, "application/xml", resource("blob_not_found.xml")));
  }

  private static NoData dateNotFound(IntervalKey key) {
    return new NoData(key, 404, "application/json", resource("exchange_date_not_found.json"));
  }

  @Override
  protected Map<String, Fixtures> fixtures() {
    Map<String, Fixtures> f = new LinkedHashMap<>();
    f.put("lmp_da_expost_hourly", reports("lmp_da_expost_hourly", "da_expost_lmp"));
    f.put("lmp_da_exante_hourly", reports("lmp_da_exante_hourly", "da_exante_lmp"));
    Fixtures rt = reports("lmp_rt_hourly", "rt_lmp_prelim");
    f.put("lmp_rt_hourly", new Fixtures(
        List.of(rt.springForward().get(0), report(day("lmp_rt_hourly", SPRING), "20240310_rt_lmp_final.csv")),
        List.of(report(day("lmp_rt_hourly", FALL), "20241103_rt_lmp_final.csv")), rt.noData()));
    f.put("lmp_rt_5min", new Fixtures(
        List.of(publicApi(key("lmp_rt_5min", "2024-03-10T06:00:00Z", "2024-03-10T08:00:00Z"),
            "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous", resource("rt5_public_previous_20240310.json"))),
        List.of(exchange(key("lmp_rt_5min", "2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z"),
            "/pricing/v1/real-time/2024-11-03/lmp-expost?timeResolution=5min&pageNumber=1", resource("rt5_exchange_20241103.json"))),
        dateNotFound(key("lmp_rt_5min", "2024-06-01T15:00:00Z", "2024-06-01T16:00:00Z"))));
    f.put("load_actual", new Fixtures(
        List.of(exchange(day("load_actual", SPRING), "/lgi/v1/real-time/2024-03-10/demand/actual?timeResolution=hourly&region=MISO&pageNumber=1",
            resource("load_exchange_20240310.json"))),
        List.of(publicApi(day("load_actual", FALL), "/api/RealTimeTotalLoad", resource("load_public_20241103.json"))),
        dateNotFound(day("load_actual", "2024-06-01"))));
    f.put("fuel_mix", new Fixtures(
        List.of(publicApi(day("fuel_mix", SPRING), "/api/FuelMix/Yesterday", resource("fuel_public_yesterday_20240310.json"))),
        List.of(exchange(day("fuel_mix", FALL), "/lgi/v1/real-time/2024-11-03/generation/fuel-type?region=MISO&pageNumber=1",
            resource("fuel_exchange_20241103.json"))),
        dateNotFound(day("fuel_mix", "2024-06-01"))));
    return f;
  }

  @Override
  protected IntervalKey simulatedKey(String dataset) {
    return switch (dataset) {
      // a past day: the real-time datasets take it from the Data Exchange (the Public API holds only today and yesterday)
      case "lmp_rt_5min" -> key(dataset, "2025-06-02T15:00:00Z", "2025-06-02T16:00:00Z");
      default -> day(dataset, "2025-06-02");
    };
  }
}
