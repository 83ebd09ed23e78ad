#!/usr/bin/env bash
# The observability stack's own checks, on the real servers (make test-observability):
# promtool and amtool validate configs/prometheus/, then Pushgateway, Alertmanager, Prometheus
# (Debian's packages, installed when missing) and Jaeger (built once) start on loopback; a sample
# pushed under the task runs' grouping key (job, market, dataset, stage) must reach Prometheus with
# those labels (the scrape's honor_labels) and Prometheus must see Alertmanager; the rule files pass
# their promtool tests (scripts/observability/test-rules.sh); then the task JAR runs against the
# stack (scripts/infra/test-observability-run.sh: metrics, dashboards, traces, logs, the error-rate
# alert). Servers this script started are stopped again; ones already up are left up.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INFRA="$ROOT/scripts/infra/infra.sh"
SERVICES=(pushgateway alertmanager prometheus jaeger)
fail() { printf 'test-observability: FAIL: %s\n' "$*" >&2; exit 1; }

started=()
for s in "${SERVICES[@]}"; do
  "$INFRA" status "$s" >/dev/null 2>&1 || started+=("$s")
done
cleanup() { [ ${#started[@]} -eq 0 ] || "$INFRA" down "${started[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT

"$INFRA" up "${SERVICES[@]}"
promtool check config "$ROOT/configs/prometheus/prometheus.yml" >/dev/null || fail "promtool check config"
amtool check-config "$ROOT/configs/prometheus/alertmanager.yml" >/dev/null || fail "amtool check-config"

group="job/ingest/market/caiso/dataset/lmp_rt_5min/stage/fetch"
probe="ingest_observability_probe_total"
printf '# HELP %s A probe of the stack test.\n# TYPE %s counter\n%s 1\n' "$probe" "$probe" "$probe" \
  | curl -fsS --data-binary @- "http://127.0.0.1:9091/metrics/$group" || fail "push to the Pushgateway"
found=
for _ in $(seq 1 40); do
  if curl -fsS "http://127.0.0.1:9090/api/v1/query?query=$probe" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
want = {"job": "ingest", "market": "caiso", "dataset": "lmp_rt_5min", "stage": "fetch"}
sys.exit(0 if any(all(x["metric"].get(k) == v for k, v in want.items()) for x in r) else 1)'; then
    found=1; break
  fi
  sleep 1
done
curl -fsS -X DELETE "http://127.0.0.1:9091/metrics/$group" >/dev/null || true
[ -n "$found" ] || fail "$probe did not reach Prometheus with its grouping labels within 40 s"
am=
for _ in $(seq 1 30); do
  if curl -fsS http://127.0.0.1:9090/api/v1/alertmanagers | python3 -c '
import json, sys
a = json.load(sys.stdin)["data"]["activeAlertmanagers"]
sys.exit(0 if any("127.0.0.1:9093" in x["url"] for x in a) else 1)'; then
    am=1; break
  fi
  sleep 1
done
[ -n "$am" ] || fail "Prometheus does not see Alertmanager on 127.0.0.1:9093 within 30 s"
echo "test-observability: configs valid; a pushed sample reached Prometheus with job/market/dataset/stage; Alertmanager attached"
bash "$ROOT/scripts/observability/test-rules.sh" || fail "the alert and SLO rules (scripts/observability/test-rules.sh)"
bash "$ROOT/scripts/infra/test-observability-run.sh"
echo "test-observability: ok"
