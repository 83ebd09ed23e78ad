"""The DAG factory of 254Carbon Ingestion: connectors/<market>.yaml -> Airflow DAGs.

spec      YAML -> frozen dataclasses (no Airflow import)
runners   the one place that builds a stage task: KubernetesPodOperator or a local process
local     the local-process operator (laptops, CI)
pod       the KubernetesPodOperator subclass: pod log levels, TRACEPARENT
tasklog   the level of each line of the JAR's output in the task log
tracing   the TRACEPARENT of a task try
sensors   the wait for an interval's publication (interval end + lag)
factory   one DAG per market and cadence
"""
