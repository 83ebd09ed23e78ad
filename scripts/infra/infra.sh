#!/usr/bin/env bash
# Starts and stops the real servers the production sinks talk to, on loopback, for tests and local
# runs (no Docker). State, data and logs live under .infra/ in the checkout (gitignored).
#
#   scripts/infra/infra.sh up     [service...]   start (idempotent: a running service is kept)
#   scripts/infra/infra.sh down   [service...]   stop what `up` started (by pid file)
#   scripts/infra/infra.sh status [service...]
#
# Services and their fixed ports (configs/environments/local/env.example points the CLI at them):
#   clickhouse  HTTP 127.0.0.1:8123, native 127.0.0.1:9000  (Debian clickhouse-server, apt-installed if missing)
#   kafka       127.0.0.1:9092 (controller 29093)            (KRaft broker from Maven Central jars)
#   redis       127.0.0.1:6379                               (Debian redis-server, apt-installed if missing)
#   registry    http://127.0.0.1:8081                        (schema registry stand-in from the test tree)
# Observability (`make observability-up`; not part of the default set):
#   pushgateway   http://127.0.0.1:9091   (Debian prometheus-pushgateway; the task runs push here)
#   alertmanager  http://127.0.0.1:9093   (Debian prometheus-alertmanager, configs/prometheus/alertmanager.yml)
#   prometheus    http://127.0.0.1:9090   (Debian prometheus, configs/prometheus/prometheus.yml + observability/alerts)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/scripts/infra"
STATE="${INFRA_DIR:-$ROOT/.infra}"
ALL=(clickhouse redis kafka registry)
OBSERVABILITY=(pushgateway alertmanager prometheus jaeger)
JAVA_HOME_21=$("$ROOT/scripts/find-jdk.sh")
JAVA="$JAVA_HOME_21/bin/java"
MVN=(env "JAVA_HOME=$JAVA_HOME_21" mvn -B -q)

log() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: %s\n' "$*" >&2; exit 1; }

port_open() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

