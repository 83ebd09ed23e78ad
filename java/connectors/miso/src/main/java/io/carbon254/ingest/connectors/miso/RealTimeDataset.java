package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpRequest;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.JsonStream;
import io.carbon254.ingest.connectors.common.Paging;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A real-time dataset ({@link RealTimeFeed}): each market day of the window from the Data Exchange
 * once it holds the day's settled values (from 09:00 EST the next day), from the Public API before
 * that while the Public API serves the day ({@code INGEST_MISO_TRANSPORT} auto; public or exchange
 * force one). A Public API answer is one payload; it must hold every interval of the
 * window's part of its day (an hour averaged from five-minute values: all twelve of them), else
 * the part is not published yet (exit 99) and the scheduler comes back. A Data Exchange answer is
 * paged by {@code pageNumber} until {@code page.lastPage}, every page one payload; LMPs are asked
 * one five-minute interval at a time ({@code interval=HH:mm}, EST) to keep a window to a few pages
 * of the daily quota; a day or interval it has no rows for (HTTP 404, or no data) is not published.
 */
final class RealTimeDataset implements Dataset {
  enum Transport { AUTO, PUBLIC, EXCHANGE }

  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");
  static final Duration EXCHANGE_LAG = Duration.ofHours(9);

  private final RealTimeFeed feed;
  private final PublicApi publicApi;
  private final HttpFetcher exchange;
  private final String exchangeBase;
  private final RealTimeParser parser;
  private final Clock clock;
  private final Transport transport;

