# Airflow: the DAG factory's virtual environment, tests and day-to-day operations.
# Included by the root Makefile; docs/airflow.md explains each target.

AF_VENV := .venv/airflow
AF_PY := $(AF_VENV)/bin/python
AF_STAMP := $(AF_VENV)/.installed
AF := $(ROOT)/airflow/scripts/airflow.sh
AF_CLI := PYTHONPATH=$(ROOT)/airflow/plugins $(ROOT)/$(AF_PY) -m ingest_airflow.cli
AF_PY_SRC := airflow/dags airflow/plugins airflow/tests

TEST_TARGETS += test-airflow

.PHONY: airflow-venv airflow-constraints test-airflow airflow-lint airflow-up airflow-down airflow-dags \
	backfill pause unpause clear-task run-interval

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

backfill: $(AF_STAMP) ## Backfill DAG=ingest_caiso_daily FROM=2024-11-02 TO=2024-11-03 (market-local dates, inclusive) [DRY_RUN=1]
	@test -n "$(DAG)" -a -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make backfill DAG=ingest_caiso_daily FROM=2024-11-02 TO=2024-11-03 [DRY_RUN=1]" >&2; exit 2; }
	@range=$$($(AF_CLI) backfill-range $(ROOT)/connectors $(DAG) $(FROM) $(TO)) || exit 2; set -- $$range; \
	  echo "+ airflow backfill create --dag-id $(DAG) --from-date $$1 --to-date $$2 $(if $(DRY_RUN),--dry-run)"; \
	  $(AF) backfill create --dag-id $(DAG) --from-date "$$1" --to-date "$$2" $(if $(DRY_RUN),--dry-run)

pause: $(AF_STAMP) ## Pause every DAG of MARKET=caiso (e.g. during a hotfix)
	@test -n "$(MARKET)" || { echo "usage: make pause MARKET=caiso" >&2; exit 2; }
	@for d in $$($(AF_CLI) dags $(ROOT)/connectors $(MARKET)); do $(AF) dags pause "$$d" -y 2>/dev/null || exit 1; done

unpause: $(AF_STAMP) ## Unpause every DAG of MARKET=caiso
	@test -n "$(MARKET)" || { echo "usage: make unpause MARKET=caiso" >&2; exit 2; }
	@for d in $$($(AF_CLI) dags $(ROOT)/connectors $(MARKET)); do $(AF) dags unpause "$$d" -y 2>/dev/null || exit 1; done

clear-task: $(AF_STAMP) ## Clear one task for one interval: DAG=ingest_caiso_5min TASK=lmp_rt_5min.normalize AT=<logical date = interval start, ISO> [DOWNSTREAM=1]
	@test -n "$(DAG)" -a -n "$(TASK)" -a -n "$(AT)" || { echo "usage: make clear-task DAG=ingest_caiso_5min TASK=lmp_rt_5min.normalize AT=2024-11-03T08:00:00+00:00 [DOWNSTREAM=1]" >&2; exit 2; }
	$(AF) tasks clear $(DAG) --task-regex '^$(subst .,\.,$(TASK))$$' --start-date '$(AT)' --end-date '$(AT)' --yes $(if $(DOWNSTREAM),--downstream)
	@echo "cleared $(TASK) of the $(DAG) run with logical date $(AT)$(if $(DOWNSTREAM), and its downstream tasks); the scheduler runs it again"

run-interval: ## Run the JAR by hand for one interval: MARKET=caiso DATASET=lmp_rt_5min START=2024-11-03T08:00:00Z END=2024-11-03T08:05:00Z [STAGE=run]
	@test -n "$(MARKET)" -a -n "$(DATASET)" -a -n "$(START)" -a -n "$(END)" || { echo "usage: make run-interval MARKET=caiso DATASET=lmp_rt_5min START=2024-11-03T08:00:00Z END=2024-11-03T08:05:00Z [STAGE=run]" >&2; exit 2; }
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	$(INGEST) $(or $(STAGE),run) --market $(MARKET) --dataset $(DATASET) --interval-start $(START) --interval-end $(END) --run-id manual-$$(date -u +%Y%m%dT%H%M%SZ)
