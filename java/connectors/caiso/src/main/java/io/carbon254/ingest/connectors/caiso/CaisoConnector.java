package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.caiso.sim.CaisoSimulator;
import io.carbon254.ingest.connectors.common.HttpConnector;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.RequestSpacer;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.Simulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.RecordKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** CAISO: OASIS (prices, load) and caiso.com Today's Outlook (fuel mix). */
public final class CaisoConnector extends HttpConnector {
  public static final String MARKET = "caiso";
  private static final Map<String, RecordKind> KINDS = kinds();

  private static Map<String, RecordKind> kinds() {
    Map<String, RecordKind> k = new LinkedHashMap<>();
    for (String id : List.of("lmp_da_hourly", "lmp_rt_5min", "lmp_rt_15min", "load_actual", "load_forecast")) {
      k.put(id, OasisQuery.forDataset(id).kind);
    }
    k.put("fuel_mix", RecordKind.FUEL_MIX);
    return java.util.Collections.unmodifiableMap(k);
  }

  public CaisoConnector() {
    super(MARKET, KINDS);
  }

  @Override
  public Dataset dataset(String id, ConnectorContext ctx) {
    checkDataset(id, ctx);
    NormalizationRules rules = NormalizationRules.load(ctx.config(), ctx.spec());
    RequestSpacer spacer = spacer(ctx);
    HttpFetcher http = fetcher(ctx);
    if (id.equals("fuel_mix")) {
      String base = ctx.config().baseUrlOverride(MARKET).orElse(OutlookFuelMixDataset.OUTLOOK_HOST);
      return new OutlookFuelMixDataset(id, http, base, rules);
    }
    OasisQuery q = OasisQuery.forDataset(id);
    long maxEntryMb = ctx.config().longValue("INGEST_ZIP_MAX_ENTRY_MB", SafeZip.Limits.DEFAULT_MAX_ENTRY_BYTES >> 20, 1, 16_384);
    return new OasisDataset(q, http, ctx.spec().baseUrl(), spacer.spacing(), rules, SafeZip.Limits.withMaxEntryBytes(maxEntryMb << 20));
  }

  @Override
  public Optional<SourceDescription> source(String id) {
    if (id.equals("fuel_mix")) {
      return Optional.of(OutlookFuelMixDataset.describe());
    }
    return Optional.ofNullable(OasisQuery.forDataset(id)).map(OasisDataset::describe);
  }

  @Override
  public Simulator simulator(SimulatorOptions options) {
    return CaisoSimulator.start(options);
  }
}
