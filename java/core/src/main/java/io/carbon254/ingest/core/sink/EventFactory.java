package io.carbon254.ingest.core.sink;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.connector.PayloadHead;
import io.carbon254.ingest.core.connector.RawPayload;
import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.Column;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the events of a stage. Ids are name-based UUIDs of (topic, key, version, content), so
 * re-running a stage on the same input re-publishes the same ids, and a revision gets new ones.
 */
public final class EventFactory {
  public static final String HEADER_RUN_ID = "ingest.run_id";
  public static final String HEADER_TRACEPARENT = "traceparent";

  private EventFactory() {}

  public static String topic(Stage stage, IntervalKey key) {
    return stage.topicPrefix() + "." + key.market() + "." + key.dataset();
  }

  public static Event payloadFetched(String topic, RawPayload p, Map<String, String> headers) {
    return payloadFetched(topic, p.head(), headers);
  }

  public static Event payloadFetched(String topic, PayloadHead p, Map<String, String> headers) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("event_id", deterministicId(topic, p.payloadId()));
    f.put("market", p.key().market());
    f.put("dataset", p.key().dataset());
    f.put("interval_start_utc", p.key().window().start());
    f.put("interval_end_utc", p.key().window().end());
    f.put("payload_id", p.payloadId());
    f.put("part", p.part());
    f.put("url", p.url());
    f.put("content_type", p.contentType());
    f.put("http_status", p.httpStatus());
    f.put("size_bytes", p.sizeBytes());
    f.put("sha256", p.sha256());
    f.put("fetched_at", p.fetchedAt());
    return new Event(topic, (String) f.get("event_id"), p.payloadId(), "PayloadFetched", f, headers);
  }

  public static Event record(String topic, CanonicalRecord r, Map<String, String> headers) {
    List<Column> cols = r.kind().columns();
    Object[] v = r.values();
    Map<String, Object> f = new LinkedHashMap<>();
    String nk = r.kind().naturalKeyOf(v);
    f.put("event_id", recordId(topic, r, v));
    for (int i = 0; i < cols.size(); i++) {
      f.put(cols.get(i).name(), v[i]);
    }
    return new Event(topic, (String) f.get("event_id"), nk, r.kind().avroName(), f, headers);
  }

  /**
   * The event id of {@link #record} without building the event: the same name-based UUID of topic,
   * natural key, version and content digest, from reused per-thread buffers (the stages call it for
   * every row).
   */
  public static String recordId(String topic, CanonicalRecord r, Object[] v) {
    Scratch s = SCRATCH.get();
    StringBuilder sb = s.text;
    sb.setLength(0);
    for (Object o : v) {
      // Each value as String.valueOf gives it (instants as Instant.toString), without the String.
      switch (o) {
        case null -> sb.append("null");
        case Instant t -> sb.append(s.instants.text(t));
        case Double d -> sb.append(d.doubleValue());
        case Long l -> sb.append(l.longValue());
        case String str -> sb.append(str);
        default -> sb.append(o);
      }
      sb.append('\u001f');
    }
    byte[] content = s.digest(sb, s.content);
    sb.setLength(0);
    sb.append(topic).append('\u0000');
    r.kind().appendNaturalKey(sb, v);
    sb.append('|').append(r.version()).append('|');
    HEX.formatHex(sb, content, 0, 8);
    return uuid(s.digest(sb, s.id));
  }

  /** Per-thread buffers of {@link #recordId}: one lookup per row instead of one per buffer. */
  private static final class Scratch {
    final StringBuilder text = new StringBuilder(512);
    final MessageDigest md = sha256();
    final byte[] content = new byte[32];
    final byte[] id = new byte[32];
    byte[] bytes = new byte[1024];
    final io.carbon254.ingest.core.record.InstantText.Cache instants = new io.carbon254.ingest.core.record.InstantText.Cache();

    /** SHA-256 of the UTF-8 of {@code sb} into {@code out}; ASCII (the usual case) through a reused buffer. */
    byte[] digest(CharSequence sb, byte[] out) {
      int n = sb.length();
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, bytes.length * 2)];
      }
      byte[] buf = bytes;
      for (int i = 0; i < n; i++) {
        char c = sb.charAt(i);
        if (c >= 0x80) {
          byte[] utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
          md.update(utf8, 0, utf8.length);
          return finish(out);
        }
        buf[i] = (byte) c;
      }
      md.update(buf, 0, n);
      return finish(out);
    }

    private byte[] finish(byte[] out) {
      try {
        md.digest(out, 0, out.length);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException(e);
      }
      return out;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final java.util.HexFormat HEX = java.util.HexFormat.of();

  /** One SHA-256 instance per thread, reset by each digest (getInstance per call was measurable per row). */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(EventFactory::sha256);

  /** A version-8 style UUID from the SHA-256 of topic and name (stable across runs and JVMs). */
  public static String deterministicId(String topic, String name) {
    return uuid(digest(topic + "\u0000" + name));
  }

  private static String uuid(byte[] h) {
    ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
    long hi = (b.getLong() & ~0xF000L) | 0x8000L;
    long lo = (b.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  private static byte[] digest(String s) {
    return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
