package io.carbon254.ingest.tasks;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Holds the write lock of a DuckDB file for a while, as a concurrent task run would. Run by tests in
 * a process of its own ({@code LockHolder <file> <millis>}); prints {@code locked} once it holds it.
 */
final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
      c.createStatement().execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)");
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(Long.parseLong(args[1]));
    }
  }
}
