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
import java.util.List;

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

    void clear() {
      java.util.Arrays.fill(keys, -1L);
      size = 0;
    }

    private static int hash(long k) {
      long h = k * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }

  /**
   * The node-intervals of one payload, column-wise in arrays reused from payload to payload: no
   * object per node-interval, so a payload of 10,000 nodes leaves no garbage to be promoted.
   */
  private static final class Fold {
    final LongIntMap slots = new LongIntMap(); // (node id, start id) -> node-interval index
    int n;
    int[] firstLine = new int[1024];
    String[] node = new String[1024];
    Instant[] start = new Instant[1024];
    Instant[] end = new Instant[1024];
    double[] parts = new double[1024 * 5]; // LMP, MCE, MCC, MCL, MGHG of node-interval i at 5 * i
    int[] lines = new int[1024 * 5];
    byte[] present = new byte[1024]; // bit k: component k seen

    int add(int line, String nodeName, Instant s, Instant e) {
      if (n == node.length) {
        int cap = n * 2;
        firstLine = java.util.Arrays.copyOf(firstLine, cap);
        node = java.util.Arrays.copyOf(node, cap);
        start = java.util.Arrays.copyOf(start, cap);
        end = java.util.Arrays.copyOf(end, cap);
        parts = java.util.Arrays.copyOf(parts, cap * 5);
        lines = java.util.Arrays.copyOf(lines, cap * 5);
        present = java.util.Arrays.copyOf(present, cap);
      }
      firstLine[n] = line;
      node[n] = nodeName;
      start[n] = s;
      end[n] = e;
      present[n] = 0;
      return n++;
    }

    boolean has(int i, int k) {
      return (present[i] & (1 << k)) != 0;
    }

    Double part(int i, int k) {
      return has(i, k) ? parts[5 * i + k] : null;
    }

    void reset() {
      slots.clear();
      java.util.Arrays.fill(node, 0, n, null);
      java.util.Arrays.fill(start, 0, n, null);
      java.util.Arrays.fill(end, 0, n, null);
      n = 0;
    }
  }

  /** A fold left by the previous payload, taken by the next (a second concurrent parse makes its own). */
  private final java.util.concurrent.atomic.AtomicReference<Fold> spare = new java.util.concurrent.atomic.AtomicReference<>();

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
    // node-intervals keyed by (node id, start id) of the memos, kept in order of first appearance
    // (the output order)
    Fold f = spare.getAndSet(null);
    if (f == null) {
      f = new Fold();
    }
    try {
      fold(p, f);
      Provenance prov = OasisPayload.provenance(p);
      for (int i = 0; i < f.n; i++) {
        if (!f.has(i, 0)) {
          throw new PayloadRejectedException(p.payloadId(), "node " + f.node[i] + " interval " + f.start[i]
              + " has components but no LMP row (first seen on line " + f.firstLine[i] + ")");
        }
      }
      for (int i = 0; i < f.n; i++) {
        out.accept(new PriceRecord("caiso", query.dataset, query.canonicalRun, "LMP", f.node[i], null,
            locationType(f.node[i]), f.start[i], f.end[i], f.parts[5 * i], f.part(i, 1), f.part(i, 2), f.part(i, 3),
            f.part(i, 4), "USD", "MWh", prov, null));
      }
    } finally {
      f.reset();
      spare.set(f);
    }
  }

  private void fold(RawPayload p, Fold f) {
    LongIntMap slots = f.slots;
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
        if (at < 0) {
          at = f.add(line, node, start, end);
          slots.put(gk, at);
        }
        if (!f.end[at].equals(end)) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": node " + node + " interval " + start
              + " ends at " + end + " here but at " + f.end[at] + " on line " + f.firstLine[at]);
        }
        int b = 5 * at + slot;
        if (f.has(at, slot)) {
          if (f.parts[b] == value) {
            continue;
          }
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": node " + node + " interval " + start + " "
              + new String(TYPES[slot], java.nio.charset.StandardCharsets.US_ASCII) + " = " + value + " conflicts with "
              + f.parts[b] + " on line " + f.lines[b]);
        }
        f.parts[b] = value;
        f.lines[b] = line;
        f.present[at] |= (byte) (1 << slot);
      }
    });
  }

  private String locationType(String node) {
    return rules.locationType("caiso", node);
  }
}
