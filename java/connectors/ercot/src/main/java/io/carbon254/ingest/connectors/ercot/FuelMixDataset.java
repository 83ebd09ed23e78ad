package io.carbon254.ingest.connectors.ercot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.ingest.connectors.common.HttpFetcher;
import io.carbon254.ingest.connectors.common.HttpResult;
import io.carbon254.ingest.connectors.common.ResponseCheck;
import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.NotPublishedException;
import io.carbon254.ingest.core.PayloadRejectedException;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.connector.Dataset;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import io.carbon254.ingest.core.connector.SourceDescription;
import io.carbon254.ingest.core.policy.NormalizationRules;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.record.RecordKind;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import okhttp3.HttpUrl;

/**
 * ERCOT's generation by fuel, from the public grid-conditions dashboard
 * ({@code www.ercot.com/api/1/services/read/dashboards/fuel-mix.json}, no credentials): five-minute
 * snapshots of the current and the previous Central day, keyed {@code "2024-11-03 09:39:56-0500"}
 * (an explicit offset: the repeated hour is unambiguous), each {@code {"<fuel>": {"gen": MW, …}}}.
 * A snapshot stands for the five minutes ending at its time rounded to the minute and to the
 * five-minute mark; ERCOT sometimes splits one interval over two keys seconds apart with the fuels
 * divided between them, so fuels are merged per interval (the later key wins a fuel given twice).
 * The dashboard keeps no history: a window older than its previous day is a usage error (exit 2),
 * one it has not reached yet is not published (exit 99).
 */
final class FuelMixDataset implements Dataset {
  static final String DATASET = "fuel_mix";
  static final Duration RESOLUTION = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter KEY = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ssxx");

  private final HttpFetcher http;
  private final String baseUrl;
  private final NormalizationRules rules;

