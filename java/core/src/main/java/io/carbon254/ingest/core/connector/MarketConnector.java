package io.carbon254.ingest.core.connector;

import java.util.List;

/** One per ISO, found by {@link java.util.ServiceLoader}; {@code market()} names connectors/&lt;market&gt;.yaml. */
public interface MarketConnector {
  String market();

  /**
   * The datasets this connector implements, each with the kind of record it produces, in a stable
   * order: connectors/&lt;market&gt;.yaml may declare only these, each with this kind.
   */
  java.util.Map<String, io.carbon254.ingest.core.record.RecordKind> datasetKinds();

  /** Dataset ids this connector implements ({@link #datasetKinds()}'s keys). */
  default List<String> datasetIds() {
    return List.copyOf(datasetKinds().keySet());
  }

  Dataset dataset(String id, ConnectorContext context);

  /**
   * What dataset {@code id} reads upstream (endpoints, credentials), for the connector catalogue;
   * empty when the connector does not say (the catalogue's test requires it of every dataset).
   */
  default java.util.Optional<SourceDescription> source(String id) {
    return java.util.Optional.empty();
  }

  /** Where retry notices of the connector's HTTP client go (the task's structured log). */
  default MarketConnector onRetry(java.util.function.Consumer<String> log) {
    return this;
  }

  /** Where the connector's HTTP attempts, retries and request spans are reported (the run's metrics and traces). */
  default MarketConnector telemetry(io.carbon254.ingest.core.Telemetry telemetry) {
    return this;
  }

  /** A real-format stand-in for the market's API on loopback ({@code ingest simulate}). */
  default Simulator simulator(SimulatorOptions options) {
    throw new UnsupportedOperationException("no simulator for " + market());
  }
}
