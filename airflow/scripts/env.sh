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
# SQLite is shared by several Airflow processes here: wait for its lock instead of failing.
export PYTHONPATH="$_af_root/airflow/plugins${PYTHONPATH:+:$PYTHONPATH}"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS:-ingest_airflow.localdb.CONNECT_ARGS}"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC:-ingest_airflow.localdb.CONNECT_ARGS}"
export INGEST_TASK_RUNNER="${INGEST_TASK_RUNNER:-local}"
export INGEST_HOME="${INGEST_HOME:-$_af_root/.ingest}"
export PATH="$AIRFLOW_VENV/bin:$PATH"
unset _af_root
