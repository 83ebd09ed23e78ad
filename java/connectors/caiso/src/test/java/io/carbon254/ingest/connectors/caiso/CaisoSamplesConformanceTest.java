package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.LoadRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recorded OASIS responses (kept outside the repository, next to it under shared/iso-samples/caiso/):
 * the parsers must accept the real bytes. Skipped where the recordings are not present.
 */
class CaisoSamplesConformanceTest {
  static final String SLD_ZIP = "oasis_SLD_FCST_2DA_20230812-20230813_resultformat6.zip";
  static final String ERROR_ZIP = "oasis_error_1000_no_data_SLD_FCST_20231212.zip";
  static final IntervalKey ACTUAL_KEY = key("load_actual", "2023-08-12T07:00:00Z", "2023-08-14T07:00:00Z");
  static final IntervalKey FORECAST_KEY = key("load_forecast", "2023-08-12T07:00:00Z", "2023-08-14T07:00:00Z");

  private static Path samples;

  @BeforeAll
  static void findSamples() {
    samples = CaisoTestSupport.repoRoot().resolve("../shared/iso-samples/caiso").normalize();
    Assumptions.assumeTrue(Files.isDirectory(samples), "recorded CAISO samples not present at " + samples);
  }

  private static byte[] sample(String name) throws Exception {
    Path p = samples.resolve(name);
    Assumptions.assumeTrue(Files.isRegularFile(p), "missing sample " + name);
    return Files.readAllBytes(p);
  }

  /** The CSV inside the recorded zip, counted independently of the parser: MARKET_RUN_ID/EXECUTION_TYPE -> rows. */
  private static Map<String, Integer> countRows(byte[] zip) throws Exception {
    List<SafeZip.Entry> entries = SafeZip.read(zip, SafeZip.Limits.defaults());
    assertEquals(1, entries.size());
    assertEquals("20230812_20230813_SLD_FCST_N_20231115_21_27_45_v1.csv", entries.get(0).name());
    String[] lines = new String(entries.get(0).data(), StandardCharsets.UTF_8).split("\r?\n");
    List<String> header = List.of(lines[0].split(","));
    assertEquals(List.of("INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "LOAD_TYPE", "OPR_DT", "OPR_HR", "OPR_INTERVAL",
        "MARKET_RUN_ID", "TAC_AREA_NAME", "LABEL", "XML_DATA_ITEM", "POS", "MW", "EXECUTION_TYPE", "GROUP"), header);
    int run = header.indexOf("MARKET_RUN_ID");
    int exec = header.indexOf("EXECUTION_TYPE");
    Map<String, Integer> out = new TreeMap<>();
    int rows = 0;
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] c = lines[i].split(",", -1);
      assertEquals(header.size(), c.length, "line " + (i + 1));
      out.merge(c[run] + "/" + c[exec], 1, Integer::sum);
      rows++;
    }
    assertEquals(16_728, rows, "rows in the recorded CSV");
    return out;
  }

  @Test
  void recordedSldFcstZipParsesIntoActualAndForecastRows() throws Exception {
    byte[] zip = sample(SLD_ZIP);
    Map<String, Integer> counted = countRows(zip);
    assertEquals(Map.of("2DA/2DA", 816, "7DA/7DA", 816, "ACTUAL/ACTUAL", 840, "DAM/DAM", 816, "RTM/RTD", 10_080, "RTM/RTPD", 3_360), counted);

    RawPayload actualPayload = RawPayload.of(ACTUAL_KEY, 0, "http://oasis.caiso.com/oasisapi/SingleZip", CaisoTestSupport.ZIP_TYPE,
        200, zip, CaisoTestSupport.FETCHED_AT);
    List<LoadRecord> actual = CaisoTestSupport.as(LoadRecord.class, new OasisLoadParser("load_actual", true).parse(actualPayload));
    assertEquals(840, actual.size());
    assertEquals(840, actual.stream().map(LoadRecord::naturalKey).distinct().count(), "natural keys unique");
    assertTrue(actual.stream().allMatch(r -> r.marketRun().equals("ACTUAL")
        && Duration.between(r.intervalStart(), r.intervalEnd()).equals(Duration.ofHours(1))));

    RawPayload forecastPayload = RawPayload.of(FORECAST_KEY, 0, "http://oasis.caiso.com/oasisapi/SingleZip", CaisoTestSupport.ZIP_TYPE,
        200, zip, CaisoTestSupport.FETCHED_AT);
    List<LoadRecord> forecast = CaisoTestSupport.as(LoadRecord.class, new OasisLoadParser("load_forecast", false).parse(forecastPayload));
    assertEquals(15_888, forecast.size());
    assertEquals(16_728, actual.size() + forecast.size(), "every row of the CSV lands in exactly one dataset");
    assertEquals(15_888, forecast.stream().map(LoadRecord::naturalKey).distinct().count(), "natural keys unique");
    Map<String, Long> perRun = forecast.stream().collect(Collectors.groupingBy(LoadRecord::marketRun, TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("2DA", 816L, "7DA", 816L, "DAM", 816L, "RTD", 10_080L, "RTPD", 3_360L), perRun);
    Map<String, Duration> steps = new HashMap<>();
    forecast.forEach(r -> steps.merge(r.marketRun(), Duration.between(r.intervalStart(), r.intervalEnd()),
        (a, b) -> a.equals(b) ? a : Duration.ZERO));
    assertEquals(Map.of("2DA", Duration.ofHours(1), "7DA", Duration.ofHours(1), "DAM", Duration.ofHours(1),
        "RTD", Duration.ofMinutes(5), "RTPD", Duration.ofMinutes(15)), steps);
    // The first data row of the recording: AVA 2DA 2023-08-13T01:00Z = 1501.95 MW.
    LoadRecord ava = forecast.stream().filter(r -> r.area().equals("AVA") && r.marketRun().equals("2DA")
        && r.intervalStart().equals(Instant.parse("2023-08-13T01:00:00Z"))).findFirst().orElseThrow();
    assertEquals(1501.95, ava.mw());
  }

  @Test
  void recordedErrorZipIsNotPublished() throws Exception {
    byte[] zip = sample(ERROR_ZIP);
    OasisErrors.OasisError err = OasisErrors.find(SafeZip.read(zip, SafeZip.Limits.defaults())).orElseThrow();
    assertEquals("1000", err.code());
    assertEquals("No data returned for the specified selection", err.description());
    assertEquals("20231212_20231213_SLD_FCST_N_20231116_10_39_53_v1.xml", err.entryName());

    HttpResult r = new HttpResult("http://oasis.caiso.com/oasisapi/SingleZip?queryname=SLD_FCST", 200,
        CaisoTestSupport.ZIP_TYPE, zip, Instant.parse("2023-11-16T18:39:54Z"), 1);
    NotPublishedException e = assertThrows(NotPublishedException.class,
        () -> new OasisResponseCheck("caiso/load_actual 2023-12-12", Duration.ofSeconds(5)).check(r));
    assertTrue(e.getMessage().contains("ERR_CODE 1000"), e.getMessage());

    RawPayload p = RawPayload.of(ACTUAL_KEY, 0, r.url(), r.contentType(), 200, zip, CaisoTestSupport.FETCHED_AT);
    PayloadRejectedException rejected = assertThrows(PayloadRejectedException.class, () -> new OasisLoadParser("load_actual", true).parse(p));
    assertTrue(rejected.getMessage().contains("OASIS error 1000"), rejected.getMessage());
  }
}
