package io.carbon254.ingest.events;

import io.carbon254.ingest.core.sink.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** The event schemas of events/avro (bundled as resources {@code avro/<Name>.avsc}) and the value mapping. */
public final class AvroCodec {
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private AvroCodec() {}

  public static Schema schema(String name) {
    return SCHEMAS.computeIfAbsent(name, AvroCodec::load);
  }

  /** The schema's JSON as stored in the repo (for registries). */
  public static String schemaText(String name) {
    try (InputStream in = resource(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Schema load(String name) {
    try (InputStream in = resource(name)) {
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read event schema " + name, e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = AvroCodec.class.getClassLoader().getResourceAsStream("avro/" + name + ".avsc");
    if (in == null) {
      throw new IllegalArgumentException("no event schema avro/" + name + ".avsc on the classpath");
    }
    return in;
  }

  public static GenericRecord toRecord(Event e) {
    Schema s = schema(e.schema());
    GenericData.Record r = new GenericData.Record(s);
    for (Schema.Field f : s.getFields()) {
      Object v = e.fields().get(f.name());
      if (v == null && !e.fields().containsKey(f.name())) {
        throw new IllegalArgumentException("event " + e.id() + " lacks field " + f.name() + " of schema " + s.getFullName());
      }
      r.put(f.pos(), toAvro(v));
    }
    return r;
  }

  /** Field values back to Java types (timestamps as {@link Instant}, strings as {@link String}). */
  public static Map<String, Object> fields(GenericRecord r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Schema.Field f : r.getSchema().getFields()) {
      Object v = r.get(f.pos());
      Schema t = nonNull(f.schema());
      if (v != null && t.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
        v = Instant.ofEpochMilli((Long) v);
      } else if (v instanceof CharSequence cs) {
        v = cs.toString();
      }
      out.put(f.name(), v);
    }
    return out;
  }

  public static byte[] encode(GenericRecord r) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static GenericRecord decode(Schema writer, Schema reader, byte[] data, int offset, int length) {
    try {
      return new GenericDatumReader<GenericRecord>(writer, reader)
          .read(null, DecoderFactory.get().binaryDecoder(data, offset, length, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object toAvro(Object v) {
    return v instanceof Instant i ? i.toEpochMilli() : v;
  }

  private static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema t : s.getTypes()) {
        if (t.getType() != Schema.Type.NULL) {
          return t;
        }
      }
    }
    return s;
  }
}
