package io.carbon254.ingest.connectors.common;

/**
 * A structural problem of CSV text that {@link CsvReader} cannot read past (a quoted field never
 * closed, a record longer than {@link CsvReader#MAX_RECORD_BYTES}); the message starts with the
 * line the record started on. Parsers turn it into a rejected payload naming the payload.
 */
public final class CsvException extends RuntimeException {
  CsvException(String message) {
    super(message);
  }
}
