package io.carbon254.ingest.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.carbon254.ingest.core.IntervalKey;
import io.carbon254.ingest.core.IntervalWindow;
import io.carbon254.ingest.core.record.Column;
import io.carbon254.ingest.core.record.ColumnType;
import io.carbon254.ingest.core.record.Enrichment;
import io.carbon254.ingest.core.record.PriceRecord;
import io.carbon254.ingest.core.record.Provenance;
import io.carbon254.ingest.core.record.RecordKind;
import io.carbon254.ingest.core.sink.Event;
import io.carbon254.ingest.core.sink.EventFactory;
import io.carbon254.ingest.core.sink.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroSchemasTest {

  @Test
  void everyKindSchemaHasTheRecordColumnsInOrderWithMatchingTypes() {
    for (RecordKind k : RecordKind.values()) {
      Schema s = AvroCodec.schema(k.avroName());
      List<Schema.Field> fields = s.getFields();
      assertEquals("event_id", fields.get(0).name());
      assertEquals(k.columns().size() + 1, fields.size(), k + " field count");
      for (int i = 0; i < k.columns().size(); i++) {
        Column c = k.columns().get(i);
        Schema.Field f = fields.get(i + 1);
        assertEquals(c.name(), f.name(), k + " field " + i);
        assertEquals(c.nullable(), f.schema().getType() == Schema.Type.UNION, k + "." + c.name() + " nullability");
        Schema t = f.schema().getType() == Schema.Type.UNION ? f.schema().getTypes().get(1) : f.schema();
        assertEquals(expected(c.type()), t.getType(), k + "." + c.name() + " type");
      }
    }
  }

  private static Schema.Type expected(ColumnType t) {
    return switch (t) {
      case STRING -> Schema.Type.STRING;
      case DOUBLE -> Schema.Type.DOUBLE;
      case LONG, TIMESTAMP -> Schema.Type.LONG;
      case BOOLEAN -> Schema.Type.BOOLEAN;
    };
  }

  @Test
  void recordEventRoundTripsAndHasADeterministicIdThatChangesWithContent() {
    Instant s = Instant.parse("2024-11-03T08:00:00Z");
    PriceRecord r = new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", "TH_SP15_GEN-APND", null, "hub", s,
        s.plusSeconds(300), 41.5, 40.0, 1.0, 0.4, 0.1, "USD", "MWh",
        new Provenance(7, null, s, "p1"), new Enrichment("SP15", "SP15", "CAISO", "America/Los_Angeles", true));
    IntervalKey key = new IntervalKey("caiso", "lmp_rt_5min", new IntervalWindow(s, s.plusSeconds(600)));
    String topic = EventFactory.topic(Stage.ENRICH, key);
    assertEquals("enriched.caiso.lmp_rt_5min", topic);
    Event e1 = EventFactory.record(topic, r, Map.of());
    Event e2 = EventFactory.record(topic, r, Map.of("ingest.run_id", "other"));
    assertEquals(e1.id(), e2.id());
    Event revised = EventFactory.record(topic,
        new PriceRecord("caiso", "lmp_rt_5min", "RT", "LMP", "TH_SP15_GEN-APND", null, "hub", s, s.plusSeconds(300),
            42.5, 41.0, 1.0, 0.4, 0.1, "USD", "MWh", new Provenance(7, null, s, "p1"), r.enrichment()), Map.of());
    assertNotEquals(e1.id(), revised.id());

    GenericRecord g = AvroCodec.toRecord(e1);
    byte[] bin = AvroCodec.encode(g);
    Map<String, Object> back = AvroCodec.fields(AvroCodec.decode(g.getSchema(), g.getSchema(), bin, 0, bin.length));
    assertEquals(e1.fields(), back);
    assertEquals(r, RecordKind.PRICES.fromValues(back.values().stream().skip(1).toArray()));
  }
}
