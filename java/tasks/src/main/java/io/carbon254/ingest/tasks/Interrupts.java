package io.carbon254.ingest.tasks;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) during a range command: the first asks the loop to stop after the interval under
 * way (its stages are transactions: nothing is left half-written), the second ends the process at
 * once with exit 130. Where SIGINT is ignored (a parent set it so) nothing is installed and nothing changes.
 */
final class Interrupts implements AutoCloseable {
  static final int EXIT = 130;
  private static final Signal INT = new Signal("INT");

  private final AtomicInteger count = new AtomicInteger();
  private final SignalHandler previous;

  private Interrupts() {
    SignalHandler p = null;
    try {
      p = Signal.handle(INT, sig -> onSignal());
      if (p == SignalHandler.SIG_IGN) {
        Signal.handle(INT, p); // ignored by whoever started us: keep it so
        p = null;
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      p = null; // no SIGINT on this platform, or reserved by the VM
    }
    this.previous = p;
  }

  /** Installs the handler until {@link #close}. */
  static Interrupts install() {
    return new Interrupts();
  }

  private void onSignal() {
    if (count.incrementAndGet() == 1) {
      JsonLog.notice("WARN", "ingest: interrupted: finishing the current interval, then the summary (Ctrl-C again to stop at once)",
          java.util.Map.of("signal", "INT"));
    } else {
      JsonLog.notice("WARN", "ingest: interrupted again: stopping now, exit " + EXIT, java.util.Map.of("signal", "INT", "exit_code", EXIT));
      System.err.flush();
      Runtime.getRuntime().halt(EXIT);
    }
  }

  /** True once Ctrl-C was pressed. */
  boolean requested() {
    return count.get() > 0;
  }

  @Override
  public void close() {
    if (previous != null) {
      Signal.handle(INT, previous);
    }
  }
}
