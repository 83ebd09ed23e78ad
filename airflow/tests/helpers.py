"""Building DAGs for tests from the real connectors/ directory."""

from __future__ import annotations

import copy

import pendulum

from ingest_airflow.factory import build_dags

from conftest import CONNECTORS


def dags(runner: str) -> dict:
    return build_dags(CONNECTORS, runner=runner, strict=True)


def render(task, start: str, end: str, run_id: str = "scheduled__test") -> object:
    """Render a copy of ``task`` with a run's context, through the DAG's own Jinja environment."""
    rendered = copy.copy(task)
    context = {
        "data_interval_start": pendulum.parse(start),
        "data_interval_end": pendulum.parse(end),
        "run_id": run_id,
        "macros": None,
    }
    rendered.render_template_fields(context, jinja_env=task.dag.get_template_env())
    return rendered


def interval_ending(dag, run_after: str) -> tuple[str, str]:
    """The data interval Airflow gives a run of ``dag`` triggered at ``run_after`` (the
    interval that ends there), as ISO-8601 UTC strings."""
    from airflow.serialization.encoders import coerce_to_core_timetable

    interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(run_after=pendulum.parse(run_after))
    return interval.start.in_timezone("UTC").isoformat(), interval.end.in_timezone("UTC").isoformat()
