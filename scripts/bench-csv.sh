#!/usr/bin/env bash
# make bench-csv: the CSV readers side by side on what OasisPriceParser reads (ADR 0007, "CSV reader").
#
# Compiles connectors/caiso with its tests (the bench is a test-scope class, not in the task JAR),
# then runs io.carbon254.ingest.connectors.caiso.sim.CsvReaderBench in one JVM: the simulator's
# PRC_INTVL_LMP CSV for one Pacific day, read by CsvReader (as the parser reads it, and with a String
# per field), Jackson CSV and FastCSV, each extracting the same five fields. Prints a Markdown table
# (records/s, MB/s, median of the timed runs, checksum) on stdout, progress on stderr; exit 1 when
# the readers disagree on the records or the checksum.
#
#   BENCH_CSV_NODES=1000 (+ 7 hubs/DLAPs: 1,450,080 rows)  BENCH_CSV_HOURS=24
#   BENCH_CSV_WARMUP=2  BENCH_CSV_RUNS=5  BENCH_CSV_JAVA_OPTS=-Xmx2g
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "bench-csv: $*" >&2; exit 2; }

nodes="${BENCH_CSV_NODES:-1000}"; hours="${BENCH_CSV_HOURS:-24}"
warmup="${BENCH_CSV_WARMUP:-2}"; runs="${BENCH_CSV_RUNS:-5}"
for v in "$nodes" "$hours" "$runs"; do [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CSV_NODES, _HOURS and _RUNS must be whole numbers > 0"; done
[[ "$warmup" =~ ^[0-9]+$ ]] || die "BENCH_CSV_WARMUP must be a whole number"
jdk=$("$root/scripts/find-jdk.sh") || die "no JDK >= 21 found"

module="$root/java/connectors/caiso"
cpfile="$module/target/bench-csv.classpath"
echo "bench-csv: compiling connectors/caiso and its tests" >&2
JAVA_HOME="$jdk" MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}" \
  mvn -B -q -f "$root/java/pom.xml" -pl connectors/caiso -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-csv.classpath >&2
[ -s "$cpfile" ] || die "no classpath written to $cpfile"

# shellcheck disable=SC2086
exec "$jdk/bin/java" ${BENCH_CSV_JAVA_OPTS:--Xmx2g} -cp "$module/target/test-classes:$module/target/classes:$(cat "$cpfile")" \
  io.carbon254.ingest.connectors.caiso.sim.CsvReaderBench "$nodes" "$hours" "$warmup" "$runs"
