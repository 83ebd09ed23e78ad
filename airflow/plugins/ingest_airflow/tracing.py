"""The W3C trace context a stage's JAR runs in: ``TRACEPARENT=00-<trace id>-<span id>-<flags>``.

Every task of one DAG run shares one trace id; each try of each task has a span id of its own.
When Airflow records a trace for the task (OpenTelemetry on in the worker, the run sampled), the
JAR joins it: the parent is the task's current span. Otherwise the ids are derived from the run,
so the same run gives the same trace id in every runner and on every retry:

- trace id: the first 16 bytes of sha256("<dag_id>\\x1f<run_id>"), 32 hex digits;
- span id: the first 8 bytes of sha256("<dag_id>\\x1f<run_id>\\x1f<task_id>\\x1f<try_number>")
  (``\\x1f<map_index>`` appended for a mapped task), 16 hex digits;
- flags ``01`` (sampled: the JAR's own tracing decides what it exports).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

TRACEPARENT = "TRACEPARENT"
TRACEPARENT_FORMAT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")
_SEP = "\x1f"  # between the parts, so ("a", "bc") and ("ab", "c") differ


def _hex(text: str, nbytes: int) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[: 2 * nbytes]
    # an all-zero id is invalid in W3C trace context; sha256 gives one with probability ~2^-64
    return digest if digest.strip("0") else "0" * (2 * nbytes - 1) + "1"


def derived_traceparent(dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int | None = -1) -> str:
    """The traceparent of one task try derived from its run (see the module docstring)."""
    run = f"{dag_id}{_SEP}{run_id}"
    span = f"{run}{_SEP}{task_id}{_SEP}{try_number}"
    if map_index is not None and map_index >= 0:
        span += f"{_SEP}{map_index}"
    return f"00-{_hex(run, 16)}-{_hex(span, 8)}-01"


def airflow_traceparent() -> str | None:
    """The current OpenTelemetry span as a traceparent when Airflow records it (valid and sampled), else None."""
    try:
        from opentelemetry import trace
    except ImportError:  # pragma: no cover - Airflow 3 depends on opentelemetry-api
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid or not ctx.trace_flags.sampled:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def traceparent(context: Mapping[str, Any] | None) -> str | None:
    """The TRACEPARENT of the task instance in ``context``: Airflow's span when it records one,
    else derived from the run; None without a task instance (a bare ``execute({})``)."""
    recorded = airflow_traceparent()
    if recorded:
        return recorded
    ti = context.get("ti") if context else None
    if ti is None:
        return None
    return derived_traceparent(ti.dag_id, ti.run_id, ti.task_id, ti.try_number, getattr(ti, "map_index", -1))
