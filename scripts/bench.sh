#!/usr/bin/env bash
# make bench: the task JAR side by side with the tools a user would reach for instead, in one run.
#
# One Pacific day of CAISO 5-minute LMPs (OASIS PRC_INTVL_LMP, 24 SingleZip payloads) for BENCH_NODES
# nodes from the loopback simulator. Each run (BENCH_RUNS, interleaved) times, each in its own
# process under /usr/bin/time (wall, user+sys CPU, peak RSS):
#   ingest fetch, normalize, enrich, load   the four stage processes as Airflow runs them (fresh home)
#   ingest run                              all four in one process (fresh home)
#   duckdb_sql, polars, pandas              scripts/bench/contenders.py on the same zips, read from Bronze
#   ingest --help                           start-up
# then checks that each contender's rows equal stg_prices (0 differing values, else the bench fails),
# and prints the table, the ratios against the issue's targets, the scaling rows (BENCH_SCALING) and a
# ClickHouse row when a server answers. Figures also go to $INGEST_HOME/bench.json (and bench.md).
#
#   BENCH_NODES=1000  BENCH_RUNS=3  BENCH_SCALING="1000 3000 10000" (off by default)  BENCH_SCALING_RUNS=1
#   INGEST_JAVA_OPTS=-Xmx384m (the JAR's heap under test)   BENCH_REF_JAVA_OPTS=-Xmx3g (untimed preparation)
#   BENCH_HOME (working data; default $INGEST_HOME/bench)   BENCH_TIMEOUT=1800 (s per process)
#   CLICKHOUSE_DSN (default clickhouse://127.0.0.1:8123) + CLICKHOUSE_NATIVE_PORT=9000 for clickhouse-client;
#   the bench uses its own database BENCH_CLICKHOUSE_DATABASE=ingest_bench (dropped first). BENCH_CLICKHOUSE=0: skip.
#   BENCH_ONLY=clickhouse: only the ClickHouse section (a server must answer), no main runs, no scaling.
#   BENCH_STRICT=1: exit 1 when a target fails (by default targets are reported, not asserted).
#   BENCH_SMOKE=1: 20 nodes, 2 hours, 1 run, no scaling, no ClickHouse, temp home; exit 1 on any failure.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ingest="$root/bin/ingest"
here="$root/scripts/bench"
venv="$root/.venv/bench"
py="$venv/bin/python"
contenders="$here/contenders.py"

die() { echo "bench: $*" >&2; exit 2; }
log() { echo "bench: $*" >&2; }

smoke="${BENCH_SMOKE:-0}"
[ "$smoke" = 0 ] && smoke=
results_home="${INGEST_HOME:-$root/.ingest}"
if [ -n "$smoke" ]; then
  nodes="${BENCH_NODES:-20}"; hours="${BENCH_HOURS:-2}"; runs=1; scaling=""; use_ch=0
  work="${BENCH_HOME:-$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX")}"
  results="$work"
else
  nodes="${BENCH_NODES:-1000}"; hours="${BENCH_HOURS:-24}"; runs="${BENCH_RUNS:-3}"
  scaling="${BENCH_SCALING:-}"; use_ch="${BENCH_CLICKHOUSE:-1}"
  work="${BENCH_HOME:-$results_home/bench}"
  results="$results_home"
fi
# The main runs use the embedded sinks (DuckDB file, Avro event files): the caller's sink variables
# are set aside; CLICKHOUSE_DSN only says where the ClickHouse row is measured.
ch_dsn_in="${CLICKHOUSE_DSN:-clickhouse://127.0.0.1:8123}"
unset CLICKHOUSE_DSN KAFKA_BOOTSTRAP_SERVERS SCHEMA_REGISTRY_URL REDIS_URL INGEST_SUMMARY_FILE INGEST_METRICS_FILE
export INGEST_JAVA_OPTS="${INGEST_JAVA_OPTS:--Xmx384m}"
ref_opts="${BENCH_REF_JAVA_OPTS:--Xmx3g}"
timeout_s="${BENCH_TIMEOUT:-1800}"
scaling_runs="${BENCH_SCALING_RUNS:-1}"
start=2024-11-04T08:00:00Z
[[ "$nodes" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ && "$hours" =~ ^[1-9][0-9]*$ ]] \
  || die "BENCH_NODES, BENCH_RUNS and BENCH_HOURS must be whole numbers"
