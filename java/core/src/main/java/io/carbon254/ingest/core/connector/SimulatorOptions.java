package io.carbon254.ingest.core.connector;

import java.time.Instant;

/**
 * @param port 0 picks a free port
 * @param nodeCount pricing nodes to serve (trading hubs and DLAPs always included)
 * @param publishedUntil data after this instant answers "not published"
 */
public record SimulatorOptions(int port, int nodeCount, Instant publishedUntil) {}
