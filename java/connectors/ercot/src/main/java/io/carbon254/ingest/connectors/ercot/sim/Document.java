package io.carbon254.ingest.connectors.ercot.sim;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One posted document of a report.
 *
 * @param docId unique across reports, increasing with {@code posted}; the {@code _xml} twin of a
 *     csv document has the csv's id + 8
 * @param posted when ERCOT posts it
 * @param subject what it is about: the interval end (NP6-905-CD), the SCED run (NP6-788-CD), the
 *     start of the operating day (NP4-190-CD, NP6-345-CD), the posting itself (NP3-561-CD)
 * @param retry the republished {@code _retry_} NP6-905-CD document
 * @param xml the {@code _xml} twin MIS lists beside each csv document
 */
public record Document(Report report, long docId, Instant posted, Instant subject, boolean retry, boolean xml) {
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd_HHmm");
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ErcotSimulator.CPT);
  private static final DateTimeFormatter POSTED = DateTimeFormatter.ofPattern("yyyyMMdd.HHmmss").withZone(ErcotSimulator.CPT);

  /** The MIS friendly name, e.g. {@code SPPHLZNP6905_20241103_0115_xhr_csv}. */
  public String friendlyName() {
    String kind = xml ? "_xml" : "_csv";
    return switch (report) {
      case NP6_905_CD -> "SPPHLZNP6905_" + (retry ? "retry_" : "") + intervalLabel(subject) + kind;
      case NP6_788_CD -> "LMPSROSNODENP6788_" + SECOND.format(subject) + xhr(subject) + kind;
      case NP4_190_CD -> "DAMSPNP4190" + kind;
      case NP6_345_CD -> "ACTUALSYSLOADWZNP6345" + kind;
      case NP3_561_CD -> "LFCWEATHERNP3561" + kind;
    };
  }

  /** {@code cdr.<8-digit report type>.0000000000000000.<posted yyyyMMdd.HHmmss>.<friendlyName>.zip}. */
  public String constructedName() {
    return "cdr." + String.format(Locale.ROOT, "%08d", report.reportTypeId()) + ".0000000000000000." + POSTED.format(posted) + "."
        + friendlyName() + ".zip";
  }

  /** The name of the one entry in the document's zip: the constructed name with {@code .csv} (or {@code .xml}). */
  public String entryName() {
    String c = constructedName();
    return c.substring(0, c.length() - "_csv.zip".length()) + (xml ? ".xml" : ".csv");
  }

  /** The operating day the document is about (NP6-905-CD: of the interval; NP3-561-CD: the posting day). */
  public LocalDate operatingDay() {
    Instant t = report == Report.NP6_905_CD ? subject.minusSeconds(900) : subject;
    return t.atZone(ErcotSimulator.CPT).toLocalDate();
  }

  /** The {@code _xml} twin of this csv document. */
  public Document xmlTwin() {
    return xml ? this : new Document(report, docId + 8, posted, subject, retry, true);
  }

  /**
   * The name of a 15-minute interval: its end on the wall clock (its start's local time + 15 min;
   * the real end where that time is skipped) and {@code _xhr} when the interval lies in the
   * repeated hour, as its rows' DSTFlag says: {@code _0115_xhr} is 01:00-01:15 CST, {@code _0200}
   * 01:45-02:00 CDT, {@code _0200_xhr} 01:45-02:00 CST; on the spring-forward day 01:45 CST-03:00
   * CDT is {@code _0300}.
   */
  static String intervalLabel(Instant end) {
    Instant start = end.minusSeconds(900);
    LocalDateTime label = LocalDateTime.ofInstant(start, ErcotSimulator.CPT).plusMinutes(15);
    if (ErcotSimulator.CPT.getRules().getValidOffsets(label).isEmpty()) {
      label = LocalDateTime.ofInstant(end, ErcotSimulator.CPT);
    }
    return MINUTE.format(label) + xhr(start);
  }

  private static String xhr(Instant t) {
    return Schedule.secondOccurrence(t) ? "_xhr" : "";
  }
}
