"""The pod runner: each line of the pod's log at its JSON level in the task log, TRACEPARENT on the pod.

The provider's own PodManager reads a fake pod log here (its Kubernetes client mocked), so the
test goes through the same code path as a real pod's log.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from unittest import mock

import pytest
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.utils.pod_manager import PodManager
from kubernetes.client import models as k8s

from ingest_airflow.pod import IngestPodOperator, LevelledPodLog, levelled, pod_line_level, with_env
from ingest_airflow.tracing import TRACEPARENT, TRACEPARENT_FORMAT

POD_LOG = [
    '{"ts":"t","level":"INFO","run_id":"r","msg":"stage started"}',
    '{"ts":"t","level":"WARN","logger":"org.apache.kafka.clients.NetworkClient","msg":"node -1 unreachable"}',
    '{"ts":"t","level":"ERROR","msg":"payload rejected","exit_code":4}',
    '{"ts":"t","level":"DEBUG","logger":"io.lettuce.core","msg":"connecting"}',
    "caiso/lmp_rt_5min fetch: 1 payload (12 ms)",
    "Exception in thread main java.lang.OutOfMemoryError: Java heap space",
]


class RecordingLog:
    """Stands in for the task logger: what was logged, at which level."""

    def __init__(self) -> None:
        self.records: list[tuple[int, str]] = []

    def log(self, level: int, msg: str, *args) -> None:
        self.records.append((level, msg % args if args else msg))

    def info(self, msg: str, *args) -> None:
        self.log(logging.INFO, msg, *args)

    def warning(self, msg: str, *args) -> None:
        self.log(logging.WARNING, msg, *args)


def fake_pod_log(manager: PodManager, lines: list[str]) -> None:
    """The pod's log as the Kubernetes API streams it with timestamps=True, then a finished container."""
    stream = [f"2024-11-03T08:00:0{i}.000000000Z {line}\n".encode() for i, line in enumerate(lines)]
    manager.read_pod_logs = mock.MagicMock(return_value=stream)
    manager.container_is_running = mock.MagicMock(return_value=False)


def pod() -> k8s.V1Pod:
    return k8s.V1Pod(metadata=k8s.V1ObjectMeta(name="ingest-caiso-lmp-rt-5min-fetch", namespace="ingestion"))


def test_each_pod_log_line_is_logged_at_its_json_level():
    manager = PodManager(kube_client=mock.MagicMock())
    recorded = RecordingLog()
    manager._log = recorded
    levelled(manager)
    fake_pod_log(manager, POD_LOG)
    manager.fetch_container_logs(pod(), "base", follow=False)
    lines = [(level, msg) for level, msg in recorded.records if msg.startswith("[base] ")]
    assert [level for level, _ in lines] == [
        logging.INFO,
        logging.WARNING,
        logging.ERROR,
        logging.DEBUG,
        logging.INFO,
        logging.ERROR,
    ], lines
    assert lines[1][1] == "[base] " + POD_LOG[1]


def test_the_task_log_shows_the_levels(capsys):
    manager = levelled(PodManager(kube_client=mock.MagicMock()))
    fake_pod_log(manager, POD_LOG[:3])
    manager.fetch_container_logs(pod(), "base", follow=False)
    out = capsys.readouterr().out  # the task logger's lines: "<ts> [<level>] <message> [logger] ..."

    def level_of(text: str) -> str:
        (line,) = [line for line in out.splitlines() if text in line]
        return line.split("[", 1)[1].split("]", 1)[0].strip()

    assert level_of('"msg":"stage started"') == "info"
    assert level_of('"msg":"node -1 unreachable"') == "warning"
    assert level_of('"msg":"payload rejected"') == "error"


@pytest.mark.parametrize(
    ("level", "msg", "args", "expected"),
    [
        (logging.INFO, "[%s] %s", ("base", '{"level":"WARN","msg":"x"}'), logging.WARNING),  # older providers
        (logging.INFO, '[base] {"level":"ERROR","msg":"x"}', (), logging.ERROR),  # 10.x: the message formatted
        (logging.INFO, '{"level":"DEBUG","msg":"x"}', (), logging.DEBUG),  # no container prefix
        (logging.WARNING, "Pod %s has phase %s", ("p", "Failed"), logging.WARNING),  # the provider's own lines
        (logging.ERROR, "[base] ERROR: plain", (), logging.ERROR),  # the provider's prefix guess is kept
        (logging.INFO, "[base] {not json}", (), logging.INFO),
        (logging.INFO, "%s %s", ("only one",), logging.INFO),  # a message that does not format
    ],
)
def test_pod_line_level(level, msg, args, expected):
    assert pod_line_level(level, msg, args) == expected


def test_the_wrapper_passes_everything_else_through():
    recorded = RecordingLog()
    log = LevelledPodLog(recorded)
    log.warning("Pod %s log read interrupted", "p")
    log.info('[base] {"level":"WARN","msg":"w"}')
    assert recorded.records == [
        (logging.WARNING, "Pod p log read interrupted"),
        (logging.WARNING, '[base] {"level":"WARN","msg":"w"}'),
    ]
    manager = PodManager(kube_client=mock.MagicMock())
    assert levelled(levelled(manager)).log._log is not None
    assert not isinstance(manager.log._log, LevelledPodLog), "wrapped once"


def operator(**kwargs) -> IngestPodOperator:
    return IngestPodOperator(
        task_id="fetch",
        name="ingest-caiso-lmp-rt-5min-fetch",
        image="254carbon/ingest-task:test",
        env_vars=[k8s.V1EnvVar(name="INGEST_ENV", value="test")],
        **kwargs,
    )


def test_the_operator_wraps_its_pod_manager():
    op = operator()
    op.__dict__["client"] = mock.MagicMock()  # no cluster: the client the pod manager is built with
    assert isinstance(op, KubernetesPodOperator)
    assert isinstance(op.pod_manager, PodManager)
    assert isinstance(op.pod_manager.log, LevelledPodLog)


def test_execute_sets_the_traceparent_of_the_task_try_on_the_pod(monkeypatch):
    seen = {}

    def execute(self, context):
        seen["env"] = {e.name: e.value for e in self.env_vars}

    monkeypatch.setattr(KubernetesPodOperator, "execute", execute)
    ti = SimpleNamespace(dag_id="ingest_caiso_5min", run_id="scheduled__2024-11-03T08:00:00+00:00",
                         task_id="lmp_rt_5min.fetch", try_number=1, map_index=-1)  # fmt: skip
    op = operator()
    op.execute({"ti": ti})
    first = seen["env"][TRACEPARENT]
    assert TRACEPARENT_FORMAT.match(first), first
    assert seen["env"]["INGEST_ENV"] == "test"
    op.execute({"ti": SimpleNamespace(**{**vars(ti), "try_number": 2})})
    assert [e.name for e in op.env_vars].count(TRACEPARENT) == 1, "replaced, not added again"
    retry = seen["env"][TRACEPARENT]
    assert retry.split("-")[1] == first.split("-")[1], "same run: same trace id"
    assert retry.split("-")[2] != first.split("-")[2], "another try: another span id"


def test_with_env_replaces_an_entry_of_the_same_name():
    env = with_env([k8s.V1EnvVar(name="A", value="1"), k8s.V1EnvVar(name=TRACEPARENT, value="old")], TRACEPARENT, "new")
    assert [(e.name, e.value) for e in env] == [("A", "1"), (TRACEPARENT, "new")]
