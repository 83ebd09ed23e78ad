package io.carbon254.ingest.connectors.pjm;

import io.carbon254.ingest.connectors.common.Auth;
import io.carbon254.ingest.connectors.common.HttpConnector;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.pjm.sim.PjmSimulator;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.Simulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.RecordKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** PJM: Data Miner 2 ({@code api.pjm.com/api/v1}) for prices, metered load, the seven-day forecast and generation by fuel. */
public final class PjmConnector extends HttpConnector {
  public static final String MARKET = "pjm";
  /** The Data Miner subscription key, sent as the {@code Ocp-Apim-Subscription-Key} header. */
  public static final String KEY_VARIABLE = "PJM_API_KEY";
  public static final String KEY_HEADER = "Ocp-Apim-Subscription-Key";
  private static final Map<String, RecordKind> KINDS = kinds();

  private static Map<String, RecordKind> kinds() {
    Map<String, RecordKind> k = new LinkedHashMap<>();
    for (DataMinerFeed f : DataMinerFeed.values()) {
      k.put(f.dataset, f.kind);
    }
    return Collections.unmodifiableMap(k);
  }

  public PjmConnector() {
    super(MARKET, KINDS);
  }

  @Override
  public Dataset dataset(String id, ConnectorContext ctx) {
    checkDataset(id, ctx);
    DataMinerFeed feed = DataMinerFeed.forDataset(id);
    NormalizationRules rules = NormalizationRules.load(ctx.config(), ctx.spec());
    HttpFetcher http = fetcher(ctx).withAuth(keyHeader(ctx));
    int rowCount = (int) ctx.config().longValue("INGEST_PJM_ROW_COUNT", DataMinerDataset.ROW_COUNT, 1, DataMinerDataset.ROW_COUNT);
    return new DataMinerDataset(feed, http, ctx.spec().baseUrl(), rowCount, new DataMinerParser(feed, rules));
  }

  /**
   * The key header, its variable read at the first request: the stages that do not fetch (normalize
   * and after, a replay from Bronze) run without PJM_API_KEY; a fetch without it exits 2 naming it.
   */
  private static Auth keyHeader(ConnectorContext ctx) {
    return Auth.atFirstRequest(() -> Auth.apiKeyHeader(KEY_HEADER, KEY_VARIABLE, ctx.config(), "PJM Data Miner 2"));
  }

  @Override
  public Optional<SourceDescription> source(String id) {
    return Optional.ofNullable(DataMinerFeed.forDataset(id)).map(DataMinerDataset::describe);
  }

  @Override
  public Simulator simulator(SimulatorOptions options) {
    return PjmSimulator.start(options);
  }
}
