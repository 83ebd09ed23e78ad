# make bench: the JAR side by side with DuckDB SQL, polars and pandas (scripts/bench.sh,
# scripts/bench/contenders.py, contenders in .venv/bench). Timing is not asserted in `make test`:
# the smoke run only keeps the bench's plumbing and its row check from rotting.
# make bench-csv: the CSV readers alone (scripts/bench-csv.sh); its agreement check is a unit test
# (CsvReaderBenchTest in `make test-java`), its timings are only printed.

TEST_TARGETS += test-bench-smoke

.PHONY: test-bench-smoke bench-csv

test-bench-smoke: ## Smoke run of the bench (20 nodes, 2 hours, 1 run): every process runs, contenders' rows = stg_prices
	@test -f $(JAR) || $(MAKE) --no-print-directory build
	@BENCH_SMOKE=1 $(ROOT)/scripts/bench.sh

bench-csv: ## CsvReader vs Jackson CSV vs FastCSV on one day of OASIS 5-min LMPs (1,450,080 rows): records/s, MB/s, median of 5, agreement [BENCH_CSV_NODES=1000 BENCH_CSV_RUNS=5 BENCH_CSV_WARMUP=2]
	@$(ROOT)/scripts/bench-csv.sh
