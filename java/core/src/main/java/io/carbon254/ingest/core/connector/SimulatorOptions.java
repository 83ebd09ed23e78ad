package io.carbon254.ingest.core.connector;

import java.time.Duration;
import java.time.Instant;

/**
 * @param port 0 picks a free port
 * @param nodeCount pricing nodes to serve (trading hubs and DLAPs always included)
 * @param publishedUntil data after this instant answers "not published"
 * @param enforcedSpacing answer HTTP 429 to requests closer than this, as the ISO does (zero: never)
 */
public record SimulatorOptions(int port, int nodeCount, Instant publishedUntil, Duration enforcedSpacing) {
  public SimulatorOptions(int port, int nodeCount, Instant publishedUntil) {
    this(port, nodeCount, publishedUntil, Duration.ZERO);
  }
}