  RealTimeDataset(RealTimeFeed feed, PublicApi publicApi, HttpFetcher exchange, String exchangeBase, RealTimeParser parser,
      Clock clock, Transport transport) {
    this.feed = feed;
    this.publicApi = publicApi;
    this.exchange = exchange;
    this.exchangeBase = exchangeBase;
    this.parser = parser;
    this.clock = clock;
    this.transport = transport;
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

  /**
   * What {@code feed} reads, for the catalogue: the Public API's paths (today, yesterday) until the
   * Data Exchange holds the day, then the Data Exchange.
   */
  static SourceDescription describe(RealTimeFeed feed) {
    String settled = "from " + Durations.format(EXCHANGE_LAG) + " after the EST day ends";
    List<SourceDescription.Endpoint> endpoints = new java.util.ArrayList<>();
    String[] days = {"today", "yesterday"};
    for (int i = 0; i < feed.publicPaths.length; i++) {
      endpoints.add(new SourceDescription.Endpoint(days[i] + " (EST) until the Data Exchange holds the day (" + settled
          + "; INGEST_MISO_TRANSPORT=auto, or public)", "GET", RealTimeFeed.PUBLIC_HOST + feed.publicPaths[i],
          "no parameters: the latest values; each path asked at most once per " + Durations.format(MisoConnector.PUBLIC_API_REUSE_DEFAULT)
              + " per process (" + MisoConnector.PUBLIC_API_REUSE + ")", SourceDescription.Auth.NONE));
    }
    endpoints.add(new SourceDescription.Endpoint("days the Data Exchange holds (" + settled + "; INGEST_MISO_TRANSPORT=auto, or exchange)",
        "GET", RealTimeFeed.EXCHANGE_HOST + feed.exchangePath, "{date}: each EST market day (yyyy-MM-dd)"
            + (feed.perInterval() ? ", interval=HH:mm (EST) for each five-minute interval" : "")
            + "; paged by pageNumber until page.lastPage; at most " + MisoAnswers.DAILY_QUOTA + " calls a day per subscription",
        SourceDescription.Auth.header(MisoConnector.KEY_HEADER, MisoConnector.KEY_VARIABLE)));
    String path = feed.exchangePath.replaceAll("\\?.*$", "");
    return new SourceDescription("Data Exchange " + path + " (settled days), Public API " + String.join(" and ", feed.publicPaths)
        + " (recent)", endpoints);
  }

  static HttpUrl exchangeUrl(String base, RealTimeFeed feed, LocalDate day) {
    return HttpFetcher.rebase(HttpUrl.get(RealTimeFeed.EXCHANGE_HOST + feed.exchangePath.replace("{date}", day.toString())), base);
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    Instant now = clock.instant();
    LocalDate today = MisoClock.day(now);
    int[] part = {0};
    for (LocalDate day : MisoClock.days(key.window())) {
      IntervalWindow within = MisoClock.within(key.window(), day);
      String what = key.market() + "/" + key.dataset() + " " + within;
      if (day.isAfter(today)) {
        throw new NotPublishedException(what + ": MISO day " + day + " has not begun (today is " + today + " EST)");
      }
      String path = feed.publicPath(day, today);
      boolean fromPublic = switch (transport) {
        case AUTO -> path != null && now.isBefore(exchangeFrom(day));
        case PUBLIC -> {
          if (path == null) {
            throw new UsageException(what + ": INGEST_MISO_TRANSPORT=public, but the Public API serves " + feed.dataset + " for "
                + (feed.publicPaths.length == 1 ? "today" : "today and yesterday") + " only (EST); day " + day + " needs the Data Exchange");
          }
          yield true;
        }
        case EXCHANGE -> false;
      };
      if (fromPublic) {
        fetchPublic(key, within, path, what, out, part);
      } else {
        fetchExchange(key, day, within, what, out, part);
      }
    }
  }

  private void fetchPublic(IntervalKey key, IntervalWindow within, String path, String what, RowSink<? super RawPayload> out,
      int[] part) {
    HttpResult r = publicApi.get(path, what);
    RawPayload p = RawPayload.of(key, part[0]++, r.url(), r.contentType(), r.status(), r.body(), r.receivedAt());
    Set<Instant> starts = new HashSet<>();
    Instant[] latest = {null};
    parser.parse(p, rec -> {
      Instant s = rec.intervalStart();
      if (within.contains(s)) {
        starts.add(s);
      }
      if (latest[0] == null || s.isAfter(latest[0])) {
        latest[0] = s;
      }
    });
    long expected = within.length().dividedBy(feed.resolution);
    if (starts.size() < expected) {
      throw new NotPublishedException(what + ": the Public API holds " + starts.size() + " of the " + expected + " "
          + (feed.resolution.toMinutes() == 5 ? "five-minute intervals" : "complete hours") + " of " + within + " yet"
          + (latest[0] == null ? "" : " (its latest: " + latest[0] + ")"));
    }
    out.accept(p);
  }

  private void fetchExchange(IntervalKey key, LocalDate day, IntervalWindow within, String what, RowSink<? super RawPayload> out,
      int[] part) {
    HttpUrl url = exchangeUrl(exchangeBase, feed, day);
    if (!feed.perInterval()) {
      exchangePages(key, HttpRequest.get(url), what + " Data Exchange " + day, out, part);
      return;
    }
    for (Instant s = within.start(); s.isBefore(within.end()); s = s.plus(feed.resolution)) {
      String hhmm = HH_MM.format(LocalTime.ofInstant(s, MisoClock.EST));
      HttpRequest r = HttpRequest.get(url.newBuilder().setQueryParameter("interval", hhmm).build());
      exchangePages(key, r, what + " Data Exchange " + day + " " + hhmm + " EST", out, part);
    }
  }

  private void exchangePages(IntervalKey key, HttpRequest request, String what, RowSink<? super RawPayload> out, int[] part) {
    boolean[] empty = {false};
    int[] pages = {0};
    exchange.pages(request, PAGES, what, ResponseCheck.ACCEPT_ALL, page -> {
      if (pages[0]++ == 0 && !hasRows(page)) {
        empty[0] = true;
        return;
      }
      out.accept(RawPayload.of(key, part[0]++, page.url(), page.contentType(), page.status(), page.body(), page.receivedAt()));
    });
    if (empty[0]) {
      throw new NotPublishedException(what + ": the Data Exchange has no rows for it yet");
    }
  }

  private static boolean hasRows(HttpResult page) {
    try {
      return JsonStream.countItems(new java.io.ByteArrayInputStream(page.body()), "data") > 0;
    } catch (IOException e) {
      throw new PayloadRejectedException(page.url(), "not a Data Exchange answer: " + e.getMessage());
    }
  }

  /** The Data Exchange's paging: {@code pageNumber} from 1, a fixed page size, {@code page.lastPage} on the last. */
  static final Paging PAGES = new Paging() {
    @Override
    public HttpRequest first(HttpRequest base) {
      return base.withQuery("pageNumber", "1");
    }

    @Override
    public Optional<HttpRequest> next(HttpRequest request, HttpResult page, int index) {
      Optional<Long> total;
      boolean last;
      long items;
      try {
        Optional<com.fasterxml.jackson.databind.JsonNode> info = JsonStream.topLevel(page.body(), "page");
        if (info.isEmpty() || !info.get().isObject()) {
          throw new IOException("no 'page' object in the answer");
        }
        last = info.get().path("lastPage").asBoolean(false);
        total = info.get().hasNonNull("totalPages") ? Optional.of(info.get().get("totalPages").asLong()) : Optional.empty();
        items = JsonStream.countItems(new java.io.ByteArrayInputStream(page.body()), "data");
      } catch (IOException e) {
        throw new PayloadRejectedException(page.url(), "not a Data Exchange page: " + e.getMessage());
      }
      long number = Long.parseLong(request.url().queryParameter("pageNumber"));
      if (last || total.map(t -> number >= t).orElse(false)) {
        return Optional.empty();
      }
      if (items == 0) {
        throw new PayloadRejectedException(page.url(), "page " + number + " is empty although the Data Exchange counts "
            + total.map(String::valueOf).orElse("more") + " pages and says it is not the last");
      }
      return Optional.of(request.withQuery("pageNumber", Long.toString(number + 1)));
    }
  };

  /** When the Data Exchange holds day {@code day}'s settled values: the next day, 09:00 EST (MISO: "available at 7am EST the day after"). */
  static Instant exchangeFrom(LocalDate day) {
    return MisoClock.dayStart(day.plusDays(1)).plus(EXCHANGE_LAG);
  }

  @Override
  public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
    parser.parse(payload, out);
  }

  /** {@code INGEST_MISO_TRANSPORT}: auto (the default), public or exchange. */
  static Transport transport(String value) {
    String t = value == null || value.isBlank() ? "AUTO" : value.strip().toUpperCase(java.util.Locale.ROOT);
    try {
      return Transport.valueOf(t);
    } catch (IllegalArgumentException e) {
      throw new UsageException("INGEST_MISO_TRANSPORT is '" + value + "': one of auto, public, exchange");
    }
  }
}
