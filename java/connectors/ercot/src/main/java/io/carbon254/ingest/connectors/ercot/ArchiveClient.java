package io.carbon254.ingest.connectors.ercot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpRequest;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.Paging;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * The archive of ERCOT's Public API ({@code api.ercot.com/api/public-reports/archive/<emil>}), which
 * keeps every report's documents for years: the listing filtered by posting time
 * ({@code postDatetimeFrom}/{@code postDatetimeTo}, Central wall clock), paged by
 * {@code page}/{@code size} up to {@code _meta.totalPages}; one document by
 * {@code ?download=<docId>}; many at once by {@code POST /archive/<emil>/download} with up to 1,000
 * {@code docIds}, answered as one zip whose entries are {@code <docId>.<file name>}, each the
 * document's own zip (the same bytes as its single download). Credentials travel in headers (the
 * fetcher's {@link io.carbon254.ingest.connectors.common.Auth}).
 */
final class ArchiveClient {
  static final String HOST = "https://api.ercot.com";
  static final int PAGE_SIZE = 1000;
  static final int BULK_MAX = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One document's bytes as the archive sent them, with the URL it is stored under (its own download link). */
  record Downloaded(ErcotDocument document, String url, byte[] zip, Instant receivedAt) {}

  private final HttpFetcher http;
  private final String baseUrl;

  ArchiveClient(HttpFetcher http, String baseUrl) {
    this.http = http;
    this.baseUrl = baseUrl;
  }

  static String emil(ErcotReport report) {
    return report.emilId.toLowerCase(Locale.ROOT);
  }

  HttpUrl archiveUrl(ErcotReport report) {
    return HttpFetcher.rebase(archiveUrlOnHost(report), baseUrl);
  }

  /** A report's archive on the Public API's own host. */
  static HttpUrl archiveUrlOnHost(ErcotReport report) {
    return HttpUrl.get(HOST + "/api/public-reports/archive/" + emil(report));
  }

  /** The download link of one document, as the listing's {@code _links.endpoint.href} has it (rebased). */
  String downloadUrl(ErcotReport report, long docId) {
    return archiveUrl(report).newBuilder().addQueryParameter("download", Long.toString(docId)).build().toString();
  }

  /**
   * Every document posted between {@code from} and {@code until} (inclusive, by the wall clock: the
   * repeated hour widens the filter by an hour on each side; the caller chooses by instant).
   */
  List<ErcotDocument> list(ErcotReport report, Instant from, Instant until, String what) {
    HttpUrl url = archiveUrl(report).newBuilder()
        .addQueryParameter("postDatetimeFrom", ErcotClock.wallText(from.minusSeconds(3600)))
        .addQueryParameter("postDatetimeTo", ErcotClock.wallText(until.plusSeconds(3600)))
        .build();
    List<ErcotDocument> out = new ArrayList<>();
    Paging paging = Paging.pageNumber("page", "size", PAGE_SIZE, 1, Paging.Total.jsonField("_meta.totalPages"),
        Paging.Count.jsonArray("archives"));
    http.pages(HttpRequest.get(url), paging, what + " archive listing", ResponseCheck.ACCEPT_ALL, page -> out.addAll(parseListing(report, page)));
    return out;
  }

