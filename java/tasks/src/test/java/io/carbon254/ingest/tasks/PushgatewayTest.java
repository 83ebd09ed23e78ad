package io.carbon254.ingest.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.sink.QualityResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The push's text handling: a run's families split by stage, merged onto the group's earlier runs. */
class PushgatewayTest {

  private static RunMetrics oneRun(String outcome, int exit) {
    RunMetrics m = new RunMetrics("caiso", "lmp_rt_5min");
    m.stage("fetch");
    m.httpAttempt("oasis.caiso.com", "503");
    m.httpRetry("oasis.caiso.com");
    m.httpAttempt("oasis.caiso.com", "200");
    m.stageEnded("fetch", outcome, exit, Duration.ofMillis(700), 0, 1);
    m.fetched(1, 12_345);
    m.stage("load");
    m.qualityChecked(List.of(new QualityResult("completeness", "warn", false, 0.75, 1.0, "", "r", Instant.EPOCH)));
    m.loaded(Instant.parse("2024-11-03T08:05:00Z"), List.of(Duration.ofSeconds(3)));
    m.stageEnded("load", "ok", 0, Duration.ofMillis(40), 10, 10);
    return m;
  }

  @Test
  void aRunSplitsIntoOneGroupPerStageWithoutTheGroupLabels() {
    var groups = Pushgateway.splitByStage(Pushgateway.parse(oneRun("ok", 0).runScrape(), null));
    assertEquals(List.of("fetch", "load"), List.copyOf(groups.keySet()));
    var fetch = groups.get("fetch");
    var runs = fetch.get("ingest_stage_runs");
    String key = runs == null ? "ingest_stage_runs_total" : "ingest_stage_runs";
    var family = fetch.get(key);
    assertEquals("counter", family.type);
    assertFalse(family.help.isEmpty(), "HELP text");
    assertEquals(1.0, family.samples.get("ingest_stage_runs_total{exit_code=\"0\",outcome=\"ok\"}"));
    // every outcome starts at 0, so the error ratio exists before the first failure
    assertEquals(0.0, family.samples.get("ingest_stage_runs_total{exit_code=\"3\",outcome=\"upstream_unavailable\"}"));
    assertEquals(RunMetrics.OUTCOMES.size(), family.samples.size());
    for (String s : family.samples.keySet()) {
      assertFalse(s.contains("market=") || s.contains("stage=") || s.contains("dataset="), s);
    }
    String http = familyWith(fetch, "ingest_http_requests_total");
    assertEquals(1.0, fetch.get(http).samples.get("ingest_http_requests_total{host=\"oasis.caiso.com\",status=\"503\"}"));
    assertTrue(groups.get("load").values().stream().anyMatch(f -> f.name.startsWith("ingest_bronze_to_silver_latency")));
    assertTrue(groups.get("load").values().stream().noneMatch(f -> f.name.startsWith("ingest_http")), "HTTP belongs to fetch");
  }

