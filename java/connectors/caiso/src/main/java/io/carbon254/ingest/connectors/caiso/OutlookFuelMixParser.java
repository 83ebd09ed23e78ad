package io.carbon254.ingest.connectors.caiso;

import io.carbon254.ingest.connectors.common.CsvException;
import io.carbon254.ingest.connectors.common.CsvReader;
import io.carbon254.ingest.connectors.common.SafeZip;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * caiso.com Today's Outlook history {@code fuelsource.csv}: one row per 5 minutes, {@code Time}
 * on the Pacific wall clock without offset ({@code HH:MM}, or {@code MM/DD/YYYY HH:MM}), one
 * column per fuel, the file date in the URL path. On the fall-back day the 01:00-01:55 rows
 * appear twice, in order: the second occurrence is standard time. A wall time inside the
 * spring-forward gap does not exist and is rejected.
 */
public final class OutlookFuelMixParser {
  static final Pattern DATE_IN_URL = Pattern.compile("/outlook/history/(\\d{8})/");
  private static final DateTimeFormatter YMD = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final DateTimeFormatter MDY_HM = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm");
  private static final Duration STEP = Duration.ofMinutes(5);

  private final String dataset;
  private final NormalizationRules rules;

  public OutlookFuelMixParser(String dataset, NormalizationRules rules) {
    this.dataset = dataset;
    this.rules = rules;
  }

  /** Every record of one payload as a list (tests); the stages push through {@link #parse(RawPayload, RowSink)}. */
  public List<CanonicalRecord> parse(RawPayload p) {
    List<CanonicalRecord> out = new ArrayList<>();
    parse(p, out::add);
    return out;
  }

  /** Streams the CSV, pushing one row per fuel and interval as it is read. */
  public void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    if (SafeZip.looksLikeZip(p.body()) || SafeZip.describe(p.body()).startsWith("an HTML page")) {
      throw new PayloadRejectedException(p.payloadId(), "expected fuelsource.csv, got " + SafeZip.describe(p.body()));
    }
    Matcher m = DATE_IN_URL.matcher(p.url());
    if (!m.find()) {
      throw new PayloadRejectedException(p.payloadId(), "URL " + p.url() + " carries no /outlook/history/YYYYMMDD/ date");
    }
    LocalDate day = LocalDate.parse(m.group(1), YMD);
    try (CsvReader csv = new CsvReader(new java.io.ByteArrayInputStream(p.body()))) {
      if (!csv.has("Time")) {
        throw new PayloadRejectedException(p.payloadId(), "CSV has no column Time (header: " + String.join(",", csv.header()) + ")");
      }
      List<String> fuels = csv.header().stream().filter(h -> !h.equalsIgnoreCase("Time")).toList();
      if (fuels.isEmpty()) {
        throw new PayloadRejectedException(p.payloadId(), "CSV has a Time column but no fuel columns");
      }
      int[] cols = fuels.stream().mapToInt(csv::column).toArray();
      String[] canonical = fuels.stream().map(f -> rules.fuel("caiso", f)).toArray(String[]::new);
      int iTime = csv.column("Time");
      Provenance prov = OasisPayload.provenance(p);
      Set<LocalDateTime> seen = new HashSet<>();
      while (csv.next()) {
        if (csv.cells() != csv.header().size()) {
          throw new PayloadRejectedException(p.payloadId(), "line " + csv.line() + ": " + csv.cells()
              + " cells, the header has " + csv.header().size() + " (a cut-off or malformed row)");
        }
        LocalDateTime local = localTime(p, csv, iTime, day);
        ZonedDateTime zdt = resolve(p, csv.line(), local, !seen.add(local));
        java.time.Instant start = zdt.toInstant();
        for (int f = 0; f < cols.length; f++) {
          if (csv.isBlank(cols[f])) {
            continue; // future intervals of the current day are blank
          }
          double mw;
          try {
            mw = csv.number(cols[f]);
            if (!Double.isFinite(mw)) {
              throw new NumberFormatException();
            }
          } catch (NumberFormatException e) {
            throw new PayloadRejectedException(p.payloadId(), "line " + csv.line() + ", field " + fuels.get(f) + ": '" + csv.get(cols[f]) + "' is not a number");
          }
          out.accept(new FuelMixRecord("caiso", dataset, "CAISO", canonical[f], start, start.plus(STEP), mw, "MW", prov, null));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // reading a byte array
    } catch (CsvException e) {
      throw new PayloadRejectedException(p.payloadId(), e.getMessage());
    }
  }

  private static LocalDateTime localTime(RawPayload p, CsvReader row, int iTime, LocalDate day) {
    String t = row.get(iTime);
    try {
      if (t != null && t.contains("/")) {
        return LocalDateTime.parse(t, MDY_HM);
      }
      return LocalDateTime.of(day, LocalTime.parse(t == null ? "" : (t.length() == 4 ? "0" + t : t)));
    } catch (DateTimeParseException e) {
      throw new PayloadRejectedException(p.payloadId(), "line " + row.line() + ", field Time: '" + t + "' is not HH:MM or MM/DD/YYYY HH:MM");
    }
  }

  /** Pacific wall clock to an instant; {@code repeat} marks the second occurrence of a wall time. */
  private static ZonedDateTime resolve(RawPayload p, int line, LocalDateTime local, boolean repeat) {
    List<ZoneOffset> offsets = OasisTime.PACIFIC.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      ZoneOffsetTransition tr = OasisTime.PACIFIC.getRules().getTransition(local);
      throw new PayloadRejectedException(p.payloadId(), "line " + line + ", field Time: " + local
          + " does not exist in America/Los_Angeles (spring-forward gap at " + (tr == null ? "?" : tr.getInstant()) + ")");
    }
    if (offsets.size() == 1) {
      if (repeat) {
        throw new PayloadRejectedException(p.payloadId(), "line " + line + ", field Time: " + local + " appears twice");
      }
      return ZonedDateTime.ofLocal(local, OasisTime.PACIFIC, offsets.get(0));
    }
    ZonedDateTime earlier = ZonedDateTime.ofLocal(local, OasisTime.PACIFIC, null).withEarlierOffsetAtOverlap();
    return repeat ? earlier.withLaterOffsetAtOverlap() : earlier;
  }
}
