"""The one file the scheduler parses: builds every ingest DAG from connectors/*.yaml.

Connectors directory: $INGEST_CONNECTORS_DIR, else connectors/ of this checkout.
Runner: $INGEST_TASK_RUNNER (kubernetes | local). Strict mode: INGEST_STRICT=1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
_PLUGINS = _REPO / "airflow" / "plugins"
if str(_PLUGINS) not in sys.path:  # the plugins folder is on sys.path in a configured Airflow
    sys.path.append(str(_PLUGINS))

from ingest_airflow.factory import build_dags  # noqa: E402

CONNECTORS_DIR = Path(os.environ.get("INGEST_CONNECTORS_DIR") or _REPO / "connectors")

# Module-level names are how the DAG processor finds DAGs.
globals().update(build_dags(CONNECTORS_DIR))
