package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.cells;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.lines;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.oasisPayload;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.LoadRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OasisLoadParserTest {
  static final String SLD = "SLD_FCST_20241103_0800Z-1100Z.csv";
  static final String ENTRY = "20241103_20241104_SLD_FCST_N_20241103_11_10_00_v1.csv";
  static final IntervalKey ACTUAL_KEY = key("load_actual", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");
  static final IntervalKey FORECAST_KEY = key("load_forecast", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");

  private static List<LoadRecord> actual(String csv) {
    return CaisoTestSupport.as(LoadRecord.class,
        new OasisLoadParser("load_actual", true).parse(oasisPayload(ACTUAL_KEY, ENTRY, csv)));
  }

  private static List<LoadRecord> forecast(String csv) {
    return CaisoTestSupport.as(LoadRecord.class,
        new OasisLoadParser("load_forecast", false).parse(oasisPayload(FORECAST_KEY, ENTRY, csv)));
  }

  /** market_run|area|start -> MW, for the fixture rows that one dataset keeps, read from the text. */
  private static Map<String, Double> expected(String csv, boolean actual) {
    List<String> ls = lines(csv);
    Map<String, Double> out = new HashMap<>();
    for (String line : ls.subList(1, ls.size())) {
      Map<String, String> c = cells(ls.get(0), line);
      String run = c.get("MARKET_RUN_ID");
      if (run.equals("ACTUAL") != actual) {
        continue;
      }
      String marketRun = run.equals("RTM") ? c.get("EXECUTION_TYPE") : run;
      Instant start = Instant.parse(c.get("INTERVALSTARTTIME_GMT").replace("-00:00", "Z"));
      out.put(marketRun + "|" + c.get("TAC_AREA_NAME") + "|" + start, Double.parseDouble(c.get("MW")));
    }
    return out;
  }

  private static Map<String, Double> got(List<LoadRecord> records) {
    Map<String, Double> out = new HashMap<>();
    for (LoadRecord r : records) {
      out.put(r.marketRun() + "|" + r.area() + "|" + r.intervalStart(), r.mw());
    }
    return out;
  }

  @Test
  void loadActualKeepsOnlyActualRows() {
    String csv = resource(SLD);
    List<LoadRecord> records = actual(csv);
    assertEquals(9, records.size());
    assertTrue(records.stream().allMatch(r -> r.marketRun().equals("ACTUAL") && r.dataset().equals("load_actual")));
    assertEquals(Set.of("CA ISO-TAC", "PGE-TAC", "SCE-TAC"), records.stream().map(LoadRecord::area).collect(Collectors.toSet()));
    // Hourly actuals across the repeated hour: 01:00 PDT (08:00Z), 01:00 PST (09:00Z), 02:00 PST (10:00Z).
    assertEquals(Set.of(Instant.parse("2024-11-03T08:00:00Z"), Instant.parse("2024-11-03T09:00:00Z"), Instant.parse("2024-11-03T10:00:00Z")),
        records.stream().map(LoadRecord::intervalStart).collect(Collectors.toSet()));
    assertTrue(records.stream().allMatch(r -> Duration.between(r.intervalStart(), r.intervalEnd()).equals(Duration.ofHours(1))));
    assertTrue(records.stream().allMatch(r -> r.unit().equals("MW")));
    assertEquals(expected(csv, true), got(records));
  }

  @Test
  void loadForecastKeepsTheOtherRunsWithExecutionTypeForRealTime() {
    String csv = resource(SLD);
    List<LoadRecord> records = forecast(csv);
    assertEquals(53, records.size());
    Map<String, Long> perRun = records.stream().collect(Collectors.groupingBy(LoadRecord::marketRun, TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("DAM", 9L, "2DA", 6L, "7DA", 6L, "RTD", 24L, "RTPD", 8L), perRun);
    Map<String, Set<Duration>> steps = records.stream().collect(Collectors.groupingBy(LoadRecord::marketRun,
        Collectors.mapping(r -> Duration.between(r.intervalStart(), r.intervalEnd()), Collectors.toSet())));
    assertEquals(Set.of(Duration.ofMinutes(5)), steps.get("RTD"));
    assertEquals(Set.of(Duration.ofMinutes(15)), steps.get("RTPD"));
    assertEquals(Set.of(Duration.ofHours(1)), steps.get("DAM"));
    assertTrue(records.stream().allMatch(r -> r.dataset().equals("load_forecast")));
    assertEquals(expected(csv, false), got(records));
    assertEquals(records.size(), records.stream().map(LoadRecord::naturalKey).distinct().count());
  }

  @Test
  void withoutExecutionTypeTheMarketRunIdIsTheRun() {
    String csv = resource(SLD);
    List<String> ls = lines(csv);
    int exec = java.util.Arrays.asList(ls.get(0).split(",")).indexOf("EXECUTION_TYPE");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ls.size(); i++) {
      List<String> c = new java.util.ArrayList<>(java.util.Arrays.asList(ls.get(i).split(",", -1)));
      if (i > 0 && c.get(java.util.Arrays.asList(ls.get(0).split(",")).indexOf("MARKET_RUN_ID")).equals("RTM")) {
        continue; // without EXECUTION_TYPE the RTD and RTPD rows would collide
      }
      c.remove(exec);
      sb.append(String.join(",", c)).append('\n');
    }
    assertTrue(!sb.toString().contains("EXECUTION_TYPE"));
    Map<String, Long> perRun = forecast(sb.toString()).stream()
        .collect(Collectors.groupingBy(LoadRecord::marketRun, Collectors.counting()));
    assertEquals(Map.of("DAM", 9L, "2DA", 6L, "7DA", 6L), perRun);
  }

  @Test
  void aRepeatedAreaRunAndIntervalIsRejected() {
    String csv = resource(SLD);
    List<String> ls = lines(csv);
    String dup = csv + ls.get(5) + "\n";
    RawPayload p = oasisPayload(FORECAST_KEY, ENTRY, dup);
    boolean isActual = cells(ls.get(0), ls.get(5)).get("MARKET_RUN_ID").equals("ACTUAL");
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> new OasisLoadParser(isActual ? "load_actual" : "load_forecast", isActual).parse(p));
    assertTrue(e.getMessage().contains("line " + (ls.size() + 1)) && e.getMessage().contains("appears twice")
        && e.getMessage().contains("first on line 6"), e.getMessage());
  }

  @Test
  void anUnparsableMwIsRejectedNamingLineAndField() {
    String csv = resource(SLD);
    List<String> ls = lines(csv);
    int line = 0;
    for (int i = 1; i < ls.size() && line == 0; i++) {
      if (cells(ls.get(0), ls.get(i)).get("MARKET_RUN_ID").equals("ACTUAL")) {
        line = i + 1;
      }
    }
    String bad = OasisPriceParserTest.withCell(csv, line, "MW", "n/a");
    RawPayload p = oasisPayload(ACTUAL_KEY, ENTRY, bad);
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> new OasisLoadParser("load_actual", true).parse(p));
    assertTrue(e.getMessage().contains(p.payloadId()) && e.getMessage().contains("line " + line + ", field MW: 'n/a'"), e.getMessage());
  }

  @Test
  void aMissingTacAreaColumnIsRejected() {
    String csv = resource(SLD).replaceFirst("TAC_AREA_NAME", "AREA");
    RawPayload p = oasisPayload(ACTUAL_KEY, ENTRY, csv);
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class, () -> new OasisLoadParser("load_actual", true).parse(p));
    assertTrue(e.getMessage().contains("no column TAC_AREA_NAME"), e.getMessage());
  }
}
