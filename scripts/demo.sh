#!/usr/bin/env bash
# make demo: every dataset of every market in the list below, over that market's fall-back day
# 2024-11-03 (25 local hours; MISO keeps EST all year: 24), through `ingest run`, on the embedded default (DuckDB + Avro event
# files under INGEST_HOME), against each market's simulator on loopback. Offline; running it twice
# leaves every count unchanged. It fails unless every day-ahead pricing node holds 25 distinct hours.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# INGEST_DEMO_BIN: another command in place of bin/ingest (scripts/check-demo-stderr.sh keeps each run's stderr so)
ingest="${INGEST_DEMO_BIN:-$root/bin/ingest}"
export INGEST_HOME="${INGEST_HOME:-$root/.ingest}"

# The demo's market list: market, its fall-back day as a UTC window [start, end), simulated pricing
# nodes besides hubs and zones, the simulator's "now" (--published-until: ERCOT's fuel-mix dashboard
# holds only its current and previous day), and variables the simulator's stand-in credentials need.
markets=(
  "caiso 2024-11-03T07:00:00Z 2024-11-04T08:00:00Z 300 2026-01-01T00:00:00Z"
  "pjm 2024-11-03T04:00:00Z 2024-11-04T05:00:00Z 265 2026-01-01T00:00:00Z PJM_API_KEY=demo-key-of-the-simulator"
  "ercot 2024-11-03T05:00:00Z 2024-11-04T06:00:00Z 300 2024-11-05T00:00:00Z ERCOT_API_KEY=demo-key-of-the-simulator ERCOT_USERNAME=demo@example.com ERCOT_PASSWORD=demo-password-of-the-simulator"
  "miso 2024-11-03T05:00:00Z 2024-11-04T05:00:00Z 300 2026-01-01T00:00:00Z MISO_API_KEY=demo-key-of-the-simulator"
)

sims=()
logs=()
trap 'for p in "${sims[@]}"; do kill "$p" 2>/dev/null || true; done; rm -f "${logs[@]}"' EXIT
mkdir -p "$INGEST_HOME"
t0=$(date +%s)
for entry in "${markets[@]}"; do
  read -r market start end nodes until extra <<<"$entry"
  M=$(echo "$market" | tr '[:lower:]' '[:upper:]')
  simlog=$(mktemp)
  logs+=("$simlog")
  "$ingest" simulate --market "$market" --port 0 --count "$nodes" --published-until "$until" >"$simlog" 2>/dev/null &
  sims+=($!)
  for _ in $(seq 1 100); do grep -q '^listening ' "$simlog" && break; sleep 0.1; done
  url=$(awk '/^listening /{print $2; exit}' "$simlog")
  [ -n "$url" ] || { echo "demo: the $market simulator did not start" >&2; exit 1; }
  export "INGEST_${M}_BASE_URL=$url"
  # The simulator is on loopback: lift the market's request spacing for the demo only.
  export "INGEST_${M}_REQUEST_SPACING=0s"
  for kv in $extra; do export "${kv?}"; done
  datasets=$("$ingest" connectors list | awk -F'|' -v m="$market" '{gsub(/ /, "", $2); gsub(/ /, "", $3)} $2 == m {print $3}')
  echo "demo: $market simulator at $url; window $start .. $end; warehouse and events under $INGEST_HOME"
  for ds in $datasets; do
    s=$(date +%s)
    if ! "$ingest" run --market "$market" --dataset "$ds" --interval-start "$start" --interval-end "$end" \
        --run-id "demo-$market-$ds-2024-11-03" >"$INGEST_HOME/demo-$market-$ds.log" 2>&1; then
      echo "demo: $market $ds failed; log: $INGEST_HOME/demo-$market-$ds.log" >&2
      grep -v "^{" "$INGEST_HOME/demo-$market-$ds.log" | tail -3 >&2
      exit 1
    fi
    printf '  %-6s %-14s ok in %ss\n' "$market" "$ds" "$(( $(date +%s) - s ))"
  done
done
took=$(( $(date +%s) - t0 ))

echo
echo "Rows per market, dataset and table (each market's fall-back day):"
"$ingest" query "
  SELECT 'silver_prices' AS tbl, market, dataset, count(*) AS rows, count(DISTINCT interval_start_utc) AS intervals FROM silver_prices GROUP BY market, dataset
  UNION ALL SELECT 'silver_load', market, dataset, count(*), count(DISTINCT interval_start_utc) FROM silver_load GROUP BY market, dataset
  UNION ALL SELECT 'silver_fuel_mix', market, dataset, count(*), count(DISTINCT interval_start_utc) FROM silver_fuel_mix GROUP BY market, dataset
  UNION ALL SELECT 'bronze_payloads', market, dataset, count(*), NULL FROM bronze_payloads GROUP BY market, dataset
  UNION ALL SELECT 'quality_results', market, dataset, count(*), NULL FROM quality_results GROUP BY market, dataset
  UNION ALL SELECT 'ingest_runs', market, dataset, count(*), NULL FROM ingest_runs GROUP BY market, dataset
  ORDER BY 1, 2, 3"
echo
echo "Fall-back day check: hours of 2024-11-03 (local) in lmp_da_hourly / spp_da_hourly, per trading hub:"
"$ingest" query "SELECT market, location_id, location_name, count(*) AS hours, min(interval_start_utc) AS first_utc, max(interval_start_utc) AS last_utc
  FROM silver_prices WHERE dataset IN ('lmp_da_hourly', 'spp_da_hourly') AND is_trading_hub GROUP BY market, location_id, location_name ORDER BY 1, 2"
bad=$("$ingest" query --format csv "SELECT market, location_id, count(*) AS n, count(DISTINCT interval_start_utc) AS d FROM silver_prices
  WHERE dataset IN ('lmp_da_hourly', 'spp_da_hourly') GROUP BY market, location_id HAVING count(*) <> 25 OR count(DISTINCT interval_start_utc) <> 25" | tail -n +2)
if [ -n "$bad" ]; then
  echo "demo: pricing nodes without 25 distinct hours on the fall-back day (market,location,rows,distinct):" >&2
  echo "$bad" | head -5 >&2
  exit 1
fi
echo "every day-ahead pricing node of every market: 25 distinct hours, none twice"
bad=$("$ingest" query --format csv "SELECT location_id, count(*) AS n, count(DISTINCT interval_start_utc) AS d FROM silver_prices
  WHERE market = 'miso' AND dataset = 'lmp_da_expost_hourly' GROUP BY location_id HAVING count(*) <> 24 OR count(DISTINCT interval_start_utc) <> 24" | tail -n +2)
if [ -n "$bad" ]; then
  echo "demo: MISO nodes without 24 distinct EST hours on 2024-11-03 (location,rows,distinct):" >&2
  echo "$bad" | head -5 >&2
  exit 1
fi
echo "every MISO node: 24 distinct hours (EST all year: the US fall-back changes nothing), 05:00Z through 04:00Z"
echo
echo "Events per topic (embedded event log $INGEST_HOME/events):"
"$ingest" events
echo
echo "demo: done in ${took}s. Query the result yourself, e.g.:"
echo "  bin/ingest query \"SELECT location_id, interval_start_utc, price FROM silver_prices WHERE location_id = 'TH_SP15_GEN-APND' AND dataset = 'lmp_rt_5min' ORDER BY 2 LIMIT 12\""
echo "  bin/ingest query \"SELECT check_name, severity, passed, details FROM quality_results WHERE dataset = 'lmp_rt_5min'\""
