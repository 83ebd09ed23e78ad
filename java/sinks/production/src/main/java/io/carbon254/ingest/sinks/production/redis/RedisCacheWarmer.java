package io.carbon254.ingest.sinks.production.redis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Column;
import io.carbon254.ingest.core.record.FuelMixRecord;
import io.carbon254.ingest.core.record.LoadRecord;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.sink.CacheWarmer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Warms Redis after a load, with pipelined compare-and-set Lua scripts (one round trip per batch,
 * a stale write never overwrites a newer value). Key layout ({@code <p>} = {@code REDIS_KEY_PREFIX}):
 *
 * <pre>
 * &lt;p&gt;:price:latest:&lt;market&gt;:&lt;location_id&gt;             hash, the newest interval of any dataset (TTL REDIS_LATEST_TTL)
 * &lt;p&gt;:price:recent:&lt;market&gt;:&lt;dataset&gt;:&lt;location_id&gt;   sorted set, last N intervals, score = start ms, member = JSON (TTL REDIS_RECENT_TTL)
 * &lt;p&gt;:load:latest:&lt;market&gt;:&lt;dataset&gt;:&lt;area&gt;           hash (TTL REDIS_LATEST_TTL)
 * &lt;p&gt;:fuelmix:latest:&lt;market&gt;:&lt;area&gt;:&lt;fuel&gt;           hash (TTL REDIS_LATEST_TTL)
 * </pre>
 *
 * "Newer" is the later interval start, then the greater version. Hashes hold the record's columns
 * (instants as ISO-8601 UTC, booleans as true/false, nulls left out) plus {@code interval_start_ms}.
 */
