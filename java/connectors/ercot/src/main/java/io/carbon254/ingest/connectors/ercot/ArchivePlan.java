package io.carbon254.ingest.connectors.ercot;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.connector.RowSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backfill's windows served from the archive in bulk: one listing for the whole range (paged by
 * 1,000), then the documents in bulk downloads of up to 1,000, each downloaded when the first window
 * needing it is fetched and spooled to a temporary directory until the last window using it took it.
 * A 30-day backfill of the 15-minute prices (2,900 documents) is a token, three listing pages and
 * three downloads. A window the listing lacks documents for fails as it would alone (not published).
 */
final class ArchivePlan implements AutoCloseable {
  private final ErcotReport report;
  private final ArchiveClient api;
  private final Map<IntervalKey, List<ErcotDocument>> docs = new LinkedHashMap<>();
  private final Map<IntervalKey, RuntimeException> failures = new HashMap<>();
  private final List<List<ErcotDocument>> batches = new ArrayList<>();
  private final Map<Long, Integer> batchOf = new HashMap<>();
  private final Map<Long, Integer> usesLeft = new HashMap<>();
  private final Map<Long, Path> spooled = new HashMap<>();
  private final Map<Long, ArchiveClient.Downloaded> heads = new HashMap<>();
  private final boolean[] downloaded;
  private final Path dir;

  ArchivePlan(ErcotReport report, ArchiveClient api, List<IntervalKey> keys, String what) {
    this.report = report;
    this.api = api;
    java.time.Instant from = null;
    java.time.Instant until = null;
    for (IntervalKey k : keys) {
      java.time.Instant f = report.postedFrom(k.window());
      java.time.Instant u = report.postedUntil(k.window());
      from = from == null || f.isBefore(from) ? f : from;
      until = until == null || u.isAfter(until) ? u : until;
    }
    List<ErcotDocument> listed = api.list(report, from, until, what);
    List<ErcotDocument> current = new ArrayList<>();
    for (IntervalKey k : keys) {
      try {
        List<ErcotDocument> chosen = report.choose(listed, k.window(), k.market() + "/" + k.dataset() + " " + k.window());
        docs.put(k, chosen);
        for (ErcotDocument d : chosen) {
          usesLeft.merge(d.docId(), 1, Integer::sum);
          if (!batchOf.containsKey(d.docId())) {
            if (current.size() == ArchiveClient.BULK_MAX) {
              batches.add(current);
              current = new ArrayList<>();
            }
            current.add(d);
            batchOf.put(d.docId(), batches.size());
          }
        }
      } catch (RuntimeException e) {
        failures.put(k, e);
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    downloaded = new boolean[batches.size()];
    try {
      dir = Files.createTempDirectory("ingest-ercot-archive-");
      dir.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a spool directory for the archive downloads", e);
    }
  }

  boolean covers(IntervalKey key) {
    return docs.containsKey(key) || failures.containsKey(key);
  }

  void fetch(IntervalKey key, RowSink<? super RawPayload> out) {
    RuntimeException f = failures.get(key);
    if (f != null) {
      throw f;
    }
    String what = key.market() + "/" + key.dataset() + " " + key.window();
    int part = 0;
    for (ErcotDocument d : docs.get(key)) {
      int b = batchOf.get(d.docId());
      if (!downloaded[b]) {
        for (ArchiveClient.Downloaded x : api.download(report, batches.get(b), what + " (bulk " + (b + 1) + "/" + batches.size() + ")")) {
          Path file = dir.resolve(x.document().docId() + ".zip");
          try {
            Files.write(file, x.zip());
          } catch (IOException e) {
            throw new UncheckedIOException("cannot spool " + file, e);
          }
          spooled.put(x.document().docId(), file);
          heads.put(x.document().docId(), new ArchiveClient.Downloaded(x.document(), x.url(), null, x.receivedAt()));
        }
        downloaded[b] = true;
      }
      Path file = spooled.get(d.docId());
      ArchiveClient.Downloaded h = heads.get(d.docId());
      byte[] zip;
      try {
        zip = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the spooled document " + file, e);
      }
      out.accept(RawPayload.of(key, part++, h.url(), "application/zip", 200, zip, h.receivedAt()));
      if (usesLeft.merge(d.docId(), -1, Integer::sum) <= 0) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // left to the temporary directory's clean-up
        }
      }
    }
  }

  @Override
  public void close() {
    for (Path p : spooled.values()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // best effort
      }
    }
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort
    }
  }
}
