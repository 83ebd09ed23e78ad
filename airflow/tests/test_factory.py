"""The DAG factory: one DAG per market and cadence, for both runners."""

from __future__ import annotations

import datetime as dt
import itertools
import logging

import pytest
import yaml
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

from ingest_airflow.factory import build_dags
from ingest_airflow.local import LocalIngestOperator
from ingest_airflow.runners import PodSettings, runner_from_env
from ingest_airflow.sensors import PublishedWaitSensor
from ingest_airflow.spec import SpecError, load_market

from conftest import CONNECTORS, market_files
from helpers import dags, interval_of

RUNNERS = ("kubernetes", "local")
STAGES = ["fetch", "normalize", "enrich", "load"]
TEMPLATED = [
    "--interval-start",
    "{{ run_interval(params, data_interval_start, data_interval_end).start }}",
    "--interval-end",
    "{{ run_interval(params, data_interval_start, data_interval_end).end }}",
    "--run-id",
    "{{ run_id }}",
]


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("path", market_files(), ids=lambda p: p.name)
def test_each_market_gives_its_dags_groups_tasks_pools_and_arguments(path, runner):
    market = load_market(path)
    built = dags(runner)
    expected = {f"ingest_{market.market}_{c}" for c in market.cadences()}
    assert expected <= set(built)
    for cadence, datasets in market.cadences().items():
        dag = built[f"ingest_{market.market}_{cadence}"]
        expected_tasks = set()
        for ds in datasets:
            stages = (["wait_published"] if ds.lag > dt.timedelta(0) else []) + STAGES
            expected_tasks |= {f"{ds.id}.{s}" for s in stages}
            chain = [dag.get_task(f"{ds.id}.{s}") for s in stages]
            for upstream, downstream in itertools.pairwise(chain):
                assert downstream.upstream_task_ids == {upstream.task_id}
            for stage in STAGES:
                task = dag.get_task(f"{ds.id}.{stage}")
                assert task.task_group.group_id == ds.id
                assert task.arguments == [stage, "--market", market.market, "--dataset", ds.id, *TEMPLATED]
                if stage == "fetch":
                    assert (task.pool, task.pool_slots) == (market.rate_limit.pool, market.rate_limit.pool_slots)
                else:
                    assert task.pool == "default_pool"
                kind = KubernetesPodOperator if runner == "kubernetes" else LocalIngestOperator
                assert isinstance(task, kind)
        assert set(dag.task_dict) == expected_tasks


def test_caiso_dag_ids():
    assert {d for d in dags("local") if d.startswith("ingest_caiso_")} == {
        "ingest_caiso_5min",
        "ingest_caiso_15min",
        "ingest_caiso_daily",
    }


