"""The KubernetesPodOperator of a stage: the pod's log lines at their own level, and TRACEPARENT.

The provider logs every line of the pod's log at INFO (10.x guesses a level only from a prefix
such as ``ERROR:``, which a JSON line never has). :class:`IngestPodOperator` wraps the logger of
its pod manager so that each container line is logged at the level its JSON ``level`` names
(:func:`ingest_airflow.tasklog.line_level`, as the local runner does). The wrapper sits on the
logger, not on a private method: older providers log a line with ``log.info("[%s] %s", container,
line)``, 10.x with ``log.log(level, "[container] line")``; both come through it.
"""

from __future__ import annotations

import logging
import re
from functools import cached_property
from typing import Any

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.utils.pod_manager import PodManager
from kubernetes.client import models as k8s

from ingest_airflow.tasklog import line_level
from ingest_airflow.tracing import TRACEPARENT, traceparent

_CONTAINER_PREFIX = re.compile(r"^\[[^\]\s]+\] ", re.ASCII)


def pod_line_level(level: int, msg: Any, args: tuple) -> int:
    """The level to log one pod-manager message at: a container's JSON log line at its own
    ``level``; any other message at ``level`` (or ERROR for a JVM failure line)."""
    try:
        text = str(msg) % args if args else str(msg)
    except (TypeError, ValueError):
        return level
    text = _CONTAINER_PREFIX.sub("", text, count=1)
    mapped, obj = line_level(text)
    if obj is not None:
        return mapped
    return max(level, mapped)


class LevelledPodLog:
    """A logger that logs the pod's JSON lines at their level and passes everything else on as it is."""

    def __init__(self, log: Any) -> None:
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> Any:
        return self.log(logging.INFO, msg, *args, **kwargs)

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> Any:
        return self._log.log(pod_line_level(level, msg, args), msg, *args, **kwargs)


def levelled(manager: PodManager) -> PodManager:
    """``manager`` with its logger wrapped (LoggingMixin keeps the logger in ``_log``)."""
    log = manager.log
    if not isinstance(log, LevelledPodLog):
        manager._log = LevelledPodLog(log)
    return manager


def with_env(env_vars: list | None, name: str, value: str) -> list:
    """``env_vars`` with ``name`` set to ``value`` (an earlier entry of that name replaced)."""
    kept = [e for e in env_vars or [] if getattr(e, "name", None) != name]
    return [*kept, k8s.V1EnvVar(name=name, value=value)]


class IngestPodOperator(KubernetesPodOperator):
    """KubernetesPodOperator for a stage of the task JAR (runners.stage_task)."""

    @cached_property
    def pod_manager(self) -> PodManager:
        return levelled(super().pod_manager)

    def execute(self, context: Any) -> Any:
        tp = traceparent(context)
        if tp:
            self.env_vars = with_env(self.env_vars, TRACEPARENT, tp)
        return super().execute(context)
