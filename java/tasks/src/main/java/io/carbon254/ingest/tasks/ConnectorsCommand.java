package io.carbon254.ingest.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carbon254.ingest.core.config.ConnectorSpec;
import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.sink.QueryResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "connectors", mixinStandardHelpOptions = true, description = "Connectors in this JAR and their declared datasets.",
    subcommands = {ConnectorsCommand.ListCmd.class, ConnectorsCommand.Index.class})
final class ConnectorsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ListCmd list = new ListCmd();
    list.spec = spec;
    return list.call();
  }

  static List<Map<String, Object>> entries(IngestConfig config) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (MarketConnector c : ServiceLoader.load(MarketConnector.class)) {
      ConnectorSpec spec = ConnectorSpec.load(config, c.market());
      spec.checkConnector(c.market(), c.datasetKinds());
      for (String id : spec.datasetIds()) {
        ConnectorSpec.DatasetSpec d = spec.dataset(id);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("market", c.market());
        e.put("dataset", id);
        e.put("kind", d.kind().id());
        e.put("cadence", d.cadence());
        e.put("window", d.window().toString());
        e.put("max_window", d.maxWindow().toString());
        e.put("implemented", c.datasetIds().contains(id));
        e.put("silver_table", d.kind().silverTable());
        e.put("topics", List.of("ingestion." + c.market() + "." + id, "normalized." + c.market() + "." + id, "enriched." + c.market() + "." + id));
        e.put("description", d.description());
        out.add(e);
      }
    }
    return out;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per market and dataset.")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<List<String>> rows = new ArrayList<>();
      for (Map<String, Object> e : entries(IngestCli.config(spec))) {
        rows.add(List.of((String) e.get("market"), (String) e.get("dataset"), (String) e.get("kind"), (String) e.get("cadence"),
            (String) e.get("silver_table"), (String) e.get("description")));
      }
      QueryCommand.printTable(new QueryResult(List.of("market", "dataset", "kind", "cadence", "table", "description"), rows), System.out);
      return 0;
    }
  }

  @Command(name = "index", mixinStandardHelpOptions = true, description = "Machine-readable JSON index of markets, datasets, tables and topics.")
  static final class Index implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(entries(IngestCli.config(spec))));
      return 0;
    }
  }
}
