package io.carbon254.ingest.connectors.pjm;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.ingest.connectors.common.JsonStream;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Data Miner 2 JSON pages ({@code {"links", "items", "searchSpecification", "totalRows"}}) to
 * canonical rows, one item in memory at a time ({@link JsonStream}); items come in any order.
 * Times are read from the {@code _utc} fields only (the EPT ones repeat 01:00 on the fall-back day
 * unflagged). Rows with {@code row_is_current = false} are superseded versions and skipped; the
 * row version is {@code version_nbr} (0 for the unverified five-minute feed, which has none, and
 * for unverified metered load) above the fetch instant, so a corrected price replaces the old one
 * in Silver whenever it was fetched, and a re-fetch of the same version replaces it with itself.
 * Load forecasts keep, per area and hour, the latest evaluation in the page.
 */
final class DataMinerParser {
  /** Versions are {@code version_nbr * STEP + fetched-at millis}: a higher version_nbr always wins. */
  static final long STEP = 10_000_000_000_000L;

  private final DataMinerFeed feed;
  private final NormalizationRules rules;
  private final Map<String, String> locationTypes = new HashMap<>();

  DataMinerParser(DataMinerFeed feed, NormalizationRules rules) {
    this.feed = feed;
    this.rules = rules;
  }

  void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    String feedName = feedOf(p);
    long[] item = {0};
    Map<String, LoadRecord> forecasts = new LinkedHashMap<>();
    try {
      JsonStream.forEachItem(new ByteArrayInputStream(p.body()), "items", n -> {
        item[0]++;
        CanonicalRecord r = switch (feed.kind) {
          case PRICES -> price(p, feedName, n, item[0]);
          case LOAD -> feed == DataMinerFeed.LOAD_FORECAST ? forecast(p, n, item[0], forecasts) : load(p, n, item[0]);
          case FUEL_MIX -> fuel(p, n, item[0]);
        };
        if (r != null) {
          out.accept(r);
        }
      });
    } catch (IOException e) {
      throw new PayloadRejectedException(p.payloadId(), "not a Data Miner JSON page: " + e.getMessage(), e);
    }
    forecasts.values().forEach(out::accept);
  }

  private String feedOf(RawPayload p) {
    okhttp3.HttpUrl url = okhttp3.HttpUrl.parse(p.url());
    String last = url == null || url.pathSegments().isEmpty() ? "" : url.pathSegments().get(url.pathSegments().size() - 1);
    if (!last.equals(feed.feed) && !last.equals(feed.fallbackFeed)) {
      throw new PayloadRejectedException(p.payloadId(), "payload of feed '" + last + "' where " + feed.dataset + " reads " + feed.feed);
    }
    return last;
  }

  private PriceRecord price(RawPayload p, String feedName, JsonNode n, long item) {
    if (n.has("row_is_current") && !bool(p, n, item, "row_is_current")) {
      return null;
    }
    Instant start = utc(p, n, item, "datetime_beginning_utc");
    String id = text(p, n, item, "pnode_id");
    String name = optText(n, "pnode_name");
    String type = optText(n, "type");
    String s = feed.priceSuffix;
    double total = number(p, n, item, "total_lmp_" + s);
    long versionNbr = feedName.equals(feed.fallbackFeed) ? 0 : (n.hasNonNull("version_nbr") ? whole(p, n, item, "version_nbr") : 1);
    return new PriceRecord("pjm", feed.dataset, feed.marketRun, "LMP", id, name, locationType(type == null ? "" : type), start,
        start.plus(feed.resolution), total, optNumber(p, n, item, "system_energy_price_" + s),
        optNumber(p, n, item, "congestion_price_" + s), optNumber(p, n, item, "marginal_loss_price_" + s), null, "USD", "MWh",
        provenance(p, versionNbr), null);
  }

  private LoadRecord load(RawPayload p, JsonNode n, long item) {
    Instant start = utc(p, n, item, "datetime_beginning_utc");
    String area = text(p, n, item, "load_area");
    long verified = n.hasNonNull("is_verified") && bool(p, n, item, "is_verified") ? 1 : 0;
    return new LoadRecord("pjm", feed.dataset, feed.marketRun, area, start, start.plus(feed.resolution), number(p, n, item, "mw"), "MW",
        provenance(p, verified), null);
  }

  private LoadRecord forecast(RawPayload p, JsonNode n, long item, Map<String, LoadRecord> latest) {
    Instant start = utc(p, n, item, "forecast_datetime_beginning_utc");
    Instant end = n.hasNonNull("forecast_datetime_ending_utc") ? utc(p, n, item, "forecast_datetime_ending_utc") : start.plus(feed.resolution);
    String area = text(p, n, item, "forecast_area");
    Instant evaluated = utc(p, n, item, "evaluated_at_datetime_utc");
    LoadRecord r = new LoadRecord("pjm", feed.dataset, feed.marketRun, area, start, end, number(p, n, item, "forecast_load_mw"), "MW",
        new Provenance(evaluated.toEpochMilli(), evaluated, p.fetchedAt(), p.payloadId()), null);
    latest.merge(area + "|" + start, r, (a, b) -> b.version() > a.version() ? b : a);
    return null;
  }

  private FuelMixRecord fuel(RawPayload p, JsonNode n, long item) {
    Instant start = utc(p, n, item, "datetime_beginning_utc");
    String fuel = rules.fuel("pjm", text(p, n, item, "fuel_type"));
    return new FuelMixRecord("pjm", feed.dataset, "RTO", fuel, start, start.plus(feed.resolution), number(p, n, item, "mw"), "MW",
        provenance(p, 1), null);
  }

  private static Provenance provenance(RawPayload p, long versionNbr) {
    return new Provenance(versionNbr * STEP + p.fetchedAt().toEpochMilli(), null, p.fetchedAt(), p.payloadId());
  }

  /** The location type depends on PJM's {@code type} (HUB, ZONE, AGGREGATE, …): one rules lookup per type. */
  private String locationType(String type) {
    return locationTypes.computeIfAbsent(type, t -> rules.locationType("pjm", t));
  }

  private static PayloadRejectedException bad(RawPayload p, long item, String field, String why) {
    return new PayloadRejectedException(p.payloadId(), "item " + item + ", field " + field + ": " + why);
  }

  private static JsonNode field(RawPayload p, JsonNode n, long item, String f) {
    JsonNode v = n.get(f);
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
      throw bad(p, item, f, "missing");
    }
    return v;
  }

  /** {@code 2024-11-03T05:00:00}: UTC without an offset, as Data Miner writes it (an explicit Z or offset is accepted). */
  static Instant utc(RawPayload p, JsonNode n, long item, String f) {
    String s = field(p, n, item, f).asText().strip();
    try {
      if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:\\d\\d$")) {
        return java.time.OffsetDateTime.parse(s).toInstant();
      }
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw bad(p, item, f, "not a datetime: '" + s + "'");
    }
  }

  private static String text(RawPayload p, JsonNode n, long item, String f) {
    JsonNode v = field(p, n, item, f);
    if (!v.isValueNode()) {
      throw bad(p, item, f, "not a value: " + v);
    }
    return v.asText().strip();
  }

  private static String optText(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText().strip();
  }

  private static double number(RawPayload p, JsonNode n, long item, String f) {
    JsonNode v = field(p, n, item, f);
    double d;
    if (v.isNumber()) {
      d = v.asDouble();
    } else if (v.isTextual()) {
      try {
        d = Double.parseDouble(v.asText().strip());
      } catch (NumberFormatException e) {
        throw bad(p, item, f, "not a number: '" + v.asText() + "'");
      }
    } else {
      throw bad(p, item, f, "not a number: " + v);
    }
    if (!Double.isFinite(d)) {
      throw bad(p, item, f, "not a finite number: " + v);
    }
    return d;
  }

  private static Double optNumber(RawPayload p, JsonNode n, long item, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() || (v.isTextual() && v.asText().isBlank()) ? null : number(p, n, item, f);
  }

  private static long whole(RawPayload p, JsonNode n, long item, String f) {
    JsonNode v = field(p, n, item, f);
    if (v.isIntegralNumber() && v.asLong() >= 0 && v.asLong() < 900) {
      return v.asLong();
    }
    if (v.isTextual() && v.asText().strip().matches("\\d{1,3}")) {
      return Long.parseLong(v.asText().strip());
    }
    throw bad(p, item, f, "not a version number (0-899): " + v);
  }

  private static boolean bool(RawPayload p, JsonNode n, long item, String f) {
    JsonNode v = field(p, n, item, f);
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    String s = v.asText().strip();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw bad(p, item, f, "not a boolean: " + v);
  }
}
