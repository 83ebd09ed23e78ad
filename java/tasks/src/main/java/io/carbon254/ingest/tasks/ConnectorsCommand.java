package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.sink.QueryResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "connectors", mixinStandardHelpOptions = true,
    description = "Connectors in this JAR and their declared datasets; the connector catalogue (index).",
    subcommands = {ConnectorsCommand.ListCmd.class, ConnectorsCommand.Index.class})
final class ConnectorsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ListCmd list = new ListCmd();
    list.spec = spec;
    return list.call();
  }

  /** One row per market and dataset for {@code list}: market, dataset, kind, cadence, Silver table, description. */
  static List<List<String>> rows(IngestConfig config) {
    List<List<String>> out = new ArrayList<>();
    for (MarketConnector c : ServiceLoader.load(MarketConnector.class)) {
      ConnectorSpec spec = ConnectorSpec.load(config, c.market());
      spec.checkConnector(c.market(), c.datasetKinds());
      for (String id : spec.datasetIds()) {
        ConnectorSpec.DatasetSpec d = spec.dataset(id);
        out.add(List.of(c.market(), id, d.kind().id(), d.cadence(), d.kind().silverTable(), d.description()));
      }
    }
    return out;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per market and dataset.")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      QueryCommand.printTable(new QueryResult(List.of("market", "dataset", "kind", "cadence", "table", "description"),
          rows(IngestCli.config(spec))), System.out);
      return 0;
    }
  }

  @Command(name = "index", mixinStandardHelpOptions = true,
      description = {"Write the connector catalogue: connectors/index.json (for programs) and docs/connectors.md (for people),",
        "every market and dataset with its source endpoints and credentials, schedule, windows, natural key, tables, topics,",
        "schema subjects and versions, data-quality checks, owner and terms. Deterministic: the same inputs write the same bytes.",
        "--check writes nothing and exits 2 (a configuration problem: the committed catalogue no longer matches its sources;",
        "a retry will not help, " + ConnectorsIndex.COMMAND + " will) naming each stale file; make test runs it."})
  static final class Index implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "where index.json goes (default: the connectors directory,"
        + " INGEST_CONNECTORS_DIR or ./connectors)")
    Path outDir;

    @Option(names = "--docs", paramLabel = "FILE", description = "the Markdown page (default: docs/connectors.md beside the connectors directory)")
    Path docs;

    @Option(names = "--schemas", paramLabel = "DIR", description = "event schemas with their released versions (default: events/avro"
        + " beside the connectors directory)")
    Path schemas;

    @Option(names = "--check", description = "write nothing; exit 2 naming each file that differs from what would be written")
    boolean check;

    @Option(names = "--stdout", description = "print the JSON catalogue on stdout instead of writing the files")
    boolean stdout;

    @Override
    public Integer call() {
      IngestConfig config = IngestCli.config(spec);
      Path dir = config.connectorsDir().orElseThrow(() -> new UsageException(
          "no connectors directory: run from the repository root (./connectors) or set INGEST_CONNECTORS_DIR"));
      Path root = dir.toAbsolutePath().normalize().getParent();
      List<ConnectorsIndex.Market> markets = ConnectorsIndex.build(config, schemas != null ? schemas : root.resolve("events/avro"));
      ConnectorsIndex.Rendered r = ConnectorsIndex.render(markets);
      if (stdout) {
        System.out.print(r.json());
        return 0;
      }
      List<ConnectorsIndex.Target> targets = List.of(
          new ConnectorsIndex.Target((outDir != null ? outDir : dir).resolve("index.json"), r.json()),
          new ConnectorsIndex.Target(docs != null ? docs : root.resolve("docs/connectors.md"), r.markdown()));
      int datasets = markets.stream().mapToInt(m -> m.datasets().size()).sum();
      if (check) {
        Map<ConnectorsIndex.Target, String> stale = ConnectorsIndex.stale(targets);
        if (!stale.isEmpty()) {
          List<String> what = new ArrayList<>();
          stale.forEach((t, why) -> what.add(shown(t.path()) + " (" + why + ")"));
          throw new UsageException("the connector catalogue is stale: " + String.join("; ", what) + ". Run " + ConnectorsIndex.COMMAND
              + " (ingest connectors index) and commit the result");
        }
        System.out.println("connector catalogue is up to date: " + targets.stream().map(t -> shown(t.path())).collect(
            java.util.stream.Collectors.joining(", ")) + " (" + markets.size() + " markets, " + datasets + " datasets)");
        return 0;
      }
      for (ConnectorsIndex.Target t : targets) {
        ConnectorsIndex.write(t);
        System.out.println("wrote " + shown(t.path()) + " (" + markets.size() + " markets, " + datasets + " datasets)");
      }
      return 0;
    }

    /** A path as the person typed or would type it: relative to the working directory when under it. */
    static String shown(Path p) {
      Path abs = p.toAbsolutePath().normalize();
      Path cwd = Path.of("").toAbsolutePath();
      return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
  }
}