  FuelMixDataset(HttpFetcher http, String baseUrl, NormalizationRules rules) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.rules = rules;
  }

  static HttpUrl url(String baseUrl) {
    return HttpFetcher.rebase(HttpUrl.get(MisClient.HOST + "/api/1/services/read/dashboards/fuel-mix.json"), baseUrl);
  }

  /** What the dataset reads, for the catalogue. */
  static SourceDescription describe() {
    return new SourceDescription("the grid-conditions fuel-mix dashboard (fuel-mix.json)", new SourceDescription.Endpoint("every window",
        "GET", url(MisClient.HOST).toString(), "no parameters: five-minute snapshots of the current and the previous Central day;"
            + " an older window is refused (no history)", SourceDescription.Auth.NONE));
  }

  @Override
  public String id() {
    return DATASET;
  }

  @Override
  public RecordKind kind() {
    return RecordKind.FUEL_MIX;
  }

  @Override
  public Duration resolution() {
    return RESOLUTION;
  }

  @Override
  public void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    IntervalWindow w = key.window();
    String what = key.market() + "/" + key.dataset() + " " + w;
    HttpResult r = http.get(url(baseUrl), what + " fuel-mix dashboard", ResponseCheck.ACCEPT_ALL);
    JsonNode data = data(r.url(), r.body());
    TreeSet<LocalDate> days = new TreeSet<>();
    Instant[] last = {null};
    for (Map.Entry<String, JsonNode> day : data.properties()) {
      String d = day.getKey();
      try {
        days.add(LocalDate.parse(d));
      } catch (DateTimeParseException e) {
        throw new PayloadRejectedException(r.url(), "day key '" + d + "' of the fuel-mix dashboard is not a date");
      }
      if (!day.getValue().isObject()) {
        throw new PayloadRejectedException(r.url(), "day " + d + " of the fuel-mix dashboard is not an object of snapshots");
      }
      for (Map.Entry<String, JsonNode> ts : day.getValue().properties()) {
        Instant end = intervalEnd(r.url(), ts.getKey());
        last[0] = last[0] == null || end.isAfter(last[0]) ? end : last[0];
      }
    }
    if (days.isEmpty() || last[0] == null) {
      throw new NotPublishedException(what + ": the fuel-mix dashboard holds no snapshot");
    }
    LocalDate first = w.start().atZone(ErcotClock.CPT).toLocalDate();
    if (first.isBefore(days.first())) {
      throw new UsageException(what + ": ERCOT's fuel-mix dashboard keeps only " + days.first() + " .. " + days.last()
          + " (the current and the previous Central day); " + first + " is older and no ERCOT API serves fuel-mix history");
    }
    if (last[0].isBefore(w.end())) {
      throw new NotPublishedException(what + ": the fuel-mix dashboard's latest snapshot ends " + last[0] + ", before the window's end");
    }
    out.accept(RawPayload.of(key, 0, r.url(), r.contentType(), r.status(), r.body(), r.receivedAt()));
  }

  private static JsonNode data(String url, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new PayloadRejectedException(url, "the fuel-mix dashboard is not JSON: " + e.getMessage());
    }
    JsonNode data = root == null ? null : root.get("data");
    if (data == null || !data.isObject()) {
      throw new PayloadRejectedException(url, "not the fuel-mix dashboard (no \"data\" object)");
    }
    return data;
  }

  /** A snapshot key's time. */
  static Instant keyTime(String where, String key) {
    try {
      return OffsetDateTime.parse(key.strip(), KEY).toInstant();
    } catch (DateTimeParseException e) {
      throw new PayloadRejectedException(where, "snapshot key '" + key + "' is not a time like 2024-11-03 09:39:56-0500");
    }
  }

  /** The end of the five minutes a snapshot key stands for: its time rounded to the minute, then to the five-minute mark. */
  static Instant intervalEnd(String where, String key) {
    return intervalEnd(keyTime(where, key));
  }

  private static Instant intervalEnd(Instant t) {
    long s = t.getEpochSecond();
    long minute = Math.floorDiv(s + 30, 60) * 60;
    return Instant.ofEpochSecond(Math.floorDiv(minute + 150, 300) * 300);
  }

  @Override
  public void parse(RawPayload p, RowSink<? super CanonicalRecord> out) {
    JsonNode data = data(p.payloadId(), p.body());
    IntervalWindow w = p.key().window();
    // interval end -> fuel -> (key time, MW): one day of snapshots, merged per interval
    Map<Instant, Map<String, double[]>> byInterval = new TreeMap<>();
    for (Map.Entry<String, JsonNode> day : data.properties()) {
      if (!day.getValue().isObject()) {
        throw new PayloadRejectedException(p.payloadId(), "day " + day.getKey() + " of the fuel-mix dashboard is not an object of snapshots");
      }
      for (Map.Entry<String, JsonNode> snap : day.getValue().properties()) {
        Instant t = keyTime(p.payloadId(), snap.getKey());
        Instant end = intervalEnd(t);
        Instant start = end.minus(RESOLUTION);
        if (!w.contains(start)) {
          continue;
        }
        double at = t.getEpochSecond();
        if (!snap.getValue().isObject()) {
          throw new PayloadRejectedException(p.payloadId(), "snapshot " + snap.getKey() + " is not an object of fuels");
        }
        for (Map.Entry<String, JsonNode> f : snap.getValue().properties()) {
          JsonNode gen = f.getValue().isObject() ? f.getValue().get("gen") : f.getValue();
          if (gen == null || gen.isNull()) {
            continue;
          }
          if (!gen.isNumber()) {
            throw new PayloadRejectedException(p.payloadId(), "snapshot " + snap.getKey() + ", fuel " + f.getKey() + ": gen " + gen
                + " is not a number");
          }
          byInterval.computeIfAbsent(end, e -> new TreeMap<>())
              .merge(f.getKey(), new double[] {at, gen.asDouble()}, (a, b) -> b[0] >= a[0] ? b : a);
        }
      }
    }
    Provenance prov = new Provenance(p.fetchedAt().toEpochMilli(), null, p.fetchedAt(), p.payloadId());
    byInterval.forEach((end, fuels) -> fuels.forEach((fuel, v) -> out.accept(new FuelMixRecord("ercot", DATASET, "ERCOT",
        rules.fuel("ercot", fuel), end.minus(RESOLUTION), end, v[1], "MW", prov, null))));
  }
}
