package io.carbon254.ingest.core.pipeline;

import io.carbon254.ingest.core.sink.Stage;
import java.util.Map;

/** What a stage did, for the run ledger, the human summary and the Airflow XCom summary. */
public record StageResult(Stage stage, long rowsIn, long rowsOut, long events, String summary, Map<String, Object> details) {}
