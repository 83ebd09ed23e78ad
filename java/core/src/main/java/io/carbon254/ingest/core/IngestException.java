package io.carbon254.ingest.core;

/**
 * The typed outcomes of a task run other than success. One exception mapper in the CLI turns them
 * into exit codes; anything else is a bug (exit 1).
 */
public abstract sealed class IngestException extends RuntimeException
    permits UsageException,
        UpstreamUnavailableException,
        PayloadRejectedException,
        QualityGateException,
        NotPublishedException {

  protected IngestException(String message, Throwable cause) {
    super(message, cause);
  }

  public abstract int exitCode();

  /** Short machine label for logs and the run ledger. */
  public abstract String outcome();
}
