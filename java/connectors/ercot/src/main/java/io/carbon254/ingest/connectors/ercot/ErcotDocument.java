package io.carbon254.ingest.connectors.ercot;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One document of an ERCOT report as a listing names it (the MIS document list or the API's
 * archive listing): its id, its friendly name, when it was posted and, for reports that name each
 * file by its interval or SCED run ({@code SPPHLZNP6905_20241103_0115_xhr_csv},
 * {@code LMPSROSNODENP6788_20241103_011518_csv}), the instant the name stands for. Document ids
 * grow with posting time, so a republication ({@code _retry}, a correction) has a higher id than
 * the file it replaces: the id is the version of the rows it holds.
 *
 * @param nameTime the instant the name's time stands for (see {@link #named}); null when the name carries none
 */
record ErcotDocument(long docId, String friendlyName, Instant posted, Instant nameTime) {
  private static final Pattern NAMED = Pattern.compile(
      "^[A-Za-z0-9]+?(_retry)?_(\\d{8})_(\\d{4}|\\d{6})(_xhr)?(?:_(csv|xml|zip))?$", Pattern.CASE_INSENSITIVE);
  private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("uuuuMMddHHmm");
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");

  /** An {@code _xml} twin (the MIS lists every report as csv and xml): not read. */
  boolean isXml() {
    return friendlyName.toLowerCase(Locale.ROOT).endsWith("_xml");
  }

  /** Whether the name marks the second occurrence of the repeated hour ({@code _xhr}). */
  static boolean xhr(String friendlyName) {
    return friendlyName.toLowerCase(Locale.ROOT).contains("_xhr");
  }

  /**
   * The instant a name's time stands for: its wall-clock time in Central time, {@code _xhr} picking
   * the second occurrence; {@code labelShift} is subtracted on the wall clock first and added back
   * after (the 15-minute files are named by the END of their interval while {@code _xhr} follows the
   * interval's START: {@code _0200_xhr} is 01:45-02:00 CST). Null when the name has no time.
   */
  static Instant named(String friendlyName, Duration labelShift) {
    Matcher m = NAMED.matcher(friendlyName.strip());
    if (!m.matches()) {
      return null;
    }
    LocalDateTime local;
    try {
      local = LocalDateTime.parse(m.group(2) + m.group(3), m.group(3).length() == 6 ? SECONDS : MINUTES);
    } catch (DateTimeParseException e) {
      return null;
    }
    LocalDateTime shifted = local.minus(labelShift);
    if (ErcotClock.CPT.getRules().getValidOffsets(shifted).isEmpty()) {
      // the interval ending at 03:00 on the spring-forward day starts in the skipped hour's place: 01:45 CST
      return ErcotClock.wallClock(local, false);
    }
    return ErcotClock.wallClock(shifted, m.group(4) != null).plus(labelShift);
  }
}
