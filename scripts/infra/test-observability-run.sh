#!/usr/bin/env bash
# The task JAR against the real observability stack (part of make test-observability; the servers
# are up): every CAISO dataset runs through `ingest run` against the CAISO simulator with
# PUSHGATEWAY_URL and OTLP_ENDPOINT set, then
#   - promtool check metrics passes on the families the runs pushed (HELP and TYPE on all),
#   - Prometheus holds ingest_data_lag_seconds for every CAISO dataset (the recording rule),
#   - every panel of every dashboard under observability/dashboards returns data,
#   - each run is one trace in Jaeger with one span per stage under the run's span, and that trace id
#     is in every JSON line the run wrote (a run handed a TRACEPARENT joins that trace),
#   - every stderr line of every run is a JSON log line,
#   - with the simulator stopped, a fetch exits 3 and the RED error-rate alert expression turns true,
#   - the whole demo (every market) with the same variables writes only JSON lines to stderr, and
#     every dashboard panel returns data after it.
# The Pushgateway groups of market caiso are deleted first (a test on loopback servers: earlier
# runs' counters would dilute the error ratio).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INGEST="$ROOT/bin/ingest"
PROM=http://127.0.0.1:9090
PUSH=http://127.0.0.1:9091
JAEGER=http://127.0.0.1:16686
fail() { printf 'test-observability: FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf 'test-observability: %s\n' "$*"; }

work=$(mktemp -d)
sim=
cleanup() { [ -z "$sim" ] || kill "$sim" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export INGEST_HOME="$work/home"
mkdir -p "$INGEST_HOME"

datasets=$("$INGEST" connectors list | awk -F'|' '{gsub(/ /, "", $2); gsub(/ /, "", $3)} $2 == "caiso" {print $3}')
[ -n "$datasets" ] || fail "ingest connectors list shows no CAISO dataset"
for ds in $datasets; do
  for st in fetch normalize enrich load; do
    curl -fsS -X DELETE "$PUSH/metrics/job/ingest/market/caiso/dataset/$ds/stage/$st" >/dev/null
  done
done

"$INGEST" simulate --market caiso --port 0 --count 20 --published-until 2026-01-01T00:00:00Z >"$work/sim.log" 2>"$work/sim.err" &
sim=$!
for _ in $(seq 1 100); do grep -q '^listening ' "$work/sim.log" && break; sleep 0.1; done
url=$(awk '/^listening /{print $2; exit}' "$work/sim.log")
[ -n "$url" ] || fail "the CAISO simulator did not start"
export INGEST_CAISO_BASE_URL="$url" INGEST_CAISO_REQUEST_SPACING=0s
export PUSHGATEWAY_URL="$PUSH" OTLP_ENDPOINT=http://127.0.0.1:4318

# One interval key per dataset (its window): the fall-back day's first five minutes, first quarter
# hour, or the whole market day. lmp_da_hourly runs under an orchestrator's TRACEPARENT.
given_trace=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
for ds in $datasets; do
  case "$ds" in
    lmp_rt_5min) win="2024-11-03T08:00:00Z 2024-11-03T08:05:00Z" ;;
    lmp_rt_15min) win="2024-11-03T08:00:00Z 2024-11-03T08:15:00Z" ;;
    *) win="2024-11-03T07:00:00Z 2024-11-04T08:00:00Z" ;;
  esac
  read -r start end <<<"$win"
  tp=()
  [ "$ds" != lmp_da_hourly ] || tp=(env "TRACEPARENT=00-$given_trace-$(python3 -c 'import secrets; print(secrets.token_hex(8))')-01")
  if ! "${tp[@]}" "$INGEST" run --market caiso --dataset "$ds" --interval-start "$start" --interval-end "$end" \
      --run-id "obs-test-$ds" >"$work/$ds.out" 2>"$work/$ds.err"; then
    tail -5 "$work/$ds.err" >&2
    fail "ingest run caiso $ds failed"
  fi
done
step "ran every CAISO dataset with PUSHGATEWAY_URL and OTLP_ENDPOINT: $(echo $datasets | tr '\n' ' ')"

