package io.carbon254.ingest.connectors.miso;

import io.carbon254.ingest.connectors.common.Auth;
import io.carbon254.ingest.connectors.common.DailyQuota;
import io.carbon254.ingest.connectors.common.HttpConnector;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.miso.sim.MisoSimulator;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.Simulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * MISO: the hourly LMP market reports ({@code docs.misoenergy.org/marketreports}, no credentials)
 * for day-ahead ex-post and ex-ante and real-time preliminary/final prices; the Public API
 * ({@code public-api.misoenergy.org}, no credentials) for recent five-minute LMPs, load and fuel
 * mix; the Data Exchange ({@code apim.misoenergy.org}, MISO_API_KEY) for their history. Every MISO
 * time is EST (UTC−5 all year). {@code INGEST_MISO_BASE_URL} moves all three hosts (the simulator
 * serves them on one port); without it each keeps its own.
 */
public final class MisoConnector extends HttpConnector {
  public static final String MARKET = "miso";
  /** The Data Exchange subscription key, sent as the {@code Ocp-Apim-Subscription-Key} header. */
  public static final String KEY_VARIABLE = "MISO_API_KEY";
  public static final String KEY_HEADER = "Ocp-Apim-Subscription-Key";
  /** How long one Public API answer is reused in a process: MISO asks for at most one call a minute. */
  public static final String PUBLIC_API_REUSE = "INGEST_MISO_PUBLIC_API_REUSE";
  static final Duration PUBLIC_API_REUSE_DEFAULT = Duration.ofMinutes(1);
  private static final Map<String, RecordKind> KINDS = kinds();

  private static Map<String, RecordKind> kinds() {
    Map<String, RecordKind> k = new LinkedHashMap<>();
    for (MarketReport r : MarketReport.values()) {
      k.put(r.dataset, RecordKind.PRICES);
    }
    for (RealTimeFeed f : RealTimeFeed.values()) {
      k.put(f.dataset, f.kind);
    }
    return Collections.unmodifiableMap(k);
  }

  public MisoConnector() {
    super(MARKET, KINDS);
  }

  @Override
  public Dataset dataset(String id, ConnectorContext ctx) {
    checkDataset(id, ctx);
    NormalizationRules rules = NormalizationRules.load(ctx.config(), ctx.spec());
    if (MarketReport.isReport(id)) {
      MarketReport report = MarketReport.forDataset(id);
      HttpFetcher reports = fetcher(ctx).withRefusalCheck(MisoAnswers.refusals("MISO's market reports"));
      return new MarketReportDataset(report, reports, ctx.spec().baseUrl(), new MarketReportParser(report, rules));
    }
    RealTimeFeed feed = RealTimeFeed.forDataset(id);
    HttpFetcher open = fetcher(ctx).withRefusalCheck(MisoAnswers.refusals("MISO's Public API"));
    HttpFetcher exchange = fetcher(ctx)
        .withAuth(Auth.atFirstRequest(() -> Auth.apiKeyHeader(KEY_HEADER, KEY_VARIABLE, ctx.config(), "the MISO Data Exchange")))
        .withQuota(DailyQuota.forMarket(MARKET, MisoAnswers.DAILY_QUOTA, ctx.clock()))
        .withRefusalCheck(MisoAnswers.refusals("the MISO Data Exchange"));
    Duration reuse = ctx.config().duration(PUBLIC_API_REUSE, PUBLIC_API_REUSE_DEFAULT, Duration.ZERO);
    return new RealTimeDataset(feed, new PublicApi(open, host(ctx, RealTimeFeed.PUBLIC_HOST), reuse, ctx.clock()), exchange,
        host(ctx, RealTimeFeed.EXCHANGE_HOST), new RealTimeParser(feed, rules), ctx.clock(),
        RealTimeDataset.transport(ctx.config().get("INGEST_MISO_TRANSPORT").orElse(null)));
  }

  @Override
  public Optional<SourceDescription> source(String id) {
    if (MarketReport.isReport(id)) {
      return Optional.of(MarketReport.forDataset(id).describe());
    }
    return KINDS.containsKey(id) ? Optional.of(RealTimeDataset.describe(RealTimeFeed.forDataset(id))) : Optional.empty();
  }

  @Override
  public Simulator simulator(SimulatorOptions options) {
    return MisoSimulator.start(options);
  }
}
