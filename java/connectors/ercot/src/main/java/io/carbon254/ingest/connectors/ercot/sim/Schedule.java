package io.carbon254.ingest.connectors.ercot.sim;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When each report posts its documents, computed for a requested posting range (never held), and
 * the document ids: {@code 1,000,000,000 + (posted epoch second - nodal start) * 16 + report
 * ordinal}, + 8 for the {@code _xml} twin.
 */
final class Schedule {
  /** The nodal market's first operating day: nothing is posted before it. */
  static final Instant HISTORY_START = LocalDate.of(2010, 12, 1).atStartOfDay(ErcotSimulator.CPT).toInstant();
  static final long BASE_ID = 1_000_000_000L;
  private static final long START = HISTORY_START.getEpochSecond();
  static final int RT_POST_LAG = 62;
  static final int RETRY_LAG = 20 * 60;
  static final int SCED_POST_LAG = 2;
  static final int SCED_RERUN = 32 * 60 + 41;
  static final LocalTime RETRY_INTERVAL_END = LocalTime.of(12, 15);
  static final LocalTime DAM_POST = LocalTime.of(12, 30, 5);
  static final LocalTime ACTUAL_LOAD_POST = LocalTime.of(5, 50);

  private Schedule() {}

  /** The local time of {@code t} is the second (standard time) occurrence of a repeated hour. */
  static boolean secondOccurrence(Instant t) {
    ZonedDateTime z = t.atZone(ErcotSimulator.CPT);
    return !z.withEarlierOffsetAtOverlap().equals(z);
  }

  static long docId(Report r, long postedSecond) {
    return BASE_ID + (postedSecond - START) * 16 + r.ordinal();
  }

  private static Document doc(Report r, long postedSecond, Instant subject, boolean retry) {
    return new Document(r, docId(r, postedSecond), Instant.ofEpochSecond(postedSecond), subject, retry, false);
  }

  private static long ceilSecond(Instant t) {
    return t.getNano() == 0 ? t.getEpochSecond() : t.getEpochSecond() + 1;
  }

  /** The SCED run of a five-minute slot: 13..52 s after the slot starts. */
  static long scedRun(long slot) {
    return slot * 300 + 13 + Math.floorMod(Shapes.hash(slot, 0x5CED), 40);
  }

  /** The csv documents of {@code r} posted in [from, to), oldest first (none before {@link #HISTORY_START}). */
  static List<Document> posted(Report r, Instant from, Instant to) {
    long lo = Math.max(ceilSecond(from), START);
    long hi = ceilSecond(to);
    List<Document> out = new ArrayList<>();
    if (hi <= lo) {
      return out;
    }
    switch (r) {
      case NP6_905_CD -> {
        for (long e = Math.floorDiv(lo - RT_POST_LAG + 899, 900) * 900; e + RT_POST_LAG < hi; e += 900) {
          out.add(doc(r, e + RT_POST_LAG, Instant.ofEpochSecond(e), false));
        }
        for (LocalDate d = localDate(lo - RT_POST_LAG - RETRY_LAG); !d.isAfter(localDate(hi)); d = d.plusDays(1)) {
          long e = d.atTime(RETRY_INTERVAL_END).atZone(ErcotSimulator.CPT).toEpochSecond();
          long p = e + RT_POST_LAG + RETRY_LAG;
          if (p >= lo && p < hi) {
            out.add(doc(r, p, Instant.ofEpochSecond(e), true));
          }
        }
      }
      case NP6_788_CD -> {
        for (long k = Math.floorDiv(lo - SCED_POST_LAG - 60, 300); k * 300 + SCED_POST_LAG < hi; k++) {
          long p = scedRun(k) + SCED_POST_LAG;
          if (p >= lo && p < hi) {
            out.add(doc(r, p, Instant.ofEpochSecond(p - SCED_POST_LAG), false));
          }
        }
        for (long h = Math.floorDiv(lo - SCED_POST_LAG - SCED_RERUN, 3600); h * 3600 + SCED_RERUN + SCED_POST_LAG < hi; h++) {
          long p = h * 3600 + SCED_RERUN + SCED_POST_LAG;
          if (p >= lo) {
            out.add(doc(r, p, Instant.ofEpochSecond(p - SCED_POST_LAG), false));
          }
        }
      }
      case NP4_190_CD, NP6_345_CD -> {
        boolean dam = r == Report.NP4_190_CD;
        for (LocalDate d = localDate(lo); !d.isAfter(localDate(hi)); d = d.plusDays(1)) {
          long p = d.atTime(dam ? DAM_POST : ACTUAL_LOAD_POST).atZone(ErcotSimulator.CPT).toEpochSecond();
          if (p >= lo && p < hi) {
            LocalDate day = dam ? d.plusDays(1) : d.minusDays(1);
            out.add(doc(r, p, day.atStartOfDay(ErcotSimulator.CPT).toInstant(), false));
          }
        }
      }
      case NP3_561_CD -> {
        for (long h = Math.floorDiv(lo - 1800 + 3599, 3600); h * 3600 + 1800 < hi; h++) {
          long p = h * 3600 + 1800;
          out.add(doc(r, p, Instant.ofEpochSecond(p), false));
        }
      }
    }
    out.sort(Comparator.comparingLong(Document::docId));
    return out;
  }

  /** The document (csv or xml twin) with this id, whenever posted (at or after {@link #HISTORY_START}), or null. */
  static Document byId(long docId) {
    long v = docId - BASE_ID;
    if (v < 0) {
      return null;
    }
    int slot = (int) (v % 16);
    boolean xml = slot >= 8;
    int ordinal = slot % 8;
    if (ordinal >= Report.values().length) {
      return null;
    }
    Report r = Report.values()[ordinal];
    long second = START + v / 16;
    for (Document d : posted(r, Instant.ofEpochSecond(second), Instant.ofEpochSecond(second + 1))) {
      if (d.docId() == docId - (xml ? 8 : 0)) {
        return xml ? d.xmlTwin() : d;
      }
    }
    return null;
  }

  private static LocalDate localDate(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond).atZone(ErcotSimulator.CPT).toLocalDate();
  }
}