for ds in $datasets; do
  python3 "$ROOT/scripts/check-json-stderr.py" "$work/$ds.err" >/dev/null || {
    python3 "$ROOT/scripts/check-json-stderr.py" "$work/$ds.err" >&2 || true
    fail "caiso $ds wrote non-JSON lines to stderr"
  }
done
step "every stderr line of every run is a JSON log line"

# promtool on the families the runs pushed (the Pushgateway's own families left out)
curl -fsS "$PUSH/metrics" | python3 -c '
import sys
keep, out = False, []
for line in sys.stdin:
    name = line.split()[2] if line.startswith("# ") and len(line.split()) > 2 else line.split("{")[0].split()[0] if line.strip() else ""
    if line.startswith("# "):
        keep = name.startswith("ingest_")
    if keep or name.startswith("ingest_"):
        out.append(line)
sys.stdout.write("".join(out))' >"$work/pushed.prom"
grep -q '^ingest_stage_runs_total{' "$work/pushed.prom" || fail "no ingest_stage_runs_total on the Pushgateway after the runs"
promtool check metrics <"$work/pushed.prom" || fail "promtool check metrics on the pushed families"
for fam in ingest_stage_runs_total ingest_stage_duration_seconds ingest_stage_rows_in_total ingest_stage_rows_out_total \
    ingest_payload_bytes_total ingest_payloads_total ingest_http_requests_total ingest_quality_checks_total \
    ingest_last_run_timestamp_seconds ingest_last_success_timestamp_seconds ingest_silver_newest_interval_end_timestamp_seconds \
    ingest_bronze_to_silver_latency_seconds ingest_completeness_ratio; do
  grep -q "^# HELP $fam " "$work/pushed.prom" || fail "$fam has no HELP line on the Pushgateway"
done
step "promtool check metrics: the pushed families pass; every family has HELP and TYPE"

