package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
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

  private final SafeZip.Limits limits;
  private final Map<String, String> locationTypes = new HashMap<>();

  public OasisPriceParser(OasisQuery query, NormalizationRules rules) {
    this(query, rules, SafeZip.Limits.defaults());
  }

  public OasisPriceParser(OasisQuery query, NormalizationRules rules, SafeZip.Limits limits) {
    this.query = query;
    this.rules = rules;
    this.limits = limits;
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

  /** Every record of one payload as a list (tests); the stages push through {@link #parse(RawPayload, RowSink)}. */
  public List<CanonicalRecord> parse(RawPayload p) {
    List<CanonicalRecord> out = new ArrayList<>();
    parse(p, out::add);
    return out;
  }

  private static final byte[][] TYPES = {
    "LMP".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "MCE".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "MCC".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "MCL".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "MGHG".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
  };

  /**
   * Streams the CSV of one payload and pushes one folded row per node and interval. The components
   * of a node-interval may be anywhere in the file, so the fold holds one small accumulator per
   * node-interval of this payload (one request part: an hour of real-time intervals), never the text.
   */
  public void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    Map<GroupKey, Acc> groups = new LinkedHashMap<>();
    OasisPayload.csv(p, limits, csv -> {
      OasisPayload.require(p, csv, "INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "LMP_TYPE");
      String nodeCol = csv.firstPresent("NODE", "NODE_ID", "PNODE_RESMRID");
      if (nodeCol == null) {
        throw new PayloadRejectedException(p.payloadId(), "CSV has no node column (NODE, NODE_ID) (header: " + String.join(",", csv.header()) + ")");
      }
      String valueCol = csv.firstPresent(query.priceColumns.toArray(String[]::new));
      if (valueCol == null) {
        throw new PayloadRejectedException(p.payloadId(), "CSV has no price column " + query.priceColumns + " (header: " + String.join(",", csv.header()) + ")");
      }
      CsvReader.Memo<Instant> memo = OasisPayload.instants();
      CsvReader.Memo<String> names = OasisPayload.strings();
      int iNode = csv.column(nodeCol);
      int iStart = csv.column("INTERVALSTARTTIME_GMT");
      int iEnd = csv.column("INTERVALENDTIME_GMT");
      int iType = csv.column("LMP_TYPE");
      int iValue = csv.column(valueCol);
      while (csv.next()) {
        int line = csv.line();
        String node = OasisPayload.text(p, csv, nodeCol, iNode, names);
        Instant start = OasisPayload.instant(p, csv, "INTERVALSTARTTIME_GMT", iStart, memo);
        Instant end = OasisPayload.instant(p, csv, "INTERVALENDTIME_GMT", iEnd, memo);
        if (!end.isAfter(start)) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": INTERVALENDTIME_GMT " + end
              + " is not after INTERVALSTARTTIME_GMT " + start);
        }
        int slot = -1;
        for (int t = 0; t < TYPES.length; t++) {
          if (csv.is(iType, TYPES[t])) {
            slot = t;
            break;
          }
        }
        if (slot < 0) {
          String type = OasisPayload.text(p, csv, "LMP_TYPE", iType, names);
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ", field LMP_TYPE: unknown component '" + type + "'");
        }
        double value = OasisPayload.number(p, csv, valueCol, iValue);
        Acc acc = groups.computeIfAbsent(new GroupKey(node, start), k -> new Acc(line, node, start, end));
        if (!acc.end.equals(end)) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": node " + node + " interval " + start
              + " ends at " + end + " here but at " + acc.end + " on line " + acc.firstLine);
        }
        if (acc.parts[slot] != null) {
          if (acc.parts[slot] == value) {
            continue;
          }
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": node " + node + " interval " + start + " "
              + new String(TYPES[slot], java.nio.charset.StandardCharsets.US_ASCII) + " = " + value + " conflicts with "
              + acc.parts[slot] + " on line " + acc.lines[slot]);
        }
        acc.parts[slot] = value;
        acc.lines[slot] = line;
      }
    });
    Provenance prov = OasisPayload.provenance(p);
    for (Acc a : groups.values()) {
      if (a.parts[0] == null) {
        throw new PayloadRejectedException(p.payloadId(), "node " + a.node + " interval " + a.start
            + " has components but no LMP row (first seen on line " + a.firstLine + ")");
      }
    }
    for (Acc a : groups.values()) {
      out.accept(new PriceRecord("caiso", query.dataset, query.canonicalRun, "LMP", a.node, null,
          locationType(a.node), a.start, a.end, a.parts[0], a.parts[1], a.parts[2], a.parts[3],
          a.parts[4], "USD", "MWh", prov, null));
    }
  }

  /** The location type depends on the node only: one rules lookup (a regex scan) per node and process. */
  private String locationType(String node) {
    return locationTypes.computeIfAbsent(node, n -> rules.locationType("caiso", n));
  }
}
