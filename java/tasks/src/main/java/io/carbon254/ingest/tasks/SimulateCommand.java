package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.Instants;
import io.carbon254.ingest.core.UsageException;
import io.carbon254.ingest.core.config.Durations;
import io.carbon254.ingest.core.connector.MarketConnector;
import io.carbon254.ingest.core.connector.Simulator;
import io.carbon254.ingest.core.connector.SimulatorOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Serve a market's real API paths on 127.0.0.1 with deterministic real-format payloads (offline source for demos and tests). Runs until killed.")
final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--market", required = true, description = "Market to simulate, e.g. caiso")
  String market;

  @Option(names = "--port", defaultValue = "8099", description = "Port on 127.0.0.1 (0 = any free port); default ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--count", defaultValue = "300", description = "Pricing nodes besides the trading hubs and DLAPs; default ${DEFAULT-VALUE}")
  int count;

  @Option(names = "--published-until", description = "Data after this instant answers 'not published' (default: now)")
  String publishedUntil;

  @Option(names = "--enforce-spacing", defaultValue = "0s", description = "Answer HTTP 429 to requests closer than this, as OASIS does (e.g. 5s); default ${DEFAULT-VALUE}")
  String spacing;

  @Override
  public Integer call() throws InterruptedException {
    Instant until = publishedUntil == null ? null : Instants.parseUtc("--published-until", publishedUntil);
    Duration enforce;
    try {
      enforce = Durations.parse("--enforce-spacing", spacing);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    SimulatorOptions o = new SimulatorOptions(port, count, until, enforce);
    Simulator sim = null;
    for (MarketConnector c : java.util.ServiceLoader.load(MarketConnector.class)) {
      if (c.market().equals(market)) {
        try {
          sim = c.simulator(o);
        } catch (UnsupportedOperationException e) {
          throw new UsageException("no simulator for market '" + market + "'");
        }
      }
    }
    if (sim == null) {
      throw new UsageException("no connector for market '" + market + "'");
    }
    Simulator running = sim;
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      JsonLog.notice("INFO", market + " simulator: " + running.requests() + " request(s) answered",
          java.util.Map.of("market", market, "requests", running.requests()));
      running.close();
      stop.countDown();
    }));
    System.out.println("listening " + sim.baseUrl());
    System.out.flush();
    JsonLog.notice("INFO", "simulating " + market + " at " + sim.baseUrl() + " (export INGEST_" + market.toUpperCase(java.util.Locale.ROOT)
        + "_BASE_URL=" + sim.baseUrl() + "); Ctrl-C to stop", java.util.Map.of("market", market, "base_url", sim.baseUrl()));
    stop.await();
    return 0;
  }
}
