package io.carbon254.ingest.tasks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J 2 provider of the task JAR (META-INF/services): the libraries' loggers (kafka-clients,
 * lettuce and netty, the ClickHouse client, Avro, resilience4j, …) write one log line per event
 * through {@link JsonLog}, with {@code logger}, at or above {@link Logging#threshold} (WARN unless
 * {@code INGEST_LOG_LEVEL} says otherwise). No MDC: the process context comes from {@link
 * JsonLog#contextSupplier}.
 */
public final class JsonSlf4jProvider implements SLF4JServiceProvider {
  /** The SLF4J API this provider is written against (2.0.x). */
  public static final String REQUESTED_API_VERSION = "2.0.99";

  private ILoggerFactory loggers;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return REQUESTED_API_VERSION;
  }

  @Override
  public void initialize() {
    Map<String, Logger> byName = new ConcurrentHashMap<>();
    loggers = name -> byName.computeIfAbsent(name, JsonSlf4jLogger::new);
    markers = new BasicMarkerFactory();
    mdc = new NOPMDCAdapter();
  }
}
