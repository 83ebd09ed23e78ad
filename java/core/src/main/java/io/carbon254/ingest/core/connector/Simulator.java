package io.carbon254.ingest.core.connector;

/** A running loopback server answering a market's real API paths with real-format payloads. */
public interface Simulator extends AutoCloseable {
  /** Base URL to put in {@code INGEST_<MARKET>_BASE_URL}. */
  String baseUrl();

  /** Requests answered so far. */
  long requests();

  @Override
  void close();
}
