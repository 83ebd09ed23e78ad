package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * The real-time datasets and their two sources. Days the Data Exchange does not hold yet come
 * from the Public API ({@code public-api.misoenergy.org/api/…}, no credentials, latest values only,
 * polled at most once a minute): five-minute ex-post LMPs of today ({@code Rolling}) and yesterday
 * ({@code Previous}), today's five-minute total load, the five-minute fuel mix of today and
 * yesterday. Settled days come from the Data Exchange ({@code apim.misoenergy.org}, MISO_API_KEY,
 * the date in the path, paged): real-time ex-post LMPs per five-minute interval, hourly actual load
 * and hourly generation by fuel, MISO-wide ({@code region=MISO}). Load and fuel mix are hourly:
 * the Public API's five-minute values of a complete hour are averaged into a provisional hour that
 * the Data Exchange's settled hour replaces.
 */
enum RealTimeFeed {
  LMP_RT_5MIN("lmp_rt_5min", RecordKind.PRICES, Duration.ofMinutes(5), 2,
      "/pricing/v1/real-time/{date}/lmp-expost?timeResolution=5min",
      "/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling", "/api/MarketPricing/GetRealTimeFiveMinExPost/Previous"),
  LOAD_ACTUAL("load_actual", RecordKind.LOAD, Duration.ofHours(1), 1,
      "/lgi/v1/real-time/{date}/demand/actual?timeResolution=hourly&region=MISO",
      "/api/RealTimeTotalLoad"),
  FUEL_MIX("fuel_mix", RecordKind.FUEL_MIX, Duration.ofHours(1), 2,
      "/lgi/v1/real-time/{date}/generation/fuel-type?region=MISO",
      "/api/FuelMix/Today", "/api/FuelMix/Yesterday");

  static final String PUBLIC_HOST = "https://public-api.misoenergy.org";
  static final String EXCHANGE_HOST = "https://apim.misoenergy.org";

  final String dataset;
  final RecordKind kind;
  final Duration resolution;
  /** How many days back the Public API serves: its path for today, then for yesterday. */
  final String[] publicPaths;
  /** The Data Exchange's path, {@code {date}} for the market day. */
  final String exchangePath;

  RealTimeFeed(String dataset, RecordKind kind, Duration resolution, int publicDays, String exchangePath, String... publicPaths) {
    this.dataset = dataset;
    this.kind = kind;
    this.resolution = resolution;
    this.exchangePath = exchangePath;
    this.publicPaths = publicPaths;
    if (publicPaths.length != publicDays) {
      throw new IllegalStateException(dataset + ": one Public API path per day it serves");
    }
  }

  static RealTimeFeed forDataset(String id) {
    return Arrays.stream(values()).filter(f -> f.dataset.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no MISO real-time feed for " + id));
  }

  /** The Public API's path for market day {@code day} when today is {@code today}, or null when it serves no such day. */
  String publicPath(LocalDate day, LocalDate today) {
    long age = today.toEpochDay() - day.toEpochDay();
    return age >= 0 && age < publicPaths.length ? publicPaths[(int) age] : null;
  }

  /** Whether a request names one five-minute interval ({@code interval=HH:mm}): the LMPs, a few pages each. */
  boolean perInterval() {
    return this == LMP_RT_5MIN;
  }
}
