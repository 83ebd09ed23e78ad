package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.util.List;

/**
 * How each OASIS-backed dataset is requested and read. Spans are OASIS's limits for all-node
 * queries (one hour of real-time intervals, one day of day-ahead, 31 days otherwise).
 *
 * @param marketRunId the {@code market_run_id} query parameter, or null for all market runs
 * @param priceColumns header names that may carry the value, in order of preference
 * @param canonicalRun the canonical {@code market_run} of price rows
 */
public enum OasisQuery {
  LMP_DA_HOURLY("lmp_da_hourly", RecordKind.PRICES, "PRC_LMP", "DAM", "12", true, Duration.ofDays(1),
      Duration.ofHours(1), List.of("MW", "VALUE", "PRC"), "DA"),
  LMP_RT_5MIN("lmp_rt_5min", RecordKind.PRICES, "PRC_INTVL_LMP", "RTM", "3", true, Duration.ofHours(1),
      Duration.ofMinutes(5), List.of("VALUE", "MW", "PRC"), "RT"),
  LMP_RT_15MIN("lmp_rt_15min", RecordKind.PRICES, "PRC_RTPD_LMP", "RTPD", "3", true, Duration.ofHours(1),
      Duration.ofMinutes(15), List.of("PRC", "VALUE", "MW"), "RTPD"),
  LOAD_ACTUAL("load_actual", RecordKind.LOAD, "SLD_FCST", "ACTUAL", "1", false, Duration.ofDays(31),
      Duration.ofHours(1), List.of("MW"), null),
  LOAD_FORECAST("load_forecast", RecordKind.LOAD, "SLD_FCST", null, "1", false, Duration.ofDays(31),
      Duration.ofMinutes(5), List.of("MW"), null);

  final String dataset;
  final RecordKind kind;
  final String queryName;
  final String marketRunId;
  final String version;
  final boolean allNodes;
  final Duration maxSpan;
  final Duration resolution;
  final List<String> priceColumns;
  final String canonicalRun;

  OasisQuery(String dataset, RecordKind kind, String queryName, String marketRunId, String version, boolean allNodes,
      Duration maxSpan, Duration resolution, List<String> priceColumns, String canonicalRun) {
    this.dataset = dataset;
    this.kind = kind;
    this.queryName = queryName;
    this.marketRunId = marketRunId;
    this.version = version;
    this.allNodes = allNodes;
    this.maxSpan = maxSpan;
    this.resolution = resolution;
    this.priceColumns = priceColumns;
    this.canonicalRun = canonicalRun;
  }

  public String dataset() {
    return dataset;
  }

  public String queryName() {
    return queryName;
  }

  public String marketRunId() {
    return marketRunId;
  }

  public Duration maxSpan() {
    return maxSpan;
  }

  public static OasisQuery forDataset(String id) {
    for (OasisQuery q : values()) {
      if (q.dataset.equals(id)) {
        return q;
      }
    }
    return null;
  }

  public static OasisQuery forQueryName(String queryName, String marketRunId) {
    for (OasisQuery q : values()) {
      if (q.queryName.equals(queryName) && (q.marketRunId == null || q.marketRunId.equals(marketRunId))) {
        return q;
      }
    }
    return null;
  }
}
