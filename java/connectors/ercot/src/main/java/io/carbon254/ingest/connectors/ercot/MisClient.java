package io.carbon254.ingest.connectors.ercot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.core.PayloadRejectedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * ERCOT's public Market Information System, no credentials: the document list of a report
 * ({@code /misapp/servlets/IceDocListJsonWS?reportTypeId=…}, every document it still keeps, csv and
 * xml twins) and one document's zip ({@code /misdownload/servlets/mirDownload?doclookupId=…}). A
 * list is kept for a minute, so the windows of one run share it.
 */
final class MisClient {
  static final String HOST = "https://www.ercot.com";
  /** One document's download, its document id appended. */
  static final String DOWNLOAD_PATH = "/misdownload/servlets/mirDownload?doclookupId=";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LIST_REUSE = Duration.ofMinutes(1);

  private final HttpFetcher http;
  private final String baseUrl;
  private final Clock clock;
  private final Map<Integer, Listed> lists = new HashMap<>();

  private record Listed(Instant at, List<ErcotDocument> documents) {}

  MisClient(HttpFetcher http, String baseUrl, Clock clock) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.clock = clock;
  }

  static HttpUrl listUrl(String baseUrl, int reportTypeId) {
    return HttpFetcher.rebase(HttpUrl.get(HOST + "/misapp/servlets/IceDocListJsonWS?reportTypeId=" + reportTypeId), baseUrl);
  }

  static HttpUrl downloadUrl(String baseUrl, long docId) {
    return HttpFetcher.rebase(HttpUrl.get(HOST + DOWNLOAD_PATH + docId), baseUrl);
  }

  /** The documents the MIS lists for a report (newest first as ERCOT sends them; csv and xml). */
  synchronized List<ErcotDocument> list(ErcotReport report, String what) {
    Listed l = lists.get(report.reportTypeId);
    if (l != null && Duration.between(l.at(), clock.instant()).compareTo(LIST_REUSE) < 0) {
      return l.documents();
    }
    HttpResult r = http.get(listUrl(baseUrl, report.reportTypeId), what + " MIS document list", ResponseCheck.ACCEPT_ALL);
    List<ErcotDocument> docs = parseList(report, r.url(), r.body());
    lists.put(report.reportTypeId, new Listed(clock.instant(), docs));
    return docs;
  }

  /** {@code {"ListDocsByRptTypeRes":{"DocumentList":[{"Document":{"DocID","FriendlyName","PublishDate",…}}]}}}. */
  static List<ErcotDocument> parseList(ErcotReport report, String url, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new PayloadRejectedException(url, "the MIS document list is not JSON: " + e.getMessage());
    }
    JsonNode list = root == null ? null : root.path("ListDocsByRptTypeRes").get("DocumentList");
    if (list == null || list.isNull()) {
      // an empty list comes without the array in some answers
      if (root != null && root.has("ListDocsByRptTypeRes")) {
        return List.of();
      }
      throw new PayloadRejectedException(url, "not an MIS document list (no ListDocsByRptTypeRes.DocumentList)");
    }
    List<ErcotDocument> out = new ArrayList<>();
    JsonNode items = list.isArray() ? list : JSON.createArrayNode().add(list);
    int i = 0;
    for (JsonNode item : items) {
      i++;
      JsonNode d = item.has("Document") ? item.get("Document") : item;
      String id = d.path("DocID").asText("").strip();
      String name = d.path("FriendlyName").asText("").strip();
      String published = d.path("PublishDate").asText("").strip();
      if (!id.matches("\\d{1,18}") || name.isEmpty() || published.isEmpty()) {
        throw new PayloadRejectedException(url, "document " + i + " of the MIS list lacks DocID, FriendlyName or PublishDate: " + d);
      }
      out.add(new ErcotDocument(Long.parseLong(id), name, publishDate(url, published, report.postedNotBefore(name), name),
          report.nameTime(name)));
    }
    return out;
  }

  /**
   * {@code 2024-11-03T01:16:02-05:00}: the wall clock is what counts ({@link ErcotClock#posted}; in
   * the repeated hour the offset ERCOT writes has been seen wrong).
   */
  static Instant publishDate(String url, String text, Instant notBefore, String friendlyName) {
    LocalDateTime local;
    try {
      local = OffsetDateTime.parse(text).toLocalDateTime();
    } catch (DateTimeParseException e) {
      try {
        local = LocalDateTime.parse(text.length() > 19 ? text.substring(0, 19) : text);
      } catch (DateTimeParseException e2) {
        throw new PayloadRejectedException(url, "PublishDate '" + text + "' of " + friendlyName + " is not a date-time");
      }
    }
    return ErcotClock.posted(local, notBefore, ErcotDocument.xhr(friendlyName));
  }

  HttpResult download(ErcotDocument d, String what) {
    return http.get(downloadUrl(baseUrl, d.docId()), what + " " + d.friendlyName(), ResponseCheck.ACCEPT_ALL);
  }
}
