package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.connectors.common.RetryableResponseException;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.NotPublishedException;
import java.time.Duration;
import java.util.List;

/**
 * OASIS says "no data" and "too frequent" with HTTP 200 and an error zip. ERR_CODE 1000 is "not
 * published yet" (exit 99); any other code is retried, then fails as upstream unavailable. A body
 * that is not a readable zip is kept as is: Bronze stores it and normalize rejects it by name. Nothing
 * is inflated but a lone XML entry's first MiB: a data zip (or a zip bomb) costs only its entry names.
 */
final class OasisResponseCheck implements ResponseCheck {
  private final String what;
  private final Duration spacing;

  OasisResponseCheck(String what, Duration spacing) {
    this.what = what;
    this.spacing = spacing;
  }

  @Override
  public void check(HttpResult r) {
    java.util.Optional<OasisErrors.OasisError> found;
    try {
      // Entry names from the central directory; only a lone XML entry is read, and only its first MiB.
      List<String> names = SafeZip.entryNames(r.body(), SafeZip.Limits.defaults());
      if (names.size() != 1 || !names.get(0).toLowerCase(java.util.Locale.ROOT).endsWith(".xml")) {
        return;
      }
      found = OasisErrors.parse(SafeZip.prefix(r.body(), names.get(0), OasisPayload.ERROR_XML_PREFIX), names.get(0));
    } catch (SafeZip.ZipRejected e) {
      return;
    }
    found.ifPresent(err -> {
      String msg = what + ": OASIS answered ERR_CODE " + err.code() + " \"" + err.description() + "\"";
      if (OasisErrors.NO_DATA.equals(err.code())) {
        throw new NotPublishedException(msg + "; not published yet, exit 99 (Airflow will retry at the next poke)");
      }
      throw new RetryableResponseException(msg, OasisErrors.TOO_FREQUENT.equals(err.code()) ? spacing.plusSeconds(1) : null);
    });
  }
}
