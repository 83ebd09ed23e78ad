package io.carbon254.ingest.core.sink;

import java.util.List;

/** A small tabular result: column names and rows of values rendered as text (null stays null). */
public record QueryResult(List<String> columns, List<List<String>> rows) {}
