#!/usr/bin/env bash
# Builds the class-data sharing archive of the task JAR: one training run of `ingest run` (fetch,
# normalize, enrich, load of one hour of CAISO 5-minute LMPs from the loopback simulator, into a
# throw-away INGEST_HOME), then the usage messages and the production sinks opened against a closed
# port (CdsTraining: their client classes, which a pod loads), with -XX:ArchiveClassesAtExit, so later JVMs map the classes the stages
# load instead of loading and verifying them (docs/adr/0007). The archive belongs to the JVM that
# wrote it: `make build` writes java/tasks/target/ingest.jsa with the build's JDK (bin/ingest uses it
# when it is newer than the JAR); the task image writes /app/ingest.jsa with its own JRE.
#
#   scripts/cds-archive.sh JAVA JAR ARCHIVE
# Exits non-zero (and leaves no archive) when the training run fails.
set -uo pipefail
java=${1:?java binary}; jar=$(realpath "${2:?task JAR}"); out=${3:?archive path}
# The JAR by its absolute path: the archive records it, and the classes it maps report it as their
# code source (DuckDB finds its native library beside the JAR through it).
work=$(mktemp -d "${TMPDIR:-/tmp}/ingest-cds.XXXXXX")
sim=
cleanup() { [ -n "$sim" ] && kill "$sim" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$java" --enable-native-access=ALL-UNNAMED -jar "$jar" simulate --market caiso --port 0 --count 20 \
  --published-until 2026-01-01T00:00:00Z >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 200); do grep -q '^listening ' "$work/sim.log" && break; kill -0 "$sim" 2>/dev/null || break; sleep 0.1; done
url=$(awk '/^listening /{print $2; exit}' "$work/sim.log")
[ -n "$url" ] || { echo "cds-archive: the simulator did not start: $(tail -3 "$work/sim.log")" >&2; exit 1; }
rm -f "$out"
env -u CLICKHOUSE_DSN -u KAFKA_BOOTSTRAP_SERVERS -u SCHEMA_REGISTRY_URL -u REDIS_URL \
  INGEST_HOME="$work/home" INGEST_CAISO_BASE_URL="$url" INGEST_CAISO_REQUEST_SPACING=0s \
  "$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$out" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -cp "$jar" io.carbon254.ingest.tasks.CdsTraining run --market caiso --dataset lmp_rt_5min --interval-start 2024-11-04T08:00:00Z --interval-end 2024-11-04T09:00:00Z \
  --run-id cds-training >"$work/run.log" 2>&1
rc=$?
if [ "$rc" != 0 ] || [ ! -s "$out" ]; then
  echo "cds-archive: the training run failed (exit $rc): $(tail -3 "$work/run.log")" >&2
  rm -f "$out"
  exit 1
fi
echo "cds-archive: $out ($(( $(stat -c %s "$out") / 1048576 )) MiB)"
