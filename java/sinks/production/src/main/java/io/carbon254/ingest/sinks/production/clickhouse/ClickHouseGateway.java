package io.carbon254.ingest.sinks.production.clickhouse;

import static java.util.Objects.requireNonNull;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one place that talks to ClickHouse over HTTP (client-v2). Settings that work on 18.16 as on
 * current servers: uncompressed responses, reads in TabSeparated from the raw stream, inserts as
 * RowBinary streams. Transient failures (connection refused or reset, timeouts, retryable server
 * codes) are retried with exponential backoff; when the attempts are used up the caller gets an
 * {@link UpstreamUnavailableException} naming {@code host:port} (exit 3, never the credentials).
 */
final class ClickHouseGateway implements AutoCloseable {
  static final int UNKNOWN_TABLE = 60;
  static final int UNKNOWN_DATABASE = 81;
  private static final Set<Integer> RETRYABLE_CODES =
      Set.of(3, 159, 202, 203, 209, 210, 241, 242, 252, 285, 319, 425, 999);
  private static final long CALL_TIMEOUT_S = 300;
  private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("^Code: (\\d+)");

  /** Writes the rows of one insert; called again when the insert is retried. */
  interface Rows {
    void write(RowBinary out) throws IOException;
  }

  /** The server refused a statement (bad SQL, wrong type): retrying will not help. */
  static final class Rejected extends RuntimeException {
    private final int code;

    Rejected(int code, String message, Throwable cause) {
      super(message, cause);
      this.code = code;
    }

    int code() {
      return code;
    }
  }

  private final ClickHouseDsn dsn;
  private final Client client;
  private final int attempts;
  private final Duration backoff;
  private final boolean distributedInserts;

  ClickHouseGateway(ClickHouseDsn dsn, int attempts, Duration backoff, boolean distributedInserts) {
    this.dsn = requireNonNull(dsn, "dsn is null");
    this.attempts = Math.max(1, attempts);
    this.backoff = requireNonNull(backoff, "backoff is null");
    this.distributedInserts = distributedInserts;
    this.client =
        new Client.Builder()
            .addEndpoint(dsn.endpoint())
            .setUsername(dsn.user())
            .setPassword(dsn.password())
            .compressServerResponse(false)
            .compressClientRequest(false)
            .disableNativeCompression(true) // nothing is compressed: do not load the native LZ4 library at start-up
            .setConnectTimeout(5, ChronoUnit.SECONDS)
            .setConnectionRequestTimeout(10, ChronoUnit.SECONDS)
            .setSocketTimeout(120, ChronoUnit.SECONDS)
            .setMaxRetries(0)
            .setClientName("ingest")
            .build();
  }

  ClickHouseDsn dsn() {
    return dsn;
  }

  /** DDL and other statements without a result. */
  void execute(String what, String sql) {
    retrying(what, () -> {
      try (QueryResponse r = client.query(sql, new QuerySettings()).get(CALL_TIMEOUT_S, TimeUnit.SECONDS)) {
        r.getInputStream().readAllBytes();
      }
      return null;
    });
  }

  /** A SELECT read as TabSeparated; {@code sql} must not carry a FORMAT clause. */
  List<List<String>> select(String what, String sql) {
    return selectRaw(what, sql + "\nFORMAT TabSeparated", new QuerySettings());
  }

  /**
   * A statement for people ({@code ingest query}): read-only, with column names, unqualified table
   * names resolved in the DSN's database (as DuckDB resolves them in its file). The database goes
   * both as client-v2's header (current servers) and as the HTTP interface's {@code database} URL
   * parameter, the only form 18.16 reads.
   */
  List<List<String>> selectForPeople(String sql) {
    String trimmed = sql.strip().replaceAll(";+\\s*$", "");
    QuerySettings s = new QuerySettings().setDatabase(dsn.database()).serverSetting("database", dsn.database())
        .serverSetting("readonly", "2");
    return selectRaw("query", trimmed + "\nFORMAT TabSeparatedWithNames", s);
  }

  private List<List<String>> selectRaw(String what, String sql, QuerySettings settings) {
    return retrying(what, () -> {
      try (QueryResponse r = client.query(sql, settings).get(CALL_TIMEOUT_S, TimeUnit.SECONDS)) {
        return Tsv.read(r.getInputStream());
      }
    });
  }

  /** One streamed RowBinary insert: the server cuts it into blocks of max_insert_block_size rows. */
  void insert(String what, String table, List<String> columns, Rows rows) {
    InsertSettings settings = new InsertSettings();
    if (distributedInserts) {
      // Distributed tables: return only once every shard has the rows (read-after-write).
      settings.serverSetting("insert_distributed_sync", "1");
    }
    retrying(what, () -> {
      try (InsertResponse r =
          client
              .insert(table, columns, out -> rows.write(new RowBinary(out)), ClickHouseFormat.RowBinary, settings)
              .get(CALL_TIMEOUT_S, TimeUnit.SECONDS)) {
        return null;
      }
    });
  }

