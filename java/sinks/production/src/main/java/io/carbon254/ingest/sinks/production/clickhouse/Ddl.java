package io.carbon254.ingest.sinks.production.clickhouse;

import static java.util.Objects.requireNonNull;

import io.carbon254.ingest.core.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbered migrations of {@code ddl/} (listed in {@code ddl/index.txt}, bundled in the JAR as
 * resources {@code ddl/…}) and their rendering for one database, single node or cluster.
 *
 * <p>The files are plain ClickHouse SQL for a single server, with {@code ${database}} for the
 * database name. For a cluster ({@code CLICKHOUSE_CLUSTER}) every statement gets {@code ON CLUSTER},
 * each table {@code t} becomes {@code t_local} with the Replicated variant of its engine, and a
 * {@code Distributed} table {@code t} over it, sharded by the statement's {@code -- shard_key:}
 * expression, so readers and writers keep using {@code t}.
 */
public final class Ddl {
  private static final Pattern FILE = Pattern.compile("(\\d{4})_([a-z0-9_]+)\\.sql");
  private static final Pattern CREATE_TABLE =
      Pattern.compile("^CREATE TABLE IF NOT EXISTS ([A-Za-z_]\\w*)\\.([A-Za-z_]\\w*)");
  private static final Pattern CREATE_DATABASE = Pattern.compile("^CREATE DATABASE IF NOT EXISTS ([A-Za-z_]\\w*)$");
  private static final Pattern ALTER_TABLE = Pattern.compile("^ALTER TABLE ([A-Za-z_]\\w*)\\.([A-Za-z_]\\w*)");
  private static final Pattern ENGINE = Pattern.compile("ENGINE = (\\w*)MergeTree\\(([^)]*)\\)");
  private static final String SHARD_KEY = "-- shard_key:";

  /** One migration file: its number, name and text. */
  public record Migration(int version, String file, String text) {
    public Migration {
      requireNonNull(file, "file is null");
      requireNonNull(text, "text is null");
    }

