package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * Today's Outlook history: one fuelsource.csv per Pacific calendar day of the window.
 *
 * <p>Rows outside the window: a file always holds a whole Pacific day, so a window that cut a day
 * would get the rest of that day by design of the request. The dataset is therefore fetched for
 * whole Pacific days only ({@code cadence: daily}; any other window is a usage error, exit 2,
 * before a request is made), and every row of its files lies inside the window; a row outside
 * (a file of another day) makes normalize reject the payload (exit 4).
 */
final class OutlookFuelMixDataset implements Dataset {
  static final String OUTLOOK_HOST = "https://www.caiso.com";
  /** The file of one Pacific day, {@link #DAY} standing for the day. */
  static final String PATH = "/outlook/history/{yyyyMMdd}/fuelsource.csv";
  static final String DAY = "{yyyyMMdd}";
  private static final DateTimeFormatter YMD = DateTimeFormatter.ofPattern("yyyyMMdd");

  private final String id;
  private final HttpFetcher http;
  private final String baseUrl;
  private final OutlookFuelMixParser parser;

  OutlookFuelMixDataset(String id, HttpFetcher http, String baseUrl, NormalizationRules rules) {
    this.id = id;
    this.http = http;
    this.baseUrl = baseUrl;
    this.parser = new OutlookFuelMixParser(id, rules);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public RecordKind kind() {
    return RecordKind.FUEL_MIX;
  }

  @Override
  public Duration resolution() {
    return Duration.ofMinutes(5);
  }

  /** Pacific days of {@code [start, end)}. */
  static List<LocalDate> days(IntervalKey key) {
    LocalDate first = key.window().start().atZone(OasisTime.PACIFIC).toLocalDate();
    LocalDate last = key.window().end().minusMillis(1).atZone(OasisTime.PACIFIC).toLocalDate();
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  /** The files are whole Pacific days: a window must start and end at Pacific midnights. */
  static void requireWholeDays(IntervalKey key) {
    for (java.time.Instant t : List.of(key.window().start(), key.window().end())) {
      if (!t.atZone(OasisTime.PACIFIC).toLocalDate().atStartOfDay(OasisTime.PACIFIC).toInstant().equals(t)) {
        throw new UsageException(key + ": " + t + " is not a Pacific midnight; Today's Outlook publishes one file per whole"
            + " Pacific day, so " + key.dataset() + " is fetched for whole Pacific days only");
      }
    }
  }

  static HttpUrl url(String baseUrl, LocalDate day) {
    return HttpFetcher.rebase(HttpUrl.get(OUTLOOK_HOST + PATH.replace(DAY, YMD.format(day))), baseUrl);
  }

  /** What the dataset reads, for the catalogue. */
  static SourceDescription describe() {
    return new SourceDescription("Today's Outlook history fuelsource.csv", new SourceDescription.Endpoint("every window", "GET",
        OUTLOOK_HOST + PATH, DAY + ": each Pacific day of the window (whole Pacific days only), one CSV per day",
        SourceDescription.Auth.NONE));
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    requireWholeDays(key);
    List<LocalDate> days = days(key);
    for (int i = 0; i < days.size(); i++) {
      LocalDate day = days.get(i);
      ResponseCheck check = r -> {
        if (r.body().length == 0) {
          throw new NotPublishedException(key.market() + "/" + id + " " + day
              + ": Outlook history answered an empty body; not published yet, exit 99");
        }
      };
      HttpResult r = http.get(url(baseUrl, day), key.market() + "/" + id + " " + day + " (part " + (i + 1) + "/" + days.size() + ")", check);
      out.accept(RawPayload.of(key, i, r.url(), r.contentType(), r.status(), r.body(), r.receivedAt()));
    }
  }

  @Override
  public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
    parser.parse(payload, out);
  }
}