# the recording rule for every dataset, once Prometheus scraped the pushes and evaluated the rules
want=$(echo "$datasets" | sort | tr '\n' ' ')
got=
for _ in $(seq 1 60); do
  got=$(curl -fsS "$PROM/api/v1/query" --data-urlencode 'query=ingest_data_lag_seconds{market="caiso"}' | python3 -c '
import json, sys
print(" ".join(sorted({r["metric"]["dataset"] for r in json.load(sys.stdin)["data"]["result"]})) + " ")')
  [ "$got" = "$want" ] && break
  sleep 1
done
[ "$got" = "$want" ] || fail "ingest_data_lag_seconds{market=\"caiso\"} covers [$got], want [$want]"
step "ingest_data_lag_seconds exists for every CAISO dataset: $want"

python3 "$ROOT/scripts/observability/check_dashboards.py" --prometheus "$PROM" --market caiso \
  || fail "a dashboard panel returned no data"
step "every dashboard panel returned data"

# traces: the run's trace id from its log lines, the trace from Jaeger's query API
for ds in lmp_rt_5min lmp_da_hourly; do
  python3 - "$work/$ds.err" "$JAEGER" "$ds" "$given_trace" <<'EOF' || fail "the trace of caiso $ds"
import json, sys, time, urllib.request
path, jaeger, ds, given = sys.argv[1:5]
ids = set()
for line in open(path):
    obj = json.loads(line)
    if "trace_id" not in obj:
        sys.exit(f"{ds}: a JSON log line without trace_id: {line.strip()[:200]}")
    ids.add(obj["trace_id"])
if len(ids) != 1:
    sys.exit(f"{ds}: the run's log lines carry {len(ids)} trace ids, want one: {sorted(ids)}")
trace = ids.pop()
if ds == "lmp_da_hourly" and trace != given:
    sys.exit(f"{ds}: ran under TRACEPARENT trace {given} but logged trace {trace}")
data = []
for _ in range(30):
    try:
        with urllib.request.urlopen(f"{jaeger}/api/traces/{trace}") as r:
            data = json.load(r)["data"]
    except Exception:
        data = []
    if data:
        break
    time.sleep(1)
if not data:
    sys.exit(f"{ds}: trace {trace} not found in Jaeger")
t = data[0]
service = {p["serviceName"] for p in t["processes"].values()}
if service != {"254carbon-ingestion-caiso"}:
    sys.exit(f"{ds}: trace services {service}")
spans = {s["spanID"]: s for s in t["spans"]}
names = [s["operationName"] for s in t["spans"]]
runs = [s for s in t["spans"] if s["operationName"] == "ingest run"]
if len(runs) != 1:
    sys.exit(f"{ds}: {len(runs)} 'ingest run' spans in trace {trace}")
for stage in ("fetch", "normalize", "enrich", "load"):
    mine = [s for s in t["spans"] if s["operationName"] == stage]
    if len(mine) != 1:
        sys.exit(f"{ds}: {len(mine)} '{stage}' spans in trace {trace}")
    parents = [r["spanID"] for r in mine[0].get("references", []) if r["refType"] == "CHILD_OF"]
    if parents != [runs[0]["spanID"]]:
        sys.exit(f"{ds}: the {stage} span is not a child of the run's span")
for step in ("HTTP GET", "parse", "warehouse.write", "events.publish", "warehouse.upsert"):
    if step not in names:
        sys.exit(f"{ds}: no '{step}' span in trace {trace} (spans: {sorted(set(names))})")
print(f"test-observability: caiso {ds}: trace {trace}: {len(names)} spans, one per stage under 'ingest run', trace id in every log line")
EOF
done

# the error-rate alert: stop the simulator, a fetch that cannot reach it exits 3
kill "$sim" 2>/dev/null || true
wait "$sim" 2>/dev/null || true
sim=
rc=0
"$INGEST" fetch --market caiso --dataset lmp_rt_5min --interval-start 2024-11-03T08:05:00Z --interval-end 2024-11-03T08:10:00Z \
  --run-id obs-test-failing-fetch >"$work/failing.out" 2>"$work/failing.err" || rc=$?
[ "$rc" = 3 ] || fail "a fetch with the simulator stopped exited $rc, want 3 (upstream unavailable)"
expr=$(python3 - "$ROOT/observability/alerts/ingest.rules.yml" <<'EOF'
import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        if r.get("alert") == "IngestUpstreamErrorRate":
            print(r["expr"]); sys.exit(0)
sys.exit("no IngestUpstreamErrorRate alert in " + sys.argv[1])
EOF
)
true_=
for _ in $(seq 1 60); do
  if python3 "$ROOT/scripts/observability/check_dashboards.py" --prometheus "$PROM" --expr "$expr" >"$work/expr.out" 2>&1 \
      && grep -q 'lmp_rt_5min' "$work/expr.out"; then
    true_=1; break
  fi
  sleep 1
done
[ -n "$true_" ] || { cat "$work/expr.out" >&2; fail "IngestUpstreamErrorRate's expression did not turn true for caiso lmp_rt_5min after a failing fetch"; }
step "with the simulator stopped a fetch exits 3 and IngestUpstreamErrorRate's expression is true for caiso/lmp_rt_5min"

# the whole demo (every market and dataset) with the same variables: every stderr line of every JAR
# process is JSON (scripts/check-demo-stderr.sh), and every dashboard panel returns data afterwards
step "the demo with PUSHGATEWAY_URL and OTLP_ENDPOINT set (every market; stderr of each JAR process kept)"
INGEST_HOME="$work/demo-home" bash "$ROOT/scripts/check-demo-stderr.sh" >"$work/demo.log" 2>&1 || {
  tail -20 "$work/demo.log" >&2
  fail "the demo failed, or wrote non-JSON lines to stderr"
}
tail -1 "$work/demo.log"
sleep 16 # one scrape and one rule evaluation after the demo's last push
python3 "$ROOT/scripts/observability/check_dashboards.py" --prometheus "$PROM" >"$work/dash.log" 2>&1 || {
  cat "$work/dash.log" >&2
  fail "a dashboard panel returned no data after the demo"
}
tail -1 "$work/dash.log"
step "after the demo every dashboard panel returns data"