end=$(date -u -d "@$(( $(date -u -d "$start" +%s) + hours * 3600 ))" +%Y-%m-%dT%H:%M:%SZ)
market=(--market caiso --dataset lmp_rt_5min --interval-start "$start" --interval-end "$end")
only="${BENCH_ONLY:-}"
case "$only" in
  "") main_runs=$runs ;;
  clickhouse) [ -z "$smoke" ] || die "BENCH_ONLY=clickhouse and BENCH_SMOKE exclude each other"
              main_runs=0; scaling=""; use_ch=1 ;;
  *) die "BENCH_ONLY=$only: the only section that runs alone is clickhouse" ;;
esac
for n in $scaling; do [[ "$n" =~ ^[0-9]+$ ]] || die "BENCH_SCALING must be node counts, e.g. \"1000 3000 10000\""; done

[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install -y time)"
command -v timeout >/dev/null || die "timeout (coreutils) missing"
[ -f "${INGEST_JAR:-$root/java/tasks/target/ingest.jar}" ] || die "no JAR: run 'make build' first"

# ---------------------------------------------------------------- the contenders' venv
if [ ! -f "$venv/.installed" ] || [ "$here/requirements.txt" -nt "$venv/.installed" ]; then
  log "installing the contenders into .venv/bench (scripts/bench/requirements.txt)"
  rm -f "$venv/.installed"
  [ -x "$py" ] || python3 -m venv "$venv" || die "python3 -m venv failed"
  "$py" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" || die "pip install failed"
  touch "$venv/.installed"
fi

