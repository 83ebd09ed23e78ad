package io.carbon254.ingest.connectors.common;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.Telemetry;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.record.RecordKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The wiring every HTTP market connector shares: its id and datasets, the retry policy (tests shorten
 * the backoff), where retry notices go (the task's structured log), and the market's fetchers built
 * from its declaration: the process-wide request spacer of the market (every fetcher of one market
 * shares it) and the time budgets of the {@code http:} block of connectors/&lt;market&gt;.yaml.
 */
public abstract class HttpConnector implements MarketConnector {
  private final String market;
  private final Map<String, RecordKind> kinds;
  private HttpPolicy policy = HttpPolicy.defaults();
  private Consumer<String> retryLog = s -> {};
  private Telemetry telemetry = Telemetry.NONE;

  /** @param kinds the datasets and their record kinds, in the order the connector lists them */
  protected HttpConnector(String market, Map<String, RecordKind> kinds) {
    this.market = requireNonNull(market, "market is null");
    this.kinds = Collections.unmodifiableMap(new LinkedHashMap<>(kinds));
  }

  @Override
  public final String market() {
    return market;
  }

  @Override
  public final Map<String, RecordKind> datasetKinds() {
    return kinds;
  }

  /** Tests shorten the backoff; the time budgets come from the market's {@code http:} block, whatever the policy says. */
  public HttpConnector withPolicy(HttpPolicy policy) {
    this.policy = requireNonNull(policy, "policy is null");
    return this;
  }

  @Override
  public HttpConnector onRetry(Consumer<String> log) {
    this.retryLog = requireNonNull(log, "log is null");
    return this;
  }

  @Override
  public HttpConnector telemetry(Telemetry telemetry) {
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    return this;
  }

  /** Where retry notices go. */
  protected final Consumer<String> retryLog() {
    return retryLog;
  }

  /** That {@code id} is declared in the market file and implemented here; a usage error (exit 2) naming the datasets otherwise. */
  protected final void checkDataset(String id, ConnectorContext ctx) {
    ctx.spec().dataset(id);
    if (!kinds.containsKey(id)) {
      throw new UsageException(market + " has no dataset '" + id + "' (datasets: " + String.join(", ", kinds.keySet()) + ")");
    }
  }

  /**
   * The base URL of one of the market's hosts ({@code https://api.ercot.com}): INGEST_&lt;MARKET&gt;_BASE_URL
   * when it is set (a simulator serves every host of its market on one port), else the host itself.
   * The {@code base_url} of the market file names its main host only.
   */
  protected final String host(ConnectorContext ctx, String host) {
    return ctx.config().baseUrlOverride(market).orElse(host);
  }

  /** The request spacer every request to this market in the process shares. */
  protected final RequestSpacer spacer(ConnectorContext ctx) {
    return RequestSpacer.forMarket(market, ctx.spec().minRequestSpacing());
  }

  /** A fetcher of this market: the shared spacer, the declared budgets, the retry notices and telemetry; no credentials. */
  protected final HttpFetcher fetcher(ConnectorContext ctx) {
    return new HttpFetcher(market, policy.withBudget(ctx.spec().http()), spacer(ctx), ctx.clock()).onRetry(retryLog).telemetry(telemetry);
  }
}
