"""Rendering a DAG's tasks for a run: the JAR's command line with the run's interval bounds."""

from __future__ import annotations

import pytest
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

from ingest_airflow.local import LocalIngestOperator

from helpers import dags, interval_of, render

STAGES = ("fetch", "normalize", "enrich", "load")
# (dag, the run's logical date, expected interval start and end in ISO-8601 UTC)
RUNS = [
    ("ingest_caiso_5min", "2024-11-03T08:00:00Z", "2024-11-03T08:00:00Z", "2024-11-03T08:05:00Z"),
    ("ingest_caiso_15min", "2024-11-03T08:00:00Z", "2024-11-03T08:00:00Z", "2024-11-03T08:15:00Z"),
    # The fall-back day in Pacific time: 25 hours.
    ("ingest_caiso_daily", "2024-11-03T07:00:00Z", "2024-11-03T07:00:00Z", "2024-11-04T08:00:00Z"),
]


def _z(iso: str) -> str:
    return iso.replace("+00:00", "Z")


@pytest.mark.parametrize(("dag_id", "logical_date", "start", "end"), RUNS)
def test_local_tasks_render_to_the_ingest_command(dag_id, logical_date, start, end):
    dag = dags("local")[dag_id]
    got_start, got_end = interval_of(dag, logical_date)
    assert (_z(got_start), _z(got_end)) == (start, end)
    groups = {t.task_group.group_id for t in dag.tasks}
    for group in groups:
        for stage in STAGES:
            task = render(dag.get_task(f"{group}.{stage}"), got_start, got_end, run_id="scheduled__x")
            assert isinstance(task, LocalIngestOperator)
            cmd = task.command()
            assert cmd[0].endswith("/bin/ingest")
            assert cmd[1:] == [
                stage, "--market", "caiso", "--dataset", group,
                "--interval-start", start, "--interval-end", end, "--run-id", "scheduled__x",
            ]  # fmt: skip


@pytest.mark.parametrize(("dag_id", "logical_date", "start", "end"), RUNS)
def test_production_tasks_render_to_a_pod_with_the_task_image(dag_id, logical_date, start, end, monkeypatch):
    monkeypatch.setenv("INGEST_TASK_IMAGE", "registry.example/ingest-task:2024.11.0")
    dag = dags("kubernetes")[dag_id]
    got_start, got_end = interval_of(dag, logical_date)
    for task in dag.tasks:
        if task.task_id.endswith(".wait_published"):
            continue
        stage = task.task_id.rsplit(".", 1)[1]
        pod = render(task, got_start, got_end)
        assert isinstance(pod, KubernetesPodOperator)
        assert pod.image == "registry.example/ingest-task:2024.11.0"
        assert pod.cmds[-2:] == ["-jar", "/app/ingest.jar"]
        assert pod.arguments[0] == stage
        assert pod.arguments[5:9] == ["--interval-start", start, "--interval-end", end]


def test_wait_renders_to_interval_end_plus_lag():
    dag = dags("local")["ingest_caiso_daily"]
    start, end = interval_of(dag, "2024-11-03T07:00:00Z")
    # load_actual: lag 2h after the end of the 25-hour day.
    assert render(dag.get_task("load_actual.wait_published"), start, end).target_time == "2024-11-04T10:00:00Z"
    dag5 = dags("local")["ingest_caiso_5min"]
    start, end = interval_of(dag5, "2024-11-03T08:00:00Z")
    assert render(dag5.get_task("lmp_rt_5min.wait_published"), start, end).target_time == "2024-11-03T08:10:00Z"


def test_run_parameters_choose_the_interval_a_manual_run_loads():
    dag = dags("local")["ingest_caiso_daily"]
    task = dag.get_task("lmp_da_hourly.fetch")
    # A market day: the whole Pacific day, whatever the data interval (none for a run without logical date).
    cmd = render(task, None, None, params={"market_day": "2024-11-03"}).command()
    assert cmd[cmd.index("--interval-start") + 1 :][:3] == [
        "2024-11-03T07:00:00Z",
        "--interval-end",
        "2024-11-04T08:00:00Z",
    ]
    cmd = render(task, None, None, params={"market_day": "2024-03-10"}).command()
    assert cmd[cmd.index("--interval-start") + 1] == "2024-03-10T08:00:00Z"
    assert cmd[cmd.index("--interval-end") + 1] == "2024-03-11T07:00:00Z"
    # An explicit interval, normalized to UTC.
    params = {"interval_start": "2024-11-03T00:00:00-07:00", "interval_end": "2024-11-03T09:00:00Z"}
    cmd = render(task, None, None, params=params).command()
    assert cmd[cmd.index("--interval-start") + 1] == "2024-11-03T07:00:00Z"
    assert cmd[cmd.index("--interval-end") + 1] == "2024-11-03T09:00:00Z"
    wait = render(dag.get_task("load_actual.wait_published"), None, None, params={"market_day": "2024-11-03"})
    assert wait.target_time == "2024-11-04T10:00:00Z"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "this run has no data interval"),
        ({"market_day": "2024-11-03", "interval_start": "2024-11-03T08:00:00Z"}, "either market_day"),
        ({"interval_start": "2024-11-03T08:00:00Z"}, "go together"),
        ({"market_day": "11/03/2024"}, "expected a market-local date"),
        ({"market_day": "2024-02-30"}, "market_day='2024-02-30'"),
        ({"interval_start": "2024-11-03T08:00:00", "interval_end": "2024-11-03T09:00:00Z"}, "with an offset"),
        ({"interval_start": "2024-11-03T09:00:00Z", "interval_end": "2024-11-03T08:00:00Z"}, "must be after"),
    ],
)
def test_a_manual_run_without_a_valid_interval_fails_saying_what_to_pass(params, message):
    from ingest_airflow.templating import RunIntervalError

    task = dags("local")["ingest_caiso_daily"].get_task("lmp_da_hourly.fetch")
    with pytest.raises(RunIntervalError, match=message):
        render(task, None, None, params=params)
