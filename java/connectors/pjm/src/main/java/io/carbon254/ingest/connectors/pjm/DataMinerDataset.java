package io.carbon254.ingest.connectors.pjm;

import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpRequest;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.JsonStream;
import io.carbon254.ingest.connectors.common.Paging;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * One Data Miner 2 feed: {@code GET /api/v1/<feed>?rowCount=…&startRow=…&<time filter>}, the window
 * split into parts PJM's archive accepts ({@link DataMinerRange}), each part paged by
 * {@code startRow}/{@code rowCount} until {@code totalRows}; every page is one payload (one Bronze
 * part). A part the feed holds no row for is not published yet (exit 99), unless the feed has a
 * fallback (the unverified five-minute LMPs), which is asked for that part instead. Rows are never
 * outside the window: the filter selects exactly its intervals.
 */
final class DataMinerDataset implements Dataset {
  static final String API_HOST = "https://api.pjm.com";
  static final int ROW_COUNT = 50_000;

  private final DataMinerFeed feed;
  private final HttpFetcher http;
  private final String baseUrl;
  private final int rowCount;
  private final DataMinerParser parser;

  DataMinerDataset(DataMinerFeed feed, HttpFetcher http, String baseUrl, int rowCount, DataMinerParser parser) {
    this.feed = feed;
    this.http = http;
    this.baseUrl = baseUrl;
    this.rowCount = rowCount;
    this.parser = parser;
  }

  @Override
  public String id() {
    return feed.dataset;
  }

  @Override
  public RecordKind kind() {
    return feed.kind;
  }

  @Override
  public Duration resolution() {
    return feed.resolution;
  }

  /** A feed's URL on Data Miner's own host. */
  static HttpUrl feedUrl(String feedName) {
    return HttpUrl.get(API_HOST + "/api/v1/" + feedName);
  }

  /** The first page's request of one part, before paging adds startRow and rowCount. */
  static HttpRequest request(String baseUrl, String feedName, DataMinerRange range) {
    HttpUrl url = feedUrl(feedName).newBuilder()
        .addQueryParameter(range.field(), range.value())
        .build();
    return HttpRequest.get(HttpFetcher.rebase(url, baseUrl));
  }

  /** What {@code feed} reads, for the catalogue: its feed (and the fallback feed), the filter, the paging, the key header. */
  static SourceDescription describe(DataMinerFeed feed) {
    String request = feed.timeField + "_ept=<from>to<to> (the window's first and last interval beginnings, EPT, MM/dd/yyyy HH:mm; "
        + feed.timeField + "_utc where the fall-back day's repeated hour would be ambiguous), paged by startRow and rowCount ("
        + ROW_COUNT + " rows a page) until totalRows; parts inside one UTC year, at most " + DataMinerRange.MAX_SPAN.toDays() + " days";
    SourceDescription.Auth auth = SourceDescription.Auth.header(PjmConnector.KEY_HEADER, PjmConnector.KEY_VARIABLE);
    List<SourceDescription.Endpoint> endpoints = new java.util.ArrayList<>();
    endpoints.add(new SourceDescription.Endpoint("every window", "GET", feedUrl(feed.feed).toString(), request, auth));
    if (feed.fallbackFeed != null) {
      endpoints.add(new SourceDescription.Endpoint("parts " + feed.feed + " holds no rows for yet (a lower version)", "GET",
          feedUrl(feed.fallbackFeed).toString(), request, auth));
    }
    return new SourceDescription("Data Miner 2 feed " + feed.feed + (feed.fallbackFeed == null ? "" : ", then " + feed.fallbackFeed),
        endpoints);
  }

  Paging paging() {
    return Paging.rowOffset("startRow", "rowCount", rowCount, 1, Paging.Total.jsonField("totalRows"), Paging.Count.jsonArray("items"));
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    List<IntervalWindow> parts = DataMinerRange.split(key.window());
    int[] payloads = {0};
    for (int i = 0; i < parts.size(); i++) {
      DataMinerRange range = DataMinerRange.of(parts.get(i), feed.timeField, feed.resolution);
      String what = key.market() + "/" + key.dataset() + " " + parts.get(i) + " (part " + (i + 1) + "/" + parts.size() + ")";
      if (fetchPart(key, feed.feed, range, what, out, payloads)) {
        continue;
      }
      if (feed.fallbackFeed != null && fetchPart(key, feed.fallbackFeed, range, what + " from " + feed.fallbackFeed, out, payloads)) {
        continue;
      }
      throw new NotPublishedException(what + ": PJM Data Miner has no rows for " + range.field() + "=" + range.value() + " in "
          + feed.feed + (feed.fallbackFeed == null ? "" : " or " + feed.fallbackFeed) + " yet");
    }
  }

  /** Pages of one part from one feed to {@code out}; false (nothing handed on) when the feed has no row for it. */
  private boolean fetchPart(IntervalKey key, String feedName, DataMinerRange range, String what, RowSink<? super RawPayload> out,
      int[] payloads) {
    boolean[] empty = {false};
    http.pages(request(baseUrl, feedName, range), paging(), what, r -> {}, page -> {
      if (totalRows(page) == 0) {
        empty[0] = true;
        return;
      }
      out.accept(RawPayload.of(key, payloads[0]++, page.url(), page.contentType(), page.status(), page.body(), page.receivedAt()));
    });
    return !empty[0];
  }

  private static long totalRows(HttpResult page) {
    try {
      return JsonStream.longAt(page.body(), "totalRows")
          .orElseThrow(() -> new IOException("no totalRows in the answer"));
    } catch (IOException e) {
      throw new PayloadRejectedException(page.url(), "not a Data Miner answer: " + e.getMessage());
    }
  }

  @Override
  public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
    parser.parse(payload, out);
  }
}
