# Airflow: the DAG factory's virtual environment, tests and day-to-day operations.
# Included by the root Makefile; docs/airflow.md explains each target.

AF_VENV := .venv/airflow
AF_PY := $(AF_VENV)/bin/python
AF_STAMP := $(AF_VENV)/.installed
AF := $(ROOT)/airflow/scripts/airflow.sh
AF_CLI := PYTHONPATH=$(ROOT)/airflow/plugins $(ROOT)/$(AF_PY) -m ingest_airflow.cli
AF_OPS := $(ROOT)/airflow/scripts/ops.sh
AF_PY_SRC := airflow/dags airflow/plugins airflow/tests

TEST_TARGETS += test-airflow

.PHONY: airflow-venv airflow-constraints test-airflow airflow-lint airflow-up airflow-down airflow-dags \
	backfill backfill-status trigger pause unpause clear-task run-interval

$(AF_STAMP): airflow/requirements.txt airflow/constraints.txt
	@rm -f $(AF_STAMP)
	@test -x $(AF_PY) || python3 -m venv $(AF_VENV)
	$(AF_PY) -m pip install -q --disable-pip-version-check -r airflow/requirements.txt -c airflow/constraints.txt
	@touch $(AF_STAMP)

airflow-venv: $(AF_STAMP) ## Install Airflow 3 + the cncf.kubernetes provider into .venv/airflow (pinned; no-op when installed)

airflow-constraints: ## Re-resolve airflow/requirements.txt in a scratch venv and rewrite airflow/constraints.txt
	rm -rf .venv/airflow-resolve && python3 -m venv .venv/airflow-resolve
	.venv/airflow-resolve/bin/python -m pip install -q --disable-pip-version-check -r airflow/requirements.txt
	{ echo "# Resolved versions for requirements.txt on Python 3.11 (pip freeze of a clean install)."; \
	  echo "# Regenerate: make airflow-constraints"; \
	  .venv/airflow-resolve/bin/python -m pip freeze --disable-pip-version-check; } > airflow/constraints.txt
	rm -rf .venv/airflow-resolve

airflow-lint: $(AF_STAMP) ## ruff check + ruff format --check on the Airflow code
	$(AF_VENV)/bin/ruff check $(AF_PY_SRC)
	$(AF_VENV)/bin/ruff format --check $(AF_PY_SRC)

test-airflow: $(AF_STAMP) airflow-lint ## Airflow suite: spec, DagBag, factory, rendering, deploy files, `airflow dags test` running the JAR
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	cd airflow && INGEST_STRICT=1 $(ROOT)/$(AF_PY) -m pytest -q -p no:cacheprovider tests

airflow-up: $(AF_STAMP) ## Local Airflow (DAGs from this repo, local runner, embedded warehouse, simulator as the ISO); prints the UI address
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	@$(ROOT)/airflow/scripts/up.sh

airflow-down: ## Stop the local Airflow and the simulators started by airflow-up
	@$(ROOT)/airflow/scripts/down.sh

airflow-dags: $(AF_STAMP) ## List the DAGs and import errors of the local Airflow
	@$(AF) dags reserialize >/dev/null 2>&1 || true
	@$(AF) dags list -o table 2>/dev/null
	@$(AF) dags list-import-errors 2>/dev/null

backfill: $(AF_STAMP) ## Backfill DAG=ingest_caiso_daily FROM=2024-11-02 TO=2024-11-04 (market days, inclusive; DST days whole); waits and shows progress [DRY_RUN=1] [REPROCESS=failed|completed|none] [NO_WAIT=1] [UNPAUSE=1]
	@test -n "$(DAG)" -a -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make backfill DAG=ingest_caiso_daily FROM=2024-11-02 TO=2024-11-04 [DRY_RUN=1] [REPROCESS=failed|completed|none] [NO_WAIT=1] [UNPAUSE=1]" >&2; exit 2; }
	@$(AF_OPS) backfill $(DAG) $(FROM) $(TO) --reprocess $(or $(REPROCESS),failed) $(if $(DRY_RUN),--dry-run) $(if $(NO_WAIT),--no-wait) $(if $(UNPAUSE),--unpause)

backfill-status: $(AF_STAMP) ## Progress of the latest backfill of DAG=ingest_caiso_daily [WAIT=1]
	@test -n "$(DAG)" || { echo "usage: make backfill-status DAG=ingest_caiso_daily [WAIT=1]" >&2; exit 2; }
	@$(AF_OPS) status $(DAG) $(if $(WAIT),--wait)

trigger: $(AF_STAMP) ## Manual run of DAG for one market day DAY=2024-11-03, or an interval START=… END=… (UTC instants)
	@test -n "$(DAG)" -a \( -n "$(DAY)" -o -n "$(START)" \) || { echo "usage: make trigger DAG=ingest_caiso_daily DAY=2024-11-03 | START=2024-11-03T08:00:00Z END=2024-11-03T09:00:00Z" >&2; exit 2; }
	@$(AF_OPS) trigger $(DAG) $(if $(DAY),--day $(DAY)) $(if $(START),--start $(START)) $(if $(END),--end $(END))

pause: $(AF_STAMP) ## Pause every DAG of MARKET=caiso (e.g. during a hotfix); prints each DAG's new state
	@test -n "$(MARKET)" || { echo "usage: make pause MARKET=caiso" >&2; exit 2; }
	@dags=$$($(AF_CLI) dags $(ROOT)/connectors $(MARKET)) || exit 2; $(AF_OPS) pause $$dags

unpause: $(AF_STAMP) ## Unpause every DAG of MARKET=caiso; prints each DAG's new state
	@test -n "$(MARKET)" || { echo "usage: make unpause MARKET=caiso" >&2; exit 2; }
	@dags=$$($(AF_CLI) dags $(ROOT)/connectors $(MARKET)) || exit 2; $(AF_OPS) unpause $$dags

clear-task: $(AF_STAMP) ## Re-run one task of one run: DAG=ingest_caiso_5min TASK=lmp_rt_5min.normalize AT=<market day or interval start>|RUN_ID=<id> [DOWNSTREAM=1]
	@test -n "$(DAG)" -a -n "$(TASK)" -a \( -n "$(AT)" -o -n "$(RUN_ID)" \) || { echo "usage: make clear-task DAG=ingest_caiso_5min TASK=lmp_rt_5min.normalize AT=2024-11-03T08:00:00Z|RUN_ID=<run id> [DOWNSTREAM=1]" >&2; exit 2; }
	@$(AF_OPS) clear $(DAG) $(TASK) $(if $(AT),--at $(AT)) $(if $(RUN_ID),--run-id '$(RUN_ID)') $(if $(DOWNSTREAM),--downstream)

run-interval: ## Run the JAR by hand for one interval: MARKET=caiso DATASET=lmp_rt_5min START=2024-11-03T08:00:00Z END=2024-11-03T08:05:00Z [STAGE=run]
	@test -n "$(MARKET)" -a -n "$(DATASET)" -a -n "$(START)" -a -n "$(END)" || { echo "usage: make run-interval MARKET=caiso DATASET=lmp_rt_5min START=2024-11-03T08:00:00Z END=2024-11-03T08:05:00Z [STAGE=run]" >&2; exit 2; }
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	$(INGEST) $(or $(STAGE),run) --market $(MARKET) --dataset $(DATASET) --interval-start $(START) --interval-end $(END) --run-id manual-$$(date -u +%Y%m%dT%H%M%SZ)
