package io.carbon254.ingest.core;

/** An upstream (ISO API, warehouse, broker) stayed unavailable after in-task retries (exit 3). */
public final class UpstreamUnavailableException extends IngestException {
  public UpstreamUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public UpstreamUnavailableException(String message) {
    super(message, null);
  }

  @Override
  public int exitCode() {
    return ExitCodes.UPSTREAM_UNAVAILABLE;
  }

  @Override
  public String outcome() {
    return "upstream_unavailable";
  }
}
