package io.carbon254.ingest.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.sink.QualityResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class QualityGateTest {
  static final Instant T0 = Instant.parse("2024-11-03T08:00:00Z");
  static final IntervalKey KEY = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(T0, T0.plusSeconds(3600)));

  static PriceRecord row(String node, int slot, double price, double energy) {
    Instant s = T0.plusSeconds(300L * slot);
    return new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", node, null, "node", s, s.plusSeconds(300), price, energy,
        price - energy, 0.0, 0.0, "USD", "MWh", new Provenance(1, null, T0, "p"), null);
  }

  static Map<String, QualityResult> run(List<CanonicalRecord> rows) {
    return QualityGate.check(KEY, rows, "r", T0).stream().collect(Collectors.toMap(QualityResult::check, Function.identity()));
  }

  static List<CanonicalRecord> complete(String node) {
    List<CanonicalRecord> rows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      rows.add(row(node, i, 30 + i, 29));
    }
    return rows;
  }

  @Test
  void aCompleteConsistentHourPassesEveryCheck() {
    Map<String, QualityResult> r = run(complete("A"));
    assertEquals(List.of("row_count", "unique_natural_key", "interval_in_window", "interval_grid", "completeness",
        "price_components_sum", "value_range", "all_null_or_zero", "location_set_shrink", "freshness"),
        QualityGate.check(KEY, complete("A"), "r", T0).stream().map(QualityResult::check).toList(), "the built-in checks, in order");
    r.values().forEach(q -> assertTrue(q.passed(), q.toString()));
  }

  @Test
  void duplicatesOutOfWindowRowsAndComponentMismatchesAreErrors() {
    List<CanonicalRecord> rows = complete("A");
    rows.add(row("A", 3, 33, 29));
    rows.add(row("A", 12, 40, 29));
    PriceRecord good = row("B", 0, 30, 29);
    rows.add(new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", "B", null, "node", good.intervalStart(), good.intervalEnd(),
        30, 29.0, 5.0, 0.0, 0.0, "USD", "MWh", good.provenance(), null));
    Map<String, QualityResult> r = run(rows);
    assertFalse(r.get("unique_natural_key").passed());
    assertEquals("error", r.get("unique_natural_key").severity());
    assertFalse(r.get("interval_in_window").passed());
    assertFalse(r.get("price_components_sum").passed());
    assertTrue(r.get("price_components_sum").details().contains("B"), r.get("price_components_sum").details());
  }

  @Test
  void aMissingIntervalFailsCompletenessNamingTheSeriesAndItsCounts() {
    List<CanonicalRecord> rows = complete("A");
    rows.addAll(complete("B"));
    rows.remove(5);
    QualityResult c = run(rows).get("completeness");
    assertFalse(c.passed());
    assertEquals("error", c.severity(), "built in: completeness gates");
    assertEquals(11.0 / 12.0, c.observed(), 1e-9);
    assertEquals(List.of("caiso|lmp_rt_5min|RT|LMP|A: 11 of 12 intervals"), c.involved());
    assertEquals(1, c.involvedCount());
    assertTrue(c.details().startsWith("1 of 2 series short"), c.details());
  }

  @Test
  void emptyInputFailsRowCount() {
    assertFalse(run(List.of()).get("row_count").passed());
  }

  @Test
  void implausiblePricesAreRejected() {
    List<CanonicalRecord> rows = complete("A");
    rows.set(0, row("A", 0, 99_999, 99_999));
    assertFalse(run(rows).get("value_range").passed());
  }
}
