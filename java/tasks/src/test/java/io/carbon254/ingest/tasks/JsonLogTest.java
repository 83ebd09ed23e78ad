package io.carbon254.ingest.tasks;

import static io.carbon254.ingest.tasks.CliChecksTest.cli;
import static io.carbon254.ingest.tasks.CliChecksTest.env;
import static io.carbon254.ingest.tasks.CliChecksTest.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.carbon254.ingest.core.ExitCodes;
import io.carbon254.ingest.core.config.IngestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log lines on stderr: the SLF4J provider, the java.util.logging bridge, the formats, the context hook, usage errors. */
class JsonLogTest {
  @AfterEach
  void reset() {
    Logging.format(null);
    Logging.threshold(Logging.DEFAULT_THRESHOLD);
    JsonLog.contextSupplier(null);
  }

  /** What {@code r} wrote on System.err. */
  static String stderr(Runnable r) {
    PrintStream err = System.err;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    System.setErr(new PrintStream(b, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(err);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void slf4jLoggersOfTheLibrariesAreJsonLinesFromWarnUnlessIngestLogLevelLowersIt() {
    Logging.configure(IngestConfig.of(Map.of()));
    assertTrue(org.slf4j.LoggerFactory.getLogger("x") instanceof JsonSlf4jLogger, "the task JAR's provider, not a NOP logger");
    org.slf4j.Logger kafka = org.slf4j.LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
    String err = stderr(() -> {
      kafka.debug("connecting to {}", "127.0.0.1:9092");
      kafka.info("cluster id {}", "abc");
      kafka.warn("Connection to node {} could not be established", -1);
      kafka.error("send failed", new IllegalStateException("broker gone", new java.net.ConnectException("refused")));
    });
    List<Map<String, Object>> lines = LogLines.json(err);
    assertEquals(2, lines.size(), "DEBUG and INFO are below the default threshold WARN: " + err);
    assertEquals("WARN", lines.get(0).get("level"));
    assertEquals("org.apache.kafka.clients.NetworkClient", lines.get(0).get("logger"));
    assertEquals("Connection to node -1 could not be established", lines.get(0).get("msg"));
    Map<String, Object> error = lines.get(1);
    assertEquals("ERROR", error.get("level"));
    assertEquals("send failed", error.get("msg"));
    assertEquals("java.lang.IllegalStateException: broker gone", error.get("error"));
    assertEquals("java.net.ConnectException: refused", error.get("cause"));
    assertTrue(String.valueOf(error.get("at")).contains("JsonLogTest"), "the top frames: " + error);
    assertEquals(2, err.lines().count(), "no stack trace lines: " + err);

    Logging.configure(IngestConfig.of(Map.of("INGEST_LOG_LEVEL", "debug")));
    err = stderr(() -> {
      kafka.trace("trace is below debug");
      kafka.debug("connecting to {}", "127.0.0.1:9092");
      kafka.atInfo().addKeyValue("node", 3).log("fluent");
    });
    lines = LogLines.json(err);
    assertEquals(List.of("DEBUG", "INFO"), lines.stream().map(l -> l.get("level")).toList(), err);
    assertEquals("connecting to 127.0.0.1:9092", lines.get(0).get("msg"));
    assertEquals(3, lines.get(1).get("node"), "key-value pairs of the fluent API are fields: " + err);

    Logging.configure(IngestConfig.of(Map.of("INGEST_LOG_LEVEL", "TRACE")));
    assertEquals("DEBUG", LogLines.json(stderr(() -> kafka.trace("fine detail"))).get(0).get("level"), "TRACE is written as DEBUG");

    err = stderr(() -> Logging.configure(IngestConfig.of(Map.of("INGEST_LOG_LEVEL", "loud"))));
    assertEquals(Logging.DEFAULT_THRESHOLD, Logging.threshold(), "a malformed level: the default");
    assertEquals("WARN", LogLines.json(err).get(0).get("level"), err);
    assertTrue(err.contains("INGEST_LOG_LEVEL 'loud' is not one of trace, debug, info, warn, error; using warn"), err);
  }

  @Test
  void javaUtilLoggingRecordsAreJsonLinesWithMappedLevels() {
    Logging.configure(IngestConfig.of(Map.of()));
    java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
    assertFalse(java.util.Arrays.stream(root.getHandlers()).anyMatch(h -> h instanceof java.util.logging.ConsoleHandler),
        "the console handler (plain two-line records on stderr) is gone");
    java.util.logging.Logger okhttp = java.util.logging.Logger.getLogger("okhttp3.OkHttpClient");
    String err = stderr(() -> {
      okhttp.fine("dropped at WARN");
      okhttp.info("dropped at WARN too");
      okhttp.log(java.util.logging.Level.WARNING, "A connection to {0} was leaked", "http://127.0.0.1:9");
      okhttp.log(java.util.logging.Level.SEVERE, "failed", new java.io.IOException("closed"));
    });
    List<Map<String, Object>> lines = LogLines.json(err);
    assertEquals(List.of("WARN", "ERROR"), lines.stream().map(l -> l.get("level")).toList(), err);
    assertEquals("okhttp3.OkHttpClient", lines.get(0).get("logger"));
    assertEquals("A connection to http://127.0.0.1:9 was leaked", lines.get(0).get("msg"));
    assertEquals("java.io.IOException: closed", lines.get(1).get("error"));

    Logging.configure(IngestConfig.of(Map.of("INGEST_LOG_LEVEL", "DEBUG")));
    err = stderr(() -> {
      okhttp.finer("finer detail");
      okhttp.config("config");
      okhttp.info("info");
    });
    assertEquals(List.of("DEBUG", "DEBUG", "INFO"), LogLines.json(err).stream().map(l -> l.get("level")).toList(), err);
  }

  @Test
  void theTextFormatIsOneLinePerEventWithTimeLevelMessageAndKeyValues() {
    Logging.format(Logging.Format.TEXT);
    String err = stderr(() -> {
      new JsonLog(Map.of("run_id", "r1")).info("stage started\nsecond line", new java.util.LinkedHashMap<>(Map.of("note", "a b")));
      org.slf4j.LoggerFactory.getLogger("io.lettuce.core.RedisClient").warn("reconnecting");
    });
    List<String> lines = err.lines().toList();
    assertEquals(2, lines.size(), err);
    assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z INFO stage started\\\\nsecond line run_id=r1 note=\"a b\""), lines.get(0));
    assertTrue(lines.get(1).matches("\\S+ WARN reconnecting logger=io.lettuce.core.RedisClient"), lines.get(1));
  }

  @Test
  void theLogFormatComesFromTheOptionAnywhereThenTheEnvironment(@TempDir Path home) {
    String[] offGrid = stage("run", "lmp_rt_5min", "2024-11-03T08:02:00Z", "2024-11-03T08:07:00Z");
    CliChecksTest.Outcome json = cli(env(home), offGrid);
    assertEquals(ExitCodes.USAGE, json.exit());
    assertEquals("ERROR", LogLines.json(json.err()).get(0).get("level"), "JSON off a terminal, no plain line: " + json.err());

    for (IngestConfig c : List.of(env(home, "INGEST_LOG_FORMAT", "json"), env(home))) {
      String[] before = concat(new String[] {"--log-format", "text"}, offGrid);
      String[] after = concat(offGrid, new String[] {"--log-format=TEXT"});
      for (String[] args : List.of(before, after)) {
        CliChecksTest.Outcome text = cli(c, args);
        assertEquals(ExitCodes.USAGE, text.exit(), text.err());
        List<String> lines = text.err().lines().toList();
        assertTrue(lines.get(0).matches("\\S+ ERROR --interval-start 2024-11-03T08:02:00Z .*"), text.err());
        assertTrue(lines.contains("ingest: error: " + ErrorLine.oneLine(String.valueOf(LogLines.json(json.err()).get(0).get("msg")))),
            "the text format keeps the plain line of a usage error: " + text.err());
      }
    }
    CliChecksTest.Outcome env = cli(env(home, "INGEST_LOG_FORMAT", "text"), offGrid);
    assertTrue(env.err().lines().anyMatch(l -> l.startsWith("ingest: error: ")), env.err());

    CliChecksTest.Outcome bad = cli(env(home), "--log-format", "xml", "connectors", "list");
    assertEquals(ExitCodes.USAGE, bad.exit());
    assertTrue(LogLines.json(bad.err()).get(0).get("msg").toString().contains("expected text or json but was 'xml'"), bad.err());
    CliChecksTest.Outcome list = cli(env(home), "--log-format", "json", "connectors", "list");
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().contains("caiso"), "the command after the global option runs: " + list.out());
  }

