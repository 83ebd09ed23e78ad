package io.carbon254.ingest.tasks.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.tasks.IngestCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ingest query} on the real ClickHouse server of `make infra-up`, through the CLI entry
 * point: unqualified table names are those of the DSN's database (as in DuckDB), and the
 * `ingest ddl apply` hint appears only where applying the migrations would help.
 */
class QueryCommandIT {
  private static final String DB = "it_query_" + Long.toString(System.currentTimeMillis(), 36);
  private static IngestConfig config;

  @BeforeAll
  static void configure() throws Exception {
    config = IngestConfig.of(Map.of(
        "CLICKHOUSE_DSN", "clickhouse://127.0.0.1:8123/" + DB,
        "CLICKHOUSE_RETRIES", "2",
        "CLICKHOUSE_RETRY_BACKOFF", "100ms",
        "INGEST_HOME", Files.createTempDirectory("ingest-query-it-").toString()));
  }

  @AfterAll
  static void drop() {
    Infra.clickhouse("DROP DATABASE IF EXISTS " + DB);
  }

  record Run(int exit, String out, String err) {}

  static synchronized Run cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = IngestCli.execute(config, args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  @Test
  void unqualifiedTablesAreTheDsnDatabasesAndTheDdlHintComesOnlyWhenItHelps() {
    Run before = cli("query", "SELECT count() FROM silver_prices");
    assertEquals(ExitCodes.USAGE, before.exit(), before.err());
    assertTrue(before.err().contains("run `ingest ddl apply`"), "the database is missing: applying helps: " + before.err());

    Run apply = cli("ddl", "apply");
    assertEquals(0, apply.exit(), apply.err());

    Run count = cli("query", "SELECT count() FROM silver_prices", "--format", "csv");
    assertEquals(0, count.exit(), count.err());
    assertEquals("count()\n0\n", count.out(), "silver_prices of " + DB + ", not default.silver_prices");
    Run ledger = cli("query", "SELECT count() AS n FROM schema_migrations FINAL", "--format", "csv");
    assertEquals(0, ledger.exit(), ledger.err());
    assertTrue(ledger.out().matches("n\n[1-9]\\d*\n"), "a number from the DSN's database: " + ledger.out());

    Run typo = cli("query", "SELECT count() FROM silver_pricez");
    assertEquals(ExitCodes.USAGE, typo.exit(), typo.err());
    assertTrue(typo.err().contains("silver_pricez"), typo.err());
    assertFalse(typo.err().contains("ddl apply"), "a typo is not cured by the migrations: " + typo.err());

    Run bad = cli("query", "SELEC 1");
    assertEquals(ExitCodes.USAGE, bad.exit(), bad.err());
    assertTrue(io.carbon254.ingest.tasks.LogLines.messages(bad.err()).stream()
        .anyMatch(l -> l.startsWith("ClickHouse at 127.0.0.1:8123 rejected query: ")), "a readable message: " + bad.err());
    assertFalse(bad.err().contains("ddl apply"), bad.err());
  }
}
