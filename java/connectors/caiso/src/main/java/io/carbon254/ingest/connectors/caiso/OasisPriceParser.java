package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.Csv;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PRC_LMP / PRC_INTVL_LMP / PRC_RTPD_LMP CSV: long format, one row per component
 * ({@code LMP_TYPE} LMP, MCE, MCC, MCL, MGHG), rows in any order. Columns are found by name (the
 * three reports order them differently and name the value MW, VALUE or PRC). Folds the
 * components of one node and interval into one canonical row.
 */
public final class OasisPriceParser {
  private final OasisQuery query;
  private final NormalizationRules rules;

  public OasisPriceParser(OasisQuery query, NormalizationRules rules) {
    this.query = query;
    this.rules = rules;
  }

  private record GroupKey(String node, Instant start) {}

  private static final class Acc {
    final int firstLine;
    final String node;
    final Instant start;
    final Instant end;
    final Double[] parts = new Double[5]; // LMP, MCE, MCC, MCL, MGHG
    final int[] lines = new int[5];

    Acc(int line, String node, Instant start, Instant end) {
      this.firstLine = line;
      this.node = node;
      this.start = start;
      this.end = end;
    }
  }

  public List<CanonicalRecord> parse(RawPayload p) {
    Csv csv = OasisPayload.csv(p);
    OasisPayload.require(p, csv, "INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "LMP_TYPE");
    String nodeCol = csv.firstPresent("NODE", "NODE_ID", "PNODE_RESMRID").orElseThrow(
        () -> new PayloadRejectedException(p.payloadId(), "CSV has no node column (NODE, NODE_ID) (header: " + String.join(",", csv.header()) + ")"));
    String valueCol = csv.firstPresent(query.priceColumns.toArray(String[]::new)).orElseThrow(
        () -> new PayloadRejectedException(p.payloadId(), "CSV has no price column " + query.priceColumns + " (header: " + String.join(",", csv.header()) + ")"));
    Map<GroupKey, Acc> groups = new LinkedHashMap<>();
    Map<String, Instant> memo = new HashMap<>();
    int iNode = csv.column(nodeCol);
    int iStart = csv.column("INTERVALSTARTTIME_GMT");
    int iEnd = csv.column("INTERVALENDTIME_GMT");
    int iType = csv.column("LMP_TYPE");
    int iValue = csv.column(valueCol);
    for (Csv.Row row : csv.rows()) {
      String node = OasisPayload.text(p, row, nodeCol, iNode);
      Instant start = OasisPayload.instant(p, row, "INTERVALSTARTTIME_GMT", iStart, memo);
      Instant end = OasisPayload.instant(p, row, "INTERVALENDTIME_GMT", iEnd, memo);
      if (!end.isAfter(start)) {
        throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ": INTERVALENDTIME_GMT " + end
            + " is not after INTERVALSTARTTIME_GMT " + start);
      }
      String type = OasisPayload.text(p, row, "LMP_TYPE", iType);
      int slot = switch (type) {
        case "LMP" -> 0;
        case "MCE" -> 1;
        case "MCC" -> 2;
        case "MCL" -> 3;
        case "MGHG" -> 4;
        default -> throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field LMP_TYPE: unknown component '" + type + "'");
      };
      double value = OasisPayload.number(p, row, valueCol, iValue);
      Acc acc = groups.computeIfAbsent(new GroupKey(node, start), k -> new Acc(row.line(), node, start, end));
      if (!acc.end.equals(end)) {
        throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ": node " + node + " interval " + start
            + " ends at " + end + " here but at " + acc.end + " on line " + acc.firstLine);
      }
      if (acc.parts[slot] != null) {
        if (acc.parts[slot] == value) {
          continue;
        }
        throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ": node " + node + " interval " + start + " "
            + type + " = " + value + " conflicts with " + acc.parts[slot] + " on line " + acc.lines[slot]);
      }
      acc.parts[slot] = value;
      acc.lines[slot] = row.line();
    }
    Provenance prov = OasisPayload.provenance(p);
    List<CanonicalRecord> out = new ArrayList<>(groups.size());
    for (Acc a : groups.values()) {
      if (a.parts[0] == null) {
        throw new PayloadRejectedException(p.payloadId(), "node " + a.node + " interval " + a.start
            + " has components but no LMP row (first seen on line " + a.firstLine + ")");
      }
      out.add(new PriceRecord("caiso", query.dataset, query.canonicalRun, "LMP", a.node, null,
          rules.locationType("caiso", a.node), a.start, a.end, a.parts[0], a.parts[1], a.parts[2], a.parts[3],
          a.parts[4], "USD", "MWh", prov, null));
    }
    return out;
  }
}