  @Test
  void anArgumentErrorInJsonIsOneErrorLineWithTheUsageAndExit2(@TempDir Path home) {
    CliChecksTest.Outcome r = cli(env(home), "run", "--market", "caiso", "--dataset", "lmp_rt_5min");
    assertEquals(ExitCodes.USAGE, r.exit());
    List<Map<String, Object>> lines = LogLines.json(r.err());
    assertEquals(1, lines.size(), "no usage text on stderr: " + r.err());
    Map<String, Object> l = lines.get(0);
    assertEquals("ERROR", l.get("level"));
    assertTrue(String.valueOf(l.get("msg")).startsWith("Missing required options: "), r.err());
    assertEquals("run", l.get("command"));
    assertEquals("usage_error", l.get("outcome"));
    assertEquals(2, l.get("exit_code"));
    assertEquals("ingest run --help", l.get("help"));
    assertTrue(String.valueOf(l.get("usage")).startsWith("ingest run [-hV] --dataset=<dataset>"), r.err());

    CliChecksTest.Outcome typo = cli(env(home), "runn", "--market", "caiso");
    assertEquals(ExitCodes.USAGE, typo.exit());
    Map<String, Object> t = LogLines.json(typo.err()).get(0);
    assertTrue(String.valueOf(t.get("suggestions")).contains("run"), typo.err());

    CliChecksTest.Outcome text = cli(env(home, "INGEST_LOG_FORMAT", "text"), "run", "--market", "caiso");
    assertTrue(text.err().contains("Missing required options") && text.err().contains("Usage: ingest run"),
        "the text format prints picocli's message and the usage: " + text.err());
    assertTrue(cli(env(home), "--help").out().contains("--log-format=text|json"), "the global option is in the usage message");
  }

