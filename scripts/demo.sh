#!/usr/bin/env bash
# make demo: all six CAISO datasets for the fall-back day 2024-11-03 (25 Pacific hours,
# 2024-11-03T07:00Z..2024-11-04T08:00Z) through `ingest run`, on the embedded default
# (DuckDB + Avro event files under INGEST_HOME), against the OASIS simulator on loopback.
# Offline; running it twice leaves every count unchanged.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ingest="$root/bin/ingest"
export INGEST_HOME="${INGEST_HOME:-$root/.ingest}"
start=2024-11-03T07:00:00Z
end=2024-11-04T08:00:00Z
datasets=(lmp_da_hourly lmp_rt_5min lmp_rt_15min load_actual load_forecast fuel_mix)

simlog=$(mktemp)
"$ingest" simulate --market caiso --port 0 --published-until 2026-01-01T00:00:00Z >"$simlog" 2>/dev/null &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -f "$simlog"' EXIT
for _ in $(seq 1 100); do grep -q '^listening ' "$simlog" && break; sleep 0.1; done
url=$(awk '/^listening /{print $2; exit}' "$simlog")
[ -n "$url" ] || { echo "demo: the CAISO simulator did not start" >&2; exit 1; }
export INGEST_CAISO_BASE_URL="$url"
# The simulator is on loopback: lift the 5 s OASIS request spacing for the demo only.
export INGEST_CAISO_REQUEST_SPACING=0s

mkdir -p "$INGEST_HOME"
echo "demo: CAISO simulator at $url; warehouse and events under $INGEST_HOME"
t0=$(date +%s)
for ds in "${datasets[@]}"; do
  s=$(date +%s)
  if ! "$ingest" run --market caiso --dataset "$ds" --interval-start "$start" --interval-end "$end" \
      --run-id "demo-$ds-2024-11-03" >"$INGEST_HOME/demo-$ds.log" 2>&1; then
    echo "demo: $ds failed; log: $INGEST_HOME/demo-$ds.log" >&2
    grep -v "^{" "$INGEST_HOME/demo-$ds.log" | tail -3 >&2
    exit 1
  fi
  printf '  %-14s ok in %ss\n' "$ds" "$(( $(date +%s) - s ))"
done
took=$(( $(date +%s) - t0 ))

echo
echo "Rows per dataset and table (window $start .. $end):"
"$ingest" query "
  SELECT 'silver_prices' AS tbl, dataset, count(*) AS rows, count(DISTINCT interval_start_utc) AS intervals FROM silver_prices GROUP BY dataset
  UNION ALL SELECT 'silver_load', dataset, count(*), count(DISTINCT interval_start_utc) FROM silver_load GROUP BY dataset
  UNION ALL SELECT 'silver_fuel_mix', dataset, count(*), count(DISTINCT interval_start_utc) FROM silver_fuel_mix GROUP BY dataset
  UNION ALL SELECT 'bronze_payloads', dataset, count(*), NULL FROM bronze_payloads GROUP BY dataset
  UNION ALL SELECT 'quality_results', dataset, count(*), NULL FROM quality_results GROUP BY dataset
  UNION ALL SELECT 'ingest_runs', dataset, count(*), NULL FROM ingest_runs GROUP BY dataset
  ORDER BY 1, 2"
echo
echo "Fall-back day check: hours of 2024-11-03 (Pacific) in lmp_da_hourly, per trading hub:"
"$ingest" query "SELECT location_id, count(*) AS hours, min(interval_start_utc) AS first_utc, max(interval_start_utc) AS last_utc
  FROM silver_prices WHERE dataset = 'lmp_da_hourly' AND is_trading_hub GROUP BY location_id ORDER BY 1"
echo
echo "Events per topic (embedded event log $INGEST_HOME/events):"
"$ingest" events
echo
echo "demo: done in ${took}s. Query the result yourself, e.g.:"
echo "  bin/ingest query \"SELECT location_id, interval_start_utc, price FROM silver_prices WHERE location_id = 'TH_SP15_GEN-APND' AND dataset = 'lmp_rt_5min' ORDER BY 2 LIMIT 12\""
echo "  bin/ingest query \"SELECT check_name, severity, passed, details FROM quality_results WHERE dataset = 'lmp_rt_5min'\""
