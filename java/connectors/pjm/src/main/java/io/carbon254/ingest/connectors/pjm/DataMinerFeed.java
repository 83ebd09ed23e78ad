package io.carbon254.ingest.connectors.pjm;

import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;

/**
 * The Data Miner 2 feed behind each PJM dataset: its path under {@code /api/v1/}, the record kind,
 * the interval length, the datetime field the request filters on (its {@code _ept} and {@code _utc}
 * forms), and for prices the suffix of the LMP fields ({@code total_lmp_da}, {@code total_lmp_rt}).
 */
enum DataMinerFeed {
  LMP_DA_HOURLY("lmp_da_hourly", "da_hrl_lmps", null, RecordKind.PRICES, Duration.ofHours(1), "datetime_beginning", "da", "DAM"),
  LMP_RT_HOURLY("lmp_rt_hourly", "rt_hrl_lmps", null, RecordKind.PRICES, Duration.ofHours(1), "datetime_beginning", "rt", "RTM"),
  /** Verified five-minute LMPs; intervals the verified feed does not hold yet come from the unverified one. */
  LMP_RT_5MIN("lmp_rt_5min", "rt_fivemin_hrl_lmps", "rt_unverified_fivemin_lmps", RecordKind.PRICES, Duration.ofMinutes(5),
      "datetime_beginning", "rt", "RTM"),
  LOAD_ACTUAL("load_actual", "hrl_load_metered", null, RecordKind.LOAD, Duration.ofHours(1), "datetime_beginning", null, "ACTUAL"),
  LOAD_FORECAST("load_forecast", "load_frcstd_7_day", null, RecordKind.LOAD, Duration.ofHours(1), "forecast_datetime_beginning", null,
      "7DAY"),
  FUEL_MIX("fuel_mix", "gen_by_fuel", null, RecordKind.FUEL_MIX, Duration.ofHours(1), "datetime_beginning", null, "RTM");

  final String dataset;
  final String feed;
  /** The feed asked when {@link #feed} holds nothing for a part (its rows carry a lower version); null: none. */
  final String fallbackFeed;
  final RecordKind kind;
  final Duration resolution;
  /** The datetime field, without its {@code _ept} / {@code _utc} suffix. */
  final String timeField;
  /** {@code da} or {@code rt} for the LMP fields; null for other kinds. */
  final String priceSuffix;
  /** The canonical market run of the records. */
  final String marketRun;

  DataMinerFeed(String dataset, String feed, String fallbackFeed, RecordKind kind, Duration resolution, String timeField,
      String priceSuffix, String marketRun) {
    this.dataset = dataset;
    this.feed = feed;
    this.fallbackFeed = fallbackFeed;
    this.kind = kind;
    this.resolution = resolution;
    this.timeField = timeField;
    this.priceSuffix = priceSuffix;
    this.marketRun = marketRun;
  }

  static DataMinerFeed forDataset(String id) {
    for (DataMinerFeed f : values()) {
      if (f.dataset.equals(id)) {
        return f;
      }
    }
    return null;
  }
}
