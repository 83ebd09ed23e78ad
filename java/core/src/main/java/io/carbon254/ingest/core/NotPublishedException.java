package io.carbon254.ingest.core;

/** The source answered, but has no data for this interval yet (exit 99: skip / reschedule). */
public final class NotPublishedException extends IngestException {
  public NotPublishedException(String message) {
    super(message, null);
  }

  @Override
  public int exitCode() {
    return ExitCodes.NOT_PUBLISHED;
  }

  @Override
  public String outcome() {
    return "not_published";
  }
}
