package io.carbon254.ingest.sinks.production.clickhouse;

import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.connector.RowSink;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a streamed read on a reader thread and hands its batches to the caller's sink on the
 * calling thread, through a queue of two: reading and parsing the server's answer overlap with
 * what the caller does with the previous batch (the quality gate, enrichment), and at most four
 * batches exist at once (one being filled, two queued, one with the caller). A failure on either
 * side ends both: the reader's is rethrown to the caller; the caller's stops the reader at its
 * next batch.
 */
final class ScanPipe {
  private static final Object END = new Object();
  private final String what;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
  private volatile boolean cancelled;

  ScanPipe(String what) {
    this.what = what;
  }

  /** Stops the reader once the caller gave up. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /**
   * Runs {@code read} on a reader thread, giving it the sink its batches go to; returns what it
   * returned once every batch went through {@code out} (on this thread, in order).
   */
  @SuppressWarnings("unchecked")
  <R, B> R run(Function<RowSink<B>, R> read, RowSink<B> out) {
    CompletableFuture<R> result = new CompletableFuture<>();
    Thread reader = Thread.ofPlatform().daemon().name("clickhouse-scan").start(() -> {
      try {
        result.complete(read.apply(this::hand));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      } finally {
        try {
          put(END);
        } catch (Cancelled c) {
          // the caller is gone: nobody waits for the end
        }
      }
    });
    boolean done = false;
    try {
      while (true) {
        Object next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new UpstreamUnavailableException("interrupted during " + what, e);
        }
        if (next == END) {
          break;
        }
        out.accept((B) next);
      }
      done = true;
    } finally {
      if (!done) {
        cancelled = true;
        queue.clear();
        reader.interrupt();
      }
    }
    try {
      return result.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable t = e.getCause();
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new UpstreamUnavailableException("failed during " + what + ": " + t, t);
    }
  }

  private void hand(Object batch) {
    if (cancelled) {
      throw new Cancelled();
    }
    put(batch);
  }

  private void put(Object o) {
    try {
      while (!queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
        if (cancelled) {
          throw new Cancelled();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled();
    }
  }
}
