package io.carbon254.ingest.core.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.pipeline.QualityGate;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.sink.QualityResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The market rules files and the checks they configure, on rows that pass and fail each (DST days included). */
class QualityRulesTest {
  static final Path CONNECTORS = Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../..")).resolve("connectors");
  static final ZoneId LA = ZoneId.of("America/Los_Angeles");

  static IngestConfig config(Path dir) {
    return IngestConfig.of(Map.of("INGEST_CONNECTORS_DIR", dir.toString()));
  }

  static QualityRules rules(String market) {
    IngestConfig c = config(CONNECTORS);
    return QualityRules.load(c, ConnectorSpec.load(c, market));
  }

  static PriceRecord price(String dataset, String node, Instant start, Duration len, double price) {
    return new PriceRecord("caiso", dataset, "RTM", "LMP", node, null, "node", start, start.plus(len), price, price, 0.0, 0.0,
        null, "USD", "MWh", new Provenance(1, null, start, "p"), null);
  }

  /** Hourly rows of one node over the local day {@code day} of {@code zone}, with {@code drop} of its hours left out. */
  static List<CanonicalRecord> hourlyDay(LocalDate day, ZoneId zone, String node, int drop) {
    List<CanonicalRecord> rows = new ArrayList<>();
    Instant t = day.atStartOfDay(zone).toInstant();
    Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
    int i = 0;
    for (; t.isBefore(end); t = t.plusSeconds(3600), i++) {
      if (i != drop) {
        rows.add(price("lmp_da_hourly", node, t, Duration.ofHours(1), 40));
      }
    }
    return rows;
  }

  static Map<String, QualityResult> gate(QualityRules rules, String dataset, IntervalKey key, ZoneId zone, List<CanonicalRecord> rows,
      Instant now, OptionalLong previous) {
    LocalDate day = LocalDate.ofInstant(key.window().start(), zone);
    QualityGate.Checks c = QualityGate.start(key, rules.inEffect(dataset, day),
        new QualityGate.Context(zone, Duration.ZERO, Duration.ofHours(26), () -> previous));
    rows.forEach(c::add);
    return c.results("r", now).stream().collect(Collectors.toMap(QualityResult::check, Function.identity()));
  }

  static IntervalKey dayKey(String market, String dataset, LocalDate day, ZoneId zone) {
    return new IntervalKey(market, dataset, new IntervalWindow(day.atStartOfDay(zone).toInstant(), day.plusDays(1).atStartOfDay(zone).toInstant()));
  }

  @Test
  void everyMarketsRulesFileLoadsAndNamesOnlyKnownChecks() {
    for (String m : List.of("caiso", "pjm", "ercot", "miso")) {
      QualityRules r = rules(m);
      assertTrue(r.source().endsWith(m + "/quality.yaml"), r.source());
      IngestConfig c = config(CONNECTORS);
      for (String d : ConnectorSpec.load(c, m).datasetIds()) {
        assertFalse(r.rules(d).isEmpty(), m + "/" + d);
        r.rules(d).forEach(rule -> assertTrue(QualityRules.checks().containsKey(rule.name()), rule.name()));
      }
    }
  }

  @Test
  void completenessCountsTheLocalMarketDayOnDstDays() {
    QualityRules r = rules("caiso");
    Instant now = Instant.parse("2025-01-01T00:00:00Z");
    // fall back: 25 hours; spring forward: 23
    for (LocalDate day : List.of(LocalDate.of(2024, 11, 3), LocalDate.of(2024, 3, 10), LocalDate.of(2024, 7, 1))) {
      IntervalKey key = dayKey("caiso", "lmp_da_hourly", day, LA);
      long hours = key.window().length().toHours();
      List<CanonicalRecord> whole = new ArrayList<>(hourlyDay(day, LA, "N1", -1));
      whole.addAll(hourlyDay(day, LA, "N2", -1));
      assertTrue(gate(r, "lmp_da_hourly", key, LA, whole, now, OptionalLong.empty()).get("completeness").passed(), day + ": whole day");
      List<CanonicalRecord> missing = new ArrayList<>(hourlyDay(day, LA, "N1", -1));
      missing.addAll(hourlyDay(day, LA, "N2", 1)); // the repeated 01:00 on the fall-back day
      QualityResult c = gate(r, "lmp_da_hourly", key, LA, missing, now, OptionalLong.empty()).get("completeness");
      assertFalse(c.passed(), day + ": an hour missing");
      assertEquals("error", c.severity());
      assertEquals(List.of("caiso|lmp_da_hourly|RTM|LMP|N2: " + (hours - 1) + " of " + hours + " intervals on " + day), c.involved());
    }
    assertEquals(25, dayKey("caiso", "lmp_da_hourly", LocalDate.of(2024, 11, 3), LA).window().length().toHours());
  }

