package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * An OASIS SingleZip dataset: the window split to OASIS's span limit, one zip per request.
 *
 * <p>Rows outside the window: none by design. OASIS selects rows by their GMT interval, inside
 * {@code [startdatetime, enddatetime)} of the request; the recorded all-runs SLD_FCST answer for one
 * GMT day (shared/iso-samples/caiso) holds only rows of that day although its Pacific operating
 * dates span two days, and every part here is a sub-window of the task's interval. So every row of
 * a payload lies inside it, and normalize rejects a payload with a row outside as being about
 * another interval (exit 4). The SLD_FCST market runs a dataset does not carry (ACTUAL rows for
 * load_forecast and the reverse) are selected by {@link OasisLoadParser}, not by time.
 */
final class OasisDataset implements Dataset {
  static final String OASIS_HOST = "http://oasis.caiso.com";

  private final OasisQuery query;
  private final HttpFetcher http;
  private final String baseUrl;
  private final Duration spacing;
  private final OasisPriceParser prices;
  private final OasisLoadParser load;

  private final SafeZip.Limits limits;

  OasisDataset(OasisQuery query, HttpFetcher http, String baseUrl, Duration spacing, NormalizationRules rules) {
    this(query, http, baseUrl, spacing, rules, SafeZip.Limits.defaults());
  }

  OasisDataset(OasisQuery query, HttpFetcher http, String baseUrl, Duration spacing, NormalizationRules rules,
      SafeZip.Limits limits) {
    this.limits = limits;
    this.query = query;
    this.http = http;
    this.baseUrl = baseUrl;
    this.spacing = spacing;
    this.prices = query.kind == RecordKind.PRICES ? new OasisPriceParser(query, rules, limits) : null;
    this.load = query.kind == RecordKind.LOAD ? new OasisLoadParser(query.dataset, query == OasisQuery.LOAD_ACTUAL, limits) : null;
  }

  @Override
  public String id() {
    return query.dataset;
  }

  @Override
  public RecordKind kind() {
    return query.kind;
  }

  @Override
  public Duration resolution() {
    return query.resolution;
  }

  /** The request of one part, exactly as OASIS documents it (GMT times, resultformat=6). */
  static HttpUrl url(String baseUrl, OasisQuery q, IntervalWindow part) {
    HttpUrl.Builder b = HttpUrl.get(OASIS_HOST + "/oasisapi/SingleZip").newBuilder()
        .addQueryParameter("resultformat", "6")
        .addQueryParameter("queryname", q.queryName)
        .addQueryParameter("version", q.version)
        .addQueryParameter("startdatetime", OasisTime.query(part.start()))
        .addQueryParameter("enddatetime", OasisTime.query(part.end()));
    if (q.marketRunId != null) {
      b.addQueryParameter("market_run_id", q.marketRunId);
    }
    if (q.allNodes) {
      b.addQueryParameter("grp_type", "ALL_APNODES");
    } else if (q.kind == RecordKind.LOAD) {
      b.addQueryParameter("tac_area_name", "ALL");
    }
    return HttpFetcher.rebase(b.build(), baseUrl);
  }

  /** What {@code q} reads, for the catalogue: the request {@link #url} builds, on OASIS's own host, without the window. */
  static SourceDescription describe(OasisQuery q) {
    java.time.Instant t = java.time.Instant.EPOCH;
    HttpUrl u = url(OASIS_HOST, q, new IntervalWindow(t, t.plus(q.resolution))).newBuilder()
        .removeAllQueryParameters("startdatetime").removeAllQueryParameters("enddatetime").build();
    String runs = q.marketRunId == null ? "every market run" : "market_run_id " + q.marketRunId;
    return new SourceDescription("OASIS " + q.queryName + " (" + runs + ")", new SourceDescription.Endpoint("every window", "GET",
        u.toString(), "startdatetime and enddatetime in GMT (yyyyMMdd'T'HH:mm-0000); the window split into parts of at most "
            + Durations.format(q.maxSpan) + " (OASIS's span limit" + (q.allNodes ? " for all nodes" : "") + "), one zip of CSV per part",
        SourceDescription.Auth.NONE));
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    List<IntervalWindow> parts = key.window().split(query.maxSpan);
    for (int i = 0; i < parts.size(); i++) {
      IntervalWindow part = parts.get(i);
      String what = key.market() + "/" + key.dataset() + " " + part + " (part " + (i + 1) + "/" + parts.size() + ")";
      HttpResult r = http.get(url(baseUrl, query, part), what, new OasisResponseCheck(what, spacing));
      out.accept(RawPayload.of(key, i, r.url(), r.contentType(), r.status(), r.body(), r.receivedAt()));
    }
  }

  @Override
  public void parse(RawPayload payload, RowSink<? super CanonicalRecord> out) {
    if (prices != null) {
      prices.parse(payload, out);
    } else {
      load.parse(payload, out);
    }
  }
}
