"""SQLite connect arguments for the laptop Airflow (make airflow-up, tests).

The scheduler, the API server, the DAG processor and CLI commands such as
`airflow backfill create` write to one SQLite file; the default 5 s lock wait is too short
for that, so they wait up to a minute. Referenced by import path from airflow/scripts/env.sh
([database] sql_alchemy_connect_args). Production uses PostgreSQL.
"""

CONNECT_ARGS = {"timeout": 60}
