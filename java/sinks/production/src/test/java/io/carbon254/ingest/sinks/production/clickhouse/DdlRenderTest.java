package io.carbon254.ingest.sinks.production.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.UsageException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DdlRenderTest {
  private static final String TEXT =
      """
      -- a comment; with a semicolon
      CREATE DATABASE IF NOT EXISTS ${database};
      CREATE TABLE IF NOT EXISTS ${database}.silver_x
      (
          a String,
          version UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      ORDER BY a
      -- shard_key: cityHash64(a)
      ;
      ALTER TABLE ${database}.silver_x ADD COLUMN IF NOT EXISTS b String;
      """;

  @Test
  void singleNodeRenderingOnlyNamesTheDatabaseAndDropsComments() {
    List<String> s = Ddl.render(TEXT, "ingest", Optional.empty());
    assertEquals(3, s.size());
    assertEquals("CREATE DATABASE IF NOT EXISTS ingest", s.get(0));
    assertTrue(s.get(1).startsWith("CREATE TABLE IF NOT EXISTS ingest.silver_x\n("));
    assertTrue(s.get(1).endsWith("ENGINE = ReplacingMergeTree(version)\nORDER BY a"), s.get(1));
    assertEquals("ALTER TABLE ingest.silver_x ADD COLUMN IF NOT EXISTS b String", s.get(2));
  }

  @Test
  void clusterRenderingUsesOnClusterReplicatedLocalTablesAndDistributedTablesShardedByTheKey() {
    List<String> s = Ddl.render(TEXT, "ingest", Optional.of("prod"));
    assertEquals(5, s.size());
    assertEquals("CREATE DATABASE IF NOT EXISTS ingest ON CLUSTER prod", s.get(0));
    assertTrue(s.get(1).startsWith("CREATE TABLE IF NOT EXISTS ingest.silver_x_local ON CLUSTER prod\n("), s.get(1));
    assertTrue(s.get(1).contains(
        "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/ingest/silver_x_local', '{replica}', version)"),
        s.get(1));
    assertEquals("CREATE TABLE IF NOT EXISTS ingest.silver_x ON CLUSTER prod AS ingest.silver_x_local\n"
        + "ENGINE = Distributed(prod, ingest, silver_x_local, cityHash64(a))", s.get(2));
    assertEquals("ALTER TABLE ingest.silver_x_local ON CLUSTER prod ADD COLUMN IF NOT EXISTS b String", s.get(3));
    assertEquals("ALTER TABLE ingest.silver_x ON CLUSTER prod ADD COLUMN IF NOT EXISTS b String", s.get(4));
  }

  @Test
  void everyBundledMigrationRendersForACluster() {
    for (Ddl.Migration m : Ddl.bundled()) {
      for (String sql : Ddl.render(m, "ingest", Optional.of("prod"))) {
        assertTrue(sql.contains(" ON CLUSTER prod"), m.file() + ": " + sql);
        assertTrue(!sql.contains("ENGINE = ReplacingMergeTree") && !sql.contains("ENGINE = MergeTree"), m.file() + ": " + sql);
      }
    }
  }

  @Test
  void namesThatAreNotPlainIdentifiersAreRefused() {
    assertThrows(UsageException.class, () -> Ddl.render(TEXT, "ingest; DROP", Optional.empty()));
    assertThrows(UsageException.class, () -> Ddl.render(TEXT, "ingest", Optional.of("a b")));
  }
}