@pytest.mark.parametrize("runner", RUNNERS)
def test_dag_settings_come_from_the_yaml(runner):
    market = load_market(CONNECTORS / "caiso.yaml")
    dag = dags(runner)["ingest_caiso_daily"]
    assert dag.tags == {"market:caiso", "cadence:daily", "kind:prices", "kind:load", "kind:fuel_mix"}
    assert dag.max_active_runs == 4
    assert dag.catchup is False
    assert dag.start_date == dt.datetime(2024, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    assert "fetch » normalize » enrich » load" in dag.doc_md
    assert "connectors/caiso.yaml" in dag.doc_md
    for ds in market.cadences()["daily"]:
        assert f"`{ds.id}`" in dag.doc_md
    task = dag.get_task("fuel_mix.fetch")
    assert task.owner == "ingestion-caiso"
    assert task.retries == 3
    assert task.retry_delay == dt.timedelta(minutes=2)
    assert task.retry_exponential_backoff == 2.0
    assert task.max_retry_delay == dt.timedelta(minutes=30)
    assert task.execution_timeout == dt.timedelta(minutes=30)


def test_timetables_are_data_intervals_in_the_market_timezone():
    built = dags("local")
    for dag_id in ("ingest_caiso_5min", "ingest_caiso_15min", "ingest_caiso_daily"):
        tt = built[dag_id].timetable
        assert type(tt).__name__ == "MarketTimetable"
        assert str(tt.timezone) == "America/Los_Angeles"
        assert "America/Los_Angeles" in tt.summary
        assert "America/Los_Angeles" in tt.description
    # A run with logical date L loads the interval that starts at L, like the scheduled run of L.
    assert interval_of(built["ingest_caiso_5min"], "2024-11-03T08:00:00Z") == (
        "2024-11-03T08:00:00+00:00",
        "2024-11-03T08:05:00+00:00",
    )
    # A moment inside an interval gives that interval.
    assert interval_of(built["ingest_caiso_5min"], "2024-11-03T08:02:00Z") == (
        "2024-11-03T08:00:00+00:00",
        "2024-11-03T08:05:00+00:00",
    )
    # A daily window is the market-local day: 2024-11-03 (fall-back) lasts 25 h, 2024-03-10 23 h.
    assert interval_of(built["ingest_caiso_daily"], "2024-11-03T07:00:00Z") == (
        "2024-11-03T07:00:00+00:00",
        "2024-11-04T08:00:00+00:00",
    )
    assert interval_of(built["ingest_caiso_daily"], "2024-03-10T08:00:00Z") == (
        "2024-03-10T08:00:00+00:00",
        "2024-03-11T07:00:00+00:00",
    )


def test_lag_is_a_wait_until_interval_end_plus_lag():
    market = load_market(CONNECTORS / "caiso.yaml")
    built = dags("local")
    for ds in market.datasets:
        dag = built[market.dag_id(ds.cadence)]
        if ds.lag > dt.timedelta(0):
            wait = dag.get_task(f"{ds.id}.wait_published")
            assert isinstance(wait, PublishedWaitSensor)
            seconds = int(ds.lag.total_seconds())
            assert wait.target_time == (
                f"{{{{ run_interval(params, data_interval_start, data_interval_end).end | after_seconds({seconds}) }}}}"
            )
            assert dag.get_task(f"{ds.id}.fetch").upstream_task_ids == {wait.task_id}
        else:
            assert f"{ds.id}.wait_published" not in dag.task_dict
            assert dag.get_task(f"{ds.id}.fetch").upstream_task_ids == set()


def test_pod_tasks_run_the_task_image(monkeypatch):
    monkeypatch.setenv("INGEST_TASK_IMAGE", "registry.example/ingest-task:1.2.3")
    monkeypatch.setenv("INGEST_K8S_NAMESPACE", "ingestion-staging")
    monkeypatch.setenv("INGEST_ENV", "staging")
    built = build_dags(CONNECTORS, runner="kubernetes", strict=True, pod=PodSettings.from_env())
    task = built["ingest_caiso_5min"].get_task("lmp_rt_5min.fetch")
    assert isinstance(task, KubernetesPodOperator)
    assert task.image == "registry.example/ingest-task:1.2.3"
    assert task.namespace == "ingestion-staging"
    assert task.cmds[0] == "java"
    assert task.cmds[-2:] == ["-jar", "/app/ingest.jar"]
    assert task.skip_on_exit_code == [99]
    assert task.do_xcom_push is True
    assert task.on_finish_action.value == "delete_succeeded_pod"
    env = {e.name: e.value for e in task.env_vars}
    assert env == {"INGEST_SUMMARY_FILE": "/airflow/xcom/return.json", "INGEST_ENV": "staging"}
    assert [s.secret for s in task.secrets] == ["ingest-sinks"]
    assert [s.deploy_type for s in task.secrets] == ["env"]
    sources = [(f.config_map_ref and f.config_map_ref.name, f.secret_ref and f.secret_ref.name) for f in task.env_from]
    assert sources == [("ingest-config", None), (None, "ingest-caiso")]
    assert task.env_from[1].secret_ref.optional is True
    assert task.container_resources.requests == {"cpu": "250m", "memory": "1Gi"}
    assert task.container_resources.limits == {"memory": "2Gi"}
    assert task.service_account_name == "ingest-task"
    assert task.labels["254carbon.io/market"] == "caiso"
    assert task.labels["254carbon.io/stage"] == "fetch"


def test_freshness_is_a_deadline_alert_in_production_only():
    prod = dags("kubernetes")["ingest_caiso_daily"]
    (alert,) = prod.deadline
    # interval start + 1 day window + 26h, the strictest freshness of the daily datasets
    assert alert.interval == dt.timedelta(days=1, hours=26)
    assert alert.callback.path == "ingest_airflow.alerts.freshness_missed"
    assert alert.callback.kwargs["datasets"] == ["lmp_da_hourly", "load_actual", "load_forecast", "fuel_mix"]
    assert not dags("local")["ingest_caiso_daily"].deadline


def test_runner_is_chosen_by_environment():
    assert runner_from_env({}) == "kubernetes"
    assert runner_from_env({"INGEST_TASK_RUNNER": "local"}) == "local"
    with pytest.raises(ValueError, match="INGEST_TASK_RUNNER='docker'"):
        runner_from_env({"INGEST_TASK_RUNNER": "docker"})


def _dir_with_broken_pjm(tmp_path):
    (tmp_path / "caiso.yaml").write_text((CONNECTORS / "caiso.yaml").read_text())
    broken = yaml.safe_load((CONNECTORS / "caiso.yaml").read_text())
    broken["market"] = "pjm"
    broken["datasets"]["lmp_rt_5min"]["lag"] = "soon"
    (tmp_path / "pjm.yaml").write_text(yaml.safe_dump(broken))
    return tmp_path


def test_a_broken_file_loses_only_its_own_dags(tmp_path, caplog):
    directory = _dir_with_broken_pjm(tmp_path)
    with caplog.at_level(logging.ERROR, logger="ingest_airflow.factory"):
        built = build_dags(directory, runner="local", strict=False)
    assert set(built) == {"ingest_caiso_5min", "ingest_caiso_15min", "ingest_caiso_daily"}
    messages = [r.getMessage() for r in caplog.records]
    assert any("pjm.yaml" in m and "datasets.lmp_rt_5min.lag" in m for m in messages), messages


def test_strict_mode_fails_on_a_broken_file(tmp_path):
    directory = _dir_with_broken_pjm(tmp_path)
    with pytest.raises(SpecError, match=r"pjm\.yaml: datasets\.lmp_rt_5min\.lag"):
        build_dags(directory, runner="local", strict=True)
