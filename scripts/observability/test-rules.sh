#!/usr/bin/env bash
# Checks of the alerting and recording rules and of the dashboards, without any server:
#   1. observability/alerts/slo.rules.yml is what connectors/*.yaml produce (slo_rules.py --check)
#   2. promtool check rules on every observability/alerts/*.rules.yml
#   3. promtool test rules on every observability/alerts/tests/*.test.yml
#   4. every alert has a severity label (page|ticket) and summary, description and runbook
#      annotations, its runbook anchor exists in observability/README.md, it has a unit test, and
#      the alert names Alertmanager's inhibit rules match exist
#   5. the dashboards parse and are well formed (check_dashboards.py --offline)
# One line per step; exits non-zero on the first failure, with that step's output.
# Needs python3 with PyYAML and promtool (Debian package prometheus).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
ALERTS=observability/alerts
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { printf 'test-rules: FAIL %s\n' "$1" >&2; [ -s "$out" ] && sed 's/^/  /' "$out" >&2; exit 1; }
step() { # description command...
  local what=$1; shift
  if "$@" >"$out" 2>&1; then printf 'test-rules: ok   %s\n' "$what"; else fail "$what"; fi
}

command -v promtool >/dev/null 2>&1 || {
  : >"$out"; fail "promtool not found (apt-get install prometheus, or put promtool on PATH)"; }
python3 -c 'import yaml' 2>/dev/null || { : >"$out"; fail "python3 has no PyYAML (apt-get install python3-yaml)"; }

shopt -s nullglob
rules=("$ALERTS"/*.rules.yml)
tests=("$ALERTS"/tests/*.test.yml)
[ ${#rules[@]} -gt 0 ] || { : >"$out"; fail "no rule files in $ALERTS"; }
[ ${#tests[@]} -gt 0 ] || { : >"$out"; fail "no rule tests in $ALERTS/tests"; }

step "slo.rules.yml matches connectors/*.yaml" python3 scripts/observability/slo_rules.py --check
for f in "${rules[@]}"; do
  step "promtool check rules $f" promtool check rules "$f"
done
for f in "${tests[@]}"; do
  step "promtool test rules $f" promtool test rules "$f"
done

check_alerts() {
  python3 - "$ALERTS" observability/README.md configs/prometheus/alertmanager.yml <<'PY'
import glob, re, sys, yaml

alerts_dir, readme, alertmanager = sys.argv[1:4]
problems = []

def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")

anchors = set()
with open(readme, encoding="utf-8") as f:
    for line in f:
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            anchors.add(slug(m.group(1)))

tested = set()
for path in sorted(glob.glob(f"{alerts_dir}/tests/*.test.yml")):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    for t in doc.get("tests") or []:
        for a in t.get("alert_rule_test") or []:
            tested.add(a.get("alertname"))

names = set()
count = 0
for path in sorted(glob.glob(f"{alerts_dir}/*.rules.yml")):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    for group in doc.get("groups") or []:
        for rule in group.get("rules") or []:
            name = rule.get("alert")
            if not name:
                continue
            count += 1
            names.add(name)
            where = f"{path}: {name}"
            severity = (rule.get("labels") or {}).get("severity")
            if severity not in ("page", "ticket"):
                problems.append(f"{where}: severity label is {severity!r}, not page or ticket")
            ann = rule.get("annotations") or {}
            for key in ("summary", "description", "runbook"):
                if not str(ann.get(key) or "").strip():
                    problems.append(f"{where}: no {key} annotation")
            runbook = str(ann.get("runbook") or "")
            if runbook:
                if "README.md#runbook" not in runbook:
                    problems.append(f"{where}: runbook {runbook!r} does not point to a README.md#runbook section")
                elif runbook.split("#", 1)[1] not in anchors:
                    problems.append(f"{where}: runbook anchor #{runbook.split('#', 1)[1]} is not a heading of {readme}")

for name in sorted(names - tested):
    problems.append(f"{name}: no alert_rule_test in {alerts_dir}/tests")

with open(alertmanager, encoding="utf-8") as f:
    am = yaml.safe_load(f) or {}
for rule in am.get("inhibit_rules") or []:
    for m in (rule.get("source_matchers") or []) + (rule.get("target_matchers") or []):
        hit = re.match(r'\s*alertname\s*(=~|=)\s*"?([^"]*)"?\s*$', m)
        if not hit:
            continue
        op, value = hit.groups()
        wanted = value.split("|") if op == "=~" else [value]
        for w in wanted:
            if w not in names:
                problems.append(f"{alertmanager}: inhibit rule names alert {w}, which no rule file defines")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{count} alerts, {len(names)} names")
PY
}
step "alerts have severity, summary, description, runbook and a test" check_alerts
step "dashboards are well formed" python3 scripts/observability/check_dashboards.py --offline

echo "test-rules: all checks passed"