# ---------------------------------------------------------------- working directory
# Only a directory the bench made (marker file) is wiped.
if [ -d "$work" ] && [ -n "$(ls -A "$work" 2>/dev/null)" ]; then
  [ -f "$work/.bench" ] || die "BENCH_HOME $work is not empty and was not made by the bench; choose another"
  rm -rf "${work:?}"/*
fi
mkdir -p "$work" "$results" && touch "$work/.bench"
tsv="$work/measurements.tsv"
: > "$tsv"

sim_pid=
stop_sim() { if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; sim_pid=; fi; }
trap stop_sim EXIT
start_sim() { # nodes: starts the simulator, exports INGEST_CAISO_BASE_URL
  stop_sim
  local simlog="$work/simulator-$1.log"
  "$ingest" simulate --market caiso --port 0 --count "$1" --published-until 2026-01-01T00:00:00Z >"$simlog" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 300); do grep -q '^listening ' "$simlog" && break; kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
  grep -q '^listening ' "$simlog" || { tail -5 "$simlog" >&2; die "the simulator did not start (log $simlog)"; }
  export INGEST_CAISO_BASE_URL=$(awk '/^listening /{print $2; exit}' "$simlog")
  export INGEST_CAISO_REQUEST_SPACING=0s
}

# measure SECTION NODES RUN NAME KIND DIR NOTE -- command...: one timed process; its stdout, stderr
# and /usr/bin/time figures go to DIR/NAME.{out,err,time}; one line in measurements.tsv. Returns its exit code.
measure() {
  local section=$1 n=$2 r=$3 name=$4 kind=$5 dir=$6 note=$7; shift 8
  mkdir -p "$dir"
  local base="$dir/$name" rc
  /usr/bin/time -o "$base.time" -f '%e %U %S %M' timeout -k 10 "$timeout_s" "$@" >"$base.out" 2>"$base.err" <"${BENCH_STDIN:-/dev/null}"
  rc=$?
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$n" "$r" "$name" "$kind" "$rc" \
    "$base.time" "$base.err" "$base.out" "$note" >> "$tsv"
  local wall; wall=$(tail -1 "$base.time" 2>/dev/null | awk '{print $1}')
  if [ "$rc" = 0 ]; then
    log "  $name: ${wall:-?} s"
  else
    log "  $name: FAILED (exit $rc after ${wall:-?} s; $( (grep -o 'OutOfMemoryError[^"\\]*' "$base.err" || true) | head -1)) log $base.err"
  fi
  return "$rc"
}
skipped() { # SECTION NODES RUN NAME REASON
  printf '%s\t%s\t%s\t%s\tskipped\t0\t\t\t\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$tsv"
  log "  $4: skipped ($5)"
}

# stage_chain SECTION NODES RUN HOME [AFTER_NORMALIZE]: fetch, normalize, enrich, load, one process each;
# after a failure the later stages are skipped, as Airflow would. Sets chain_failed to the first failed
# stage. AFTER_NORMALIZE (a function, given HOME) runs untimed between a successful normalize and enrich:
# load prunes the interval's staging rows once Silver has them, so what reads stg_prices goes there.
stage_chain() {
  local section=$1 n=$2 r=$3 home=$4 after=${5:-}
  chain_failed=
  for stage in fetch normalize enrich load; do
    if [ -n "$chain_failed" ]; then skipped "$section" "$n" "$r" "$stage" "$chain_failed failed"; continue; fi
    measure "$section" "$n" "$r" "$stage" jar "$home/logs" "" -- \
      env INGEST_HOME="$home" "$ingest" "$stage" "${market[@]}" --run-id "bench-$r" || chain_failed=$stage
    if [ "$stage" = normalize ] && [ -z "$chain_failed" ] && [ -n "$after" ]; then "$after" "$home"; fi
  done
}
ref_exported=
export_reference() { # HOME: the normalize rows of stg_prices, the reference of the check
  "$py" "$contenders" export --warehouse "$1/warehouse.duckdb" --start "$start" --end "$end" --reference "$ref" >&2 && ref_exported=1
}
drop_warehouse() { rm -rf "$1/warehouse.duckdb" "$1/warehouse.duckdb.wal" "$1/events"; }

# ---------------------------------------------------------------- main runs
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
log "caiso/lmp_rt_5min $start..$end, $nodes nodes, $runs run(s), JAR $INGEST_JAVA_OPTS, working data in $work (load average $load_before)"
start_sim "$nodes"
main="$work/n$nodes"
zips="$main/zips"
ref="$main/stg_prices.parquet"
check_rc=1
[ "$only" = clickhouse ] && check_rc=0  # no contenders, nothing to compare
for r in $(seq 1 "$main_runs"); do
  log "run $r/$runs"
  home="$main/r$r/stages"
  stage_chain main "$nodes" "$r" "$home" "$( [ "$r" = 1 ] && echo export_reference )"
  if [ "$r" = 1 ]; then
    # The contenders' input and the reference rows, outside the timed part.
    if [ "$chain_failed" = fetch ]; then
      die "fetch failed (log $home/logs/fetch.err): nothing to compare"
    fi
    "$py" "$contenders" export --warehouse "$home/warehouse.duckdb" --start "$start" --end "$end" --zips "$zips" >&2 \
      || die "could not export the Bronze zips"
    # The reference rows come from a normalize that succeeded: at the bench's heap, else untimed at a larger one.
    ref_ok=1
    if [ "$chain_failed" = normalize ]; then
      log "  normalize failed at $INGEST_JAVA_OPTS: an untimed normalize with $ref_opts gives the rows for the check"
      INGEST_HOME="$home" INGEST_JAVA_OPTS="$ref_opts" "$ingest" normalize "${market[@]}" --run-id bench-reference \
        >"$home/logs/reference-normalize.out" 2>"$home/logs/reference-normalize.err" \
        || { ref_ok=; log "  reference normalize failed too (log $home/logs/reference-normalize.err)"; }
    fi
    [ -n "$ref_ok" ] && [ -z "$ref_exported" ] && export_reference "$home"
  fi
  drop_warehouse "$home"
  home="$main/r$r/run"
  measure main "$nodes" "$r" run jar "$home/logs" "" -- env INGEST_HOME="$home" "$ingest" run "${market[@]}" --run-id "bench-$r"
  drop_warehouse "$home"
  for c in duckdb_sql polars pandas; do
    out="$main/r$r/contenders/$c$( [ $c = duckdb_sql ] && echo .duckdb || echo .parquet)"
    measure main "$nodes" "$r" "$c" contender "$main/r$r/contenders" "" -- "$py" "$contenders" run "$c" --zips "$zips" --out "$out"
  done
  measure main "$nodes" "$r" help help "$main/r$r/help" "" -- "$ingest" --help
  if [ "$r" = 1 ]; then
    if [ -f "$ref" ]; then
      c="$main/r1/contenders"
      "$py" "$contenders" check --reference "$ref" --json "$work/check.json" \
        duckdb_sql="$c/duckdb_sql.duckdb" polars="$c/polars.parquet" pandas="$c/pandas.parquet" >&2
      check_rc=$?
    else
      log "check: no stg_prices rows to compare with (normalize failed)"
    fi
  fi
  rm -f "$main/r$r/contenders/"*.duckdb "$main/r$r/contenders/"*.parquet
done

# ---------------------------------------------------------------- scaling: peak RSS at several sizes
for n in $scaling; do
  log "scaling: $n nodes"
  start_sim "$n"
  for r in $(seq 1 "$scaling_runs"); do
    home="$work/scaling/n$n/r$r"
    stage_chain scaling "$n" "$r" "$home"
    drop_warehouse "$home"
  done
done

# ---------------------------------------------------------------- ClickHouse: ingest load vs a raw RowBinary insert
ch_meta=()
if [ "$use_ch" != 0 ]; then
  eval "$("$py" "$contenders" clickhouse-target "$ch_dsn_in" "${BENCH_CLICKHOUSE_DATABASE:-ingest_bench}")"
  db="${BENCH_CLICKHOUSE_DATABASE:-ingest_bench}"
  [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "BENCH_CLICKHOUSE_DATABASE=$db is not a plain database name"
  if curl -fsS -m 3 "$ch_http/ping" >/dev/null 2>&1; then
    log "clickhouse: $ch_http, database $db"
    start_sim "$nodes"
    chq() { curl -fsS -m 120 ${ch_user:+-u "$ch_user:$ch_password"} "$ch_http/" --data-binary "$1"; }
    cc=(clickhouse-client --host "$ch_host" --port "${CLICKHOUSE_NATIVE_PORT:-9000}" ${ch_user:+--user "$ch_user"} ${ch_password:+--password "$ch_password"})
    home="$work/clickhouse"
    mkdir -p "$home/logs"
    ch_meta=(--meta "clickhouse=$ch_http database $db, $(chq 'SELECT version()' 2>/dev/null || echo '?')")
    prep() { CLICKHOUSE_DSN="$ch_dsn" INGEST_HOME="$home" INGEST_JAVA_OPTS="$ref_opts" "$ingest" "$@" >>"$home/logs/prepare.out" 2>>"$home/logs/prepare.err"; }
    # ch_stage STAGE: timed once at INGEST_JAVA_OPTS against ClickHouse; if it fails there, untimed at $ref_opts
    ch_stage() {
      measure clickhouse "$nodes" 1 "clickhouse_$1" jar "$home/prep" "" -- \
        env CLICKHOUSE_DSN="$ch_dsn" INGEST_HOME="$home" "$ingest" "$1" "${market[@]}" --run-id bench-ch \
        || prep "$1" "${market[@]}" --run-id bench-ch
    }
    if ! command -v clickhouse-client >/dev/null; then
      ch_meta=(--meta "clickhouse_skip=clickhouse-client not installed")
    elif ! chq "DROP DATABASE IF EXISTS $db" >/dev/null || ! prep ddl apply; then
      ch_meta=(--meta "clickhouse_skip=could not create database $db (log $home/logs/prepare.err)")
    elif ! { prep fetch "${market[@]}" --run-id bench-ch && ch_stage normalize && ch_stage enrich \
             && prep load "${market[@]}" --run-id bench-ch; }; then
      ch_meta+=(--meta "clickhouse_skip=preparing the rows failed (logs $home/logs/prepare.err, $home/prep)")
    else
      # Untimed: Bronze fetched, Silver filled once by a first load (at the larger heap), the loaded rows
      # saved as RowBinary; normalize and enrich ran timed once at the bench's heap (ch_stage: their peak
      # RSS against ClickHouse). The timed loads then upsert the same staged rows again, each run as
      # Airflow would re-run it: the whole process, gate included.
      rowbinary="$home/silver_prices.rowbinary"
      "${cc[@]}" --query "SELECT * FROM $db.silver_prices FINAL FORMAT RowBinary" >"$rowbinary" \
        || log "clickhouse: SELECT … FORMAT RowBinary failed"
      raw_rows=$(chq "SELECT count() FROM $db.silver_prices FINAL" 2>/dev/null || echo 0)
      for r in $(seq 1 "$runs"); do
        log "clickhouse run $r/$runs"
        measure clickhouse "$nodes" "$r" clickhouse_load jar "$home/r$r" "" -- \
          env CLICKHOUSE_DSN="$ch_dsn" INGEST_HOME="$home" "$ingest" load "${market[@]}" --run-id "bench-ch-$r"
        chq "DROP TABLE IF EXISTS $db.bench_raw" >/dev/null && chq "CREATE TABLE $db.bench_raw AS $db.silver_prices" >/dev/null
        BENCH_STDIN="$rowbinary" measure clickhouse "$nodes" "$r" clickhouse_raw raw "$home/r$r" "rows=${raw_rows:-0}" -- \
          "${cc[@]}" --query "INSERT INTO $db.bench_raw FORMAT RowBinary"
        got=$(chq "SELECT count() FROM $db.bench_raw" 2>/dev/null || echo '?')
        [ "$got" = "${raw_rows:-0}" ] || log "clickhouse: bench_raw holds $got rows, expected $raw_rows"
      done
      rm -f "$rowbinary"
    fi
  else
    ch_meta=(--meta "clickhouse_skip=no server answered on $ch_http (make infra-up starts one)")
  fi
else
  ch_meta=(--meta "clickhouse_skip=off (BENCH_SMOKE or BENCH_CLICKHOUSE=0)")
fi
stop_sim

# ---------------------------------------------------------------- report
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')
git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
echo
"$py" "$contenders" report --measurements "$tsv" --json "$results/bench.json" --markdown "$results/bench.md" \
  --check "$work/check.json" --zips-meta "$zips/meta.json" \
  --meta "nodes=$nodes" --meta "runs=$runs" --meta "start=$start" --meta "end=$end" \
  --meta "java_opts=$INGEST_JAVA_OPTS" --meta "cpus=$(nproc)" --meta "commit=$commit" \
  --meta "cpu_model=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)" \
  --meta "load_average=$load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the end" \
  "${ch_meta[@]}" ${smoke:+--smoke} ${BENCH_STRICT:+--strict} ${only:+--clickhouse-only}
rc=$?
echo
[ "$check_rc" = 0 ] || rc=1
if [ -n "$smoke" ] && [ "$rc" = 0 ] && [ -z "${BENCH_HOME:-}" ]; then
  rm -rf "$work"
else
  log "figures in $results/bench.json and $results/bench.md; logs under $work"
fi
exit "$rc"
