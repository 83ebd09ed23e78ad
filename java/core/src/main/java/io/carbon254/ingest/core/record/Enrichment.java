package io.carbon254.ingest.core.record;

/** Taxonomy fields added by the enrich stage (configs/enrichment_taxonomy.yaml). */
public record Enrichment(String zone, String hub, String region, String timezone, boolean tradingHub) {}
