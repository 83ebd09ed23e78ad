# Sourced by the airflow/scripts/*.sh helpers and mk/airflow.mk: the environment of a local
# Airflow that parses this checkout's DAGs and runs the task JAR as local processes.
# Every value can be overridden from the caller's environment.
_af_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export INGEST_REPO="$_af_root"
export AIRFLOW_VENV="${AIRFLOW_VENV:-$_af_root/.venv/airflow}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$_af_root/.airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$_af_root/airflow/dags}"
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-$_af_root/airflow/plugins}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-True}"
# A laptop Airflow: everyone who reaches the loopback UI is an admin, no password.
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS:-True}"
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-8080}"
# Task processes reach the execution API through the base URL: keep it on the same port.
export AIRFLOW__API__BASE_URL="${AIRFLOW__API__BASE_URL:-http://$AIRFLOW__API__HOST:$AIRFLOW__API__PORT}"
export PYTHONPATH="$_af_root/airflow/plugins${PYTHONPATH:+:$PYTHONPATH}"
# Metadata database: PostgreSQL on loopback (airflow/scripts/postgres.sh, started by airflow-up),
# as in production. INGEST_AIRFLOW_DB=sqlite keeps the old single-file database.
export AIRFLOW_PG_PORT="${AIRFLOW_PG_PORT:-5433}"
if [ "${INGEST_AIRFLOW_DB:-postgres}" = sqlite ]; then
  # SQLite is shared by several Airflow processes: wait for its lock instead of failing.
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS:-ingest_airflow.localdb.CONNECT_ARGS}"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC:-ingest_airflow.localdb.CONNECT_ARGS}"
else
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-postgresql+psycopg2://airflow@127.0.0.1:$AIRFLOW_PG_PORT/airflow}"
  export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
  export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
fi
# Quiet CLI helpers: no Python warnings (graphviz, deprecations) in one-line outputs.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export INGEST_TASK_RUNNER="${INGEST_TASK_RUNNER:-local}"
export INGEST_HOME="${INGEST_HOME:-$_af_root/.ingest}"
export PATH="$AIRFLOW_VENV/bin:$PATH"
unset _af_root
