package io.carbon254.ingest.connectors.ercot.sim;

import java.time.Duration;
import java.util.Locale;

/** The reports the simulator posts: EMIL id, MIS report type id, name, and how long MIS keeps a document. */
public enum Report {
  /** Real-time settlement point prices, one document per 15-minute interval. */
  NP6_905_CD("NP6-905-CD", 12301, "Settlement Point Prices at Resource Nodes, Hubs and Load Zones", Duration.ofDays(7)),
  /** Day-ahead settlement point prices, one document per operating day. */
  NP4_190_CD("NP4-190-CD", 12331, "DAM Settlement Point Prices", Duration.ofDays(31)),
  /** SCED LMPs, one document per SCED run. */
  NP6_788_CD("NP6-788-CD", 12300, "LMPs by Resource Nodes, Load Zones and Trading Hubs", Duration.ofDays(5)),
  /** Actual system load by weather zone, one document per operating day. */
  NP6_345_CD("NP6-345-CD", 13101, "Actual System Load by Weather Zone", Duration.ofDays(7)),
  /** Seven-day load forecast by weather zone, one document per hour. */
  NP3_561_CD("NP3-561-CD", 12312, "Seven-Day Load Forecast by Weather Zone", Duration.ofDays(7));

  private final String emilId;
  private final int reportTypeId;
  private final String reportName;
  private final Duration misRetention;

  Report(String emilId, int reportTypeId, String reportName, Duration misRetention) {
    this.emilId = emilId;
    this.reportTypeId = reportTypeId;
    this.reportName = reportName;
    this.misRetention = misRetention;
  }

  /** Upper case, as the archive's {@code product.emilId} writes it ({@code NP6-905-CD}). */
  public String emilId() {
    return emilId;
  }

  public int reportTypeId() {
    return reportTypeId;
  }

  public String reportName() {
    return reportName;
  }

  /** MIS lists a document while it is younger than this. */
  public Duration misRetention() {
    return misRetention;
  }

  /** The report of an EMIL id in any case ({@code np6-905-cd}), or null. */
  public static Report ofEmilId(String emilId) {
    for (Report r : values()) {
      if (r.emilId.equals(emilId.toUpperCase(Locale.ROOT))) {
        return r;
      }
    }
    return null;
  }

  /** The report of a MIS report type id, or null. */
  public static Report ofReportTypeId(int id) {
    for (Report r : values()) {
      if (r.reportTypeId == id) {
        return r;
      }
    }
    return null;
  }
}
