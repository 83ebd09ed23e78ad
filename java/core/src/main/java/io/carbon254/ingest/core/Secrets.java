package io.carbon254.ingest.core;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The secret values this process holds (API keys, passwords, tokens), so that every text it writes
 * (log lines, error messages, the URLs kept in Bronze and events) can be masked. A connector
 * registers a credential when it reads it; the writers call {@link #mask}.
 */
public final class Secrets {
  /** What a masked value is written as. */
  public static final String MASK = "***";
  /** Shorter values are not registered: masking them would garble ordinary text. */
  static final int MIN_LENGTH = 4;

  private static final Set<String> VALUES = new CopyOnWriteArraySet<>();

  private Secrets() {}

  /** Registers a secret value (nothing for null, blank or very short values); returns it. */
  public static String register(String value) {
    if (value != null && value.strip().length() >= MIN_LENGTH) {
      VALUES.add(value.strip());
    }
    return value;
  }

  /** {@code text} with every registered value replaced by {@link #MASK}. */
  public static String mask(String text) {
    if (text == null || VALUES.isEmpty()) {
      return text;
    }
    String out = text;
    for (String v : VALUES) {
      if (out.contains(v)) {
        out = out.replace(v, MASK);
      }
    }
    return out;
  }
}
