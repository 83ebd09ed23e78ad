package io.carbon254.ingest.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.core.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IngestCliTest {
  static String[] captureOut(Runnable r) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(out);
      System.setErr(err);
      // what a run set (--log-format, INGEST_LOG_FORMAT, INGEST_LOG_LEVEL) does not leak into the next test
      Logging.format(null);
      Logging.threshold(Logging.DEFAULT_THRESHOLD);
    }
    return new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void everyCommandHasHelpAndTheStagesShowTheIntervalOptions() {
    for (String cmd : new String[] {"fetch", "normalize", "enrich", "load", "run", "backfill", "replay", "query",
      "connectors", "events", "simulate", "ddl", "schemas"}) {
      int[] code = new int[1];
      String[] out = captureOut(() -> code[0] = IngestCli.execute(cmd, "--help"));
      assertEquals(0, code[0], cmd);
      assertTrue(out[0].contains("Usage: ingest " + cmd), cmd + ": " + out[0]);
    }
    String[] run = captureOut(() -> IngestCli.execute("run", "--help"));
    for (String opt : new String[] {"--market", "--dataset", "--interval-start", "--interval-end", "--run-id"}) {
      assertTrue(run[0].contains(opt), opt);
    }
  }

  @Test
  void missingOrMalformedArgumentsExitWithTheUsageCode() {
    int[] code = new int[1];
    String[] out = captureOut(() -> code[0] = IngestCli.execute("run", "--market", "caiso", "--dataset", "lmp_rt_5min"));
    assertEquals(ExitCodes.USAGE, code[0]);
    assertTrue(out[1].contains("--interval-start"), out[1]);
    out = captureOut(() -> code[0] = IngestCli.execute("run", "--market", "caiso", "--dataset", "lmp_rt_5min",
        "--interval-start", "2024-11-03 08:00", "--interval-end", "2024-11-03T10:00:00Z"));
    assertEquals(ExitCodes.USAGE, code[0]);
    assertTrue(out[1].contains("not an ISO-8601 instant"), out[1]);
    captureOut(() -> code[0] = IngestCli.execute());
    assertEquals(ExitCodes.USAGE, code[0]);
  }

  @Test
  void theTopLevelHelpListsEveryCommandWithItsDescriptionAndOnlyTheInvokedOneIsBuiltWhole() {
    String help = captureOut(() -> IngestCli.execute("--help"))[0];
    for (Class<?> c : IngestCli.COMMANDS) {
      picocli.CommandLine.Command a = c.getAnnotation(picocli.CommandLine.Command.class);
      String firstWords = String.join(" ", java.util.Arrays.asList(a.description()[0].split("\\s+")).subList(0, 3));
      assertTrue(help.contains("  " + a.name() + " "), a.name() + ": " + help);
      assertTrue(help.replaceAll("\\s+", " ").contains(firstWords), a.name() + " description: " + help);
    }
    picocli.CommandLine cli = new picocli.CommandLine(picocli.CommandLine.Model.CommandSpec.create().name("ingest"));
    IngestCli.addCommands(cli, "normalize", "--market", "caiso");
    assertTrue(cli.getSubcommands().get("normalize").getCommandSpec().findOption("--market") != null);
    assertEquals(null, cli.getSubcommands().get("fetch").getCommandSpec().findOption("--market"), "listed only");
  }
}
