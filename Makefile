# 254Carbon Ingestion: the front door. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
JAVA_HOME_21 = $(shell $(ROOT)/scripts/find-jdk.sh)
MVN := JAVA_HOME=$(JAVA_HOME_21) MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow $(MAVEN_OPTS)" mvn -B -q -f java/pom.xml
JAR := java/tasks/target/ingest.jar
INGEST := $(ROOT)/bin/ingest
# The connector catalogue from this checkout's connectors/, whatever INGEST_CONNECTORS_DIR says.
CONNECTORS_INDEX := INGEST_CONNECTORS_DIR=$(ROOT)/connectors $(INGEST) --log-format text connectors index
export INGEST_HOME ?= $(ROOT)/.ingest

# Extra test suites (Airflow, real servers) register themselves here from mk/*.mk.
TEST_TARGETS :=

-include mk/*.mk

.PHONY: help build jdk demo test test-java clean bench connectors-index

help: ## List the targets (colours only on a terminal)
	@if [ -t 1 ]; then c='\033[36m'; r='\033[0m'; else c=; r=; fi; \
	  grep -hE '^[a-zA-Z0-9_.-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk -v c="$$c" -v r="$$r" 'BEGIN {FS = ":.*?## "}; {printf "  %s%-22s%s %s\n", c, $$1, r, $$2}'

jdk: ## Show the JDK >= 21 the build uses
	@$(ROOT)/scripts/find-jdk.sh

build: ## Build the shaded task JAR (java/tasks/target/ingest.jar, DuckDB's native library beside it, its class-data sharing archive ingest.jsa), no tests
	@test -n "$(JAVA_HOME_21)" || { echo "no JDK >= 21 found" >&2; exit 2; }
	$(MVN) install -DskipTests
	@$(ROOT)/scripts/cds-archive.sh "$(JAVA_HOME_21)/bin/java" $(JAR) java/tasks/target/ingest.jsa \
	  || echo "build: no class-data sharing archive (the JAR works without it, starting slower)" >&2
	@ls -l $(JAR)

demo: build ## Run every CAISO, PJM, ERCOT and MISO dataset over each market's fall-back day 2024-11-03 (25 local hours; MISO's EST: 24) on the embedded default, offline
	@$(ROOT)/scripts/demo.sh

test-java: ## Java unit and parser tests (no servers), then the staleness check of the connector catalogue (ingest connectors index --check)
	@test -n "$(JAVA_HOME_21)" || { echo "no JDK >= 21 found" >&2; exit 2; }
	@find java -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null || true
	@$(MVN) install; rc=$$?; $(ROOT)/scripts/test-summary.sh test-java surefire-reports; \
	  if [ $$rc = 0 ]; then $(ROOT)/scripts/cds-archive.sh "$(JAVA_HOME_21)/bin/java" $(JAR) java/tasks/target/ingest.jsa >/dev/null || true; fi; \
	  if [ $$rc = 0 ]; then $(CONNECTORS_INDEX) --check || rc=$$?; fi; exit $$rc

test: test-java $(TEST_TARGETS) ## The whole suite: Java, then every suite that needs real servers or Airflow
	@echo "make test: all suites passed ($(strip test-java $(TEST_TARGETS)))"

clean: ## Remove build output and the embedded data directory
	$(MVN) clean
	rm -rf .ingest

connectors-index: build ## Write the connector catalogue connectors/index.json and docs/connectors.md (markets, datasets, sources, credentials, schedules, tables, topics, schemas, checks, terms); commit both
	@$(CONNECTORS_INDEX)

bench: build ## JAR vs DuckDB SQL/polars/pandas on one day of 5-min LMPs: median wall, CPU, peak RSS, ratios, targets [BENCH_NODES=1000 BENCH_RUNS=3 BENCH_SCALING="1000 3000 10000" INGEST_JAVA_OPTS=-Xmx384m]
	@$(ROOT)/scripts/bench.sh
