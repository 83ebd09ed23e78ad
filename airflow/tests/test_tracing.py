"""TRACEPARENT: one trace id per DAG run, one span id per task try; Airflow's own span when it records one."""

from __future__ import annotations

import hashlib
import json
import stat
from types import SimpleNamespace

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from ingest_airflow.local import LocalIngestOperator, task_environment
from ingest_airflow.tracing import TRACEPARENT_FORMAT, derived_traceparent, traceparent

DAG = "ingest_caiso_5min"
RUN = "scheduled__2024-11-03T08:00:00+00:00"


def ti(task_id: str, try_number: int = 1, run_id: str = RUN) -> SimpleNamespace:
    return SimpleNamespace(dag_id=DAG, run_id=run_id, task_id=task_id, try_number=try_number, map_index=-1)


def parts(tp: str) -> tuple[str, str, str, str]:
    version, trace_id, span_id, flags = tp.split("-")
    return version, trace_id, span_id, flags


def test_the_format_is_w3c_version_00_sampled():
    tp = derived_traceparent(DAG, RUN, "lmp_rt_5min.fetch", 1)
    assert TRACEPARENT_FORMAT.match(tp), tp
    version, trace_id, span_id, flags = parts(tp)
    assert (version, flags, len(trace_id), len(span_id)) == ("00", "01", 32, 16)
    assert trace_id == hashlib.sha256(f"{DAG}\x1f{RUN}".encode()).hexdigest()[:32]
    assert tp == derived_traceparent(DAG, RUN, "lmp_rt_5min.fetch", 1), "deterministic"


def test_the_tasks_of_one_run_share_the_trace_id_and_each_try_has_its_own_span_id():
    tps = [traceparent({"ti": ti(t, n)}) for t in ("lmp_rt_5min.fetch", "lmp_rt_5min.normalize") for n in (1, 2)]
    assert len({parts(tp)[1] for tp in tps}) == 1, tps
    assert len({parts(tp)[2] for tp in tps}) == 4, tps
    other_run = traceparent({"ti": ti("lmp_rt_5min.fetch", run_id="manual__2024-11-04")})
    assert parts(other_run)[1] != parts(tps[0])[1]
    assert derived_traceparent(DAG, RUN, "t", 1, 0) != derived_traceparent(DAG, RUN, "t", 1, 1), "mapped tasks differ"
    assert derived_traceparent("a", "bc", "t", 1) != derived_traceparent("ab", "c", "t", 1)


def test_no_task_instance_no_traceparent():
    assert traceparent({}) is None
    assert traceparent(None) is None


def test_a_span_that_airflow_records_is_the_parent():
    sampled = SpanContext(trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7, is_remote=False,
                          trace_flags=TraceFlags(TraceFlags.SAMPLED))  # fmt: skip
    with trace.use_span(NonRecordingSpan(sampled)):
        assert traceparent({"ti": ti("lmp_rt_5min.fetch")}) == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    unsampled = SpanContext(trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7, is_remote=False,
                            trace_flags=TraceFlags(0))  # fmt: skip
    with trace.use_span(NonRecordingSpan(unsampled)):
        tp = traceparent({"ti": ti("lmp_rt_5min.fetch")})
    assert tp == derived_traceparent(DAG, RUN, "lmp_rt_5min.fetch", 1), "not recorded by Airflow: derived, sampled"


def test_the_local_runner_passes_the_traceparent_to_the_process(tmp_path, monkeypatch):
    script = tmp_path / "ingest"
    script.write_text('#!/usr/bin/env bash\nprintf \'{"tp":"%s"}\' "$TRACEPARENT" > "$INGEST_SUMMARY_FILE"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("INGEST_BIN", str(script))
    monkeypatch.setenv("TRACEPARENT", "00-" + "1" * 32 + "-" + "2" * 16 + "-01")  # the worker's own: replaced
    got = []
    for task_id in ("lmp_rt_5min.fetch", "lmp_rt_5min.normalize"):
        op = LocalIngestOperator(task_id=task_id.split(".")[1], arguments=[task_id.split(".")[1]])
        got.append(op.execute({"ti": ti(task_id)})["tp"])
    assert got == [derived_traceparent(DAG, RUN, t, 1) for t in ("lmp_rt_5min.fetch", "lmp_rt_5min.normalize")]
    assert parts(got[0])[1] == parts(got[1])[1]
    assert json.loads(json.dumps(task_environment({}, "/s.json", got[0])))["TRACEPARENT"] == got[0]
    assert "TRACEPARENT" not in task_environment({}, "/s.json")
