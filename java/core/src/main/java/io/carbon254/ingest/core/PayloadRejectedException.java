package io.carbon254.ingest.core;

/** A payload could not be parsed: names the payload, and the row and field where known (exit 4). */
public final class PayloadRejectedException extends IngestException {
  private final String payloadId;

  public PayloadRejectedException(String payloadId, String message) {
    this(payloadId, message, null);
  }

  public PayloadRejectedException(String payloadId, String message, Throwable cause) {
    super("payload " + payloadId + ": " + message, cause);
    this.payloadId = payloadId;
  }

  public String payloadId() {
    return payloadId;
  }

  @Override
  public int exitCode() {
    return ExitCodes.REJECTED;
  }

  @Override
  public String outcome() {
    return "payload_rejected";
  }
}
