"""The local runner: the JAR's exit codes as Airflow outcomes, the summary as XCom.

A small script stands in for bin/ingest here (INGEST_BIN); the end-to-end test runs the
real JAR.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from ingest_airflow.local import LocalIngestOperator, ingest_command, task_environment

FAKE = """#!/usr/bin/env bash
echo "stage=$1 args=$*" >&2
printf '%s' "$FAKE_SUMMARY" > "$INGEST_SUMMARY_FILE"
env > "$FAKE_ENV_DUMP"
exit "$FAKE_EXIT"
"""


@pytest.fixture
def fake_ingest(tmp_path, monkeypatch):
    script = tmp_path / "ingest"
    script.write_text(FAKE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("INGEST_BIN", str(script))
    monkeypatch.setenv("FAKE_ENV_DUMP", str(tmp_path / "env.txt"))
    monkeypatch.setenv("FAKE_SUMMARY", json.dumps({"stage": "fetch", "payloads": 1, "rows": 42}))
    return tmp_path


def operator() -> LocalIngestOperator:
    return LocalIngestOperator(
        task_id="fetch",
        arguments=["fetch", "--market", "caiso", "--dataset", "lmp_rt_5min"],
    )


def test_success_returns_the_summary_for_xcom(fake_ingest, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT", "0")
    monkeypatch.setenv("INGEST_CAISO_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CLICKHOUSE_DSN", "http://ch:8123")
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://secret")
    assert operator().execute(context={}) == {"stage": "fetch", "payloads": 1, "rows": 42}
    env = dict(line.split("=", 1) for line in (fake_ingest / "env.txt").read_text().splitlines() if "=" in line)
    assert env["INGEST_CAISO_BASE_URL"] == "http://127.0.0.1:1"
    assert env["CLICKHOUSE_DSN"] == "http://ch:8123"
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in env
    assert env["INGEST_SUMMARY_FILE"].endswith("return.json")


def test_exit_99_is_a_skip(fake_ingest, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT", "99")
    with pytest.raises(AirflowSkipException, match="not published yet"):
        operator().execute(context={})


@pytest.mark.parametrize("code", [2, 4])
def test_exit_2_and_4_fail_without_retry(fake_ingest, monkeypatch, code):
    monkeypatch.setenv("FAKE_EXIT", str(code))
    with pytest.raises(AirflowFailException, match=f"exited {code}"):
        operator().execute(context={})


@pytest.mark.parametrize("code", [1, 3])
def test_exit_1_and_3_fail_with_retry(fake_ingest, monkeypatch, code):
    monkeypatch.setenv("FAKE_EXIT", str(code))
    with pytest.raises(AirflowException, match=f"exited {code}") as info:
        operator().execute(context={})
    assert not isinstance(info.value, (AirflowFailException, AirflowSkipException))


def test_default_binary_is_the_checkout_wrapper(monkeypatch):
    monkeypatch.delenv("INGEST_BIN", raising=False)
    (path,) = ingest_command()
    assert path.endswith(os.path.join("bin", "ingest"))
    assert os.access(path, os.X_OK)


def test_ingest_bin_may_be_a_command_line(monkeypatch):
    monkeypatch.setenv("INGEST_BIN", "java -jar /app/ingest.jar")
    assert operator().command()[:4] == ["java", "-jar", "/app/ingest.jar", "fetch"]


def test_environment_withholds_airflow_settings_only():
    env = task_environment(
        {"PATH": "/bin", "INGEST_HOME": "/d", "REDIS_URL": "redis://r", "AIRFLOW_CONN_X": "s", "_AIRFLOW_Y": "z"},
        "/tmp/s.json",
    )
    assert env == {"PATH": "/bin", "INGEST_HOME": "/d", "REDIS_URL": "redis://r", "INGEST_SUMMARY_FILE": "/tmp/s.json"}


LEVELS = """#!/usr/bin/env bash
echo '{"ts":"t","level":"INFO","msg":"stage started"}' >&2
echo '{"ts":"t","level":"WARN","msg":"retrying after HTTP 503"}' >&2
echo '{"ts":"t","level":"ERROR","msg":"payload rejected"}' >&2
echo 'caiso/lmp_rt_5min fetch: 1 payload (12 ms)'
echo '{"ts":"t","level":"INFO","msg":"timing","jvm_start_ms":400,"setup_ms":600,"lock_wait_ms":0,'\
'"stage_ms":2000,"close_ms":100,"total_ms":3100}' >&2
printf '{}' > "$INGEST_SUMMARY_FILE"
"""


def test_the_jar_log_levels_and_the_overhead_reach_the_task_log(tmp_path, monkeypatch, capsys):
    script = tmp_path / "ingest"
    script.write_text(LEVELS)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("INGEST_BIN", str(script))
    operator().execute({})
    out = capsys.readouterr().out  # the task logger's lines: "<ts> [<level>] <message> [logger] ..."

    def level_of(text: str) -> str:
        (line,) = [line for line in out.splitlines() if text in line]
        return line.split("[", 1)[1].split("]", 1)[0].strip()

    assert level_of('"msg":"retrying after HTTP 503"') == "warning"
    assert level_of('"msg":"payload rejected"') == "error"
    assert level_of('"msg":"stage started"') == "info"
    assert level_of("caiso/lmp_rt_5min fetch: 1 payload") == "info"
    assert "= JAR 3.1 s (jvm start 0.4 s, setup 0.6 s, lock wait 0.0 s, stages 2.0 s, close 0.1 s)" in out
    assert level_of("outside the JAR") == "info"


def test_line_levels():
    import logging

    from ingest_airflow.local import line_level, overhead_line

    assert line_level('{"level":"WARN","msg":"x"}')[0] == logging.WARNING
    assert line_level("Exception in thread main java.lang.OutOfMemoryError")[0] == logging.ERROR
    assert line_level("{not json}")[0] == logging.INFO
    assert overhead_line(2.0, None) == "task process: 2.0 s wall (the JAR wrote no timing line)"
