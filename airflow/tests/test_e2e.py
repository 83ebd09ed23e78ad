"""The real thing: the Airflow CLI on a SQLite metadata DB, the task JAR as local processes,
the CAISO simulator as the ISO, the embedded warehouse in a temporary INGEST_HOME."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest_airflow.cli import local_bound

from conftest import CONNECTORS, PLUGINS, REPO

AIRFLOW = str(Path(sys.executable).parent / "airflow")
INGEST = str(REPO / "bin" / "ingest")
JAR = REPO / "java" / "tasks" / "target" / "ingest.jar"


def run(cmd: list[str], env: dict[str, str], timeout: int = 300, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if check and proc.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"
        )
    return proc


def json_out(stdout: str) -> list:
    """The JSON document of an ``-o json`` command (log lines may precede it)."""
    for line in stdout.splitlines():
        if line.startswith("["):
            return json.loads(line)
    return []


@pytest.fixture(scope="module")
def af_env(tmp_path_factory) -> dict[str, str]:
    """An Airflow home with a migrated SQLite DB, the markets' pools and the DAGs serialized."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home),
        INGEST_TASK_RUNNER="local",
        INGEST_STRICT="1",
        INGEST_HOME=str(tmp_path_factory.mktemp("ingest-home")),
        PYTHONPATH=str(PLUGINS),
    )
    run([AIRFLOW, "db", "migrate"], env)
    pools = run([sys.executable, "-m", "ingest_airflow.cli", "pools", str(CONNECTORS)], env).stdout
    for line in pools.splitlines():
        pool, slots, description = line.split("\t")
        run([AIRFLOW, "pools", "set", pool, slots, description], env)
    run([AIRFLOW, "dags", "reserialize"], env)
    return env


def test_dags_are_registered_without_import_errors(af_env):
    listed = json_out(run([AIRFLOW, "dags", "list", "-o", "json"], af_env).stdout)
    assert {"ingest_caiso_5min", "ingest_caiso_15min", "ingest_caiso_daily"} <= {d["dag_id"] for d in listed}
    assert json_out(run([AIRFLOW, "dags", "list-import-errors", "-o", "json"], af_env).stdout) == []


@pytest.mark.parametrize("runner", ["local", "kubernetes"])
def test_cli_render_gives_the_interval_in_utc(af_env, runner):
    env = dict(af_env, INGEST_TASK_RUNNER=runner, INGEST_TASK_IMAGE="registry.example/ingest-task:9")
    out = run(
        [AIRFLOW, "tasks", "render", "ingest_caiso_5min", "lmp_rt_5min.fetch", "2024-11-03T08:00:00+00:00"], env
    ).stdout
    assert (
        "'fetch', '--market', 'caiso', '--dataset', 'lmp_rt_5min', "
        "'--interval-start', '2024-11-03T08:00:00Z', '--interval-end', '2024-11-03T08:05:00Z'"
    ) in out
    if runner == "kubernetes":
        assert "registry.example/ingest-task:9" in out
        assert "'-jar', '/app/ingest.jar'" in out


_STAMP = re.compile(r"\|\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z))\s*\|")


def backfill_dry_run(env: dict[str, str], dag_id: str, first: str, last: str) -> list[dt.datetime]:
    tz = __import__("zoneinfo").ZoneInfo("America/Los_Angeles")
    cmd = [AIRFLOW, "backfill", "create", "--dag-id", dag_id, "--dry-run",
           "--from-date", local_bound(first, tz, end=False), "--to-date", local_bound(last, tz, end=True)]  # fmt: skip
    out = run(cmd, env).stdout
    return sorted(dt.datetime.fromisoformat(s).astimezone(dt.UTC) for s in _STAMP.findall(out))


def test_backfill_dry_run_over_two_days_lists_the_expected_runs(af_env):
    daily = backfill_dry_run(af_env, "ingest_caiso_daily", "2024-11-02", "2024-11-03")
    assert daily == [dt.datetime(2024, 11, 2, 7, tzinfo=dt.UTC), dt.datetime(2024, 11, 3, 7, tzinfo=dt.UTC)]
    quarter = backfill_dry_run(af_env, "ingest_caiso_15min", "2024-11-02", "2024-11-03")
    # 96 intervals on 2024-11-02, 100 on the 25-hour fall-back day.
    assert len(quarter) == 96 + 100
    assert quarter[0] == dt.datetime(2024, 11, 2, 7, tzinfo=dt.UTC)
    assert quarter[-1] == dt.datetime(2024, 11, 4, 7, 45, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def simulator(af_env):
    if not JAR.exists():
        pytest.fail(f"{JAR.relative_to(REPO)} is missing: run 'make build' (make test-airflow does)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [INGEST, "simulate", "--market", "caiso", "--port", str(port)],
        env=af_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    url = None
    while time.monotonic() < deadline and url is None:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"listening (http://\S+)", line)
        url = m.group(1) if m else None
    if url is None:
        proc.kill()
        pytest.fail("the CAISO simulator did not print 'listening http://…' within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def query_count(env: dict[str, str], sql: str) -> int:
    out = run([INGEST, "query", sql, "--format", "csv"], env).stdout
    rows = list(csv.reader(io.StringIO(out.strip())))
    assert len(rows) == 2, out
    return int(rows[1][0])


def test_dags_test_runs_the_jar_for_one_caiso_interval(af_env, simulator):
    env = dict(af_env, INGEST_CAISO_BASE_URL=simulator, INGEST_CAISO_REQUEST_SPACING="0s")
    proc = run([AIRFLOW, "dags", "test", "ingest_caiso_5min", "2024-11-03T08:00:00+00:00"], env, timeout=600)
    log = proc.stdout + proc.stderr
    for stage in ("fetch", "normalize", "enrich", "load"):
        expected = (
            rf"running \S*bin/ingest {stage} --market caiso --dataset lmp_rt_5min "
            r"--interval-start 2024-11-03T08:00:00Z --interval-end 2024-11-03T08:05:00Z"
        )
        assert re.search(expected, log), stage
    runs = json_out(run([AIRFLOW, "dags", "list-runs", "ingest_caiso_5min", "-o", "json"], env).stdout)
    # `dags test` runs with the given logical date; the run's interval starts there.
    (dag_run,) = [r for r in runs if r["logical_date"].startswith("2024-11-03T08:00:00")]
    assert dag_run["state"] == "success", dag_run
    states = json_out(
        run([AIRFLOW, "tasks", "states-for-dag-run", "ingest_caiso_5min", dag_run["run_id"], "-o", "json"], env).stdout
    )
    assert {s["task_id"]: s["state"] for s in states} == {
        "lmp_rt_5min.wait_published": "success",
        "lmp_rt_5min.fetch": "success",
        "lmp_rt_5min.normalize": "success",
        "lmp_rt_5min.enrich": "success",
        "lmp_rt_5min.load": "success",
    }
    silver = query_count(
        env,
        "SELECT count(*) FROM silver_prices WHERE market = 'caiso' AND dataset = 'lmp_rt_5min' "
        "AND interval_start_utc >= TIMESTAMPTZ '2024-11-03 08:00:00+00' "
        "AND interval_start_utc < TIMESTAMPTZ '2024-11-03 08:05:00+00'",
    )
    assert silver > 0
