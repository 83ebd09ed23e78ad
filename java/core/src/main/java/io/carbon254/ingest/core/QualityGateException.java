package io.carbon254.ingest.core;

/** The load stage's quality gate failed; Silver was not touched (exit 4). */
public final class QualityGateException extends IngestException {
  public QualityGateException(String message) {
    super(message, null);
  }

  @Override
  public int exitCode() {
    return ExitCodes.REJECTED;
  }

  @Override
  public String outcome() {
    return "quality_gate_failed";
  }
}
