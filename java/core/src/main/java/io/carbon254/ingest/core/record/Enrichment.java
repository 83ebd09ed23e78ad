package io.carbon254.ingest.core.record;

/** Taxonomy fields added by the enrich stage (each market's taxonomy file, e.g. connectors/caiso/taxonomy.yaml). */
public record Enrichment(String zone, String hub, String region, String timezone, boolean tradingHub) {}
