package io.carbon254.ingest.connectors.ercot;

import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One ERCOT report dataset over two transports, chosen by the window's age: the public MIS (no
 * credentials) while it still lists the window's documents, the Public API's archive (key and
 * token) for anything older. Either way the window's documents are chosen from a listing
 * ({@link ErcotReport#choose}) and each is one payload: its zip as ERCOT serves it.
 */
final class ErcotDataset implements Dataset {
  enum Transport { AUTO, MIS, API }

  private final ErcotReport report;
  private final MisClient mis;
  private final ArchiveClient api;
  private final ErcotCsvParser parser;
  private final Clock clock;
  private final Transport transport;
  private final Consumer<String> log;
  private ArchivePlan plan;

  /** The archive client (tests read where it sends its requests). */
  ArchiveClient archive() {
    return api;
  }

  ErcotDataset(ErcotReport report, MisClient mis, ArchiveClient api, ErcotCsvParser parser, Clock clock, Transport transport,
      Consumer<String> log) {
    this.report = report;
    this.mis = mis;
    this.api = api;
    this.parser = parser;
    this.clock = clock;
    this.transport = transport;
    this.log = log;
  }

  @Override
  public String id() {
    return report.dataset;
  }

  @Override
  public RecordKind kind() {
    return report.kind;
  }

  @Override
  public Duration resolution() {
    return report.resolution;
  }

  /**
   * What {@code report} reads, for the catalogue: the MIS's listing and download (no credentials)
   * for recent windows, the Public API's archive (key header and ID token) for older ones.
   */
  static SourceDescription describe(ErcotReport report) {
    String recent = "windows whose documents the public MIS still lists (it keeps about " + Durations.format(report.misRetention)
        + "; INGEST_ERCOT_TRANSPORT=auto, or mis)";
    String older = "older windows (INGEST_ERCOT_TRANSPORT=auto, or api)";
    SourceDescription.Auth api = ErcotConnector.publicApiAuth();
    String archive = ArchiveClient.archiveUrlOnHost(report).toString();
    return new SourceDescription("EMIL " + report.emilId + " (MIS report type " + report.reportTypeId + ")",
        new SourceDescription.Endpoint(recent, "GET", MisClient.listUrl(MisClient.HOST, report.reportTypeId).toString(),
            "every document the MIS keeps; the window's chosen: " + report.selection.text, SourceDescription.Auth.NONE),
        new SourceDescription.Endpoint(recent, "GET", MisClient.HOST + MisClient.DOWNLOAD_PATH + "{docId}",
            "one zip per chosen document", SourceDescription.Auth.NONE),
        new SourceDescription.Endpoint(older, "GET", archive,
            "postDatetimeFrom and postDatetimeTo (Central wall clock, an hour wider on each side), paged by page and size ("
                + ArchiveClient.PAGE_SIZE + ") until _meta.totalPages; the window's documents chosen: " + report.selection.text, api),
        new SourceDescription.Endpoint(older, "POST", archive + "/download",
            "{\"docIds\": [...]}, up to " + ArchiveClient.BULK_MAX + " documents a request, one zip of their zips (one document: GET "
                + archive + "?download={docId}); a backfill lists and downloads its whole range ahead", api));
  }

  /** MIS while the window's oldest document is a day inside the MIS's retention, else the archive. */
  Transport transportFor(IntervalWindow w) {
    if (transport != Transport.AUTO) {
      return transport;
    }
    Instant oldestListed = clock.instant().minus(report.misRetention).plus(Duration.ofDays(1));
    return report.postedFrom(w).isBefore(oldestListed) ? Transport.API : Transport.MIS;
  }

  @Override
  public void plan(List<IntervalKey> keys) {
    List<IntervalKey> archived = new ArrayList<>();
    for (IntervalKey k : keys) {
      if (transportFor(k.window()) == Transport.API) {
        archived.add(k);
      }
    }
    if (archived.size() < 2) {
      return;
    }
    if (plan != null) {
      plan.close();
      plan = null;
    }
    String what = "ercot/" + report.dataset + " " + archived.size() + " windows " + archived.get(0).window().start() + ".."
        + archived.get(archived.size() - 1).window().end();
    try {
      plan = new ArchivePlan(report, api, archived, what);
    } catch (RuntimeException e) {
      log.accept(what + ": could not plan the archive downloads ahead (" + e.getMessage() + "); each window fetches alone");
    }
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    IntervalWindow w = key.window();
    String what = key.market() + "/" + key.dataset() + " " + w;
    if (transportFor(w) == Transport.MIS) {
      List<ErcotDocument> docs = report.choose(mis.list(report, what), w, what + " (MIS)");
      int part = 0;
      for (ErcotDocument d : docs) {
        HttpResult r = mis.download(d, what);
        out.accept(RawPayload.of(key, part++, r.url(), r.contentType(), r.status(), r.body(), r.receivedAt()));
      }
      return;
    }
    if (plan != null && plan.covers(key)) {
      plan.fetch(key, out);
      return;
    }
    List<ErcotDocument> docs = report.choose(api.list(report, report.postedFrom(w), report.postedUntil(w), what), w, what + " (archive)");
    int part = 0;
    for (ArchiveClient.Downloaded d : api.download(report, docs, what)) {
      out.accept(RawPayload.of(key, part++, d.url(), "application/zip", 200, d.zip(), d.receivedAt()));
    }
  }

  @Override
  public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
    parser.parse(payload, out);
  }
}
