#!/usr/bin/env bash
# make bench: throughput and memory of the task JAR on one large interval, measured (not asserted).
# One Pacific day of CAISO 5-minute LMPs for BENCH_NODES nodes (default 1000: ~290k canonical rows,
# ~1.45M OASIS CSV rows) from the loopback simulator, embedded sinks, one stage per process so each
# stage's wall time and peak RSS are its own. Results: stdout and $INGEST_HOME/bench.json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ingest="$root/bin/ingest"
nodes="${BENCH_NODES:-1000}"
export INGEST_HOME="${BENCH_HOME:-$(mktemp -d)}"
export INGEST_JAVA_OPTS="${INGEST_JAVA_OPTS:--Xmx2g}"
start=2024-11-04T08:00:00Z
end=2024-11-05T08:00:00Z
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time missing (apt-get install -y time)" >&2; exit 2; }

simlog=$(mktemp)
"$ingest" simulate --market caiso --port 0 --count "$nodes" --published-until 2026-01-01T00:00:00Z >"$simlog" 2>/dev/null &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -f "$simlog"' EXIT
for _ in $(seq 1 100); do grep -q '^listening ' "$simlog" && break; sleep 0.1; done
export INGEST_CAISO_BASE_URL=$(awk '/^listening /{print $2; exit}' "$simlog")
export INGEST_CAISO_REQUEST_SPACING=0s

echo "bench: lmp_rt_5min $start..$end, $((nodes + 7)) locations, JVM $INGEST_JAVA_OPTS, home $INGEST_HOME"
printf '%-10s %10s %10s %12s %10s\n' stage seconds rows rows_per_s max_rss_mb
json="["
for stage in fetch normalize enrich load; do
  /usr/bin/time -o "$INGEST_HOME/bench-$stage.time" -f '%e %M' "$ingest" "$stage" --market caiso --dataset lmp_rt_5min \
      --interval-start "$start" --interval-end "$end" --run-id bench 2>"$INGEST_HOME/bench-$stage.log" \
    || { echo "bench: $stage failed; log $INGEST_HOME/bench-$stage.log" >&2; grep -v '^{' "$INGEST_HOME/bench-$stage.log" | head -5 >&2; exit 1; }
  out=$(tail -1 "$INGEST_HOME/bench-$stage.time")
  secs=$(echo "$out" | awk '{print $1}')
  rss=$(echo "$out" | awk '{printf "%d", $2/1024}')
  rows=$(grep -o '"rows_out":[0-9]*' "$INGEST_HOME/bench-$stage.log" | tail -1 | cut -d: -f2)
  rate=$(awk -v r="${rows:-0}" -v s="$secs" 'BEGIN{ if (s>0) printf "%d", r/s; else print 0 }')
  printf '%-10s %10s %10s %12s %10s\n' "$stage" "$secs" "${rows:-?}" "$rate" "$rss"
  json="$json{\"stage\":\"$stage\",\"seconds\":$secs,\"rows\":${rows:-0},\"rows_per_s\":$rate,\"max_rss_mb\":$rss},"
done
echo "${json%,}]" > "$INGEST_HOME/bench.json"
echo "bench: results in $INGEST_HOME/bench.json"
