# make bench: the JAR side by side with DuckDB SQL, polars and pandas (scripts/bench.sh,
# scripts/bench/contenders.py, contenders in .venv/bench). Timing is not asserted in `make test`:
# the smoke run only keeps the bench's plumbing and its row check from rotting.

TEST_TARGETS += test-bench-smoke

.PHONY: test-bench-smoke

test-bench-smoke: ## Smoke run of the bench (20 nodes, 2 hours, 1 run): every process runs, contenders' rows = stg_prices
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	@BENCH_SMOKE=1 $(ROOT)/scripts/bench.sh
