"""Building DAGs for tests from the real connectors/ directory."""

from __future__ import annotations

import copy

import pendulum

from ingest_airflow.factory import build_dags

from conftest import CONNECTORS


def dags(runner: str) -> dict:
    return build_dags(CONNECTORS, runner=runner, strict=True)


def render(
    task, start: str | None, end: str | None, run_id: str = "scheduled__test", params: dict | None = None
) -> object:
    """Render a copy of ``task`` with a run's context, through the DAG's own Jinja environment."""
    rendered = copy.copy(task)
    context = {
        "data_interval_start": pendulum.parse(start) if start else None,
        "data_interval_end": pendulum.parse(end) if end else None,
        "run_id": run_id,
        "params": params or {},
        "macros": None,
    }
    rendered.render_template_fields(context, jinja_env=task.dag.get_template_env())
    return rendered


def interval_of(dag, logical_date: str) -> tuple[str, str]:
    """The data interval Airflow gives a run of ``dag`` with ``logical_date`` (the interval
    that starts at, or contains, that moment), as ISO-8601 UTC strings."""
    from airflow.serialization.encoders import coerce_to_core_timetable

    when = pendulum.parse(logical_date)
    interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(run_after=when)
    return interval.start.in_timezone("UTC").isoformat(), interval.end.in_timezone("UTC").isoformat()