  @Test
  void misoDaysAreAlways24Hours() {
    ZoneId est = ZoneId.of("Etc/GMT+5");
    IntervalKey key = dayKey("miso", "lmp_da_expost_hourly", LocalDate.of(2024, 11, 3), est);
    assertEquals(24, key.window().length().toHours());
    List<CanonicalRecord> rows = hourlyDay(LocalDate.of(2024, 11, 3), est, "N1", -1).stream()
        .map(x -> (CanonicalRecord) price("lmp_da_expost_hourly", "N1", x.intervalStart(), Duration.ofHours(1), 30)).toList();
    Map<String, QualityResult> g = gate(rules("miso"), "lmp_da_expost_hourly", key, est, rows, Instant.parse("2025-01-01T00:00:00Z"),
        OptionalLong.empty());
    assertTrue(g.get("completeness").passed(), g.get("completeness").toString());
  }

  @Test
  void aCaisoPriceOf3000IsFlaggedAsAWarningAgainstBothCaps() {
    Instant t0 = Instant.parse("2024-11-03T08:00:00Z");
    IntervalKey key = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(t0, t0.plusSeconds(300)));
    List<CanonicalRecord> rows = List.of(price("lmp_rt_5min", "N1", t0, Duration.ofMinutes(5), 3000),
        price("lmp_rt_5min", "N2", t0, Duration.ofMinutes(5), 1500), price("lmp_rt_5min", "N3", t0, Duration.ofMinutes(5), 40));
    QualityResult b = gate(rules("caiso"), "lmp_rt_5min", key, LA, rows, t0.plusSeconds(600), OptionalLong.empty()).get("price_bounds");
    assertFalse(b.passed());
    assertEquals("warn", b.severity());
    assertEquals(2, b.observed(), "two rows above the soft cap");
    assertEquals(1000, b.expected());
    assertTrue(b.details().startsWith("2 above soft_offer_cap, 1 above hard_offer_cap"), b.details());
    assertEquals("soft_offer_cap 1000, hard_offer_cap 2000, floor -150", b.threshold());
    assertTrue(b.involved().getFirst().contains("N1") && b.involved().getFirst().contains("3000"), b.involved().toString());
    Map<String, QualityResult> g = gate(rules("caiso"), "lmp_rt_5min", key, LA, rows, t0.plusSeconds(600), OptionalLong.empty());
    assertTrue(g.values().stream().filter(q -> q.severity().equals("error")).allMatch(QualityResult::passed), "no error: loaded");
  }

  @Test
  void ercotsOfferCapIsTheOneInEffectOnTheIntervalsDay() {
    QualityRules r = rules("ercot");
    assertEquals(Map.of("hcap", 9000.0), r.inEffect("spp_da_hourly", LocalDate.of(2021, 12, 31)).get("price_bounds").caps());
    assertEquals(Map.of("hcap", 5000.0), r.inEffect("spp_da_hourly", LocalDate.of(2022, 1, 1)).get("price_bounds").caps());
    QualityRules miso = rules("miso");
    assertEquals(3500.0, miso.inEffect("lmp_rt_5min", LocalDate.of(2025, 9, 29)).get("price_bounds").caps().get("voll"));
    assertEquals(10000.0, miso.inEffect("lmp_rt_5min", LocalDate.of(2025, 9, 30)).get("price_bounds").caps().get("voll"));
  }

  @Test
  void allZeroIntervalsAndAShrunkLocationSetAreCaught() {
    Instant t0 = Instant.parse("2024-11-03T08:00:00Z");
    IntervalKey key = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(t0, t0.plusSeconds(300)));
    List<CanonicalRecord> zeros = List.of(price("lmp_rt_5min", "N1", t0, Duration.ofMinutes(5), 0),
        price("lmp_rt_5min", "N2", t0, Duration.ofMinutes(5), 0));
    Map<String, QualityResult> g = gate(rules("caiso"), "lmp_rt_5min", key, LA, zeros, t0.plusSeconds(600), OptionalLong.of(10));
    assertFalse(g.get("all_null_or_zero").passed());
    assertEquals("error", g.get("all_null_or_zero").severity());
    assertFalse(g.get("location_set_shrink").passed(), "2 locations against 10");
    assertEquals(0.8, g.get("location_set_shrink").observed(), 1e-9);
    assertEquals(8, g.get("location_set_shrink").involvedCount());
    List<CanonicalRecord> some = List.of(price("lmp_rt_5min", "N1", t0, Duration.ofMinutes(5), 0),
        price("lmp_rt_5min", "N2", t0, Duration.ofMinutes(5), 31));
    Map<String, QualityResult> ok = gate(rules("caiso"), "lmp_rt_5min", key, LA, some, t0.plusSeconds(600), OptionalLong.of(2));
    assertTrue(ok.get("all_null_or_zero").passed());
    assertTrue(ok.get("location_set_shrink").passed());
  }

  @Test
  void freshnessComparesTheNewestIntervalWithWhatTheLagPromises() {
    LocalDate day = LocalDate.of(2024, 11, 3);
    IntervalKey key = dayKey("caiso", "lmp_da_hourly", day, LA);
    List<CanonicalRecord> first12 = hourlyDay(day, LA, "N1", -1).subList(0, 12);
    // long after the day, so the whole day was due: its last 13 hours are missing, within the 26h freshness
    Instant late = key.window().end().plus(Duration.ofDays(3));
    QualityResult f = gate(rules("caiso"), "lmp_da_hourly", key, LA, first12, late, OptionalLong.empty()).get("freshness");
    assertEquals(13 * 3600, f.observed(), "13 hours short of the window's end");
    assertTrue(f.passed(), "within the 26h freshness");
    IntervalKey week = new IntervalKey("caiso", "lmp_da_hourly", new IntervalWindow(key.window().start(), key.window().start().plus(Duration.ofDays(3))));
    QualityResult stale = gate(rules("caiso"), "lmp_da_hourly", week, LA, first12, late, OptionalLong.empty()).get("freshness");
    assertFalse(stale.passed(), stale.toString());
    assertEquals("warn", stale.severity());
  }

  @Test
  void intervalGridFailsAStartOffTheGridAndALengthTheDatasetDoesNotHave() {
    Instant t0 = Instant.parse("2024-11-03T08:00:00Z");
    IntervalKey key = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(t0, t0.plusSeconds(900)));
    Instant now = t0.plusSeconds(1800);
    List<CanonicalRecord> ok = List.of(price("lmp_rt_5min", "N1", t0, Duration.ofMinutes(5), 30),
        price("lmp_rt_5min", "N1", t0.plusSeconds(300), Duration.ofMinutes(5), 30),
        price("lmp_rt_5min", "N1", t0.plusSeconds(600), Duration.ofMinutes(5), 30));
    assertTrue(gate(rules("caiso"), "lmp_rt_5min", key, LA, ok, now, OptionalLong.empty()).get("interval_grid").passed());
    List<CanonicalRecord> offGrid = List.of(price("lmp_rt_5min", "N1", t0.plusSeconds(60), Duration.ofMinutes(5), 30));
    QualityResult g = gate(rules("caiso"), "lmp_rt_5min", key, LA, offGrid, now, OptionalLong.empty()).get("interval_grid");
    assertFalse(g.passed());
    assertTrue(g.involved().getFirst().contains("off the 5m grid"), g.involved().toString());
    List<CanonicalRecord> quarterHour = List.of(price("lmp_rt_5min", "N1", t0, Duration.ofMinutes(15), 30));
    QualityResult q = gate(rules("caiso"), "lmp_rt_5min", key, LA, quarterHour, now, OptionalLong.empty()).get("interval_grid");
    assertFalse(q.passed(), "lmp_rt_5min declares durations [5m]");
    assertTrue(q.involved().getFirst().contains("lasts 15m, not [5m]"), q.involved().toString());
    assertEquals("error", q.severity());
  }

  @Test
  void rowCountHoldsAnIntervalWithFewerRowsThanDeclared(@TempDir Path tmp) throws IOException {
    Path d = Files.createDirectories(tmp.resolve("connectors/caiso"));
    Files.writeString(d.getParent().resolve("caiso.yaml"), Files.readString(CONNECTORS.resolve("caiso.yaml")));
    Files.writeString(d.resolve("quality.yaml"), "datasets:\n  lmp_rt_5min:\n    row_count: {min_rows: 3}\n");
    IngestConfig c = config(d.getParent());
    QualityRules r = QualityRules.load(c, ConnectorSpec.load(c, "caiso"));
    Instant t0 = Instant.parse("2024-11-03T08:00:00Z");
    IntervalKey key = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(t0, t0.plusSeconds(300)));
    QualityResult rc = gate(r, "lmp_rt_5min", key, LA, List.of(price("lmp_rt_5min", "N1", t0, Duration.ofMinutes(5), 30),
        price("lmp_rt_5min", "N2", t0, Duration.ofMinutes(5), 30)), t0.plusSeconds(600), OptionalLong.empty()).get("row_count");
    assertFalse(rc.passed());
    assertEquals("2 rows, fewer than 3", rc.details());
    assertEquals("error", rc.severity(), "the built-in severity stays when the entry gives none");
  }

  static UsageException refused(Path dir, String quality) throws IOException {
    Path d = Files.createDirectories(dir.resolve("connectors"));
    Files.createDirectories(d.resolve("caiso"));
    Files.writeString(d.resolve("caiso.yaml"), Files.readString(CONNECTORS.resolve("caiso.yaml")));
    Files.writeString(d.resolve("caiso/quality.yaml"), quality);
    IngestConfig c = config(d);
    return assertThrows(UsageException.class, () -> QualityRules.load(c, ConnectorSpec.load(c, "caiso")));
  }

  @Test
  void aMisspeltCheckThresholdOrSeverityIsAConfigurationError(@TempDir Path tmp) throws IOException {
    UsageException e = refused(tmp.resolve("a"), "datasets:\n  lmp_rt_5min:\n    completness: {severity: error}\n");
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("datasets.lmp_rt_5min.completness: unknown check (did you mean completeness?)"), e.getMessage());
    e = refused(tmp.resolve("b"), "defaults:\n  completeness: {severity: error, min_ration: 0.9}\n");
    assertTrue(e.getMessage().contains("defaults.completeness.min_ration: unknown key of check completeness (did you mean min_ratio?)"),
        e.getMessage());
    e = refused(tmp.resolve("c"), "defaults:\n  completeness: {severity: fatal}\n");
    assertTrue(e.getMessage().contains("'fatal' is not error, warn or off"), e.getMessage());
    e = refused(tmp.resolve("d"), "defaults:\n  completeness: {min_ratio: 1.5}\n");
    assertTrue(e.getMessage().contains("1.5 is not a number from 0 to 1"), e.getMessage());
    e = refused(tmp.resolve("e"), "datasets:\n  lmp_rt_5min:\n    price_bounds:\n      - {from: 2020-01-01, severity: warn, caps: {c: 1}}\n"
        + "      - {from: 2021-01-01, severity: warn, caps: {c: 2}}\n");
    assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    e = refused(tmp.resolve("f"), "datasets:\n  load_actual:\n    price_bounds: {severity: warn, caps: {c: 1}}\n");
    assertTrue(e.getMessage().contains("applies to [prices] datasets, not load"), e.getMessage());
    e = refused(tmp.resolve("g"), "datasets:\n  lmp_rt_6min: {}\n");
    assertTrue(e.getMessage().contains("datasets.lmp_rt_6min: no such dataset"), e.getMessage());
    e = refused(tmp.resolve("h"), "defaults:\n  interval_in_window: {severity: warn}\n");
    assertTrue(e.getMessage().contains("structural"), e.getMessage());
    e = refused(tmp.resolve("i"), "defaults:\n  value_range: {max: high}\n");
    assertTrue(e.getMessage().contains("'high' is not a number"), e.getMessage());
  }
}
