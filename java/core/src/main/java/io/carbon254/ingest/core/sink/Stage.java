package io.carbon254.ingest.core.sink;

import java.util.Locale;

/** The four stages of a task run; the staging hand-off is keyed by the stage that wrote it. */
public enum Stage {
  FETCH,
  NORMALIZE,
  ENRICH,
  LOAD;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Topic prefix of the events this stage publishes ({@code ingestion}, {@code normalized}, {@code enriched}); load publishes none. */
  public String topicPrefix() {
    return switch (this) {
      case FETCH -> "ingestion";
      case NORMALIZE -> "normalized";
      case ENRICH -> "enriched";
      case LOAD -> null;
    };
  }
}
