package io.carbon254.ingest.connectors.ercot;

import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.record.RecordKind;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ERCOT report behind each dataset read from report documents: its EMIL id and MIS report type
 * id, the record kind, the interval length, how long the public MIS keeps its documents, and which
 * documents hold a window's rows ({@link Selection}). A window's documents are chosen from a
 * listing by the time in their names or by when they were posted, always at least the ones that
 * hold its rows; the parser keeps only the window's rows of what it reads.
 */
enum ErcotReport {
  SPP_DA_HOURLY("spp_da_hourly", "NP4-190-CD", 12331, RecordKind.PRICES, Duration.ofHours(1), "DAM", Duration.ofDays(31),
      Selection.POSTED_DAY_BEFORE),
  SPP_RT_15MIN("spp_rt_15min", "NP6-905-CD", 12301, RecordKind.PRICES, Duration.ofMinutes(15), "RTM", Duration.ofDays(7),
      Selection.NAMED_BY_INTERVAL_END),
  LMP_RT_SCED("lmp_rt_sced", "NP6-788-CD", 12300, RecordKind.PRICES, Duration.ofMinutes(5), "SCED", Duration.ofDays(5),
      Selection.NAMED_BY_SCED_RUN),
  LOAD_ACTUAL("load_actual", "NP6-345-CD", 13101, RecordKind.LOAD, Duration.ofHours(1), "ACTUAL", Duration.ofDays(7),
      Selection.POSTED_DAY_AFTER),
  LOAD_FORECAST("load_forecast", "NP3-561-CD", 12312, RecordKind.LOAD, Duration.ofHours(1), "7DAY", Duration.ofDays(7),
      Selection.LATEST_BEFORE);

  /** Which documents of a report hold a window's rows ({@link #text}: the same in words, for the catalogue). */
  enum Selection {
    /** One file per interval, named by the interval's end ({@code SPPHLZNP6905_YYYYMMDD_HHMM}): every interval's file, republications included. */
    NAMED_BY_INTERVAL_END("one file per interval, named by its end; every interval's file, republications included"),
    /** One file per SCED run, named by the run's time: the runs inside the window. */
    NAMED_BY_SCED_RUN("one file per SCED run, named by its time; the runs inside the window"),
    /** One file per operating day, posted the day before (the day-ahead market): those posted from the day before until noon of the last day. */
    POSTED_DAY_BEFORE("one file per operating day, posted the day before; those posted from the day before until noon of the last day"),
    /** One file per operating day, posted early the next day (actual load): those posted in the day after the window. */
    POSTED_DAY_AFTER("one file per operating day, posted early the next day; those posted in the day after the window"),
    /** A forecast posted every hour covering the coming days: the latest one posted in the day before the window starts. */
    LATEST_BEFORE("a forecast posted every hour; the latest one posted in the day before the window starts");

    final String text;

    Selection(String text) {
      this.text = text;
    }
  }

  final String dataset;
  final String emilId;
  final int reportTypeId;
  final RecordKind kind;
  final Duration resolution;
  final String marketRun;
  /** How far back the public MIS lists documents (about 7 days of NP6-905-CD, 5 of NP6-788-CD, 31 of the DAM). */
  final Duration misRetention;
  final Selection selection;

  ErcotReport(String dataset, String emilId, int reportTypeId, RecordKind kind, Duration resolution, String marketRun, Duration misRetention,
      Selection selection) {
    this.dataset = dataset;
    this.emilId = emilId;
    this.reportTypeId = reportTypeId;
    this.kind = kind;
    this.resolution = resolution;
    this.marketRun = marketRun;
    this.misRetention = misRetention;
    this.selection = selection;
  }

  static ErcotReport forDataset(String id) {
    for (ErcotReport r : values()) {
      if (r.dataset.equals(id)) {
        return r;
      }
    }
    return null;
  }

  /** The instant a document's name stands for: the start of its interval, the time of its SCED run; null for reports named otherwise. */
  Instant nameTime(String friendlyName) {
    return switch (selection) {
      case NAMED_BY_INTERVAL_END -> {
        Instant end = ErcotDocument.named(friendlyName, resolution);
        yield end == null ? null : end.minus(resolution);
      }
      case NAMED_BY_SCED_RUN -> ErcotDocument.named(friendlyName, Duration.ZERO);
      default -> null;
    };
  }

  /** The earliest a document named {@code friendlyName} can be posted: after its interval or SCED run; null when the name carries no time. */
  Instant postedNotBefore(String friendlyName) {
    Instant t = nameTime(friendlyName);
    return t == null ? null : selection == Selection.NAMED_BY_INTERVAL_END ? t.plus(resolution) : t;
  }

  /** The first posting instant a window's documents can have (the listing's lower bound; a transport is chosen by it). */
  Instant postedFrom(IntervalWindow w) {
    return switch (selection) {
      case NAMED_BY_INTERVAL_END, NAMED_BY_SCED_RUN -> w.start();
      case POSTED_DAY_BEFORE, LATEST_BEFORE -> local(w.start()).minusDays(1).toInstant();
      case POSTED_DAY_AFTER -> w.end();
    };
  }

