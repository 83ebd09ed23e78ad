#!/usr/bin/env bash
# The operator workflows (backfill, trigger, clear, pause) against this checkout's local Airflow:
# python -m ingest_airflow.ops with the environment of airflow/scripts/env.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if [ ! -x "$AIRFLOW_VENV/bin/python" ]; then
  echo "airflow: $AIRFLOW_VENV has no Airflow; run 'make airflow-venv' first" >&2
  exit 2
fi
# One line per outcome: Airflow's own INFO logging stays out of it.
export AIRFLOW__LOGGING__LOGGING_LEVEL="${AIRFLOW__LOGGING__LOGGING_LEVEL:-WARNING}"
exec "$AIRFLOW_VENV/bin/python" -m ingest_airflow.ops "$@"
