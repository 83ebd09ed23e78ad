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

  /** An open-addressing map from a non-negative long to an int (-1: absent), for the fold's slots. */
  static final class LongIntMap {
    private long[] keys = new long[1024];
    private int[] vals = new int[1024];
    private int size;

    LongIntMap() {
      java.util.Arrays.fill(keys, -1L);
    }

    int get(long k) {
      int mask = keys.length - 1;
      int i = hash(k) & mask;
      while (true) {
        long x = keys[i];
        if (x == k) {
          return vals[i];
        }
        if (x == -1L) {
          return -1;
        }
        i = (i + 1) & mask;
      }
    }

    void put(long k, int v) {
      if ((size + 1) * 2 > keys.length) {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        java.util.Arrays.fill(keys, -1L);
        size = 0;
        for (int j = 0; j < ok.length; j++) {
          if (ok[j] != -1L) {
            put(ok[j], ov[j]);
          }
        }
      }
      int mask = keys.length - 1;
      int i = hash(k) & mask;
      while (keys[i] != -1L && keys[i] != k) {
        i = (i + 1) & mask;
      }
      if (keys[i] == -1L) {
        size++;
      }
      keys[i] = k;
      vals[i] = v;
    }

    private static int hash(long k) {
      long h = k * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }

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
    // node-intervals by (node id, start id) of the memos: a dense long key, no key object per row;
    // accumulators kept in order of first appearance (the output order)
    LongIntMap slots = new LongIntMap();
    List<Acc> groups = new ArrayList<>();
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
        long nodeId = names.lastId();
        Instant start = OasisPayload.instant(p, csv, "INTERVALSTARTTIME_GMT", iStart, memo);
        long startId = memo.lastId();
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
        long gk = (nodeId << 32) | startId;
        int at = slots.get(gk);
        Acc acc;
        if (at < 0) {
          acc = new Acc(line, node, start, end);
          slots.put(gk, groups.size());
          groups.add(acc);
        } else {
          acc = groups.get(at);
        }
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
    for (Acc a : groups) {
      if (a.parts[0] == null) {
        throw new PayloadRejectedException(p.payloadId(), "node " + a.node + " interval " + a.start
            + " has components but no LMP row (first seen on line " + a.firstLine + ")");
      }
    }
    for (Acc a : groups) {
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
