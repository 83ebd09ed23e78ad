"""The DAG folder as Airflow's DagBag sees it."""

from __future__ import annotations

import pytest
import yaml
from airflow.dag_processing.dagbag import DagBag

from conftest import CONNECTORS, DAGS


@pytest.fixture(params=["kubernetes", "local"])
def dagbag(request, monkeypatch):
    monkeypatch.setenv("INGEST_TASK_RUNNER", request.param)
    return DagBag(dag_folder=DAGS)


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"ingest_caiso_5min", "ingest_caiso_15min", "ingest_caiso_daily"} <= set(dagbag.dag_ids)


def test_every_dag_has_tags_owner_retries_and_docs(dagbag):
    assert dagbag.dags
    for dag_id, dag in dagbag.dags.items():
        assert any(t.startswith("market:") for t in dag.tags), dag_id
        assert any(t.startswith("kind:") for t in dag.tags), dag_id
        assert dag.doc_md, dag_id
        assert dag.max_active_runs >= 1, dag_id
        for task in dag.tasks:
            assert task.owner not in ("", "airflow"), task.task_id
            if not task.task_id.endswith(".wait_published"):
                assert task.retries >= 1, task.task_id
                assert task.execution_timeout is not None, task.task_id


def test_strict_mode_turns_a_broken_file_into_an_import_error(tmp_path, monkeypatch):
    broken = yaml.safe_load((CONNECTORS / "caiso.yaml").read_text())
    broken["defaults"]["retires"] = 3
    (tmp_path / "caiso.yaml").write_text(yaml.safe_dump(broken))
    monkeypatch.setenv("INGEST_CONNECTORS_DIR", str(tmp_path))
    monkeypatch.setenv("INGEST_TASK_RUNNER", "local")
    bag = DagBag(dag_folder=DAGS)
    assert not bag.dags
    (message,) = bag.import_errors.values()
    assert f"{tmp_path / 'caiso.yaml'}: defaults.retires: unknown key" in message


def test_without_strict_mode_a_broken_file_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    (tmp_path / "caiso.yaml").write_text((CONNECTORS / "caiso.yaml").read_text())
    (tmp_path / "miso.yaml").write_text("market: miso\ntimezone: [\n")
    monkeypatch.setenv("INGEST_CONNECTORS_DIR", str(tmp_path))
    monkeypatch.setenv("INGEST_TASK_RUNNER", "local")
    monkeypatch.setenv("INGEST_STRICT", "0")
    bag = DagBag(dag_folder=DAGS)
    assert bag.import_errors == {}
    assert {"ingest_caiso_5min", "ingest_caiso_15min", "ingest_caiso_daily"} == set(bag.dag_ids)
    assert any("miso.yaml" in r.getMessage() and "not valid YAML" in r.getMessage() for r in caplog.records)
