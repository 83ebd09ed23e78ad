"""The operator's workflows on a real Airflow: scheduler, DAG processor, API server and triggerer
(`make airflow-up`, LocalExecutor on PostgreSQL), the real JAR against the CAISO simulator.

Through the make targets a person uses: the DAG details in the market's time zone, pause and
unpause, a backfill over the fall-back day that loads three market days, clearing one task with
and without its downstream tasks (and the documented `airflow tasks clear` line), a manual run
for one market day, and a second backfill refused in one line while one runs, whose runs cover
the spring-forward days exactly once. Slow (about ten minutes): one Airflow for the module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

JAR = REPO / "java" / "tasks" / "target" / "ingest.jar"
SCRIPTS = REPO / "airflow" / "scripts"
DAG = "ingest_caiso_daily"
UTC = dt.UTC


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_port_pair() -> int:
    """A port whose successor is free too (up.sh gives each market's simulator the next port)."""
    for _ in range(50):
        p = _free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p + 1))
            except OSError:
                continue
        return p
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="module")
def live():
    if not JAR.exists():
        pytest.fail(f"{JAR.relative_to(REPO)} is missing: run 'make build' (make test-airflow does)")
    home = Path(tempfile.mkdtemp(prefix="ingest-live-airflow-"))
    # A PostgreSQL data directory must be readable by the server's user (postgres when run as root).
    home.chmod(0o755)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "INGEST_"))}
    env.update(
        AIRFLOW_HOME=str(home / "airflow"),
        INGEST_HOME=str(home / "ingest"),
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}",
        AIRFLOW_PG_PORT=str(_free_port()),
        INGEST_SIM_PORT=str(_free_port_pair()),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(_free_port()),
        AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL="5",
        INGEST_STRICT="1",
    )
    up = subprocess.run(["make", "-s", "--no-print-directory", "airflow-up"], cwd=REPO, env=env,
                        capture_output=True, text=True, timeout=600)  # fmt: skip
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        _wait_for_dags(port, env)
        yield env
    finally:
        subprocess.run([str(SCRIPTS / "down.sh")], cwd=REPO, env=env, capture_output=True, timeout=180)
        shutil.rmtree(home, ignore_errors=True)