  /** Reads the body of a streamed SELECT as it arrives. */
  interface Body<T> {
    T read(InputStream in) throws IOException;
  }

  /**
   * A SELECT whose body is handed to {@code body} as it arrives (no buffering of the result here);
   * {@code sql} carries its own FORMAT clause. Sending the query is retried; a failure while the body
   * is read is not (the reader may have handed rows on), it fails the call with exit 3.
   */
  <T> T selectStreaming(String what, String sql, Body<T> body) {
    QueryResponse r = retrying(what, () -> client.query(sql, new QuerySettings()).get(CALL_TIMEOUT_S, TimeUnit.SECONDS));
    try (r) {
      return body.read(r.getInputStream());
    } catch (IOException e) {
      throw unavailableDuring(what, e);
    } catch (Exception e) {
      Throwable t = unwrap(e);
      if (t instanceof ServerException se) {
        throw rejected(what, se);
      }
      if (t instanceof RuntimeException re) {
        throw re;
      }
      throw unavailableDuring(what, t);
    }
  }

  /**
   * Opens one RowBinary insert whose rows arrive over time: a sender thread streams the chunks
   * handed to {@link StreamingInsert#write} into one HTTP request as they come (a small bounded
   * queue between the two, so encoding and sending overlap and at most a few chunks are held).
   * {@link StreamingInsert#finish} ends the body and waits for the server's answer; {@link
   * StreamingInsert#abort} ends it with an incomplete row, so the server refuses the insert and
   * keeps none of its rows (a body simply cut off is taken as complete by the server: the HTTP
   * client still terminates the chunked body). Not retried: the chunks are gone once sent; the
   * caller's commit protocol makes a failed insert invisible.
   */
  StreamingInsert openInsert(String what, String table, List<String> columns) {
    return new StreamingInsert(what, table, columns);
  }

  final class StreamingInsert {
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];
    /**
     * What abort ends the body with: a String length prefix of 2^32 - 1 with no bytes after it,
     * which no server accepts ("too large string size" / "cannot read all data"). It makes the
     * insert fail for a table whose first inserted column is a String (every staging table: stage).
     */
    static final byte[] INCOMPLETE_STRING_ROW = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    private final String what;
    private final java.util.concurrent.BlockingQueue<byte[]> queue = new java.util.concurrent.ArrayBlockingQueue<>(4);
    private final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    private final Thread sender;
    private boolean ended;

    private StreamingInsert(String what, String table, List<String> columns) {
      this.what = what;
      InsertSettings settings = new InsertSettings();
      if (distributedInserts) {
        settings.serverSetting("insert_distributed_sync", "1");
      }
      this.sender = Thread.ofPlatform().daemon().name("clickhouse-insert").unstarted(() -> {
        try (InsertResponse r = client.insert(table, columns, out -> {
          while (true) {
            byte[] chunk = take();
            if (chunk == END) {
              return;
            }
            if (chunk == ABORT) {
              out.write(INCOMPLETE_STRING_ROW);
              out.flush();
              return;
            }
            out.write(chunk);
          }
        }, ClickHouseFormat.RowBinary, settings).get(CALL_TIMEOUT_S, TimeUnit.SECONDS)) {
          done.complete(null);
        } catch (Throwable t) {
          done.completeExceptionally(unwrap(t));
        }
      });
      sender.start();
    }

