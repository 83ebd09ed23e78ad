package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.record.CanonicalRecord;
import java.util.List;

/** Warms the cache after load (Redis in production; none in the embedded default). */
public interface CacheWarmer extends AutoCloseable {
  String describe();

  /** Returns the number of keys written. */
  long warm(List<CanonicalRecord> silverRows);

  @Override
  void close();

  CacheWarmer NONE =
      new CacheWarmer() {
        @Override
        public String describe() {
          return "none";
        }

        @Override
        public long warm(List<CanonicalRecord> rows) {
          return 0;
        }

        @Override
        public void close() {}
      };
}
