package io.carbon254.ingest.connectors.caiso;

import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.cells;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.key;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.lines;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.oasisPayload;
import static io.carbon254.ingest.connectors.caiso.CaisoTestSupport.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.PriceRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OasisPriceParserTest {
  static final String DAM_SPRING = "PRC_LMP_DAM_20240310.csv";
  static final String DAM_FALL = "PRC_LMP_DAM_20241103.csv";
  static final String RT_FALL = "PRC_INTVL_LMP_RTM_20241103_0800Z-1000Z.csv";
  static final String RTPD = "PRC_RTPD_LMP_RTPD_20240715_1900Z-2000Z.csv";
  static final IntervalKey DA_FALL_KEY = key("lmp_da_hourly", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");
  static final IntervalKey DA_SPRING_KEY = key("lmp_da_hourly", "2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z");
  static final IntervalKey RT_FALL_KEY = key("lmp_rt_5min", "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z");
  static final String DA_FALL_ENTRY = "20241103_20241104_PRC_LMP_N_20241102_13_00_00_v1.csv";
  static final String RT_FALL_ENTRY = "20241103_20241103_PRC_INTVL_LMP_N_20241103_10_05_00_v1.csv";

  private static final NormalizationRules RULES = CaisoTestSupport.rules();

  private static List<PriceRecord> parse(OasisQuery q, RawPayload p) {
    return CaisoTestSupport.as(PriceRecord.class, new OasisPriceParser(q, RULES).parse(p));
  }

  private static List<PriceRecord> parseDaFall(String csv) {
    return parse(OasisQuery.LMP_DA_HOURLY, oasisPayload(DA_FALL_KEY, DA_FALL_ENTRY, csv));
  }

  private static PayloadRejectedException rejectedDaFall(String csv) {
    RawPayload p = oasisPayload(DA_FALL_KEY, DA_FALL_ENTRY, csv);
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> new OasisPriceParser(OasisQuery.LMP_DA_HOURLY, RULES).parse(p));
    assertEquals(p.payloadId(), e.payloadId());
    assertTrue(e.getMessage().contains(p.payloadId()), "message names the payload: " + e.getMessage());
    assertEquals(ExitCodes.REJECTED, e.exitCode());
    return e;
  }

  private static Map<String, List<PriceRecord>> byNode(List<PriceRecord> records) {
    return records.stream().collect(Collectors.groupingBy(PriceRecord::locationId, TreeMap::new, Collectors.toList()));
  }

  /** node|start -> LMP_TYPE -> value, read straight from the fixture text. */
  static Map<String, Map<String, Double>> components(String csv, String valueColumn) {
    List<String> ls = lines(csv);
    Map<String, Map<String, Double>> out = new HashMap<>();
    for (String line : ls.subList(1, ls.size())) {
      Map<String, String> c = cells(ls.get(0), line);
      Instant start = ZonedDateTime.parse(c.get("INTERVALSTARTTIME_GMT").replace("-00:00", "Z")).toInstant();
      out.computeIfAbsent(c.get("NODE") + "|" + start, k -> new HashMap<>())
          .put(c.get("LMP_TYPE"), Double.parseDouble(c.get(valueColumn)));
    }
    return out;
  }

  /** Every record carries exactly the fixture's components in the right fields, and nothing is lost. */
  private static void assertMatchesFixture(List<PriceRecord> records, String csv, String valueColumn) {
    Map<String, Map<String, Double>> expected = components(csv, valueColumn);
    assertEquals(expected.size(), records.size(), "one record per node and interval");
    for (PriceRecord r : records) {
      Map<String, Double> e = expected.get(r.locationId() + "|" + r.intervalStart());
      assertTrue(e != null, "unexpected record " + r);
      assertEquals(e.get("LMP"), r.price(), r.toString());
      assertEquals(e.get("MCE"), r.energy(), "energy = MCE");
      assertEquals(e.get("MCC"), r.congestion(), "congestion = MCC");
      assertEquals(e.get("MCL"), r.loss(), "loss = MCL");
      assertEquals(e.get("MGHG"), r.ghg(), "ghg = MGHG");
      assertEquals(r.price(), r.energy() + r.congestion() + r.loss() + r.ghg(), 1e-9, "LMP is the sum of its parts");
    }
  }

  private static void assertContiguous(List<PriceRecord> nodeRecords, Duration step, int count, String first, String lastEnd) {
    List<PriceRecord> sorted = new ArrayList<>(nodeRecords);
    sorted.sort((a, b) -> a.intervalStart().compareTo(b.intervalStart()));
    assertEquals(count, sorted.size());
    assertEquals(count, sorted.stream().map(PriceRecord::intervalStart).distinct().count(), "distinct UTC intervals");
    assertEquals(Instant.parse(first), sorted.get(0).intervalStart());
    assertEquals(Instant.parse(lastEnd), sorted.get(count - 1).intervalEnd());
    for (int i = 0; i < count; i++) {
      PriceRecord r = sorted.get(i);
      assertEquals(step, Duration.between(r.intervalStart(), r.intervalEnd()));
      if (i > 0) {
        assertEquals(sorted.get(i - 1).intervalEnd(), r.intervalStart(), "no gap, no overlap");
      }
    }
  }

  @Test
  void damSpringForwardDayHas23HourlyIntervalsPerNode() {
    String csv = resource(DAM_SPRING);
    List<PriceRecord> records = parse(OasisQuery.LMP_DA_HOURLY,
        oasisPayload(DA_SPRING_KEY, "20240310_20240311_PRC_LMP_N_20240309_13_00_00_v1.csv", csv));
    Map<String, List<PriceRecord>> nodes = byNode(records);
    assertEquals(Set.of("TH_SP15_GEN-APND", "DLAP_PGAE-APND", "ALAMIT_7_B1"), nodes.keySet());
    for (List<PriceRecord> n : nodes.values()) {
      // 00:00 PST = 08:00Z; the day ends at 00:00 PDT on March 11 = 07:00Z.
      assertContiguous(n, Duration.ofHours(1), 23, "2024-03-10T08:00:00Z", "2024-03-11T07:00:00Z");
    }
    assertMatchesFixture(records, csv, "MW");
  }

  @Test
  void damFallBackDayHas25HourlyIntervalsPerNodeIncludingHourEnding25() {
    String csv = resource(DAM_FALL);
    assertTrue(csv.contains(",2024-11-03,25,0,"), "the fixture carries OPR_HR 25");
    List<PriceRecord> records = parseDaFall(csv);
    Map<String, List<PriceRecord>> nodes = byNode(records);
    assertEquals(3, nodes.size());
    for (List<PriceRecord> n : nodes.values()) {
      // 00:00 PDT = 07:00Z; the day ends at 00:00 PST on November 4 = 08:00Z.
      assertContiguous(n, Duration.ofHours(1), 25, "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z");
      // Both 01:00 local hours exist: PDT (08:00Z) and PST (09:00Z), each with its own price.
      PriceRecord pdt = at(n, "2024-11-03T08:00:00Z");
      PriceRecord pst = at(n, "2024-11-03T09:00:00Z");
      assertEquals(LocalTime.of(1, 0), pdt.intervalStart().atZone(OasisTime.PACIFIC).toLocalTime());
      assertEquals(LocalTime.of(1, 0), pst.intervalStart().atZone(OasisTime.PACIFIC).toLocalTime());
      assertNotEquals(pdt.price(), pst.price());
    }
    assertMatchesFixture(records, csv, "MW");
  }

  private static PriceRecord at(List<PriceRecord> records, String start) {
    return records.stream().filter(r -> r.intervalStart().equals(Instant.parse(start))).findFirst()
        .orElseThrow(() -> new AssertionError("no record at " + start));
  }

  @Test
  void componentsAreFoldedIntoOneCanonicalRowWithLocationTypes() {
    List<PriceRecord> records = parseDaFall(resource(DAM_FALL));
    PriceRecord hub = at(byNode(records).get("TH_SP15_GEN-APND"), "2024-11-03T07:00:00Z");
    // Fixture rows of TH_SP15_GEN-APND 07:00Z: LMP 29.57, MCE 30.37, MCC -0.75, MCL -0.05, MGHG 0.
    assertEquals(29.57, hub.price());
    assertEquals(30.37, hub.energy());
    assertEquals(-0.75, hub.congestion());
    assertEquals(-0.05, hub.loss());
    assertEquals(0.0, hub.ghg());
    assertEquals(Instant.parse("2024-11-03T08:00:00Z"), hub.intervalEnd());
    assertEquals("hub", hub.locationType());
    assertEquals("caiso", hub.market());
    assertEquals("lmp_da_hourly", hub.dataset());
    assertEquals("DA", hub.marketRun());
    assertEquals("LMP", hub.priceType());
    assertEquals("USD", hub.currency());
    assertEquals("MWh", hub.unit());

    Map<String, String> types = new TreeMap<>();
    records.forEach(r -> types.put(r.locationId(), r.locationType()));
    assertEquals(Map.of("TH_SP15_GEN-APND", "hub", "DLAP_PGAE-APND", "zone", "ALAMIT_7_B1", "node"), types);
    assertTrue(records.stream().anyMatch(r -> r.ghg() > 0), "a GHG adder is carried where the fixture has one");
  }

  @Test
  void provenanceNamesThePayload() {
    RawPayload p = oasisPayload(DA_FALL_KEY, DA_FALL_ENTRY, resource(DAM_FALL));
    List<PriceRecord> records = parse(OasisQuery.LMP_DA_HOURLY, p);
    for (PriceRecord r : records) {
      assertEquals(p.payloadId(), r.provenance().source());
      assertEquals(p.fetchedAt(), r.provenance().fetchedAt());
      assertEquals(p.fetchedAt().toEpochMilli(), r.version());
    }
    assertEquals(records.size(), records.stream().map(PriceRecord::naturalKey).distinct().count());
  }

  @Test
  void realTimeFiveMinuteRowsAcrossTheRepeatedHourAreDistinctIntervals() {
    String csv = resource(RT_FALL);
    assertTrue(csv.contains(",2024-11-03,02,") && csv.contains(",2024-11-03,03,"), "OPR_HR is zero-padded");
    List<PriceRecord> records = parse(OasisQuery.LMP_RT_5MIN, oasisPayload(RT_FALL_KEY, RT_FALL_ENTRY, csv));
    Map<String, List<PriceRecord>> nodes = byNode(records);
    assertEquals(Set.of("TH_SP15_GEN-APND", "DLAP_SCE-APND"), nodes.keySet());
    for (List<PriceRecord> n : nodes.values()) {
      assertContiguous(n, Duration.ofMinutes(5), 24, "2024-11-03T08:00:00Z", "2024-11-03T10:00:00Z");
      // 01:00..01:55 local, twice: twelve intervals in PDT (-07:00), then twelve in PST (-08:00).
      Map<ZoneOffset, Set<LocalTime>> wall = new TreeMap<>();
      for (PriceRecord r : n) {
        ZonedDateTime z = r.intervalStart().atZone(OasisTime.PACIFIC);
        wall.computeIfAbsent(z.getOffset(), k -> new TreeSet<>()).add(z.toLocalTime());
      }
      Set<LocalTime> oneAm = new TreeSet<>();
      for (int m = 0; m < 60; m += 5) {
        oneAm.add(LocalTime.of(1, m));
      }
      assertEquals(Map.of(ZoneOffset.ofHours(-7), oneAm, ZoneOffset.ofHours(-8), oneAm), wall);
      assertEquals(24, n.stream().map(PriceRecord::price).distinct().count(), "each interval has its own price");
    }
    List<PriceRecord> hub = nodes.get("TH_SP15_GEN-APND");
    assertEquals(40.21, at(hub, "2024-11-03T08:05:00Z").price(), "01:05 PDT");
    assertEquals(54.83, at(hub, "2024-11-03T09:05:00Z").price(), "01:05 PST");
    assertTrue(records.stream().allMatch(r -> r.marketRun().equals("RT") && r.dataset().equals("lmp_rt_5min")));
    assertEquals("zone", nodes.get("DLAP_SCE-APND").get(0).locationType());
    assertMatchesFixture(records, csv, "VALUE");
  }

  @Test
  void fifteenMinutePricesAreReadFromPrc() {
    String csv = resource(RTPD);
    IntervalKey k = key("lmp_rt_15min", "2024-07-15T19:00:00Z", "2024-07-15T20:00:00Z");
    List<PriceRecord> records = parse(OasisQuery.LMP_RT_15MIN,
        oasisPayload(k, "20240715_20240715_PRC_RTPD_LMP_N_20240715_20_05_00_v1.csv", csv));
    for (List<PriceRecord> n : byNode(records).values()) {
      assertContiguous(n, Duration.ofMinutes(15), 4, "2024-07-15T19:00:00Z", "2024-07-15T20:00:00Z");
    }
    assertTrue(records.stream().allMatch(r -> r.marketRun().equals("RTPD")));
    assertMatchesFixture(records, csv, "PRC");
  }

  @Test
  void rowOrderDoesNotMatter() {
    assertOrderIndependent(OasisQuery.LMP_DA_HOURLY, DA_FALL_KEY, DA_FALL_ENTRY, resource(DAM_FALL), 75);
    assertOrderIndependent(OasisQuery.LMP_RT_5MIN, RT_FALL_KEY, RT_FALL_ENTRY, resource(RT_FALL), 48);
  }

  private static void assertOrderIndependent(OasisQuery q, IntervalKey k, String entry, String csv, int records) {
    List<String> ls = lines(csv);
    List<String> body = new ArrayList<>(ls.subList(1, ls.size()));
    List<String> shuffled = new ArrayList<>(body);
    Collections.shuffle(shuffled, new Random(20241103));
    List<String> sorted = new ArrayList<>(body);
    Collections.sort(sorted);
    assertNotEquals(body, shuffled);
    assertNotEquals(body, sorted);
    Set<String> original = projection(parse(q, oasisPayload(k, entry, csv)));
    assertEquals(records, original.size());
    assertEquals(original, projection(parse(q, oasisPayload(k, entry, ls.get(0) + "\n" + String.join("\n", shuffled) + "\n"))));
    assertEquals(original, projection(parse(q, oasisPayload(k, entry, ls.get(0) + "\n" + String.join("\n", sorted) + "\n"))));
  }

  /** A record without its provenance (the payload id changes with the bytes). */
  private static Set<String> projection(List<PriceRecord> records) {
    Set<String> out = new HashSet<>();
    for (PriceRecord r : records) {
      out.add(String.join("|", r.locationId(), r.locationType(), r.marketRun(), r.intervalStart().toString(),
          r.intervalEnd().toString(), Double.toString(r.price()), String.valueOf(r.energy()), String.valueOf(r.congestion()),
          String.valueOf(r.loss()), String.valueOf(r.ghg())));
    }
    return out;
  }

  /** The fixture with one cell replaced; {@code line} counts the header as line 1. */
  static String withCell(String csv, int line, String column, String value) {
    List<String> ls = lines(csv);
    List<String> header = Arrays.asList(ls.get(0).split(","));
    String[] cells = ls.get(line - 1).split(",", -1);
    cells[header.indexOf(column)] = value;
    ls.set(line - 1, String.join(",", cells));
    return String.join("\n", ls) + "\n";
  }

  @Test
  void aMissingGmtColumnIsRejectedNamingPayloadAndColumn() {
    String csv = resource(DAM_FALL).replaceFirst("^INTERVALSTARTTIME_GMT,", "INTERVAL_START_GMT,");
    PayloadRejectedException e = rejectedDaFall(csv);
    assertTrue(e.getMessage().contains("INTERVALSTARTTIME_GMT"), e.getMessage());
  }

  @Test
  void aMissingPriceColumnIsRejected() {
    String csv = resource(DAM_FALL).replaceFirst(",MW,GROUP", ",AMOUNT,GROUP");
    PayloadRejectedException e = rejectedDaFall(csv);
    assertTrue(e.getMessage().contains("no price column"), e.getMessage());
  }

  @Test
  void anUnparsableNumberIsRejectedNamingLineAndField() {
    String csv = withCell(resource(DAM_FALL), 7, "MW", "31.2.5");
    PayloadRejectedException e = rejectedDaFall(csv);
    assertTrue(e.getMessage().contains("line 7, field MW: '31.2.5' is not a number"), e.getMessage());
  }

  @Test
  void aNonFinitePriceIsRejected() {
    PayloadRejectedException e = rejectedDaFall(withCell(resource(DAM_FALL), 4, "MW", "NaN"));
    assertTrue(e.getMessage().contains("line 4, field MW"), e.getMessage());
  }

  @Test
  void anUnparsableTimestampIsRejectedNamingLineAndField() {
    String csv = withCell(resource(DAM_FALL), 12, "INTERVALSTARTTIME_GMT", "2024-11-03 08:00");
    PayloadRejectedException e = rejectedDaFall(csv);
    assertTrue(e.getMessage().contains("line 12, field INTERVALSTARTTIME_GMT"), e.getMessage());
  }

  @Test
  void anUnterminatedQuoteIsRejectedNamingTheEntryAndLine() {
    String csv = withCell(resource(DAM_FALL), 6, "NODE", "\"TH_SP15_GEN-APND");
    PayloadRejectedException e = rejectedDaFall(csv);
    assertTrue(e.getMessage().contains(DA_FALL_ENTRY + ": line 6: quoted field is never closed"), e.getMessage());
  }

  @Test
  void anEmptyNodeCellIsRejectedNamingLineAndField() {
    PayloadRejectedException e = rejectedDaFall(withCell(resource(DAM_FALL), 9, "NODE", ""));
    assertTrue(e.getMessage().contains("line 9, field NODE: empty"), e.getMessage());
  }

  @Test
  void anIntervalEndingBeforeItStartsIsRejected() {
    String csv = resource(DAM_FALL);
    String start = cells(lines(csv).get(0), lines(csv).get(1)).get("INTERVALSTARTTIME_GMT");
    PayloadRejectedException e = rejectedDaFall(withCell(csv, 2, "INTERVALENDTIME_GMT", start));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("is not after"), e.getMessage());
  }

  @Test
  void anUnknownComponentIsRejected() {
    PayloadRejectedException e = rejectedDaFall(withCell(resource(DAM_FALL), 3, "LMP_TYPE", "MCX"));
    assertTrue(e.getMessage().contains("line 3, field LMP_TYPE: unknown component 'MCX'"), e.getMessage());
  }

  @Test
  void aConflictingDuplicateComponentIsRejectedAndAnIdenticalOneIsNot() {
    String csv = resource(DAM_FALL);
    List<String> ls = lines(csv);
    int total = ls.size(); // header + 375 rows; an appended row is line total + 1
    String identical = csv + ls.get(1) + "\n";
    assertEquals(75, parseDaFall(identical).size(), "an exact repeat of a row changes nothing");

    Map<String, String> c = cells(ls.get(0), ls.get(1));
    String changed = withCell(identical, total + 1, "MW", "999.5");
    PayloadRejectedException e = rejectedDaFall(changed);
    assertTrue(e.getMessage().contains("line " + (total + 1)) && e.getMessage().contains("on line 2")
        && e.getMessage().contains("conflicts with") && e.getMessage().contains(c.get("NODE")), e.getMessage());
  }

  @Test
  void aNodeIntervalWithComponentsButNoLmpRowIsRejected() {
    String csv = resource(DAM_FALL);
    List<String> ls = lines(csv);
    String victim = "2024-11-03T12:00:00-00:00,";
    List<String> kept = new ArrayList<>();
    kept.add(ls.get(0));
    for (String l : ls.subList(1, ls.size())) {
      Map<String, String> c = cells(ls.get(0), l);
      boolean drop = l.startsWith(victim) && c.get("NODE").equals("DLAP_PGAE-APND") && c.get("LMP_TYPE").equals("LMP");
      if (!drop) {
        kept.add(l);
      }
    }
    assertEquals(ls.size() - 1, kept.size());
    PayloadRejectedException e = rejectedDaFall(String.join("\n", kept) + "\n");
    assertTrue(e.getMessage().contains("DLAP_PGAE-APND") && e.getMessage().contains("2024-11-03T12:00:00Z")
        && e.getMessage().contains("no LMP row"), e.getMessage());
  }

  @Test
  void onlyLmpRowsGiveRowsWithoutComponents() {
    String csv = resource(DAM_FALL);
    List<String> ls = lines(csv);
    List<String> kept = new ArrayList<>(List.of(ls.get(0)));
    ls.subList(1, ls.size()).stream().filter(l -> cells(ls.get(0), l).get("LMP_TYPE").equals("LMP")).forEach(kept::add);
    List<PriceRecord> records = parseDaFall(String.join("\n", kept) + "\n");
    assertEquals(75, records.size());
    assertTrue(records.stream().allMatch(r -> r.energy() == null && r.congestion() == null && r.loss() == null && r.ghg() == null));
  }

  @Test
  void aTruncatedZipIsRejectedAsTruncated() {
    byte[] whole = CaisoTestSupport.zip(DA_FALL_ENTRY, resource(DAM_FALL));
    byte[] half = Arrays.copyOf(whole, whole.length / 2);
    RawPayload p = CaisoTestSupport.payload(DA_FALL_KEY, "http://oasis.caiso.com/oasisapi/SingleZip", CaisoTestSupport.ZIP_TYPE, half);
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> new OasisPriceParser(OasisQuery.LMP_DA_HOURLY, RULES).parse(p));
    assertTrue(e.getMessage().contains(p.payloadId()) && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void anHtmlPageIsRejectedAsHtml() {
    byte[] html = ("<html><body><p>CAISO Acceptable Use Policy Violation. Please retry your request after 5 seconds.</p>"
        + "</body></html>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    RawPayload p = CaisoTestSupport.payload(DA_FALL_KEY, "http://oasis.caiso.com/oasisapi/SingleZip", "text/html", html);
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> new OasisPriceParser(OasisQuery.LMP_DA_HOURLY, RULES).parse(p));
    assertTrue(e.getMessage().contains(p.payloadId()) && e.getMessage().contains("HTML"), e.getMessage());
  }

  @Test
  void aZipWithoutExactlyOneCsvIsRejected() throws Exception {
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bos)) {
      for (String n : List.of("a.csv", "b.csv")) {
        z.putNextEntry(new java.util.zip.ZipEntry(n));
        z.write(resource(DAM_FALL).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    RawPayload p = CaisoTestSupport.payload(DA_FALL_KEY, "http://oasis.caiso.com/oasisapi/SingleZip", CaisoTestSupport.ZIP_TYPE, bos.toByteArray());
    PayloadRejectedException e = assertThrows(PayloadRejectedException.class,
        () -> new OasisPriceParser(OasisQuery.LMP_DA_HOURLY, RULES).parse(p));
    assertTrue(e.getMessage().contains("expected one .csv entry") && e.getMessage().contains("b.csv"), e.getMessage());
  }

  @Test
  void anEmptyCsvEntryIsRejected() {
    PayloadRejectedException e = rejectedDaFall("");
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
  }
}