public final class RedisCacheWarmer implements CacheWarmer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 3;
  private static final int BATCH = 5_000;
  private static final Script LATEST = Script.load("latest.lua");
  private static final Script RECENT = Script.load("recent.lua");

  private record Script(String text, String sha) {
    static Script load(String name) {
      try (InputStream in = RedisCacheWarmer.class.getResourceAsStream(name)) {
        String text = new String(requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        return new Script(text, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
            .digest(text.getBytes(StandardCharsets.UTF_8))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** One compare-and-set: which script, its key and arguments. */
  private record Write(Script script, String key, String[] args) {}

  private final RedisSettings settings;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  public RedisCacheWarmer(RedisSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  public String describe() {
    return "redis://" + settings.server();
  }

  @Override
  public long warm(List<CanonicalRecord> rows) {
    if (rows.isEmpty()) {
      return 0;
    }
    List<Write> writes = new ArrayList<>(rows.size() * 2);
    for (CanonicalRecord r : rows) {
      plan(r, writes);
    }
    long written = 0;
    for (int from = 0; from < writes.size(); from += BATCH) {
      written += run(writes.subList(from, Math.min(writes.size(), from + BATCH)));
    }
    return written;
  }

  /** Key of the latest price of a location, as documented above. */
  public static String latestPriceKey(String prefix, String market, String locationId) {
    return prefix + ":price:latest:" + market + ":" + locationId;
  }

  public static String recentPriceKey(String prefix, String market, String dataset, String locationId) {
    return prefix + ":price:recent:" + market + ":" + dataset + ":" + locationId;
  }

  private void plan(CanonicalRecord r, List<Write> out) {
    String p = settings.prefix();
    long latestTtl = settings.latestTtl().toSeconds();
    String start = Long.toString(r.intervalStart().toEpochMilli());
    String version = Long.toString(r.version());
    switch (r) {
      case PriceRecord pr -> {
        out.add(new Write(LATEST, latestPriceKey(p, pr.market(), pr.locationId()), hashArgs(r, start, version, latestTtl)));
        ObjectNode member = JSON.createObjectNode();
        member.put("interval_start_utc", pr.intervalStart().toString());
        member.put("interval_end_utc", pr.intervalEnd().toString());
        member.put("price", pr.price());
        putNullable(member, "energy", pr.energy());
        putNullable(member, "congestion", pr.congestion());
        putNullable(member, "loss", pr.loss());
        putNullable(member, "ghg", pr.ghg());
        member.put("market_run", pr.marketRun());
        member.put("price_type", pr.priceType());
        member.put("version", pr.version());
        out.add(new Write(RECENT, recentPriceKey(p, pr.market(), pr.dataset(), pr.locationId()),
            new String[] {start, version, member.toString(), Integer.toString(settings.recentIntervals()),
              Long.toString(settings.recentTtl().toSeconds())}));
      }
      case LoadRecord lr ->
          out.add(new Write(LATEST, p + ":load:latest:" + lr.market() + ":" + lr.dataset() + ":" + lr.area(),
              hashArgs(r, start, version, latestTtl)));
      case FuelMixRecord fr ->
          out.add(new Write(LATEST, p + ":fuelmix:latest:" + fr.market() + ":" + fr.area() + ":" + fr.fuel(),
              hashArgs(r, start, version, latestTtl)));
    }
  }

  private static void putNullable(ObjectNode n, String field, Double v) {
    if (v == null) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static String[] hashArgs(CanonicalRecord r, String start, String version, long ttl) {
    List<String> a = new ArrayList<>(List.of(start, version, Long.toString(ttl)));
    Object[] v = r.values();
    List<Column> cols = r.kind().columns();
    for (int i = 0; i < v.length; i++) {
      if (v[i] != null && !cols.get(i).name().equals("version")) {
        a.add(cols.get(i).name());
        a.add(v[i] instanceof Instant t ? t.toString() : String.valueOf(v[i]));
      }
    }
    return a.toArray(String[]::new);
  }

  private long run(List<Write> writes) {
    Exception last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        return pipeline(writes);
      } catch (RedisNoScriptException e) {
        // the server lost its script cache (restart, SCRIPT FLUSH): load and run the batch again
        commands().scriptLoad(LATEST.text());
        commands().scriptLoad(RECENT.text());
        last = e;
      } catch (RedisException | TimeoutException e) {
        last = e;
        disconnect();
        sleep(Duration.ofMillis(250L << (attempt - 1)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UpstreamUnavailableException("interrupted while warming redis at " + settings.server(), e);
      }
    }
    throw new UpstreamUnavailableException(
        "Redis at " + settings.server() + " unavailable after " + ATTEMPTS + " attempts ("
            + (last == null ? "no answer" : last.getClass().getSimpleName() + ": " + last.getMessage())
            + "); Silver is written, a re-run of load warms the cache again",
        last);
  }

  private long pipeline(List<Write> writes) throws InterruptedException, TimeoutException {
    commands();
    RedisAsyncCommands<String, String> cmd = connection.async();
    List<RedisFuture<Long>> futures = new ArrayList<>(writes.size());
    connection.setAutoFlushCommands(false);
    try {
      for (Write w : writes) {
        futures.add(cmd.evalsha(w.script().sha(), ScriptOutputType.INTEGER, new String[] {w.key()}, w.args()));
      }
      connection.flushCommands();
    } finally {
      connection.setAutoFlushCommands(true);
    }
    long written = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (RedisFuture<Long> f : futures) {
      try {
        written += f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RedisNoScriptException nse) {
          throw nse;
        }
        if (e.getCause() instanceof RedisException re) {
          throw re;
        }
        throw new RedisException(e.getCause());
      }
    }
    return written;
  }

  private io.lettuce.core.api.sync.RedisCommands<String, String> commands() {
    if (connection == null || !connection.isOpen()) {
      if (client == null) {
        client = RedisClient.create(settings.uri());
      }
      connection = client.connect();
    }
    return connection.sync();
  }

  private void disconnect() {
    if (connection != null) {
      try {
        connection.close();
      } catch (RuntimeException e) {
        // the connection is broken already
      }
      connection = null;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    disconnect();
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      client = null;
    }
  }
}
