package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.CsvException;
import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Opens an OASIS SingleZip payload down to its CSV, rejecting anything else with a clear reason.
 * The CSV entry is streamed: inflated as it is read, bounded by the per-entry limit
 * ({@code INGEST_ZIP_MAX_ENTRY_MB}), never held whole.
 */
final class OasisPayload {
  /** How much of a lone XML entry is read to find an OASIS error answer (they are a few hundred bytes). */
  static final int ERROR_XML_PREFIX = 1 << 20;

  private OasisPayload() {}

  /** What a parser does with the CSV of one payload. */
  interface CsvBody {
    void read(CsvReader csv) throws IOException;
  }

  static void csv(RawPayload p, SafeZip.Limits limits, CsvBody body) {
    List<String> names;
    try {
      names = SafeZip.entryNames(p.body(), limits);
      if (names.size() == 1 && names.get(0).toLowerCase(Locale.ROOT).endsWith(".xml")) {
        var err = OasisErrors.parse(SafeZip.prefix(p.body(), names.get(0), ERROR_XML_PREFIX), names.get(0));
        if (err.isPresent()) {
          throw new PayloadRejectedException(p.payloadId(), "OASIS error " + err.get().code() + " \""
              + err.get().description() + "\" in " + err.get().entryName() + " instead of CSV data");
        }
      }
    } catch (SafeZip.ZipRejected e) {
      throw new PayloadRejectedException(p.payloadId(), "expected an OASIS SingleZip, got " + e.getMessage());
    }
    List<String> csvs = names.stream().filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".csv")).toList();
    if (csvs.size() != 1) {
      throw new PayloadRejectedException(p.payloadId(), "expected one .csv entry (resultformat=6), found " + names);
    }
    String entry = csvs.get(0);
    try (InputStream in = SafeZip.open(p.body(), entry, limits); CsvReader csv = new CsvReader(in)) {
      if (csv.header().isEmpty()) {
        throw new PayloadRejectedException(p.payloadId(), "CSV entry " + entry + " is empty");
      }
      body.read(csv);
    } catch (SafeZip.LimitExceeded e) {
      throw tooLarge(p, limits, e);
    } catch (SafeZip.ZipRejected e) {
      throw new PayloadRejectedException(p.payloadId(), "expected an OASIS SingleZip, got " + e.getMessage());
    } catch (IOException e) {
      throw new PayloadRejectedException(p.payloadId(), "expected an OASIS SingleZip, got corrupt zip: " + e.getMessage(), e);
    } catch (CsvException e) {
      throw new PayloadRejectedException(p.payloadId(), entry + ": " + e.getMessage());
    }
  }

  static PayloadRejectedException tooLarge(RawPayload p, SafeZip.Limits limits, IOException e) {
    return new PayloadRejectedException(p.payloadId(), e.getMessage() + ": inflated-size limit "
        + limits.maxEntryBytes() + " bytes (" + (limits.maxEntryBytes() >> 20) + " MiB, INGEST_ZIP_MAX_ENTRY_MB) exceeded;"
        + " a zip bomb or a payload larger than the limit (raise INGEST_ZIP_MAX_ENTRY_MB if it is genuine)");
  }

  static void require(RawPayload p, CsvReader csv, String... columns) {
    for (String c : columns) {
      if (!csv.has(c)) {
        throw new PayloadRejectedException(p.payloadId(), "CSV has no column " + c + " (header: " + String.join(",", csv.header()) + ")");
      }
    }
  }

  /** The GMT instants of a payload, parsed once per distinct text (a payload repeats a few dozen). */
  static CsvReader.Memo<Instant> instants() {
    return new CsvReader.Memo<>(OasisTime::parseColumn);
  }

  /** Repeated texts (node, area names) as one String each. */
  static CsvReader.Memo<String> strings() {
    return new CsvReader.Memo<>(s -> s);
  }

  static Instant instant(RawPayload p, CsvReader row, String column, int index, CsvReader.Memo<Instant> memo) {
    Instant t = row.get(index, memo);
    if (t == null) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field " + column + ": '" + row.get(index)
          + "' is not a GMT timestamp like 2024-11-03T08:00:00-00:00");
    }
    return t;
  }

  static String text(RawPayload p, CsvReader row, String column, int index, CsvReader.Memo<String> memo) {
    String v = row.get(index, memo);
    if (v == null) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field " + column + ": empty");
    }
    return v;
  }

  static double number(RawPayload p, CsvReader row, String column, int index) {
    try {
      double d = row.number(index);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field " + column + ": '" + row.get(index) + "' is not a number");
    }
  }

  static Provenance provenance(RawPayload p) {
    return new Provenance(p.fetchedAt().toEpochMilli(), null, p.fetchedAt(), p.payloadId());
  }
}
