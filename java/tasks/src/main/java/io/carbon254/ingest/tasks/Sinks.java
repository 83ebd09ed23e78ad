package io.carbon254.ingest.tasks;

import io.carbon254.ingest.core.config.IngestConfig;
import io.carbon254.ingest.core.sink.CacheWarmer;
import io.carbon254.ingest.core.sink.EventSink;
import io.carbon254.ingest.core.sink.SinkProvider;
import io.carbon254.ingest.core.sink.Warehouse;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/** Chooses each sink from configuration: the first provider that answers, else the embedded default. */
final class Sinks implements AutoCloseable {
  final Warehouse warehouse;
  final EventSink events;
  final CacheWarmer cache;

  private Sinks(Warehouse warehouse, EventSink events, CacheWarmer cache) {
    this.warehouse = warehouse;
    this.events = events;
    this.cache = cache;
  }

  static List<SinkProvider> providers() {
    return ServiceLoader.load(SinkProvider.class).stream().map(ServiceLoader.Provider::get)
        .sorted((a, b) -> Boolean.compare(a.fallback(), b.fallback())).toList();
  }

  static <T> T pick(List<SinkProvider> providers, Function<SinkProvider, Optional<T>> f, T none) {
    for (SinkProvider p : providers) {
      Optional<T> t = f.apply(p);
      if (t.isPresent()) {
        return t.get();
      }
    }
    return none;
  }

  static Sinks open(IngestConfig config) {
    List<SinkProvider> providers = providers();
    Warehouse w = pick(providers, p -> p.warehouse(config), null);
    EventSink e = null;
    try {
      w.ensureSchema();
      e = pick(providers, p -> p.events(config), null);
      CacheWarmer c = pick(providers, p -> p.cache(config), CacheWarmer.NONE);
      return new Sinks(w, e, c);
    } catch (RuntimeException ex) {
      if (e != null) {
        e.close();
      }
      w.close();
      throw ex;
    }
  }

  @Override
  public void close() {
    try {
      cache.close();
    } finally {
      try {
        events.close();
      } finally {
        warehouse.close();
      }
    }
  }
}