    private byte[] take() throws IOException {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    /** Hands one encoded chunk to the sender; blocks while the queue is full. */
    void write(byte[] chunk) {
      if (ended) {
        throw new IllegalStateException(what + ": the insert is finished");
      }
      hand(chunk);
    }

    private void hand(byte[] chunk) {
      try {
        while (!queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
          if (done.isDone()) {
            failed(); // the request ended early: say why instead of waiting forever
            throw new IllegalStateException(what + ": the insert ended before its body");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UpstreamUnavailableException("ClickHouse at " + dsn.server() + ": interrupted during " + what, e);
      }
      if (done.isDone() && chunk != END && chunk != ABORT) {
        failed();
      }
    }

    /** Ends the body and waits until the server answered; throws what went wrong (exit 3, or the server's refusal). */
    void finish() {
      if (ended) {
        return;
      }
      ended = true;
      hand(END);
      try {
        done.get(CALL_TIMEOUT_S + 10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UpstreamUnavailableException("ClickHouse at " + dsn.server() + ": interrupted during " + what, e);
      } catch (ExecutionException | TimeoutException e) {
        failed();
        throw unavailableDuring(what, e);
      }
    }

    /**
     * Makes the insert fail on the server, so none of its rows are kept (idempotent; never throws);
     * waits a little for the server's refusal. For tables whose first inserted column is a String.
     */
    void abort() {
      if (ended) {
        return;
      }
      ended = true;
      queue.clear();
      if (!queue.offer(ABORT)) {
        sender.interrupt();
      }
      try {
        done.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        sender.interrupt();
      }
    }

    private void failed() {
      if (!done.isCompletedExceptionally()) {
        return;
      }
      Throwable t;
      try {
        done.join();
        return;
      } catch (CompletionException e) {
        t = unwrap(e);
      }
      ended = true;
      if (t instanceof ServerException se && !transientServer(se)) {
        throw rejected(what, se);
      }
      throw unavailableDuring(what, t);
    }
  }

  private UpstreamUnavailableException unavailableDuring(String what, Throwable t) {
    return new UpstreamUnavailableException(
        "ClickHouse at " + dsn.server() + " failed during " + what + " (" + describe(unwrap(t)) + "); nothing was committed"
            + " by the failed call, a re-run is safe",
        t);
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private <T> T retrying(String what, Call<T> call) {
    Throwable last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        return call.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UpstreamUnavailableException("ClickHouse at " + dsn.server() + ": interrupted during " + what, e);
      } catch (Exception e) {
        Throwable t = unwrap(e);
        if (t instanceof ServerException se && !transientServer(se)) {
          throw rejected(what, se);
        }
        if (t instanceof IllegalArgumentException iae) {
          throw iae; // a value that cannot be written (a bug upstream of the warehouse), not an outage
        }
        last = t;
        if (attempt < attempts) {
          sleep(backoff.multipliedBy(1L << (attempt - 1)));
        }
      }
    }
    throw new UpstreamUnavailableException(
        "ClickHouse at " + dsn.server() + " unavailable after " + attempts + " attempts (" + describe(last) + ") during "
            + what + "; nothing was committed by the failed call, a re-run is safe",
        last);
  }

  /** The server's error code; 18.16 words its errors so that the client does not always parse the code. */
  static int code(ServerException se) {
    java.util.regex.Matcher m = CODE.matcher(String.valueOf(se.getMessage()));
    return m.find() ? Integer.parseInt(m.group(1)) : se.getCode();
  }

  private RuntimeException rejected(String what, ServerException se) {
    int code = code(se);
    if ((code == UNKNOWN_TABLE || code == UNKNOWN_DATABASE) && migrationsWouldHelp(code, se.getMessage())) {
      return new UsageException(
          "ClickHouse at " + dsn.server() + "/" + dsn.database() + " lacks a table or database during " + what
              + " (" + firstLine(se.getMessage()) + "); run `ingest ddl apply` (make pipeline-apply-ddl)",
          se);
    }
    return new Rejected(code, "ClickHouse at " + dsn.server() + " rejected " + what + ": " + firstLine(se.getMessage()), se);
  }

  private static final java.util.regex.Pattern MISSING_TABLE =
      java.util.regex.Pattern.compile("Table `?(\\w+)`?\\.`?(\\w+)`? (?:doesn't|does not) exist");
  /** Current servers (the analyzer): {@code Unknown table expression identifier 'silver_prices' in scope …}. */
  private static final java.util.regex.Pattern UNKNOWN_IDENTIFIER =
      java.util.regex.Pattern.compile("Unknown table expression identifier '(?:(\\w+)\\.)?(\\w+)'");
  private static final java.util.regex.Pattern MISSING_DATABASE =
      java.util.regex.Pattern.compile("Database `?(\\w+)`? (?:doesn't|does not) exist");
  private static volatile Set<String> ownTables;

  /**
   * Whether {@code ingest ddl apply} cures a missing table or database: only when it is the DSN's
   * database or one of the tables the migrations create there (not a typo in a query, nor another
   * database). An error whose object cannot be read from the message keeps the hint.
   */
  boolean migrationsWouldHelp(int code, String message) {
    String m = String.valueOf(message);
    java.util.regex.Matcher t = MISSING_TABLE.matcher(m);
    if (code == UNKNOWN_TABLE && t.find()) {
      return t.group(1).equals(dsn.database()) && tables().contains(t.group(2));
    }
    java.util.regex.Matcher id = UNKNOWN_IDENTIFIER.matcher(m);
    if (code == UNKNOWN_TABLE && id.find()) {
      return (id.group(1) == null || id.group(1).equals(dsn.database())) && tables().contains(id.group(2));
    }
    java.util.regex.Matcher d = MISSING_DATABASE.matcher(m);
    if (code == UNKNOWN_DATABASE && d.find()) {
      return d.group(1).equals(dsn.database());
    }
    return true;
  }

  private static Set<String> tables() {
    if (ownTables == null) {
      Set<String> t = new java.util.HashSet<>(Ddl.tables(Ddl.bundled()));
      t.add(ClickHouseSchema.LEDGER_TABLE);
      ownTables = Set.copyOf(t);
    }
    return ownTables;
  }

  private static boolean transientServer(ServerException se) {
    return se.isRetryable() || RETRYABLE_CODES.contains(code(se)) || se.getTransportProtocolCode() >= 502;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "no answer";
    }
    if (t instanceof TimeoutException) {
      return "timed out";
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    return firstLine(m);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 400 ? line.substring(0, 400) + "…" : line;
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
    client.close();
  }
}
