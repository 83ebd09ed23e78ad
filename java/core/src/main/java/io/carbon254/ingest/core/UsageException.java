package io.carbon254.ingest.core;

/** Bad arguments or configuration: a retry will not help (exit 2). */
public final class UsageException extends IngestException {
  public UsageException(String message) {
    super(message, null);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return ExitCodes.USAGE;
  }

  @Override
  public String outcome() {
    return "usage_error";
  }
}