alive() { # pidfile
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_for() { # what seconds command...
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      return 1
    fi
    sleep 0.2
  done
}

apt_install() { # binary package...
  local bin=$1; shift
  command -v "$bin" >/dev/null 2>&1 && return 0
  log "$bin not found: apt-get install -y $*"
  if [ ! -f "$STATE/.apt-updated" ]; then
    apt-get update -qq >&2
    mkdir -p "$STATE" && touch "$STATE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Starts a server in a session of its own (so an interrupted `make` does not take it down) and
# records its pid: the process writes its own pid before exec'ing the server, which holds whether
# setsid had to fork or not.
spawn() { # dir pidfile logfile command...
  local dir=$1 pf=$2 logf=$3
  shift 3
  rm -f "$pf"
  # The redirections cover the whole background list, so no helper shell keeps the caller's stdout open.
  (cd "$dir" && exec setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pf" "$@") >> "$logf" 2>&1 < /dev/null &
  wait_for pidfile 10 test -s "$pf" || die "could not start $1 (log: $logf)"
}

stop_pid() { # name pidfile
  local name=$1 pf=$2
  if ! alive "$pf"; then
    rm -f "$pf"
    return 0
  fi
  local pid; pid=$(cat "$pf")
  kill "$pid" 2>/dev/null || true
  if ! wait_for "$name stop" 30 bash -c "! kill -0 $pid 2>/dev/null"; then
    log "$name (pid $pid) did not stop in 30 s: SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pf"
  log "$name stopped"
}

# ---------------------------------------------------------------- clickhouse
clickhouse_up() {
  local d="$STATE/clickhouse" pf="$STATE/clickhouse/clickhouse.pid"
  if alive "$pf" && curl -fsS http://127.0.0.1:8123/ping >/dev/null 2>&1; then
    log "clickhouse already up (http://127.0.0.1:8123)"; return 0
  fi
  if port_open 127.0.0.1 8123; then
    die "port 8123 is taken by a process this script did not start; stop it or free the port"
  fi
  apt_install clickhouse-server clickhouse-server clickhouse-client
  mkdir -p "$d"/{data,tmp,log,user_files,format_schemas,etc}
  sed "s#@DIR@#$d#g" "$HERE/clickhouse/config.xml" > "$d/etc/config.xml"
  cp "$HERE/clickhouse/users.xml" "$d/etc/users.xml"
  spawn "$d" "$pf" "$d/log/stdout.log" clickhouse-server --config-file="$d/etc/config.xml"
  if ! wait_for clickhouse 60 curl -fs http://127.0.0.1:8123/ping -o /dev/null; then
    tail -20 "$d/log/clickhouse-server.err.log" >&2 || true
    die "clickhouse did not answer on 127.0.0.1:8123 within 60 s (logs: $d/log)"
  fi
  log "clickhouse up: http://127.0.0.1:8123 ($(curl -fsS 'http://127.0.0.1:8123/?query=SELECT%20version()'))"
}
clickhouse_down() { stop_pid clickhouse "$STATE/clickhouse/clickhouse.pid"; }
clickhouse_status() { alive "$STATE/clickhouse/clickhouse.pid" && curl -fs http://127.0.0.1:8123/ping -o /dev/null; }

# ---------------------------------------------------------------- redis
redis_up() {
  local d="$STATE/redis" pf="$STATE/redis/redis.pid"
  if alive "$pf" && port_open 127.0.0.1 6379; then
    log "redis already up (127.0.0.1:6379)"; return 0
  fi
  if port_open 127.0.0.1 6379; then
    die "port 6379 is taken by a process this script did not start; stop it or free the port"
  fi
  apt_install redis-server redis-server
  mkdir -p "$d"
  redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$d" --pidfile "$pf" --logfile "$d/redis.log"
  wait_for redis 20 port_open 127.0.0.1 6379 || die "redis did not listen on 127.0.0.1:6379 (log: $d/redis.log)"
  wait_for redis-pid 5 test -s "$pf" || true
  log "redis up: redis://127.0.0.1:6379"
}
redis_down() { stop_pid redis "$STATE/redis/redis.pid"; }
redis_status() { alive "$STATE/redis/redis.pid" && port_open 127.0.0.1 6379; }

# ---------------------------------------------------------------- kafka
kafka_classpath() {
  local cp="$STATE/kafka/kafka.cp"
  if [ ! -s "$cp" ] || [ "$HERE/kafka/pom.xml" -nt "$cp" ]; then
    log "kafka: resolving the broker classpath from Maven Central (scripts/infra/kafka/pom.xml)"
    if ! "${MVN[@]}" -f "$HERE/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp" > "$STATE/kafka/resolve.log" 2>&1; then
      tail -20 "$STATE/kafka/resolve.log" >&2
      die "kafka: resolving the broker classpath failed (log: $STATE/kafka/resolve.log)"
    fi
  fi
  cat "$cp"
}
kafka_up() {
  local d="$STATE/kafka" pf="$STATE/kafka/kafka.pid"
  if alive "$pf" && port_open 127.0.0.1 9092; then
    log "kafka already up (127.0.0.1:9092)"; return 0
  fi
  if port_open 127.0.0.1 9092; then
    die "port 9092 is taken by a process this script did not start; stop it or free the port"
  fi
  mkdir -p "$d"
  local cp; cp=$(kafka_classpath)
  sed "s#@DIR@#$d#g" "$HERE/kafka/server.properties" > "$d/server.properties"
  local opts=(-Xmx512m -Xms128m -XX:+UseSerialGC -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties")
  if [ ! -f "$d/data/meta.properties" ]; then
    local cid; cid=$("$JAVA" "${opts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    "$JAVA" "${opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cid" -c "$d/server.properties" > "$d/format.log" 2>&1 \
      || { cat "$d/format.log" >&2; die "kafka storage format failed"; }
  fi
  : > "$d/kafka.log"
  spawn "$d" "$pf" "$d/kafka.log" "$JAVA" "${opts[@]}" -cp "$cp" kafka.Kafka "$d/server.properties"
  if ! wait_for kafka 90 grep -q "Kafka Server started" "$d/kafka.log"; then
    tail -30 "$d/kafka.log" >&2 || true
    die "kafka did not start within 90 s (log: $d/kafka.log)"
  fi
  wait_for kafka-port 10 port_open 127.0.0.1 9092 || die "kafka started but 127.0.0.1:9092 is not listening"
  log "kafka up: 127.0.0.1:9092"
}
kafka_down() { stop_pid kafka "$STATE/kafka/kafka.pid"; }
kafka_status() { alive "$STATE/kafka/kafka.pid" && port_open 127.0.0.1 9092; }

# ---------------------------------------------------------------- schema registry stand-in
# A protocol-faithful stand-in for a Confluent-compatible registry (no such server installs here).
# It lives in the test tree of java/sinks/production and runs from the test classpath Maven builds.
REGISTRY_CLASS=io.carbon254.ingest.sinks.production.registry.SchemaRegistryStandIn
registry_up() {
  local d="$STATE/registry" pf="$STATE/registry/registry.pid"
  if alive "$pf" && curl -fs http://127.0.0.1:8081/subjects -o /dev/null 2>&1; then
    log "registry already up (http://127.0.0.1:8081)"; return 0
  fi
  if port_open 127.0.0.1 8081; then
    die "port 8081 is taken by a process this script did not start; stop it or free the port"
  fi
  mkdir -p "$d"
  local mod="$ROOT/java/sinks/production/target"
  log "registry: compiling the stand-in (mvn -pl sinks/production -am test-compile, log: $d/build.log)"
  if ! "${MVN[@]}" -f "$ROOT/java/pom.xml" -pl sinks/production -am test-compile > "$d/build.log" 2>&1; then
    grep -E "ERROR|BUILD" "$d/build.log" | head -20 >&2
    die "registry: building the stand-in failed (log: $d/build.log)"
  fi
  local cp="$mod/test-classes:$mod/classes:$(cat "$mod/test-runtime.classpath")"
  : > "$d/registry.log"
  spawn "$d" "$pf" "$d/registry.log" "$JAVA" -Xmx128m -cp "$cp" "$REGISTRY_CLASS" --port 8081 --data "$d/subjects.json"
  if ! wait_for registry 30 curl -fs http://127.0.0.1:8081/subjects -o /dev/null; then
    tail -20 "$d/registry.log" >&2 || true
    die "registry stand-in did not answer on 127.0.0.1:8081 within 30 s (log: $d/registry.log)"
  fi
  log "registry up: http://127.0.0.1:8081"
}
registry_down() { stop_pid registry "$STATE/registry/registry.pid"; }
registry_status() { alive "$STATE/registry/registry.pid" && curl -fs http://127.0.0.1:8081/subjects -o /dev/null; }

# ---------------------------------------------------------------- observability (Debian packages)
# Each listens on loopback only, keeps its data under .infra/<name>, logs to .infra/<name>/<name>.log.
obs_up() { # name port readiness-path package binary args...
  local name=$1 port=$2 ready=$3 pkg=$4 bin=$5; shift 5
  local d="$STATE/$name" pf="$STATE/$name/$name.pid"
  if alive "$pf" && curl -fs "http://127.0.0.1:$port$ready" -o /dev/null; then
    log "$name already up (http://127.0.0.1:$port)"; return 0
  fi
  if port_open 127.0.0.1 "$port"; then
    die "port $port is taken by a process this script did not start; stop it or free the port"
  fi
  apt_install "$bin" "$pkg"
  mkdir -p "$d/data"
  : > "$d/$name.log"
  spawn "$d" "$pf" "$d/$name.log" "$bin" "$@"
  if ! wait_for "$name" 30 curl -fs "http://127.0.0.1:$port$ready" -o /dev/null; then
    tail -20 "$d/$name.log" >&2 || true
    die "$name did not answer on 127.0.0.1:$port within 30 s (log: $d/$name.log)"
  fi
  log "$name up: http://127.0.0.1:$port"
}
pushgateway_up() {
  obs_up pushgateway 9091 /-/ready prometheus-pushgateway prometheus-pushgateway \
    --web.listen-address=127.0.0.1:9091 --persistence.file="$STATE/pushgateway/data/metrics.store" --persistence.interval=30s
}
pushgateway_down() { stop_pid pushgateway "$STATE/pushgateway/pushgateway.pid"; }
pushgateway_status() { alive "$STATE/pushgateway/pushgateway.pid" && curl -fs http://127.0.0.1:9091/-/ready -o /dev/null; }
alertmanager_up() {
  obs_up alertmanager 9093 /-/ready prometheus-alertmanager prometheus-alertmanager \
    --config.file="$ROOT/configs/prometheus/alertmanager.yml" --storage.path="$STATE/alertmanager/data" \
    --web.listen-address=127.0.0.1:9093 --cluster.listen-address=
}
alertmanager_down() { stop_pid alertmanager "$STATE/alertmanager/alertmanager.pid"; }
alertmanager_status() { alive "$STATE/alertmanager/alertmanager.pid" && curl -fs http://127.0.0.1:9093/-/ready -o /dev/null; }
prometheus_up() {
  obs_up prometheus 9090 /-/ready prometheus prometheus \
    --config.file="$ROOT/configs/prometheus/prometheus.yml" --storage.tsdb.path="$STATE/prometheus/data" \
    --web.listen-address=127.0.0.1:9090 --web.enable-lifecycle
}
prometheus_down() { stop_pid prometheus "$STATE/prometheus/prometheus.pid"; }
prometheus_status() { alive "$STATE/prometheus/prometheus.pid" && curl -fs http://127.0.0.1:9090/-/ready -o /dev/null; }

# Jaeger has no Debian package: scripts/infra/jaeger-build.sh builds it once from its Go module into a
# cache outside the checkout, reused by every later start. It needs Go >= 1.21 on the PATH (or in
# /usr/local/go), which fetches the newer toolchain Jaeger's module asks for; Debian 12's golang-go
# (1.19) is too old.
jaeger_up() {
  local d="$STATE/jaeger" pf="$STATE/jaeger/jaeger.pid"
  if alive "$pf" && curl -fs http://127.0.0.1:13133/status -o /dev/null; then
    log "jaeger already up (http://127.0.0.1:16686)"; return 0
  fi
  for port in 4317 4318 16686 13133; do
    port_open 127.0.0.1 "$port" && die "port $port is taken by a process this script did not start; stop it or free the port"
  done
  command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] \
    || die "Jaeger is built from source: it needs Go >= 1.21 (https://go.dev/dl), none on the PATH or in /usr/local/go"
  local bin
  bin=$(PATH="$PATH:/usr/local/go/bin" "$ROOT/scripts/infra/jaeger-build.sh") || die "could not build Jaeger (see above)"
  mkdir -p "$d"
  : > "$d/jaeger.log"
  spawn "$d" "$pf" "$d/jaeger.log" "$bin" --config "$ROOT/configs/jaeger/jaeger.yml"
  if ! wait_for jaeger 30 curl -fs http://127.0.0.1:13133/status -o /dev/null; then
    tail -20 "$d/jaeger.log" >&2 || true
    die "jaeger did not answer on 127.0.0.1:13133 within 30 s (log: $d/jaeger.log)"
  fi
  log "jaeger up: OTLP http://127.0.0.1:4318, query http://127.0.0.1:16686"
}
jaeger_down() { stop_pid jaeger "$STATE/jaeger/jaeger.pid"; }
jaeger_status() { alive "$STATE/jaeger/jaeger.pid" && curl -fs http://127.0.0.1:13133/status -o /dev/null; }

# ---------------------------------------------------------------- main
cmd=${1:-}
shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=("${ALL[@]}")
for s in "${services[@]}"; do
  case " ${ALL[*]} ${OBSERVABILITY[*]} " in *" $s "*) ;; *) die "unknown service '$s' (${ALL[*]} ${OBSERVABILITY[*]})" ;; esac
done
mkdir -p "$STATE"
case "$cmd" in
  up)
    t0=$SECONDS
    for s in "${services[@]}"; do "${s}_up"; done
    log "up: ${services[*]} ($((SECONDS - t0)) s)"
    ;;
  down)
    for ((i = ${#services[@]} - 1; i >= 0; i--)); do "${services[$i]}_down"; done
    ;;
  status)
    rc=0
    for s in "${services[@]}"; do
      if "${s}_status"; then echo "$s: up"; else echo "$s: down"; rc=1; fi
    done
    exit $rc
    ;;
  *)
    die "usage: $0 up|down|status [${ALL[*]} ${OBSERVABILITY[*]}]"
    ;;
esac
