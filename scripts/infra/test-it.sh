#!/usr/bin/env bash
# `make test-it`: the suites that need real servers. Starts the servers (scripts/infra/infra.sh),
# checks the DDL on a current ClickHouse engine (chdb) and on the local 18.16 server, runs the *IT
# suites (failsafe) of the modules that have them, and stops the servers at the end, also on
# failure, unless they were all up before (then they are left as found).
#   env: MVN (the root Makefile's), CHDB_VERSION (default below)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
INFRA=scripts/infra/infra.sh
JAVA_HOME_21=$(scripts/find-jdk.sh) || exit 2
MVN=${MVN:-JAVA_HOME=$JAVA_HOME_21 mvn -B -q -f java/pom.xml}  # a shell command line (the root Makefile passes its own)
CHDB_VERSION=${CHDB_VERSION:-4.4.0}
VENV=.venv/chdb

if $INFRA status >/dev/null 2>&1; then was_up=1; else was_up=0; fi
stop() {
  if [ "$was_up" = 0 ]; then
    $INFRA down || true
  else
    echo "test-it: the servers were up before; left running (make infra-down stops them)" >&2
  fi
}
trap stop EXIT

t0=$SECONDS
$INFRA up || exit 1
echo "test-it: servers up in $((SECONDS - t0)) s" >&2

# chdb: a current ClickHouse engine in-process, in a venv inside the checkout (.venv is gitignored)
if ! "$VENV/bin/python" -c "import chdb" 2>/dev/null; then
  echo "test-it: installing chdb $CHDB_VERSION into $VENV" >&2
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "chdb==$CHDB_VERSION" || exit 1
fi

t1=$SECONDS
IT_SUMMARIES="java/sinks/production/target/failsafe-reports/failsafe-summary.xml java/tasks/target/failsafe-reports/failsafe-summary.xml"
rm -f $IT_SUMMARIES
# Builds the JAR too (package), which the end-to-end ITs run as bin/ingest.
eval "$MVN" -pl sinks/production,tasks -am verify -DskipITs=false -Dtest=NoUnitTestsInThisRun \
  -Dsurefire.failIfNoSpecifiedTests=false
rc=$?
echo "test-it: integration tests finished in $((SECONDS - t1)) s (exit $rc)" >&2
# Maven runs quiet (-q): count the ITs from failsafe's summaries.
passed=0; failed=0
for f in $IT_SUMMARIES; do
  [ -f "$f" ] || continue
  n() { sed -n "s:.*<$1>\([0-9]*\)</$1>.*:\1:p" "$f" | head -1; }
  done_=$(n completed); err=$(n errors); fail=$(n failures); skip=$(n skipped)
  passed=$((passed + ${done_:-0} - ${err:-0} - ${fail:-0} - ${skip:-0})); failed=$((failed + ${err:-0} + ${fail:-0}))
done
if [ $rc != 0 ] && [ $failed = 0 ]; then failed=1; fi  # the build itself failed

ddl=0
cluster_sql=$(mktemp)
if [ -f java/tasks/target/ingest.jar ] && bin/ingest ddl print --cluster ingest_cluster > "$cluster_sql"; then
  "$VENV/bin/python" scripts/infra/ddl_check.py --server http://127.0.0.1:8123 --cluster-sql "$cluster_sql" || ddl=1
else
  "$VENV/bin/python" scripts/infra/ddl_check.py --server http://127.0.0.1:8123 || ddl=1
fi
rm -f "$cluster_sql"
if [ "${ddl:-0}" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); rc=1; fi  # the DDL check counts as one
echo "test-it: $passed passed, $failed failed"
exit $rc
