package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * An hourly LMP dataset read from MISO's market reports: one request per market day the window
 * touches ({@code GET /marketreports/YYYYMMDD_<file>.csv}), one payload each. Real-time prices ask
 * for the final report first and for the preliminary one only while the final one does not exist;
 * a later run that finds the final report stores it beside the preliminary one in Bronze and its
 * rows replace them in Silver. A report not published yet answers HTTP 404 {@code BlobNotFound}
 * (exit 99); a 200 that is not a report is a payload error at normalize (exit 4).
 */
final class MarketReportDataset implements Dataset {
  private final MarketReport report;
  private final HttpFetcher http;
  private final String base;
  private final MarketReportParser parser;

  MarketReportDataset(MarketReport report, HttpFetcher http, String base, MarketReportParser parser) {
    this.report = report;
    this.http = http;
    this.base = base;
    this.parser = parser;
  }

  @Override
  public String id() {
    return report.dataset;
  }

  @Override
  public RecordKind kind() {
    return RecordKind.PRICES;
  }

  @Override
  public Duration resolution() {
    return Duration.ofHours(1);
  }

  static HttpUrl url(String base, LocalDate day, String file) {
    return HttpFetcher.rebase(HttpUrl.get(MarketReport.HOST + MarketReport.path(day, file)), base);
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    List<LocalDate> days = MisoClock.days(key.window());
    for (int i = 0; i < days.size(); i++) {
      LocalDate day = days.get(i);
      String what = key.market() + "/" + key.dataset() + " " + day + " (day " + (i + 1) + "/" + days.size() + ")";
      HttpResult r = null;
      NotPublishedException missing = null;
      for (String file : report.files) {
        try {
          r = http.get(url(base, day, file), what + " " + file, ResponseCheck.ACCEPT_ALL);
          break;
        } catch (NotPublishedException e) {
          missing = e;
        }
      }
      if (r == null) {
        throw new NotPublishedException(what + ": MISO has not published " + String.join(" or ",
            report.files.stream().map(f -> MarketReport.path(day, f).substring("/marketreports/".length())).toList())
            + " yet (" + missing.getMessage() + ")");
      }
      out.accept(RawPayload.of(key, i, r.url(), r.contentType(), r.status(), r.body(), r.receivedAt()));
    }
  }

  @Override
  public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
    parser.parse(payload, out);
  }
}