    public String checksum() {
      try {
        return HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A statement of a migration file, before rendering. */
  record Statement(String sql, Optional<String> shardKey) {}

  private Ddl() {}

  /** The migrations bundled in the JAR. */
  public static List<Migration> bundled() {
    String index = resource("ddl/index.txt");
    List<Migration> out = new ArrayList<>();
    for (String f : index.split("\\R")) {
      if (!f.isBlank()) {
        out.add(migration(f.strip(), resource("ddl/" + f.strip())));
      }
    }
    return checked(out);
  }

  /** The migrations of a ddl/ directory (a checkout), in the order of its index.txt. */
  public static List<Migration> fromDir(Path dir) {
    try {
      List<Migration> out = new ArrayList<>();
      for (String f : Files.readAllLines(dir.resolve("index.txt"))) {
        if (!f.isBlank()) {
          out.add(migration(f.strip(), Files.readString(dir.resolve(f.strip()))));
        }
      }
      return checked(out);
    } catch (IOException e) {
      throw new UsageException("cannot read the migrations in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Migration migration(String file, String text) {
    Matcher m = FILE.matcher(file);
    if (!m.matches()) {
      throw new IllegalStateException("migration file name '" + file + "' is not NNNN_name.sql");
    }
    return new Migration(Integer.parseInt(m.group(1)), file, text);
  }

  private static List<Migration> checked(List<Migration> ms) {
    for (int i = 0; i < ms.size(); i++) {
      if (ms.get(i).version() != i + 1) {
        throw new IllegalStateException(
            "migrations must be numbered 1, 2, 3… in ddl/index.txt; found " + ms.get(i).file() + " at position " + (i + 1));
      }
    }
    return List.copyOf(ms);
  }

  private static String resource(String name) {
    try (InputStream in = Ddl.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + name + " on the classpath (ddl/ is bundled by the build)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Splits a migration into statements (on {@code ;} at the end of a line), dropping comment lines. */
  static List<Statement> statements(String text) {
    List<Statement> out = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    String shard = null;
    for (String line : text.split("\\R")) {
      String t = line.strip();
      if (t.startsWith(SHARD_KEY)) {
        shard = t.substring(SHARD_KEY.length()).strip();
        continue;
      }
      if (t.startsWith("--") || (t.isEmpty() && sql.isEmpty())) {
        continue;
      }
      boolean end = t.endsWith(";");
      String body = end ? line.substring(0, line.lastIndexOf(';')) : line;
      if (!body.isBlank()) {
        if (!sql.isEmpty()) {
          sql.append('\n');
        }
        sql.append(body.stripTrailing());
      }
      if (end) {
        out.add(new Statement(sql.toString().strip(), Optional.ofNullable(shard)));
        sql.setLength(0);
        shard = null;
      }
    }
    if (!sql.toString().isBlank()) {
      throw new IllegalStateException("statement without a terminating ';': " + sql.toString().strip());
    }
    return out;
  }

  /**
   * The tables the migrations create (and, for a cluster, their {@code _local} halves): those a
   * missing-table error can be cured of by {@code ingest ddl apply}.
   */
  public static java.util.Set<String> tables(List<Migration> migrations) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (Migration m : migrations) {
      for (Statement st : statements(m.text().replace("${database}", "db"))) {
        Matcher ct = CREATE_TABLE.matcher(st.sql());
        if (ct.find()) {
          out.add(ct.group(2));
          out.add(ct.group(2) + "_local");
        }
      }
    }
    return out;
  }

  /** The statements of a migration for this database, single node when {@code cluster} is empty. */
  public static List<String> render(Migration m, String database, Optional<String> cluster) {
    return render(m.text(), database, cluster);
  }

  static List<String> render(String text, String database, Optional<String> cluster) {
    Sql.identifier(database);
    cluster.ifPresent(Sql::identifier);
    List<String> out = new ArrayList<>();
    for (Statement st : statements(text.replace("${database}", database))) {
      if (cluster.isEmpty()) {
        out.add(st.sql());
      } else {
        out.addAll(clustered(st, database, cluster.get()));
      }
    }
    return out;
  }

  private static List<String> clustered(Statement st, String db, String cluster) {
    String sql = st.sql();
    String on = " ON CLUSTER " + cluster;
    Matcher cd = CREATE_DATABASE.matcher(sql);
    if (cd.matches()) {
      return List.of(sql + on);
    }
    Matcher ct = CREATE_TABLE.matcher(sql);
    if (ct.find()) {
      String table = ct.group(2);
      String local = table + "_local";
      String head = "CREATE TABLE IF NOT EXISTS " + ct.group(1) + "." + local + on;
      String body = head + sql.substring(ct.end());
      Matcher e = ENGINE.matcher(body);
      if (!e.find()) {
        throw new IllegalStateException("no MergeTree engine in the DDL of " + table);
      }
      String path = "'/clickhouse/tables/{shard}/" + db + "/" + local + "', '{replica}'";
      String args = e.group(2).isBlank() ? path : path + ", " + e.group(2);
      String replicated =
          body.substring(0, e.start()) + "ENGINE = Replicated" + e.group(1) + "MergeTree(" + args + ")" + body.substring(e.end());
      String distributed =
          "CREATE TABLE IF NOT EXISTS " + ct.group(1) + "." + table + on + " AS " + ct.group(1) + "." + local
              + "\nENGINE = Distributed(" + cluster + ", " + db + ", " + local + ", " + st.shardKey().orElse("rand()") + ")";
      return List.of(replicated, distributed);
    }
    Matcher at = ALTER_TABLE.matcher(sql);
    if (at.find()) {
      String rest = sql.substring(at.end());
      String base = "ALTER TABLE " + at.group(1) + ".";
      return List.of(base + at.group(2) + "_local" + on + rest, base + at.group(2) + on + rest);
    }
    throw new IllegalStateException("no cluster rendering for the statement: " + sql.lines().findFirst().orElse(""));
  }
}