  /** The last posting instant (exclusive) a window's documents can have. */
  Instant postedUntil(IntervalWindow w) {
    return switch (selection) {
      // republications come later than the first posting: two hours of them are looked for
      case NAMED_BY_INTERVAL_END -> w.end().plus(Duration.ofHours(2));
      case NAMED_BY_SCED_RUN -> w.end().plus(Duration.ofMinutes(10));
      case POSTED_DAY_BEFORE -> {
        LocalDate last = local(w.end().minusNanos(1)).toLocalDate();
        yield last.atTime(12, 0).atZone(ErcotClock.CPT).toInstant();
      }
      case POSTED_DAY_AFTER -> local(w.end()).plusDays(1).toInstant();
      case LATEST_BEFORE -> w.start();
    };
  }

  /**
   * Of documents holding the same rows (an interval's file and its {@code _retry}, the SCED runs of
   * one five minutes, a day's report and its correction), the latest: the highest document id. A
   * window's payloads never hold one row twice; a republication fetched after the first posting is a
   * newer payload that replaces its rows, and Bronze keeps both.
   */
  private List<ErcotDocument> latestPerSlot(List<ErcotDocument> docs) {
    Map<Object, ErcotDocument> latest = new HashMap<>();
    for (ErcotDocument d : docs) {
      latest.merge(slot(d), d, (a, b) -> b.docId() > a.docId() ? b : a);
    }
    List<ErcotDocument> out = new ArrayList<>(latest.values());
    out.sort(Comparator.comparing(ErcotDocument::posted).thenComparingLong(ErcotDocument::docId));
    return out;
  }

  /** What rows a document holds: its interval, its five minutes, the operating day it was posted for. */
  private Object slot(ErcotDocument d) {
    return switch (selection) {
      case NAMED_BY_INTERVAL_END -> d.nameTime() != null ? d.nameTime() : "posted " + d.posted();
      case NAMED_BY_SCED_RUN -> d.nameTime() != null
          ? Instant.ofEpochSecond(d.nameTime().getEpochSecond() - Math.floorMod(d.nameTime().getEpochSecond(), 300))
          : "posted " + d.posted();
      // the day-ahead results of day D are posted on D-1 from about noon, corrections until the morning of D
      case POSTED_DAY_BEFORE -> local(d.posted().plus(Duration.ofHours(12))).toLocalDate();
      // actual load of day D is posted early on D+1
      case POSTED_DAY_AFTER -> local(d.posted()).toLocalDate();
      case LATEST_BEFORE -> "latest";
    };
  }

  private static ZonedDateTime local(Instant t) {
    return t.atZone(ErcotClock.CPT);
  }

  /**
   * The documents of {@code listed} that hold rows of {@code w}, oldest first; not published (exit
   * 99) when the listing lacks any the window needs: an interval without its file, a SCED window
   * without its last run, a day without its report.
   */
  List<ErcotDocument> choose(List<ErcotDocument> listed, IntervalWindow w, String what) {
    List<ErcotDocument> out = new ArrayList<>();
    Instant from = postedFrom(w);
    Instant until = postedUntil(w);
    for (ErcotDocument d : listed) {
      if (d.isXml()) {
        continue;
      }
      Instant t = d.nameTime();
      boolean in = switch (selection) {
        case NAMED_BY_INTERVAL_END -> t != null ? !t.isBefore(w.start()) && t.isBefore(w.end())
            : d.posted().isAfter(w.start()) && !d.posted().isAfter(w.end().plus(resolution));
        case NAMED_BY_SCED_RUN -> t != null ? !t.isBefore(w.start()) && t.isBefore(w.end())
            : !d.posted().isBefore(w.start()) && d.posted().isBefore(w.end());
        default -> !d.posted().isBefore(from) && d.posted().isBefore(until);
      };
      if (in) {
        out.add(d);
      }
    }
    out = latestPerSlot(out);
    if (out.isEmpty()) {
      throw new NotPublishedException(what + ": ERCOT lists no " + emilId + " document for it yet (posted "
          + from + " .. " + until + ")");
    }
    if (selection == Selection.NAMED_BY_INTERVAL_END) {
      Set<Instant> have = new HashSet<>();
      out.forEach(d -> have.add(d.nameTime() != null ? d.nameTime() : d.posted().minus(resolution).minusSeconds(1)));
      List<Instant> missing = new ArrayList<>();
      for (Instant s = w.start(); s.isBefore(w.end()); s = s.plus(resolution)) {
        if (!have.contains(s)) {
          missing.add(s);
        }
      }
      boolean named = out.stream().allMatch(d -> d.nameTime() != null);
      if (named && !missing.isEmpty()) {
        throw new NotPublishedException(what + ": " + missing.size() + " of " + w.length().dividedBy(resolution)
            + " intervals have no " + emilId + " file yet (first: the interval starting " + missing.get(0) + ")");
      }
    }
    if (selection == Selection.NAMED_BY_SCED_RUN) {
      Instant lastSlot = w.end().minus(resolution);
      boolean last = out.stream().anyMatch(d -> d.nameTime() != null ? !d.nameTime().isBefore(lastSlot) : !d.posted().isBefore(lastSlot));
      if (!last) {
        throw new NotPublishedException(what + ": no SCED run of the last five minutes (" + lastSlot + ") is posted yet");
      }
    }
    return out;
  }
}
