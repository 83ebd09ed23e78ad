package io.carbon254.ingest.connectors.common;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP server under every market simulator: bound to 127.0.0.1 (port 0 picks a free one),
 * four handler threads, and a count of the requests it answered. Bind first, build the simulator
 * around it, then {@link #serve} the simulator's handler.
 */
public final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final AtomicLong requests = new AtomicLong();
  private final List<String> targets = Collections.synchronizedList(new ArrayList<>());

  private LoopbackServer(HttpServer server) {
    this.server = server;
  }

  public static LoopbackServer bind(int port) {
    try {
      return new LoopbackServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  /** Starts answering every path with {@code handler}, each request counted and recorded before it is handled. */
  public LoopbackServer serve(HttpHandler handler) {
    server.createContext("/", ex -> {
      requests.incrementAndGet();
      String raw = ex.getRequestURI().getRawQuery();
      targets.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + (raw == null ? "" : "?" + raw));
      handler.handle(ex);
    });
    server.setExecutor(threads);
    server.start();
    return this;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests answered so far. */
  public long requests() {
    return requests.get();
  }

  /** The requests answered so far, in order, as {@code METHOD path?query} (no {@code ?} without a query). */
  public List<String> targets() {
    synchronized (targets) {
      return List.copyOf(targets);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