  /** {@code {"_meta":{…},"archives":[{"docId","friendlyName","postDatetime":"2024-11-05T03:16:10.000",…}]}}. */
  static List<ErcotDocument> parseListing(ErcotReport report, HttpResult page) {
    JsonNode root;
    try {
      root = JSON.readTree(page.body());
    } catch (IOException e) {
      throw new PayloadRejectedException(page.url(), "the archive listing is not JSON: " + e.getMessage());
    }
    JsonNode archives = root == null ? null : root.get("archives");
    if (archives == null || !archives.isArray() || !root.has("_meta")) {
      throw new PayloadRejectedException(page.url(), "not an archive listing (no _meta and archives)");
    }
    List<ErcotDocument> out = new ArrayList<>();
    int i = 0;
    for (JsonNode a : archives) {
      i++;
      JsonNode id = a.get("docId");
      String name = a.path("friendlyName").asText("").strip();
      String posted = a.path("postDatetime").asText("").strip();
      if (id == null || !id.asText().strip().matches("\\d{1,18}") || posted.isEmpty()) {
        throw new PayloadRejectedException(page.url(), "archive " + i + " lacks docId or postDatetime: " + a);
      }
      LocalDateTime local;
      try {
        local = LocalDateTime.parse(posted);
      } catch (DateTimeParseException e) {
        throw new PayloadRejectedException(page.url(), "postDatetime '" + posted + "' of archive " + i + " is not a date-time");
      }
      out.add(new ErcotDocument(Long.parseLong(id.asText().strip()), name,
          ErcotClock.posted(local, report.postedNotBefore(name), ErcotDocument.xhr(name)), report.nameTime(name)));
    }
    return out;
  }

  /** The documents' zips: one GET for one, bulk POSTs of up to 1,000 for more; in the order asked. */
  List<Downloaded> download(ErcotReport report, List<ErcotDocument> docs, String what) {
    List<Downloaded> out = new ArrayList<>();
    if (docs.size() == 1) {
      ErcotDocument d = docs.get(0);
      HttpResult r = http.get(HttpUrl.get(downloadUrl(report, d.docId())), what + " " + d.friendlyName(), ResponseCheck.ACCEPT_ALL);
      out.add(new Downloaded(d, r.url(), r.body(), r.receivedAt()));
      return out;
    }
    for (int i = 0; i < docs.size(); i += BULK_MAX) {
      out.addAll(bulk(report, docs.subList(i, Math.min(docs.size(), i + BULK_MAX)), what));
    }
    return out;
  }

  private List<Downloaded> bulk(ErcotReport report, List<ErcotDocument> docs, String what) {
    StringBuilder body = new StringBuilder("{\"docIds\":[");
    for (int i = 0; i < docs.size(); i++) {
      body.append(i == 0 ? "" : ",").append('"').append(docs.get(i).docId()).append('"');
    }
    body.append("]}");
    HttpUrl url = archiveUrl(report).newBuilder().addPathSegment("download").build();
    HttpResult r = http.send(HttpRequest.post(url, "application/json", body.toString().getBytes(StandardCharsets.UTF_8)),
        what + " bulk download of " + docs.size() + " documents", ResponseCheck.ACCEPT_ALL);
    Map<Long, byte[]> byId = new HashMap<>();
    try {
      for (SafeZip.Entry e : SafeZip.read(r.body(), new SafeZip.Limits(BULK_MAX + 1, 256L << 20, 4L << 30))) {
        String name = e.name().contains("/") ? e.name().substring(e.name().lastIndexOf('/') + 1) : e.name();
        String id = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        if (id.matches("\\d{1,18}")) {
          byId.put(Long.parseLong(id), e.data());
        }
      }
    } catch (SafeZip.ZipRejected e) {
      throw new PayloadRejectedException(r.url(), "the bulk download is not a usable zip: " + e.getMessage());
    }
    Map<Long, ErcotDocument> wanted = new LinkedHashMap<>();
    docs.forEach(d -> wanted.put(d.docId(), d));
    List<Downloaded> out = new ArrayList<>();
    for (ErcotDocument d : wanted.values()) {
      byte[] zip = byId.get(d.docId());
      if (zip == null) {
        throw new UpstreamUnavailableException(what + ": the bulk download lacks document " + d.docId() + " (" + d.friendlyName()
            + ") of the " + docs.size() + " asked for; a re-run asks again");
      }
      out.add(new Downloaded(d, downloadUrl(report, d.docId()), zip, r.receivedAt()));
    }
    return out;
  }
}
