"""Shared set-up: the plugins package on sys.path, strict mode, a private AIRFLOW_HOME.

Environment is set here, before any test imports Airflow (which reads its configuration
at import time).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGINS = REPO / "airflow" / "plugins"
CONNECTORS = REPO / "connectors"
DAGS = REPO / "airflow" / "dags"

if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))

_HOME = Path(tempfile.mkdtemp(prefix="ingest-airflow-tests-"))
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ["AIRFLOW_HOME"] = str(_HOME / "airflow")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(PLUGINS)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["INGEST_STRICT"] = "1"
os.environ.pop("INGEST_CONNECTORS_DIR", None)
os.environ.pop("INGEST_TASK_RUNNER", None)
os.environ.pop("INGEST_TASK_IMAGE", None)


def market_files() -> list[Path]:
    return sorted(CONNECTORS.glob("*.yaml"))
