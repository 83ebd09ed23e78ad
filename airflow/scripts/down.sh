#!/usr/bin/env bash
# `make airflow-down`: stop what airflow-up started (process groups recorded in .airflow/run/).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
state="$AIRFLOW_HOME/run"
shopt -s nullglob
stopped=0
for pidfile in "$state"/airflow.pid "$state"/sim-*.pid; do
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "stopped $(basename "$pidfile" .pid) (process group $pid)"
    stopped=1
  fi
  rm -f "$pidfile"
done
if "$(dirname "${BASH_SOURCE[0]}")/postgres.sh" status | grep -q ': up'; then
  "$(dirname "${BASH_SOURCE[0]}")/postgres.sh" down
  stopped=1
fi
[ "$stopped" = 1 ] || echo "nothing running"