def _api(env: dict, path: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{env['AIRFLOW__API__BASE_URL']}/api/v2{path}", data=data, method=method)  # noqa: S310
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 - loopback only
        raw = r.read()
    return json.loads(raw) if raw else {}


def _wait_for_dags(port: int, env: dict) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            ids = {d["dag_id"] for d in _api(env, "/dags")["dags"]}
            if {"ingest_caiso_5min", "ingest_caiso_15min", DAG} <= ids:
                return
        except OSError:
            pass
        time.sleep(2)
    pytest.fail("the local Airflow did not list the CAISO DAGs within 180 s")


def make(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def sql(env: dict, query: str, *params) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=int(env["AIRFLOW_PG_PORT"]), user="airflow", dbname="airflow")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _clean(proc: subprocess.CompletedProcess) -> None:
    text = proc.stdout + proc.stderr
    for noise in ("Traceback", "Warning", "graphviz", "\x1b["):
        assert noise not in text, text


def _utc(y, m, d, h=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=UTC)


def test_dag_details_show_the_schedule_in_the_market_timezone(live):
    details = _api(live, f"/dags/{DAG}/details")
    # (Its "timezone" field is the server's default_timezone in Airflow 3.3, whatever the DAG's.)
    assert details["timetable_summary"] == "market day (America/Los_Angeles)"
    assert "America/Los_Angeles" in details["timetable_description"]
    assert "23, 24 or 25 hours" in details["timetable_description"]


def test_pause_and_unpause_print_the_new_state_in_one_line_each(live):
    dags = ["ingest_caiso_5min", "ingest_caiso_15min", DAG]
    for verb, state in (("unpause", False), ("pause", True)):
        proc = make(live, verb, "MARKET=caiso")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        _clean(proc)
        assert proc.stdout.splitlines() == [f"{d}: {verb}d" for d in dags]
        rows = dict(sql(live, "SELECT dag_id, is_paused FROM dag WHERE dag_id LIKE 'ingest_caiso_%%'"))
        assert rows == dict.fromkeys(dags, state)


def _backfill_runs(env: dict, backfill_id: int) -> list[tuple[dt.datetime, dt.datetime, str]]:
    return sql(
        env,
        "SELECT data_interval_start, data_interval_end, state FROM dag_run WHERE backfill_id = %s "
        "ORDER BY data_interval_start",
        backfill_id,
    )


def _latest_backfill(env: dict) -> int:
    ((bid,),) = sql(env, "SELECT max(id) FROM backfill WHERE dag_id = %s", DAG)
    return bid


def test_backfill_over_the_fall_back_day_loads_three_market_days(live):
    proc = make(live, "backfill", f"DAG={DAG}", "FROM=2024-11-02", "TO=2024-11-04", "UNPAUSE=1", timeout=1500)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    _clean(proc)
    assert "3 run(s) planned" in out
    assert "2024-11-03 (25 h): 2024-11-03T07:00:00Z .. 2024-11-04T08:00:00Z" in out
    assert "[3/3] ingest_caiso_daily backfill" in out
    assert "3 success, 0 failed" in out
    # The run records: each Pacific day once, no gap, no overlap, 24 + 25 + 24 hours.
    runs = _backfill_runs(live, _latest_backfill(live))
    assert [(s.astimezone(UTC), e.astimezone(UTC), st) for s, e, st in runs] == [
        (_utc(2024, 11, 2, 7), _utc(2024, 11, 3, 7), "success"),
        (_utc(2024, 11, 3, 7), _utc(2024, 11, 4, 8), "success"),
        (_utc(2024, 11, 4, 8), _utc(2024, 11, 5, 8), "success"),
    ]
    # Silver: every node has 24, 25 and 24 hourly intervals on the three market days.
    query = (
        "SELECT day, min(n), max(n), count(*) FROM (SELECT location_id, CASE "
        "WHEN interval_start_utc < TIMESTAMPTZ '2024-11-03 07:00:00+00' THEN '2024-11-02' "
        "WHEN interval_start_utc < TIMESTAMPTZ '2024-11-04 08:00:00+00' THEN '2024-11-03' "
        "ELSE '2024-11-04' END AS day, "
        "count(DISTINCT interval_start_utc) AS n FROM silver_prices "
        "WHERE market = 'caiso' AND dataset = 'lmp_da_hourly' "
        "AND interval_start_utc >= TIMESTAMPTZ '2024-11-02 07:00:00+00' "
        "AND interval_start_utc < TIMESTAMPTZ '2024-11-05 08:00:00+00' GROUP BY 1, 2) GROUP BY day ORDER BY day"
    )
    got = subprocess.run([str(REPO / "bin" / "ingest"), "query", query, "--format", "csv"], cwd=REPO, env=live,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert got.returncode == 0, got.stderr
    rows = [line.split(",") for line in got.stdout.strip().splitlines()[1:]]
    assert [(d, int(lo), int(hi)) for d, lo, hi, _ in rows] == [
        ("2024-11-02", 24, 24),
        ("2024-11-03", 25, 25),
        ("2024-11-04", 24, 24),
    ]
    assert len({int(nodes) for *_, nodes in rows}) == 1
    assert int(rows[0][3]) > 0


def _tries(env: dict, run_id: str) -> dict[str, tuple[int, str]]:
    rows = sql(
        env,
        "SELECT task_id, try_number, state FROM task_instance WHERE dag_id = %s AND run_id = %s "
        "AND task_id LIKE 'lmp_da_hourly.%%'",
        DAG,
        run_id,
    )
    return {t: (n, s) for t, n, s in rows}


def _wait_tries(env: dict, run_id: str, expected: dict[str, int], timeout: float = 400) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        now = _tries(env, run_id)
        if all(now[t] == (n, "success") for t, n in expected.items()):
            return now
        failed = {t: v for t, v in now.items() if v[1] in ("failed", "upstream_failed")}
        assert not failed, failed
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout} s: {now}, expected tries {expected} in success")
        time.sleep(3)


def _run_of(env: dict, start: dt.datetime) -> str:
    ((run_id,),) = sql(env, "SELECT run_id FROM dag_run WHERE dag_id = %s AND data_interval_start = %s", DAG, start)
    return run_id


def test_clear_task_reruns_one_task_then_its_downstream(live):
    run_id = _run_of(live, _utc(2024, 11, 3, 7))
    before = {t: n for t, (n, s) in _tries(live, run_id).items()}
    # One task: normalize only (it replays from Bronze; enrich and load of a loaded interval need it
    # first, as a successful load prunes the interval's staging rows).
    proc = make(live, "clear-task", f"DAG={DAG}", "TASK=lmp_da_hourly.normalize", "AT=2024-11-03")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _clean(proc)
    assert "cleared 1 task instance(s): lmp_da_hourly.normalize" in proc.stdout
    after = _wait_tries(live, run_id, {"lmp_da_hourly.normalize": before["lmp_da_hourly.normalize"] + 1})
    for task in ("lmp_da_hourly.fetch", "lmp_da_hourly.enrich", "lmp_da_hourly.load"):
        assert after[task][0] == before[task]
    # With DOWNSTREAM=1: enrich and load, not normalize.
    proc = make(
        live, "clear-task", f"DAG={DAG}", "TASK=lmp_da_hourly.enrich", "AT=2024-11-03T07:00:00Z", "DOWNSTREAM=1"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "cleared 2 task instance(s): lmp_da_hourly.enrich, lmp_da_hourly.load" in proc.stdout
    after = _wait_tries(
        live,
        run_id,
        {
            "lmp_da_hourly.enrich": before["lmp_da_hourly.enrich"] + 1,
            "lmp_da_hourly.load": before["lmp_da_hourly.load"] + 1,
        },
    )
    assert after["lmp_da_hourly.normalize"][0] == before["lmp_da_hourly.normalize"] + 1
    # The line docs/airflow.md gives (Airflow's -t matches task ids by substring).
    proc = subprocess.run(
        [str(SCRIPTS / "airflow.sh"), "tasks", "clear", DAG, "-t", "lmp_da_hourly.normalize",
         "-s", "2024-11-03T07:00:00+00:00", "-e", "2024-11-03T07:00:00+00:00", "-y"],
        cwd=REPO, env=live, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _wait_tries(live, run_id, {"lmp_da_hourly.normalize": before["lmp_da_hourly.normalize"] + 2})
    # Usage errors are one line and change nothing.
    proc = make(live, "clear-task", f"DAG={DAG}", "TASK=lmp_da_hourly.nope", "AT=2024-11-03")
    assert proc.returncode == 2
    assert "has no task 'lmp_da_hourly.nope'" in proc.stderr
    proc = make(live, "clear-task", f"DAG={DAG}", "TASK=lmp_da_hourly.load", "AT=2023-01-01")
    assert proc.returncode == 2
    assert "has no run whose interval starts at 2023-01-01T08:00:00Z" in proc.stderr


def test_a_manual_run_for_one_market_day(live):
    proc = make(live, "trigger", f"DAG={DAG}", "DAY=2024-11-05")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _clean(proc)
    assert (
        "market day 2024-11-05 (America/Los_Angeles, 24 h), 2024-11-05T08:00:00Z .. 2024-11-06T08:00:00Z" in proc.stdout
    )
    ((run_id, start, end, conf, note),) = sql(
        live,
        "SELECT r.run_id, r.data_interval_start, r.data_interval_end, r.conf, n.content FROM dag_run r "
        "LEFT JOIN dag_run_note n ON n.dag_run_id = r.id WHERE r.dag_id = %s AND r.run_type = 'manual' "
        "AND r.conf::text LIKE '%%2024-11-05%%'",
        DAG,
    )
    assert (start, end) == (_utc(2024, 11, 5, 8), _utc(2024, 11, 6, 8))
    assert conf == {"market_day": "2024-11-05"}
    assert note.startswith("manual: market day 2024-11-05")
    _wait_tries(live, run_id, {"lmp_da_hourly.load": 1}, timeout=600)
    (summary,) = sql(
        live,
        "SELECT value FROM xcom WHERE dag_id = %s AND run_id = %s AND task_id = 'lmp_da_hourly.load' "
        "AND key = 'return_value'",
        DAG,
        run_id,
    )
    value = summary[0] if isinstance(summary[0], dict) else json.loads(summary[0])
    assert (value["interval_start"], value["interval_end"]) == ("2024-11-05T08:00:00Z", "2024-11-06T08:00:00Z")
    # A run triggered with only a logical date loads the interval that starts there.
    made = _api(live, f"/dags/{DAG}/dagRuns", "POST", {"logical_date": "2024-03-20T07:00:00Z", "conf": {}})
    assert made["data_interval_start"].startswith("2024-03-20T07:00:00")
    assert made["data_interval_end"].startswith("2024-03-21T07:00:00")
    # Airflow refuses (409) to delete a running run: stop it first, then delete it.
    made_path = f"/dags/{DAG}/dagRuns/{made['dag_run_id']}"
    _api(live, made_path, "PATCH", {"state": "failed"})
    _api(live, made_path, "DELETE")


def test_a_second_backfill_is_refused_in_one_line_and_the_spring_days_are_planned_once(live):
    proc = make(live, "backfill", f"DAG={DAG}", "FROM=2024-03-09", "TO=2024-03-11", "NO_WAIT=1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2024-03-10 (23 h): 2024-03-10T08:00:00Z .. 2024-03-11T07:00:00Z" in proc.stdout
    again = make(live, "backfill", f"DAG={DAG}", "FROM=2024-03-09", "TO=2024-03-11")
    assert again.returncode == 2
    _clean(again)
    assert again.stdout == ""
    # make's own closing line ("make: *** …", "make[2]: *** …" when make runs inside make) aside.
    lines = [x for x in again.stderr.strip().splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", x)]
    assert len(lines) == 1, again.stderr
    assert "a backfill is already running" in lines[0]
    runs = _backfill_runs(live, _latest_backfill(live))
    assert [(s.astimezone(UTC), e.astimezone(UTC)) for s, e, _ in runs] == [
        (_utc(2024, 3, 9, 8), _utc(2024, 3, 10, 8)),
        (_utc(2024, 3, 10, 8), _utc(2024, 3, 11, 7)),
        (_utc(2024, 3, 11, 7), _utc(2024, 3, 12, 7)),
    ]
    status = make(live, "backfill-status", f"DAG={DAG}")
    assert status.returncode == 0
    assert "running: [" in status.stdout
