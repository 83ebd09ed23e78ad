#!/usr/bin/env bash
# `airflow …` against this checkout's local Airflow (.airflow/, DAGs from airflow/dags).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if [ ! -x "$AIRFLOW_VENV/bin/airflow" ]; then
  echo "airflow: $AIRFLOW_VENV has no Airflow; run 'make airflow-venv' first" >&2
  exit 2
fi
exec airflow "$@"
