package io.carbon254.ingest.core.connector;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import java.time.Clock;

/** What a connector is built from: its declaration (connectors/&lt;market&gt;.yaml) and the environment. */
public record ConnectorContext(ConnectorSpec spec, IngestConfig config, Clock clock) {
  public ConnectorContext {
    requireNonNull(spec, "spec is null");
    requireNonNull(config, "config is null");
    requireNonNull(clock, "clock is null");
  }
}
