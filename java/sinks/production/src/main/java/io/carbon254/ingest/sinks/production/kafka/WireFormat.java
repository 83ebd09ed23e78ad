package io.carbon254.ingest.sinks.production.kafka;

import io.carbon254.ingest.events.AvroCodec;
import java.nio.ByteBuffer;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The Confluent wire format of a record value: magic byte 0, the schema id as a 4-byte big-endian
 * integer, then the Avro binary encoding of the value. Consumers resolve the id at the registry.
 */
public final class WireFormat {
  public static final byte MAGIC = 0;
  private static final int HEADER = 5;

  private WireFormat() {}

  public static byte[] encode(int schemaId, byte[] avro) {
    return ByteBuffer.allocate(HEADER + avro.length).put(MAGIC).putInt(schemaId).put(avro).array();
  }

  public static int schemaId(byte[] message) {
    if (message == null || message.length < HEADER || message[0] != MAGIC) {
      throw new IllegalArgumentException("not a Confluent wire-format value (magic byte 0 + 4-byte schema id)");
    }
    return ByteBuffer.wrap(message, 1, 4).getInt();
  }

  /** Decodes with the writer schema of the message's id, read as {@code reader} (or as written when null). */
  public static GenericRecord decode(byte[] message, IntFunction<Schema> writerById, Schema reader) {
    Schema writer = writerById.apply(schemaId(message));
    return AvroCodec.decode(writer, reader == null ? writer : reader, message, HEADER, message.length - HEADER);
  }
}
