package io.carbon254.ingest.core.connector;

/**
 * Where a parser pushes its rows, one at a time, as it reads them: a stage batches them on to the
 * warehouse and the events, so no parser ever returns a list of the interval (STYLE.md, "Stages
 * stream"). A sink may throw (a {@link io.carbon254.ingest.core.PayloadRejectedException} for a
 * conflicting duplicate, say); the parser lets it propagate.
 */
@FunctionalInterface
public interface RowSink<T> {
  void accept(T row);
}
