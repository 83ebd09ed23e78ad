package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SLD_FCST CSV (all TAC areas; rows unsorted). {@code market_run} is the execution type where
 * present (RTD 5-min and RTPD 15-min forecasts share MARKET_RUN_ID RTM), else MARKET_RUN_ID:
 * ACTUAL, DAM, 2DA, 7DA, RTD, RTPD. {@code actual} selects ACTUAL rows, otherwise the forecasts.
 */
public final class OasisLoadParser {
  private final String dataset;
  private final boolean actual;

  private final SafeZip.Limits limits;

  public OasisLoadParser(String dataset, boolean actual) {
    this(dataset, actual, SafeZip.Limits.defaults());
  }

  public OasisLoadParser(String dataset, boolean actual, SafeZip.Limits limits) {
    this.dataset = dataset;
    this.actual = actual;
    this.limits = limits;
  }

  /** Every record of one payload as a list (tests); the stages push through {@link #parse(RawPayload, RowSink)}. */
  public List<CanonicalRecord> parse(RawPayload p) {
    List<CanonicalRecord> out = new ArrayList<>();
    parse(p, out::add);
    return out;
  }

  private static final byte[] ACTUAL = "ACTUAL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Streams the CSV of one payload, pushing each selected row as it is read. */
  public void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    Provenance prov = OasisPayload.provenance(p);
    OasisPayload.csv(p, limits, csv -> {
      OasisPayload.require(p, csv, "INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "TAC_AREA_NAME", "MARKET_RUN_ID", "MW");
      boolean hasExec = csv.has("EXECUTION_TYPE");
      Map<String, Integer> seen = new HashMap<>();
      CsvReader.Memo<Instant> memo = OasisPayload.instants();
      CsvReader.Memo<String> names = OasisPayload.strings();
      int iRun = csv.column("MARKET_RUN_ID");
      int iExec = csv.column("EXECUTION_TYPE");
      int iArea = csv.column("TAC_AREA_NAME");
      int iStart = csv.column("INTERVALSTARTTIME_GMT");
      int iEnd = csv.column("INTERVALENDTIME_GMT");
      int iMw = csv.column("MW");
      while (csv.next()) {
        int line = csv.line();
        String run = OasisPayload.text(p, csv, "MARKET_RUN_ID", iRun, names);
        if (csv.is(iRun, ACTUAL) != actual) {
          continue;
        }
        String exec = hasExec ? csv.get(iExec, names) : null;
        String marketRun = exec != null && !"ACTUAL".equals(run) ? exec : run;
        String area = OasisPayload.text(p, csv, "TAC_AREA_NAME", iArea, names);
        Instant start = OasisPayload.instant(p, csv, "INTERVALSTARTTIME_GMT", iStart, memo);
        Instant end = OasisPayload.instant(p, csv, "INTERVALENDTIME_GMT", iEnd, memo);
        if (!end.isAfter(start)) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": INTERVALENDTIME_GMT is not after INTERVALSTARTTIME_GMT");
        }
        double mw = OasisPayload.number(p, csv, "MW", iMw);
        Integer prev = seen.putIfAbsent(marketRun + "|" + area + "|" + start, line);
        if (prev != null) {
          throw new PayloadRejectedException(p.payloadId(), "line " + line + ": " + area + " " + marketRun + " " + start
              + " appears twice (first on line " + prev + ")");
        }
        out.accept(new LoadRecord("caiso", dataset, marketRun, area, start, end, mw, "MW", prov, null));
      }
    });
  }
}