  @Test
  void countersAndHistogramsAddGaugesTakeTheNewValueAndUntouchedSeriesStay() {
    var first = Pushgateway.splitByStage(Pushgateway.parse(oneRun("ok", 0).runScrape(), null)).get("fetch");
    var second = Pushgateway.splitByStage(Pushgateway.parse(oneRun("upstream_unavailable", 3).runScrape(), null)).get("fetch");
    // what the Pushgateway serves back for the group after the first push
    String served = withGroupLabels(Pushgateway.render(first))
        + "push_time_seconds{job=\"ingest\",market=\"caiso\",dataset=\"lmp_rt_5min\",stage=\"fetch\",instance=\"\"} 1.7e9\n"
        + "ingest_stage_runs_total{job=\"ingest\",market=\"caiso\",dataset=\"lmp_da_hourly\",stage=\"fetch\",exit_code=\"0\",outcome=\"ok\"} 7\n";
    var old = Pushgateway.parse(served, Map.of("job", "ingest", "market", "caiso", "dataset", "lmp_rt_5min", "stage", "fetch"));
    var merged = Pushgateway.merge(old, second);
    var runs = merged.get(familyWith(merged, "ingest_stage_runs_total")).samples;
    assertEquals(1.0, runs.get("ingest_stage_runs_total{exit_code=\"0\",outcome=\"ok\"}"), "another dataset's group is not read");
    assertEquals(1.0, runs.get("ingest_stage_runs_total{exit_code=\"3\",outcome=\"upstream_unavailable\"}"));
    var http = merged.get(familyWith(merged, "ingest_http_requests_total")).samples;
    assertEquals(2.0, http.get("ingest_http_requests_total{host=\"oasis.caiso.com\",status=\"503\"}"));
    String durations = familyWith(merged, "ingest_stage_duration_seconds_count");
    assertEquals("histogram", merged.get(durations).type);
    assertEquals(1.0, merged.get(durations).samples.get("ingest_stage_duration_seconds_count{outcome=\"ok\"}"),
        "the first run's ok duration stays");
    assertEquals(1.0, merged.get(durations).samples.get("ingest_stage_duration_seconds_count{outcome=\"upstream_unavailable\"}"));
    assertFalse(merged.containsKey("push_time_seconds"));
    String text = Pushgateway.render(merged);
    assertTrue(text.contains("# TYPE ingest_stage_duration_seconds histogram"), text);
    assertTrue(text.contains("ingest_stage_duration_seconds_bucket{le=\"+Inf\",outcome=\"ok\"} 1"), text);
    // a success only in the first run: its timestamp stays; the second run's last-run timestamp replaces the first's
    assertTrue(merged.containsKey(familyWith(merged, "ingest_last_success_timestamp_seconds")));
  }

  @Test
  void theNewestSilverIntervalEndKeepsTheLarger() {
    var load = Pushgateway.splitByStage(Pushgateway.parse(oneRun("ok", 0).runScrape(), null)).get("load");
    String name = familyWith(load, "ingest_silver_newest_interval_end_timestamp_seconds");
    var old = Map.of(name, load.get(name));
    RunMetrics earlier = new RunMetrics("caiso", "lmp_rt_5min");
    earlier.stage("load");
    earlier.loaded(Instant.parse("2024-11-02T08:05:00Z"), List.of()); // a backfill of an older day
    var replay = Pushgateway.splitByStage(Pushgateway.parse(earlier.runScrape(), null)).get("load");
    var merged = Pushgateway.merge(new java.util.LinkedHashMap<>(old), replay);
    assertEquals((double) Instant.parse("2024-11-03T08:05:00Z").getEpochSecond(),
        merged.get(name).samples.get("ingest_silver_newest_interval_end_timestamp_seconds"));
  }

  @Test
  void labelValuesWithQuotesAndBackslashesRoundTrip() {
    var s = Pushgateway.Sample.parseLine("m{a=\"x\\\"y\",b=\"c\\\\d\"} 2.5 1700000000000");
    assertEquals("x\"y", s.labels().get("a"));
    assertEquals("c\\d", s.labels().get("b"));
    assertEquals(2.5, s.value());
    assertEquals(s, Pushgateway.Sample.parseLine(s.key() + " 2.5"));
    assertEquals("/metrics/job/ingest/market/caiso/dataset/lmp_rt_5min/stage/fetch", Pushgateway.groupPath("caiso", "lmp_rt_5min", "fetch"));
  }

  /** A rendered group as the Pushgateway serves it: every sample with the grouping labels. */
  private static String withGroupLabels(String text) {
    String group = "job=\"ingest\",market=\"caiso\",dataset=\"lmp_rt_5min\",stage=\"fetch\",instance=\"\"";
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        sb.append(line);
      } else if (line.contains("{")) {
        sb.append(line.replaceFirst("\\{", "{" + group + ","));
      } else {
        int sp = line.indexOf(' ');
        sb.append(line, 0, sp).append('{').append(group).append('}').append(line.substring(sp));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String familyWith(Map<String, Pushgateway.Family> families, String sample) {
    return families.values().stream().filter(f -> f.samples.keySet().stream().anyMatch(k -> k.equals(sample) || k.startsWith(sample + "{")))
        .map(f -> f.name).findFirst().orElseThrow(() -> new AssertionError("no family with " + sample + " in " + families.keySet()));
  }
}
