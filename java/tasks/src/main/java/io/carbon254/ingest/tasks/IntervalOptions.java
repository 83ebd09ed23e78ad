package io.carbon254.ingest.tasks;

import picocli.CommandLine.Option;

/** {@code --market --dataset --interval-start --interval-end [--run-id]}: the interval key of a task run. */
final class IntervalOptions {
  @Option(names = "--market", required = true, description = "Market id (connectors/<market>.yaml), e.g. caiso")
  String market;

  @Option(names = "--dataset", required = true, description = "Dataset id, e.g. lmp_rt_5min")
  String dataset;

  @Option(names = "--interval-start", required = true, description = "Interval start, ISO-8601 UTC, e.g. 2024-11-03T08:00:00Z")
  String intervalStart;

  @Option(names = "--interval-end", required = true, description = "Interval end (exclusive), ISO-8601 UTC")
  String intervalEnd;

  @Option(names = "--run-id", description = "Run id for logs, the run ledger and event headers (Airflow passes its run id); default manual-<time>")
  String runId;
}