  @Test
  void aUsageErrorInAProcessOfItsOwnLeavesOnlyJsonOnStderr(@TempDir Path home) throws Exception {
    Forks.Started p = Forks.start(home, CliChecksTest.NOWHERE, Map.of(), "usage", "run", "--market", "caiso");
    assertEquals(ExitCodes.USAGE, p.await(60), p.err());
    assertEquals(1, LogLines.json(p.err()).size(), p.err());
    Forks.Started grid = Forks.start(home, CliChecksTest.NOWHERE, Map.of(), "grid",
        stage("fetch", "lmp_rt_5min", "2024-11-03T08:02:00Z", "2024-11-03T08:07:00Z"));
    assertEquals(ExitCodes.USAGE, grid.await(60), grid.err());
    assertEquals("ERROR", LogLines.json(grid.err()).get(0).get("level"), grid.err());
    Forks.Started text = Forks.start(home, CliChecksTest.NOWHERE, Map.of("INGEST_LOG_FORMAT", "text"), "text",
        stage("fetch", "lmp_rt_5min", "2024-11-03T08:02:00Z", "2024-11-03T08:07:00Z"));
    assertEquals(ExitCodes.USAGE, text.await(60), text.err());
    assertTrue(text.err().lines().anyMatch(l -> l.startsWith("ingest: error: --interval-start")), text.err());
  }

  @Test
  void theContextSupplierAddsItsFieldsToEveryLineAfterTheLevelAndBeforeTheMessage() {
    Logging.configure(IngestConfig.of(Map.of()));
    JsonLog.contextSupplier(() -> {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
      m.put("span_id", "00f067aa0ba902b7");
      m.put("level", "not this");
      return m;
    });
    String err = stderr(() -> {
      new JsonLog(Map.of("run_id", "r1")).info("own line");
      org.slf4j.LoggerFactory.getLogger("com.clickhouse.client").warn("slow insert");
      java.util.logging.Logger.getLogger("okhttp3").warning("jul line");
      JsonLog.notice("INFO", "[1/2] progress", Map.of());
    });
    List<String> lines = err.lines().toList();
    assertEquals(4, lines.size(), err);
    for (String l : lines) {
      int level = l.indexOf("\"level\":");
      int trace = l.indexOf("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"");
      int span = l.indexOf("\"span_id\":\"00f067aa0ba902b7\"");
      int msg = l.indexOf("\"msg\":");
      assertTrue(level >= 0 && level < trace && trace < span && span < msg, l);
      assertFalse(l.contains("not this"), "the supplier cannot replace ts, level or msg: " + l);
    }
    assertTrue(lines.get(0).indexOf("\"span_id\"") < lines.get(0).indexOf("\"run_id\""), "before the log's own context: " + lines.get(0));

    JsonLog.contextSupplier(() -> {
      throw new IllegalStateException("no span");
    });
    Map<String, Object> l = LogLines.json(stderr(() -> new JsonLog(Map.of()).warn("still written"))).get(0);
    assertEquals("still written", l.get("msg"));
    JsonLog.contextSupplier(null);
    assertNotNull(LogLines.json(stderr(() -> new JsonLog(Map.of()).info("none"))).get(0));
  }

  @Test
  void anUncaughtExceptionIsOneJsonErrorLine() throws Exception {
    Logging.configure(IngestConfig.of(Map.of()));
    Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
    assumeTrue(h != null && h.getClass().getName().startsWith(Logging.class.getName()), "another default handler was installed first: " + h);
    String err = stderr(() -> {
      Thread t = new Thread(() -> {
        throw new IllegalStateException("boom");
      }, "worker-1");
      t.start();
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    Map<String, Object> l = LogLines.json(err).get(0);
    assertEquals("ERROR", l.get("level"));
    assertEquals("worker-1", l.get("thread"));
    assertEquals("java.lang.IllegalStateException: boom", l.get("error"));
    assertEquals(1, err.lines().count(), err);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
