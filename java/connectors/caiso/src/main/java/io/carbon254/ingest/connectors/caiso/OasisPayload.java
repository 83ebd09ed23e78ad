package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.Csv;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.Provenance;
import java.time.Instant;
import java.util.List;

/** Opens an OASIS SingleZip payload down to its CSV, rejecting anything else with a clear reason. */
final class OasisPayload {
  private OasisPayload() {}

  static Csv csv(RawPayload p) {
    List<SafeZip.Entry> entries;
    try {
      entries = SafeZip.read(p.body(), SafeZip.Limits.defaults());
    } catch (SafeZip.ZipRejected e) {
      throw new PayloadRejectedException(p.payloadId(), "expected an OASIS SingleZip, got " + e.getMessage());
    }
    var err = OasisErrors.find(entries);
    if (err.isPresent()) {
      throw new PayloadRejectedException(p.payloadId(), "OASIS error " + err.get().code() + " \""
          + err.get().description() + "\" in " + err.get().entryName() + " instead of CSV data");
    }
    List<SafeZip.Entry> csvs = entries.stream().filter(e -> e.name().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")).toList();
    if (csvs.size() != 1) {
      throw new PayloadRejectedException(p.payloadId(), "expected one .csv entry (resultformat=6), found "
          + entries.stream().map(SafeZip.Entry::name).toList());
    }
    Csv csv;
    try {
      csv = Csv.parse(csvs.get(0).data());
    } catch (Csv.CsvException e) {
      throw new PayloadRejectedException(p.payloadId(), csvs.get(0).name() + ": " + e.getMessage());
    }
    if (csv.header().isEmpty()) {
      throw new PayloadRejectedException(p.payloadId(), "CSV entry " + csvs.get(0).name() + " is empty");
    }
    return csv;
  }

  static void require(RawPayload p, Csv csv, String... columns) {
    for (String c : columns) {
      if (!csv.has(c)) {
        throw new PayloadRejectedException(p.payloadId(), "CSV has no column " + c + " (header: " + String.join(",", csv.header()) + ")");
      }
    }
  }

  /** A GMT column by index, memoized per payload (a payload repeats a few dozen distinct instants). */
  static Instant instant(RawPayload p, Csv.Row row, String column, int index, java.util.Map<String, Instant> memo) {
    String v = row.get(index);
    Instant t = v == null ? null : memo.computeIfAbsent(v, OasisTime::parseColumn);
    if (t == null) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field " + column + ": '" + v
          + "' is not a GMT timestamp like 2024-11-03T08:00:00-00:00");
    }
    return t;
  }

  static String text(RawPayload p, Csv.Row row, String column, int index) {
    String v = row.get(index);
    if (v == null) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field " + column + ": empty");
    }
    return v;
  }

  static double number(RawPayload p, Csv.Row row, String column, int index) {
    String v = row.get(index);
    try {
      if (v == null) {
        throw new NumberFormatException();
      }
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field " + column + ": '" + v + "' is not a number");
    }
  }

  static Provenance provenance(RawPayload p) {
    return new Provenance(p.fetchedAt().toEpochMilli(), null, p.fetchedAt(), p.payloadId());
  }
}
