package io.carbon254.ingest.events;

import io.carbon254.ingest.core.record.CanonicalRecord;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.EventFactory;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;

/**
 * Writes the event of a canonical record straight from the record to the Avro encoder: the same
 * bytes as {@link AvroCodec#toRecord} of {@link EventFactory#record} through a {@code
 * GenericDatumWriter}, without the event's field map, the generic record or the union resolution
 * per value (the field layout is resolved once per schema). Anything else (a {@link GenericRecord})
 * goes through the generic writer.
 */
public final class RecordDatumWriter implements DatumWriter<Object> {
  private final String topic;
  private final Schema schema;
  private final Slot[] slots;
  private final GenericDatumWriter<GenericRecord> generic;

  /** How one schema field is written: which value, which type, which union branch is null. */
  private record Slot(String name, int column, Schema.Type type, int nullBranch, int valueBranch, boolean timestamp) {}

  /** {@code kind}'s event schema (events/avro) for events on {@code topic}. */
  public RecordDatumWriter(String topic, RecordKind kind) {
    this.topic = topic;
    this.schema = AvroCodec.schema(kind.avroName());
    this.generic = new GenericDatumWriter<>(schema);
    List<Schema.Field> fields = schema.getFields();
    this.slots = new Slot[fields.size()];
    for (int i = 0; i < slots.length; i++) {
      Schema.Field f = fields.get(i);
      Schema t = f.schema();
      int nullBranch = -1;
      int valueBranch = -1;
      if (t.getType() == Schema.Type.UNION) {
        List<Schema> branches = t.getTypes();
        if (branches.size() != 2) {
          throw new IllegalArgumentException(schema.getFullName() + "." + f.name() + ": only [null, T] unions are supported");
        }
        for (int b = 0; b < 2; b++) {
          if (branches.get(b).getType() == Schema.Type.NULL) {
            nullBranch = b;
          } else {
            valueBranch = b;
            t = branches.get(b);
          }
        }
      }
      int column = f.name().equals("event_id") ? -1 : kind.indexOf(f.name());
      boolean ts = t.getLogicalType() != null && t.getLogicalType().getName().startsWith("timestamp-millis");
      slots[i] = new Slot(f.name(), column, t.getType(), nullBranch, valueBranch, ts);
    }
  }

  public Schema schema() {
    return schema;
  }

  @Override
  public void setSchema(Schema s) {
    // fixed at construction
  }

  @Override
  public void write(Object datum, Encoder out) throws IOException {
    if (!(datum instanceof CanonicalRecord r)) {
      generic.write((GenericRecord) datum, out);
      return;
    }
    Object[] v = r.values();
    for (Slot s : slots) {
      Object o = s.column < 0 ? EventFactory.recordId(topic, r, v) : v[s.column];
      if (s.nullBranch >= 0) {
        if (o == null) {
          out.writeIndex(s.nullBranch);
          out.writeNull();
          continue;
        }
        out.writeIndex(s.valueBranch);
      } else if (o == null) {
        throw new IllegalArgumentException("event of " + r.naturalKey() + ": field " + s.name + " of "
            + schema.getFullName() + " is not nullable");
      }
      switch (s.type) {
        case STRING -> out.writeString((String) o);
        case DOUBLE -> out.writeDouble(((Number) o).doubleValue());
        case FLOAT -> out.writeFloat(((Number) o).floatValue());
        case LONG -> out.writeLong(s.timestamp ? ((Instant) o).toEpochMilli() : ((Number) o).longValue());
        case INT -> out.writeInt(((Number) o).intValue());
        case BOOLEAN -> out.writeBoolean((Boolean) o);
        default -> throw new IllegalArgumentException(schema.getFullName() + "." + s.name + ": type " + s.type + " not supported");
      }
    }
  }
}
