"""Run one stage of the task JAR as a local process (laptops, CI).

Same arguments as the KubernetesPodOperator in production; the exit codes of the JAR map to
Airflow outcomes: 0 success, 99 skipped (not published yet), 2 and 4 failed without retry
(usage/config, payload rejected: a retry gives the same answer), anything else failed with
retry (1 bug, 3 upstream unavailable).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from ingest_airflow.tasklog import line_level
from ingest_airflow.tracing import TRACEPARENT, traceparent

REPO_ROOT = Path(__file__).resolve().parents[3]
EXIT_NOT_PUBLISHED = 99
EXIT_NO_RETRY = {2: "usage or configuration error", 4: "payload rejected or quality gate failed"}
# Airflow's own settings and credentials stay out of the task's environment.
_WITHHELD_PREFIXES = ("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_", "_AIRFLOW")


def overhead_line(wall_seconds: float, timing: dict | None) -> str:
    """Where a task's time went: the process wall time against the JAR's own timing line."""
    if not timing:
        return f"task process: {wall_seconds:.1f} s wall (the JAR wrote no timing line)"
    total = float(timing.get("total_ms", 0)) / 1000
    parts = [
        f"jvm start {float(timing.get('jvm_start_ms', 0)) / 1000:.1f} s",
        f"setup {float(timing.get('setup_ms', 0)) / 1000:.1f} s",
        f"lock wait {float(timing.get('lock_wait_ms', 0)) / 1000:.1f} s",
        f"stages {float(timing.get('stage_ms', 0)) / 1000:.1f} s",
        f"close {float(timing.get('close_ms', 0)) / 1000:.1f} s",
    ]
    return (
        f"task process: {wall_seconds:.1f} s wall = JAR {total:.1f} s ({', '.join(parts)}) "
        f"+ {max(0.0, wall_seconds - total):.1f} s outside the JAR (process spawn, JVM exit)"
    )


def ingest_command() -> list[str]:
    """How to run the JAR: $INGEST_BIN (a path, or a command split like a shell line, e.g.
    ``java -jar /app/ingest.jar`` in a container), else bin/ingest of this checkout."""
    configured = os.environ.get("INGEST_BIN", "").strip()
    return shlex.split(configured) if configured else [str(REPO_ROOT / "bin" / "ingest")]


def task_environment(base: dict[str, str], summary_file: str, trace: str | None = None) -> dict[str, str]:
    """The process environment: the worker's own (INGEST_*, CLICKHOUSE_DSN, KAFKA_BOOTSTRAP_SERVERS,
    SCHEMA_REGISTRY_URL, REDIS_URL, API keys, PATH, JAVA_HOME…) less Airflow's settings, with the
    task's TRACEPARENT (tracing.traceparent) when there is one."""
    env = {k: v for k, v in base.items() if not k.startswith(_WITHHELD_PREFIXES)}
    env["INGEST_SUMMARY_FILE"] = summary_file
    if trace:
        env[TRACEPARENT] = trace
    return env


class LocalIngestOperator(BaseOperator):
    """``ingest <stage> --market … --interval-start … --run-id …`` as a child process.

    The JSON summary the stage writes to $INGEST_SUMMARY_FILE is the task's return value,
    pushed as XCom (``return_value``) like the pod's /airflow/xcom/return.json.
    """

    template_fields: Sequence[str] = ("arguments",)
    template_fields_renderers: ClassVar[dict[str, str]] = {"arguments": "py"}
    ui_color = "#e8f1fb"

    def __init__(self, *, arguments: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arguments = arguments
        self._proc: subprocess.Popen[str] | None = None

    def command(self) -> list[str]:
        return [*ingest_command(), *self.arguments]

    def execute(self, context: Any) -> Any:
        cmd = self.command()
        with tempfile.TemporaryDirectory(prefix="ingest-xcom-") as tmp:
            summary = Path(tmp) / "return.json"
            self.log.info("running %s", shlex.join(cmd))
            started = time.monotonic()
            self._proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=task_environment(dict(os.environ), str(summary), traceparent(context)),
                cwd=REPO_ROOT,
                text=True,
            )
            assert self._proc.stdout is not None
            timing = None
            for line in self._proc.stdout:
                level, obj = line_level(line)
                if obj is not None and obj.get("msg") == "timing":
                    timing = obj
                self.log.log(level, "%s", line.rstrip("\n"))
            code = self._proc.wait()
            self._proc = None
            self.log.info("%s", overhead_line(time.monotonic() - started, timing))
            what = f"{' '.join(self.arguments[:5])} exited {code}"
            if code == EXIT_NOT_PUBLISHED:
                raise AirflowSkipException(f"{what}: not published yet; skipped, the next run or a clear retries it")
            if code in EXIT_NO_RETRY:
                raise AirflowFailException(f"{what}: {EXIT_NO_RETRY[code]}; not retried, see the log above")
            if code != 0:
                raise AirflowException(f"{what}; will be retried if retries remain")
            if not summary.exists():
                self.log.warning("%s: no summary written to INGEST_SUMMARY_FILE; no XCom", what)
                return None
            return json.loads(summary.read_text(encoding="utf-8"))

    def on_kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            self.log.info("terminating pid %s", proc.pid)
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
