package io.carbon254.ingest.sinks.production.clickhouse;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.sinks.production.clickhouse.Ddl.Migration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies the migrations of {@code ddl/} and keeps their ledger, {@code schema_migrations}
 * (version, file, checksum, applied_at). Applying is idempotent: a migration in the ledger is
 * skipped; every statement is {@code IF NOT EXISTS}, so a run cut short is simply run again. A
 * migration whose text changed after it was applied is refused: add a new numbered file instead.
 */
public final class ClickHouseSchema implements AutoCloseable {
  static final String LEDGER_TABLE = "schema_migrations";
  private static final String BOOTSTRAP =
      """
      CREATE DATABASE IF NOT EXISTS ${database};
      CREATE TABLE IF NOT EXISTS ${database}.schema_migrations
      (
          version    UInt32,
          file       String,
          checksum   String,
          applied_at DateTime('UTC')
      )
      ENGINE = ReplacingMergeTree()
      ORDER BY version
      -- shard_key: version
      ;
      """;

  /** What {@link #apply} did with one migration: {@code applied} now or already {@code present}. */
  public record Outcome(int version, String file, String status) {}

  private final ClickHouseConfig config;
  private final ClickHouseGateway gateway;

  private ClickHouseSchema(ClickHouseConfig config, ClickHouseGateway gateway) {
    this.config = config;
    this.gateway = gateway;
  }

  public static ClickHouseSchema connect(ClickHouseConfig config) {
    requireNonNull(config, "config is null");
    return new ClickHouseSchema(config, config.open());
  }

  static ClickHouseSchema over(ClickHouseConfig config, ClickHouseGateway gateway) {
    return new ClickHouseSchema(config, gateway);
  }

  public String describe() {
    return config.dsn() + config.cluster().map(c -> " (cluster " + c + ")").orElse("");
  }

  public List<Outcome> apply(List<Migration> migrations) {
    String db = config.dsn().database();
    for (String sql : Ddl.render(BOOTSTRAP, db, config.cluster())) {
      gateway.execute("create the migrations ledger", sql);
    }
    Map<Integer, String[]> applied = applied();
    List<Outcome> out = new ArrayList<>();
    for (Migration m : migrations) {
      String[] done = applied.get(m.version());
      if (done != null) {
        if (!done[1].equals(m.checksum())) {
          throw new UsageException(
              "ddl/" + m.file() + " differs from the migration " + m.version() + " applied to " + describe() + " as "
                  + done[0] + " (checksum " + done[1].substring(0, 12) + "…): migrations are never edited after release;"
                  + " add a new numbered file");
        }
        out.add(new Outcome(m.version(), m.file(), "present"));
        continue;
      }
      for (String sql : Ddl.render(m, db, config.cluster())) {
        gateway.execute("migration " + m.file(), sql);
      }
      Instant now = Instant.now();
      gateway.insert(
          "record migration " + m.file(),
          db + "." + LEDGER_TABLE,
          List.of("version", "file", "checksum", "applied_at"),
          w -> {
            w.uint32(m.version());
            w.string(m.file());
            w.string(m.checksum());
            w.dateTime(now);
          });
      out.add(new Outcome(m.version(), m.file(), "applied"));
    }
    return out;
  }

  /** Fails with a usage error naming the missing migrations unless every one is in the ledger. */
  public void check(List<Migration> migrations) {
    Map<Integer, String[]> applied;
    try {
      applied = applied();
    } catch (UsageException e) {
      throw new UsageException(
          "ClickHouse at " + describe() + " has no migrations ledger: run `ingest ddl apply` (make pipeline-apply-ddl)", e);
    }
    List<String> missing = new ArrayList<>();
    for (Migration m : migrations) {
      if (!applied.containsKey(m.version())) {
        missing.add(m.file());
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageException(
          "ClickHouse at " + describe() + " lacks migrations " + missing + ": run `ingest ddl apply` (make pipeline-apply-ddl)");
    }
  }

  private Map<Integer, String[]> applied() {
    Map<Integer, String[]> m = new HashMap<>();
    for (List<String> row :
        gateway.select(
            "read the migrations ledger",
            "SELECT version, file, checksum FROM " + config.dsn().database() + "." + LEDGER_TABLE + " FINAL")) {
      m.put(Integer.parseInt(row.get(0)), new String[] {row.get(1), row.get(2)});
    }
    return m;
  }

  @Override
  public void close() {
    gateway.close();
  }
}
