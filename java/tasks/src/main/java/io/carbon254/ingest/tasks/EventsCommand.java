package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.sink.QueryResult;
import io.carbon254.ingest.sinks.embedded.AvroFileEventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Summarize the embedded event log (INGEST_HOME/events): files, events and distinct event ids per topic.")
final class EventsCommand implements Callable<Integer> {
  @Option(names = "--format", defaultValue = "table", description = "table or csv")
  String format;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path root = IngestCli.config(spec).home().resolve("events");
    List<List<String>> rows = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (var topics = Files.list(root)) {
        for (Path t : topics.filter(Files::isDirectory).sorted().toList()) {
          String topic = t.getFileName().toString();
          List<Map<String, Object>> events = AvroFileEventSink.read(root, topic);
          Set<Object> ids = new HashSet<>();
          events.forEach(e -> ids.add(e.get("event_id")));
          long files;
          try (var f = Files.list(t)) {
            files = f.filter(p -> p.toString().endsWith(".avro")).count();
          }
          rows.add(List.of(topic, Long.toString(files), Integer.toString(events.size()), Integer.toString(ids.size())));
        }
      }
    }
    QueryResult r = new QueryResult(List.of("topic", "files", "events", "distinct_ids"), rows);
    if (format.equals("csv")) {
      QueryCommand.printCsv(r, System.out);
    } else {
      QueryCommand.printTable(r, System.out);
    }
    return 0;
  }
}
