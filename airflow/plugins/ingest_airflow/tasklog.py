"""The JAR's output in the Airflow task log: each line at the level it was written at.

Both runners read the same lines (stderr: JSON log lines; stdout: the one-line stage summaries):
the local runner from its child process, the pod runner from the pod's log (pod.py).
"""

from __future__ import annotations

import json
import logging

# The JAR's JSON log levels -> Python logging levels, so WARN/ERROR lines stay WARN/ERROR in the task log.
_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING, "WARNING": logging.WARNING,
           "ERROR": logging.ERROR}  # fmt: skip


def line_level(line: str) -> tuple[int, dict | None]:
    """The logging level of one line of the JAR's output (a JSON log line carries ``level``; a
    plain line, such as the stage summary on stdout or a JVM message, is INFO) and the parsed
    JSON object, if it is one."""
    text = line.strip()
    if text.startswith("{") and text.endswith("}"):
        try:
            obj = json.loads(text)
        except ValueError:
            return logging.INFO, None
        if isinstance(obj, dict):
            return _LEVELS.get(str(obj.get("level", "INFO")).upper(), logging.INFO), obj
    if text.startswith(("Exception in thread", "Error:", "Caused by:")):
        return logging.ERROR, None
    return logging.INFO, None
