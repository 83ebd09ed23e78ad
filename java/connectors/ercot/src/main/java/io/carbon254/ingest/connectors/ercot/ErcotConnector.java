package io.carbon254.ingest.connectors.ercot;

import io.carbon254.ingest.connectors.common.Auth;
import io.carbon254.ingest.connectors.common.HttpConnector;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpRequest;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.connectors.ercot.sim.ErcotSimulator;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.ConnectorContext;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.Simulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * ERCOT: report documents from the public MIS for recent intervals and from the Public API's
 * archive for history (one transport per window, by age), and fuel mix from the grid-conditions
 * dashboard. The Public API needs a subscription key ({@code ERCOT_API_KEY}, header
 * {@code Ocp-Apim-Subscription-Key}) and an ID token from ERCOT's Azure B2C sign-in
 * ({@code ERCOT_USERNAME}, {@code ERCOT_PASSWORD}; valid an hour, requested again five minutes
 * before it expires and once more after a 401), read at the first archive request: the MIS, the
 * dashboard and every stage after fetch run without them.
 */
public final class ErcotConnector extends HttpConnector {
  public static final String MARKET = "ercot";
  public static final String KEY_VARIABLE = "ERCOT_API_KEY";
  public static final String USER_VARIABLE = "ERCOT_USERNAME";
  public static final String PASSWORD_VARIABLE = "ERCOT_PASSWORD";
  public static final String KEY_HEADER = "Ocp-Apim-Subscription-Key";
  static final String TOKEN_HOST = "https://ercotb2c.b2clogin.com";
  static final String TOKEN_URL = TOKEN_HOST + "/ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token";
  static final String CLIENT_ID = "fec253ea-0d06-4272-a5e6-b478baeecd70";
  /** How long before the ID token expires a new one is requested. */
  static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);
  private static final Map<String, RecordKind> KINDS = kinds();

  private static Map<String, RecordKind> kinds() {
    Map<String, RecordKind> k = new LinkedHashMap<>();
    for (ErcotReport r : ErcotReport.values()) {
      k.put(r.dataset, r.kind);
    }
    k.put(FuelMixDataset.DATASET, RecordKind.FUEL_MIX);
    return Collections.unmodifiableMap(k);
  }

  public ErcotConnector() {
    super(MARKET, KINDS);
  }

  @Override
  public Dataset dataset(String id, ConnectorContext ctx) {
    checkDataset(id, ctx);
    NormalizationRules rules = NormalizationRules.load(ctx.config(), ctx.spec());
    HttpFetcher open = fetcher(ctx); // the MIS, the dashboard and the sign-in: no credentials
    String base = ctx.spec().baseUrl();
    if (id.equals(FuelMixDataset.DATASET)) {
      return new FuelMixDataset(open, base, rules);
    }
    ErcotReport report = ErcotReport.forDataset(id);
    HttpFetcher api = fetcher(ctx).withAuth(publicApi(ctx.config(), open, host(ctx, TOKEN_HOST), ctx.clock()));
    return new ErcotDataset(report, new MisClient(open, base, ctx.clock()), new ArchiveClient(api, host(ctx, ArchiveClient.HOST)),
        new ErcotCsvParser(report, rules), ctx.clock(), transport(ctx.config()), retryLog());
  }

  /** {@code INGEST_ERCOT_TRANSPORT}: auto (by the window's age, the default), mis or api. */
  static ErcotDataset.Transport transport(IngestConfig config) {
    String t = config.get("INGEST_ERCOT_TRANSPORT").map(s -> s.strip().toUpperCase(Locale.ROOT)).filter(s -> !s.isEmpty()).orElse("AUTO");
    try {
      return ErcotDataset.Transport.valueOf(t);
    } catch (IllegalArgumentException e) {
      throw new UsageException("INGEST_ERCOT_TRANSPORT is '" + t.toLowerCase(Locale.ROOT) + "': one of auto, mis, api");
    }
  }

  /**
   * The Public API's two credentials, built at the first request: the subscription key header and
   * the ID token of the Azure B2C ROPC flow (POSTed through the open fetcher, so the token request
   * itself carries neither).
   */
  static Auth publicApi(IngestConfig config, HttpFetcher open, String base, Clock clock) {
    Auth[] auth = {null};
    Auth.BearerToken[] token = {null};
    return new Auth() {
      @Override
      public synchronized HttpRequest apply(HttpRequest r) {
        if (auth[0] == null) {
          String what = "ERCOT's Public API (the archive, for intervals older than the MIS keeps)";
          Auth key = Auth.apiKeyHeader(KEY_HEADER, KEY_VARIABLE, config, what);
          Map<String, String> form = new LinkedHashMap<>();
          form.put("grant_type", "password");
          form.put("username", Auth.required(config, USER_VARIABLE, what + " sign-in"));
          form.put("password", Auth.required(config, PASSWORD_VARIABLE, what + " sign-in"));
          form.put("response_type", "id_token");
          form.put("scope", "openid " + CLIENT_ID + " offline_access");
          form.put("client_id", CLIENT_ID);
          HttpRequest tokenRequest = HttpRequest.form(HttpFetcher.rebase(HttpUrl.get(TOKEN_URL), base), form);
          token[0] = new Auth.BearerToken(tokenRequest, t -> open.send(t, "ercot B2C token", ResponseCheck.ACCEPT_ALL), "id_token",
              TOKEN_MARGIN, clock);
          auth[0] = key;
        }
        return token[0].apply(auth[0].apply(r));
      }

      @Override
      public synchronized boolean renew() {
        return token[0] != null && token[0].renew();
      }
    };
  }

  @Override
  public Optional<SourceDescription> source(String id) {
    if (id.equals(FuelMixDataset.DATASET)) {
      return Optional.of(FuelMixDataset.describe());
    }
    return Optional.ofNullable(ErcotReport.forDataset(id)).map(ErcotDataset::describe);
  }

  /** The Public API's credentials as {@link #publicApi} sends them, in words, for the catalogue. */
  static SourceDescription.Auth publicApiAuth() {
    return new SourceDescription.Auth("header " + KEY_HEADER + " from " + KEY_VARIABLE + ", and Authorization: Bearer <ID token> from"
        + " ERCOT's Azure B2C sign-in (POST " + TOKEN_URL + ", " + USER_VARIABLE + " and " + PASSWORD_VARIABLE
        + "; renewed " + io.carbon254.ingest.core.config.Durations.format(TOKEN_MARGIN) + " before it expires and once after a 401)",
        java.util.List.of(KEY_VARIABLE, USER_VARIABLE, PASSWORD_VARIABLE));
  }

  @Override
  public Simulator simulator(SimulatorOptions options) {
    return ErcotSimulator.start(options);
  }
}
