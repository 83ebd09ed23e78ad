#!/usr/bin/env bash
# Runs the demo (scripts/demo.sh: every command it runs of the task JAR, simulators included) with
# each JAR process's stderr kept, then checks that every line of it is a JSON log line
# (scripts/check-json-stderr.py). The demo's own output goes to stdout as usual. Builds nothing:
# `make build` (or the shaded JAR from mvn package) first. Exit 0 when every line is JSON, 1 when
# one is not (listed), or the demo's exit code when the demo fails.
#
#   scripts/check-demo-stderr.sh            # a throw-away INGEST_HOME unless one is exported
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ingest-demo-stderr.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/err"
export INGEST_HOME="${INGEST_HOME:-$work/home}"
# stderr off a terminal: the JAR's default log format is JSON; make sure of it whatever the caller exported
unset INGEST_LOG_FORMAT
# Each JAR process's stderr goes to a file of its own (and on to wherever the demo sends it);
# exec keeps the PID, so the demo's kill of a simulator reaches the JVM and its last line is kept.
cat >"$work/ingest" <<WRAP
#!/usr/bin/env bash
echo \$\$ >>"$work/pids"
exec "$root/bin/ingest" "\$@" 2> >(tee "$work/err/\$(date +%s%N)-\$\$.err" >&2)
WRAP
chmod +x "$work/ingest"
rc=0
INGEST_DEMO_BIN="$work/ingest" "$root/scripts/demo.sh" || rc=$?
# the simulators end after the demo (its exit trap): wait for them, then for their tee
for _ in $(seq 1 100); do
  alive=0
  while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$work/pids"
  [ "$alive" = 0 ] && break
  sleep 0.1
done
sleep 0.5
if [ "$rc" != 0 ]; then
  echo "check-demo-stderr: the demo failed (exit $rc)" >&2
  exit "$rc"
fi
echo
echo "check-demo-stderr: $(wc -l <"$work/pids") JAR process(es); their stderr:"
python3 "$root/scripts/check-json-stderr.py" "$work"/err/*.err
