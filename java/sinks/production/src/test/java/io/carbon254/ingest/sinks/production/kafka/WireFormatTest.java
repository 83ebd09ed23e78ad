package io.carbon254.ingest.sinks.production.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.carbon254.ingest.events.AvroCodec;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  @Test
  void magicByteBigEndianIdThenAvroBinary() {
    Schema s = SchemaBuilder.record("R").fields().requiredString("a").endRecord();
    GenericRecord r = new GenericData.Record(s);
    r.put("a", "hi");
    byte[] avro = AvroCodec.encode(r);
    byte[] msg = WireFormat.encode(0x01020304, avro);
    assertEquals(0, msg[0]);
    assertEquals(1, msg[1]);
    assertEquals(4, msg[4]);
    assertEquals(avro.length + 5, msg.length);
    assertEquals(0x01020304, WireFormat.schemaId(msg));
    assertEquals("hi", WireFormat.decode(msg, id -> s, null).get("a").toString());
    assertThrows(IllegalArgumentException.class, () -> WireFormat.schemaId(new byte[] {1, 0, 0, 0, 1}));
  }

  @Test
  void traceparentIsW3cAndKeepsTheParentTrace() {
    String root = TraceContext.childOf(Optional.empty());
    assertTrue(TraceContext.valid(root), root);
    String child = TraceContext.childOf(Optional.of(root));
    assertEquals(root.substring(0, 35), child.substring(0, 35));
    assertTrue(!child.equals(root) && TraceContext.valid(child));
    assertTrue(TraceContext.valid(TraceContext.childOf(Optional.of("garbage"))));
  }
}
