package io.carbon254.ingest.connectors.common;

import io.carbon254.ingest.core.connector.Simulator;
import java.util.List;

/**
 * The frame of every market simulator: its {@link LoopbackServer} (address, request count, the
 * requests answered in order) and closing it. A simulator adds its paths and formats.
 */
public abstract class LoopbackSimulator implements Simulator {
  protected final LoopbackServer server;

  protected LoopbackSimulator(LoopbackServer server) {
    this.server = server;
  }

  @Override
  public final String baseUrl() {
    return server.baseUrl();
  }

  @Override
  public final long requests() {
    return server.requests();
  }

  /** The requests answered so far, in order, as {@code METHOD path?query} (no {@code ?} without a query). */
  public final List<String> requestTargets() {
    return server.targets();
  }

  @Override
  public void close() {
    server.close();
  }
}
