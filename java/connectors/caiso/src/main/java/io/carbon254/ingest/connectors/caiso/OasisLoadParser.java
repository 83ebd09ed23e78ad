package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.Csv;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
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

  public OasisLoadParser(String dataset, boolean actual) {
    this.dataset = dataset;
    this.actual = actual;
  }

  public List<CanonicalRecord> parse(RawPayload p) {
    Csv csv = OasisPayload.csv(p);
    OasisPayload.require(p, csv, "INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "TAC_AREA_NAME", "MARKET_RUN_ID", "MW");
    boolean hasExec = csv.has("EXECUTION_TYPE");
    Provenance prov = OasisPayload.provenance(p);
    List<CanonicalRecord> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Instant> memo = new HashMap<>();
    int iRun = csv.column("MARKET_RUN_ID");
    int iExec = csv.column("EXECUTION_TYPE");
    int iArea = csv.column("TAC_AREA_NAME");
    int iStart = csv.column("INTERVALSTARTTIME_GMT");
    int iEnd = csv.column("INTERVALENDTIME_GMT");
    int iMw = csv.column("MW");
    for (Csv.Row row : csv.rows()) {
      String run = OasisPayload.text(p, row, "MARKET_RUN_ID", iRun);
      if ("ACTUAL".equals(run) != actual) {
        continue;
      }
      String exec = hasExec ? row.get(iExec) : null;
      String marketRun = exec != null && !"ACTUAL".equals(run) ? exec : run;
      String area = OasisPayload.text(p, row, "TAC_AREA_NAME", iArea);
      Instant start = OasisPayload.instant(p, row, "INTERVALSTARTTIME_GMT", iStart, memo);
      Instant end = OasisPayload.instant(p, row, "INTERVALENDTIME_GMT", iEnd, memo);
      if (!end.isAfter(start)) {
        throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ": INTERVALENDTIME_GMT is not after INTERVALSTARTTIME_GMT");
      }
      double mw = OasisPayload.number(p, row, "MW", iMw);
      Integer prev = seen.putIfAbsent(marketRun + "|" + area + "|" + start, row.line());
      if (prev != null) {
        throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ": " + area + " " + marketRun + " " + start
            + " appears twice (first on line " + prev + ")");
      }
      out.add(new LoadRecord("caiso", dataset, marketRun, area, start, end, mw, "MW", prov, null));
    }
    return out;
  }
}
