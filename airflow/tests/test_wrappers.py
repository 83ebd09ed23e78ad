"""The make wrappers as a script or a pipe sees them: no colour codes, no make errors for a status."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_help_has_no_ansi_codes_when_not_a_terminal():
    proc = make("help")
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout
    for target in ("backfill", "backfill-status", "trigger", "clear-task", "pause", "unpause", "infra-status"):
        assert re.search(rf"^  {re.escape(target)}\s+\S", proc.stdout, re.M), target


def test_infra_status_reports_each_server_and_is_never_a_make_error():
    proc = make("infra-status")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == ["clickhouse", "kafka", "redis", "registry"]
    assert all(re.fullmatch(r"[a-z]+: (up|down)", line) for line in lines), lines
    assert "Error" not in proc.stderr


def test_usage_errors_of_the_operator_targets_are_one_line():
    for args in (["backfill", "DAG=ingest_caiso_daily"], ["trigger"], ["clear-task", "DAG=x"]):
        proc = make(*args)
        assert proc.returncode == 2
        assert proc.stderr.splitlines()[0].startswith("usage: make ")
