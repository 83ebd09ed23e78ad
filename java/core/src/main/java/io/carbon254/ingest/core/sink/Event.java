package io.carbon254.ingest.core.sink;

import java.util.Map;

/**
 * One event: its topic, deterministic id, key (the natural key, or the payload id for ingestion
 * events), the event schema's record name ({@code Price}, {@code Load}, {@code FuelMix},
 * {@code PayloadFetched}) and the field values by Avro field name.
 */
public record Event(String topic, String id, String key, String schema, Map<String, Object> fields,
    Map<String, String> headers) {}
