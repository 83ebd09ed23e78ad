package io.carbon254.ingest.core.pipeline;

import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import java.time.Instant;
import java.util.List;

/**
 * The series of a row, its natural key without the interval start, as a tuple of the values
 * themselves (no string built per row); {@link #text} is the {@code |}-joined form used in messages.
 * A natural key is exactly (series, interval start), so a series plus a compact index of the
 * interval start identifies a row without a string per row.
 */
final class SeriesKey {
  private SeriesKey() {}

  static List<Object> of(CanonicalRecord r) {
    return switch (r) {
      case PriceRecord p -> List.of(p.market(), p.dataset(), p.marketRun(), p.priceType(), p.locationId());
      case LoadRecord l -> List.of(l.market(), l.dataset(), l.marketRun(), l.area());
      case FuelMixRecord f -> List.of(f.market(), f.dataset(), f.area(), f.fuel());
    };
  }

  static String text(List<Object> key) {
    StringBuilder sb = new StringBuilder();
    for (Object o : key) {
      if (!sb.isEmpty()) {
        sb.append('|');
      }
      sb.append(o);
    }
    return sb.toString();
  }

  /**
   * An interval start as one long, exact: epoch nanoseconds (±292 years around 1970, far wider than
   * any market data).
   */
  static long instant(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
