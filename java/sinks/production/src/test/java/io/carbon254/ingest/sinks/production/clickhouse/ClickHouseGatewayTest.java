package io.carbon254.ingest.sinks.production.clickhouse;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When `ingest ddl apply` is worth suggesting for a missing table or database (no server needed). */
class ClickHouseGatewayTest {
  private static boolean helps(int code, String message) {
    ClickHouseDsn dsn = ClickHouseDsn.parse("clickhouse://127.0.0.1:1/ingest", Optional.empty(), Optional.empty());
    try (ClickHouseGateway g = new ClickHouseGateway(dsn, 1, Duration.ZERO, false)) {
      return g.migrationsWouldHelp(code, message);
    }
  }

  @Test
  void theHintIsForTablesAndTheDatabaseTheMigrationsCreate() {
    assertTrue(helps(60, "Code: 60, e.displayText() = DB::Exception: Table ingest.silver_prices doesn't exist., e.what() = DB::Exception"));
    assertTrue(helps(60, "Code: 60. DB::Exception: Table ingest.ingest_runs does not exist. (UNKNOWN_TABLE)"), "current servers");
    assertTrue(helps(60, "Code: 60, e.displayText() = DB::Exception: Table ingest.schema_migrations doesn't exist."));
    assertTrue(helps(81, "Code: 81, e.displayText() = DB::Exception: Database ingest doesn't exist, e.what() = DB::Exception"));
    assertTrue(helps(60, "Code: 60. DB::Exception: Unknown table expression identifier 'silver_load' in scope SELECT count() FROM silver_load."));
    assertTrue(helps(60, "an error whose table cannot be read keeps the hint"));
  }

  @Test
  void notForATypoAnotherDatabaseOrTheDefaultOne() {
    assertFalse(helps(60, "Code: 60, e.displayText() = DB::Exception: Table ingest.silver_pricez doesn't exist., e.what() = DB::Exception"));
    assertFalse(helps(60, "Code: 60, e.displayText() = DB::Exception: Table default.silver_prices doesn't exist., e.what() = DB::Exception"));
    assertFalse(helps(81, "Code: 81, e.displayText() = DB::Exception: Database analytics doesn't exist, e.what() = DB::Exception"));
    assertFalse(helps(60, "Code: 60. DB::Exception: Unknown table expression identifier 'prices' in scope SELECT * FROM prices."));
    assertFalse(helps(60, "Code: 60. DB::Exception: Unknown table expression identifier 'other.silver_prices' in scope SELECT 1."));
  }
}
