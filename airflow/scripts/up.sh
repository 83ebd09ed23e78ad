#!/usr/bin/env bash
# `make airflow-up`: a local Airflow 3 (api-server, scheduler, dag-processor, triggerer via
# `airflow standalone`, LocalExecutor) on a PostgreSQL metadata database in .airflow/postgres,
# DAGs from this checkout, the local runner, the embedded warehouse in .ingest/, and each
# market's simulator as its ISO endpoint.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$INGEST_REPO"
mkdir -p "$AIRFLOW_HOME"
state="$AIRFLOW_HOME/run"
mkdir -p "$state"
ui="http://$AIRFLOW__API__HOST:$AIRFLOW__API__PORT"
sim_port=${INGEST_SIM_PORT:-8099}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Simulators: one per market, consecutive ports; INGEST_<MARKET>_BASE_URL points the JAR at it.
: > "$state/sim.env"
for market in $(PYTHONPATH=airflow/plugins python -m ingest_airflow.cli dags connectors | sed -E 's/^ingest_([a-z0-9]+)_.*/\1/' | sort -u); do
  pidfile="$state/sim-$market.pid"
  upper=$(echo "$market" | tr '[:lower:]' '[:upper:]')
  if ! alive "$pidfile"; then
    log="$AIRFLOW_HOME/simulator-$market.log"
    setsid bin/ingest simulate --market "$market" --port "$sim_port" > "$log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    for _ in $(seq 1 60); do
      grep -q "listening" "$log" 2>/dev/null && break
      alive "$pidfile" || break
      sleep 0.5
    done
    if ! grep -q "listening" "$log" 2>/dev/null; then
      # Without it the tasks would go to the ISO's real hosts: refuse rather than half-start.
      echo "airflow-up: the $market simulator did not start (see $log); nothing else was started" >&2
      tail -5 "$log" >&2
      rm -f "$pidfile"
      exit 1
    fi
    echo "simulator $market: $(grep -m1 -o 'http://[0-9.:]*' "$log")"
  fi
  url=$(grep -m1 -o 'http://[0-9.:]*' "$AIRFLOW_HOME/simulator-$market.log")
  echo "export INGEST_${upper}_BASE_URL=$url INGEST_${upper}_REQUEST_SPACING=0s" >> "$state/sim.env"
  sim_port=$((sim_port + 1))
done
source "$state/sim.env"

if alive "$state/airflow.pid"; then
  echo "Airflow is already running: $ui"
  exit 0
fi

if [ "${INGEST_AIRFLOW_DB:-postgres}" != sqlite ]; then
  "$(dirname "${BASH_SOURCE[0]}")/postgres.sh" up
fi
airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 || { cat "$AIRFLOW_HOME/db-migrate.log" >&2; exit 1; }
PYTHONPATH=airflow/plugins python -m ingest_airflow.cli pools connectors | while IFS=$'\t' read -r pool slots desc; do
  airflow pools set "$pool" "$slots" "$desc" > /dev/null 2>&1
done
airflow dags reserialize > "$AIRFLOW_HOME/reserialize.log" 2>&1 || true

setsid airflow standalone > "$AIRFLOW_HOME/standalone.log" 2>&1 < /dev/null &
echo $! > "$state/airflow.pid"
for _ in $(seq 1 180); do
  if curl -fsS "$ui/api/v2/monitor/health" > /dev/null 2>&1; then
    echo "Airflow UI: $ui  (local runner, warehouse $INGEST_HOME; logs in $AIRFLOW_HOME/standalone.log)"
    echo "New DAGs start paused: unpause in the UI or 'make unpause MARKET=caiso'. Stop with 'make airflow-down'."
    exit 0
  fi
  alive "$state/airflow.pid" || { tail -30 "$AIRFLOW_HOME/standalone.log" >&2; echo "airflow-up: Airflow exited" >&2; exit 1; }
  sleep 1
done
echo "airflow-up: no answer from $ui after 180 s; see $AIRFLOW_HOME/standalone.log" >&2
exit 1
