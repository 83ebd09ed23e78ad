# Real servers for the production sinks (ClickHouse, Kafka, Redis, schema registry stand-in) on
# loopback, and the suites that need them. See docs/production-sinks.md.
INFRA_SH := $(ROOT)/scripts/infra/infra.sh
LOCAL_CLICKHOUSE_DSN := clickhouse://127.0.0.1:8123/ingest
OBSERVABILITY := pushgateway alertmanager prometheus

TEST_TARGETS += test-it test-observability

.PHONY: infra-up infra-down infra-status test-it ddl-check pipeline-apply-ddl validate-schemas

infra-up: ## Start ClickHouse :8123, Kafka :9092, Redis :6379, registry stand-in :8081 (idempotent; logs in .infra/)
	@$(INFRA_SH) up

infra-down: ## Stop the servers infra-up started
	@$(INFRA_SH) down

infra-status: ## Which local servers are up ("<server>: up|down" each; never a make error)
	@$(INFRA_SH) status || true

test-it: ## Integration tests on real servers: starts them, chdb DDL check, *IT suites, stops them
	@MVN='$(MVN)' $(ROOT)/scripts/infra/test-it.sh

ddl-check: ## ddl/ on a current ClickHouse (chdb) and the local server: same files, same dedup result
	@test -x .venv/chdb/bin/python || { python3 -m venv .venv/chdb && .venv/chdb/bin/pip install -q chdb==4.4.0; }
	@.venv/chdb/bin/python scripts/infra/ddl_check.py

pipeline-apply-ddl: ## Apply the ddl/ migrations to CLICKHOUSE_DSN (default: the local server), idempotent
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	@CLICKHOUSE_DSN="$${CLICKHOUSE_DSN:-$(LOCAL_CLICKHOUSE_DSN)}" $(INGEST) ddl apply

validate-schemas: ## Check events/avro against released versions (and the registry if SCHEMA_REGISTRY_URL is set)
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	@$(INGEST) schemas validate

.PHONY: observability-up observability-status observability-down test-observability

observability-up: ## Start Pushgateway :9091, Alertmanager :9093, Prometheus :9090 (Debian packages) and Jaeger (OTLP :4318, query :16686; built once from source) on loopback (idempotent; data and logs in .infra/)
	@$(INFRA_SH) up $(OBSERVABILITY)

observability-status: ## Which observability servers are up ("<server>: up|down" each; never a make error)
	@$(INFRA_SH) status $(OBSERVABILITY) || true

observability-down: ## Stop the servers observability-up started
	@$(INFRA_SH) down $(OBSERVABILITY)

test-observability: ## The monitoring stack on real servers: configs and rule tests (promtool/amtool), CAISO runs pushing metrics and traces (promtool check metrics, the recording rule, every dashboard panel, one trace per run in Jaeger, JSON-only stderr), the error-rate alert with the simulator stopped, the whole demo
	@$(ROOT)/scripts/infra/test-observability.sh
