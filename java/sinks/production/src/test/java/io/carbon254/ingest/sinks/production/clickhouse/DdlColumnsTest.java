package io.carbon254.ingest.sinks.production.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.record.Column;
import io.carbon254.ingest.core.record.RecordKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The DDL of ddl/ against RecordKind: same columns, order, types, natural key and engine. */
class DdlColumnsTest {
  private static final Pattern TABLE =
      Pattern.compile("CREATE TABLE IF NOT EXISTS ingest\\.(\\w+)\\s*\\((.*?)\\)\\s*ENGINE = (.*?)$", Pattern.DOTALL);

  record Table(String name, List<String[]> columns, String rest) {}

  static List<Table> tables() {
    List<Table> out = new ArrayList<>();
    for (Ddl.Migration m : Ddl.bundled()) {
      for (String sql : Ddl.render(m, "ingest", Optional.empty())) {
        Matcher t = TABLE.matcher(sql);
        if (t.find()) {
          List<String[]> cols = new ArrayList<>();
          for (String line : t.group(2).split("\\R")) {
            String l = line.strip().replaceAll(",$", "");
            if (!l.isEmpty()) {
              cols.add(l.split("\\s+", 2));
            }
          }
          out.add(new Table(t.group(1), cols, t.group(3)));
        }
      }
    }
    return out;
  }

  static Table table(String name) {
    return tables().stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no CREATE TABLE " + name + " in ddl/"));
  }

  static String clickhouseType(Column c) {
    String base = switch (c.type()) {
      case STRING -> "String";
      case DOUBLE -> "Float64";
      case LONG -> "UInt64";
      case BOOLEAN -> "UInt8";
      case TIMESTAMP -> "DateTime('UTC')";
    };
    return c.nullable() ? "Nullable(" + base + ")" : base;
  }

  private static void assertColumns(RecordKind k, List<String[]> actual, int from, String table) {
    List<Column> cols = k.columns();
    assertEquals(cols.size(), actual.size() - from, table + ": column count");
    for (int i = 0; i < cols.size(); i++) {
      String[] a = actual.get(from + i);
      assertEquals(cols.get(i).name(), a[0], table + " column " + (from + i));
      assertEquals(clickhouseType(cols.get(i)), a[1], table + "." + a[0] + " type");
    }
  }

  @Test
  void quarantineTablesHoldTheKeyTheRunTheCheckAndWhyThenTheSilverColumns() {
    for (RecordKind k : RecordKind.values()) {
      Table t = table(io.carbon254.ingest.core.sink.Warehouse.quarantineTable(k));
      assertEquals(List.of("key_start_utc", "key_end_utc", "run_id", "check_name", "reason", "quarantined_at"),
          t.columns().subList(0, 6).stream().map(c -> c[0]).toList(), t.name());
      assertColumns(k, t.columns(), 6, t.name());
    }
  }

  @Test
  void silverTablesHaveTheRecordKindColumnsTheNaturalKeyAsOrderAndAReplacingEngineByVersion() {
    for (RecordKind k : RecordKind.values()) {
      Table t = table(k.silverTable());
      assertColumns(k, t.columns(), 0, t.name());
      assertTrue(t.rest().startsWith("ReplacingMergeTree(version)"), t.name() + " engine: " + t.rest());
      assertTrue(t.rest().contains("PARTITION BY toYYYYMM(interval_start_utc)"), t.name() + " partitioning");
      assertTrue(t.rest().contains("ORDER BY (" + String.join(", ", k.naturalKey()) + ")"), t.name() + " order = natural key");
    }
  }

  @Test
  void stagingTablesCarryTheGenerationColumnsThenTheRecordKindColumns() {
    for (RecordKind k : RecordKind.values()) {
      Table t = table(k.stagingTable());
      List<String> head = t.columns().subList(0, 5).stream().map(c -> c[0]).toList();
      assertEquals(List.of("stage", "key_start", "key_end", "generation", "row_no"), head, t.name());
      assertColumns(k, t.columns(), 5, t.name());
    }
    assertEquals("stg_generations", table("stg_generations").name());
  }

  @Test
  void everyTableOfTheDesignExistsAndTheIndexListsEveryFile() throws Exception {
    List<String> names = tables().stream().map(Table::name).toList();
    for (String n : List.of("bronze_payloads", "silver_prices", "silver_load", "silver_fuel_mix", "quality_results",
        "ingest_runs", "stg_prices", "stg_load", "stg_fuel_mix")) {
      assertTrue(names.contains(n), "ddl/ creates " + n);
    }
    Path dir = Path.of(System.getenv().getOrDefault("INGEST_REPO_ROOT", "../../..")).resolve("ddl");
    try (Stream<Path> files = Files.list(dir)) {
      List<String> sql = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".sql")).sorted().toList();
      assertEquals(sql, Ddl.fromDir(dir).stream().map(Ddl.Migration::file).toList(), "ddl/index.txt lists every file");
    }
    assertEquals(Ddl.fromDir(dir), Ddl.bundled(), "the JAR bundles ddl/ as it is");
  }
}
