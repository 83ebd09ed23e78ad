package io.carbon254.ingest.core.pipeline;

import io.carbon254.ingest.core.UpstreamUnavailableException;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The payloads of one fetch on their way to Bronze: each body goes to a file as it arrives and only
 * its {@link PayloadHead} stays in memory, so a fetch holds one body at a time whatever the window,
 * and the warehouse is opened (and locked) only once every payload is here. The directory is
 * {@code ingest-fetch-<pid>-*} under {@code java.io.tmpdir}; closing deletes it, and opening a spool
 * deletes those of processes that no longer run (a fetch killed with -9).
 */
public final class PayloadSpool implements AutoCloseable {
  static final String PREFIX = "ingest-fetch-";

  private final Path dir;
  private final List<PayloadHead> heads = new ArrayList<>();
  private long bytes;

  private PayloadSpool(Path dir) {
    this.dir = dir;
  }

  public static PayloadSpool open() {
    return open(Paths.get(System.getProperty("java.io.tmpdir")));
  }

  static PayloadSpool open(Path parent) {
    removeOrphans(parent);
    try {
      Files.createDirectories(parent);
      return new PayloadSpool(Files.createTempDirectory(parent, PREFIX + ProcessHandle.current().pid() + "-"));
    } catch (IOException e) {
      throw new UpstreamUnavailableException("cannot create the fetch spool under " + parent + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the spools of processes that are gone (the pid in the name no longer runs). */
  static void removeOrphans(Path parent) {
    if (!Files.isDirectory(parent)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, PREFIX + "*")) {
      for (Path d : ds) {
        String rest = d.getFileName().toString().substring(PREFIX.length());
        int dash = rest.indexOf('-');
        long pid;
        try {
          pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
          continue; // not one of ours
        }
        if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
          deleteTree(d);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // another process may be cleaning up too; an orphan left now goes with the next fetch
    }
  }

  /** Writes the body to the spool and keeps its head. */
  public void add(RawPayload p) {
    Path f = dir.resolve(heads.size() + ".body");
    try {
      Files.write(f, p.body());
    } catch (IOException e) {
      throw new UpstreamUnavailableException("cannot spool " + p.payloadId() + " (" + p.body().length + " bytes) to " + f
          + ": " + e.getMessage(), e);
    }
    heads.add(p.head());
    bytes += p.body().length;
  }

  public List<PayloadHead> heads() {
    return List.copyOf(heads);
  }

  public long bytes() {
    return bytes;
  }

  /** The body of the {@code i}-th payload, read back from disk. */
  public byte[] body(int i) {
    Path f = dir.resolve(i + ".body");
    try {
      byte[] b = Files.readAllBytes(f);
      if (b.length != heads.get(i).sizeBytes()) {
        throw new IllegalStateException(f + " holds " + b.length + " bytes, " + heads.get(i).sizeBytes() + " were spooled");
      }
      return b;
    } catch (IOException e) {
      throw new UpstreamUnavailableException("cannot read the spooled " + heads.get(i).payloadId() + " from " + f + ": "
          + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    deleteTree(dir);
  }

  private static void deleteTree(Path d) {
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> s = Files.walk(d)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // best effort: the next fetch removes what is left of a finished process
    }
  }
}
