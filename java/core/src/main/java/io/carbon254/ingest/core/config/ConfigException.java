package io.carbon254.ingest.core.config;

import io.carbon254.ingest.core.UsageException;

/** Configuration problems name the file and the key. */
public final class ConfigException {
  private ConfigException() {}

  public static UsageException of(String file, String key, String problem) {
    return new UsageException(file + ": " + key + ": " + problem);
  }
}
