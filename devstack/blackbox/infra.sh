# shellcheck shell=bash
# infra.sh — sourced, not run: the infrastructure of the black-box runs, shared by
# devstack/blackbox/run.sh (the scenario) and devstack/bench/pipeline.sh (the whole-pipeline
# benchmark). It starts and stops, by PID:
#   - a standalone KRaft Kafka broker (kafka.Kafka from the Maven jars),
#   - Debian's PostgreSQL 15 (initdb/pg_ctl in a scratch folder),
#   - the Node SES stub of shared/baselines (no SES events: bounces/deliveries never arrive),
#   - a standalone ElasticMQ server (org.elasticmq:elasticmq-server_2.13) as SQS,
#   - the four service jars, each `java -Xmx512m -jar …-exec.jar`, configured only by the
#     documented environment variables (started with `env -i`).
#
# The caller sets, before sourcing:
#   ROOT        the repository root
#   INFRA_DIR   scratch folder: $INFRA_DIR/logs (kept), $INFRA_DIR/data (wiped at infra_init)
#   INFRA_CACHE cached Maven classpaths of Kafka and ElasticMQ (default /tmp/blackbox-cache)
#   STUB_DIR, BASELINES_COPY  where the SES stub runs from (a copy of shared/baselines)
# and calls, in order: infra_init; trap cleanup EXIT; trap 'exit 130' INT TERM;
# infra_resolve_classpaths; infra_pick_ports; infra_start_kafka; infra_start_postgres;
# infra_start_stub [latency-ms]; infra_start_sqs; infra_start_services [VAR=value …].
# A caller may define infra_on_cleanup, run first by cleanup (e.g. to stop its own samplers).

INFRA_CACHE="${INFRA_CACHE:-/tmp/blackbox-cache}"
LOGS="$INFRA_DIR/logs"
DATA="$INFRA_DIR/data"
CACHE="$INFRA_CACHE"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
BASELINES_SRC="${BASELINES_SRC:-$ROOT/../shared/baselines}"
[ -d "$BASELINES_SRC" ] || BASELINES_SRC=/work/shared/baselines
BASELINES_COPY="${BASELINES_COPY:-/tmp/baselines}"
STUB_DIR="${STUB_DIR:-$BASELINES_COPY/ses-stub}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
ELASTICMQ_VERSION="${ELASTICMQ_VERSION:-1.7.1}"
VERSION=0.1.0-SNAPSHOT
ADMIN_KEY="mk_blackbox_bootstrap_admin_key_0123456789abcdef"
SERVICE_TIMEOUT="${SERVICE_TIMEOUT:-420}"
# extra JVM options of the four services (e.g. a CDS archive); empty by default
SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-}"
# extra PostgreSQL settings, e.g. "-c shared_preload_libraries=pg_stat_statements" to see where its CPU goes
PG_EXTRA_OPTS="${PG_EXTRA_OPTS:-}"
SERVICES=(ingress topology dispatcher feedback)
declare -A MODULE=([ingress]=ingress-service [topology]=topology [dispatcher]=dispatcher-service [feedback]=feedback-service
  [webhook]=webhook-service)
# INFRA_WITH_WEBHOOK=1: the webhook relay runs too, as a fifth service (run.sh); the benchmark keeps the four
[ "${INFRA_WITH_WEBHOOK:-0}" = 1 ] && SERVICES+=(webhook)

declare -A PIDS=()
declare -A PORT=()
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

PG_UP=0
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_ctl_() { as_pg "$PG_BIN/pg_ctl" -D "$DATA/pg" "$@"; }
stop_pid() { # name pid grace-seconds
  local name=$1 pid=$2 grace=${3:-20}
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq $((grace * 5))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  log "$name (pid $pid) still running after ${grace}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null
}

# ------------------------------------------------------------------ prerequisites, scratch folder
infra_init() {
  for tool in java node curl jq python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 binaries not found in $PG_BIN (apt-get install postgresql-15)"
  JARS=()
  local s m j
  for s in "${SERVICES[@]}"; do
    m=${MODULE[$s]}
    j="$ROOT/$m/target/$m-$VERSION-exec.jar"
    [ -f "$j" ] || die "$j missing: build first (./mvnw -B -ntp -q package -DskipTests)"
    JARS+=("$j")
  done
  rm -rf "$DATA" "$LOGS"
  mkdir -p "$LOGS" "$DATA" "$CACHE"
  chmod 755 "$INFRA_DIR" "$DATA"
}

# ------------------------------------------------------------------ teardown
infra_stop_services() {
  local s
  for s in ingress webhook dispatcher topology feedback; do
    [ -n "${PIDS[$s]:-}" ] && stop_pid "$s" "${PIDS[$s]}" "${SERVICE_STOP_GRACE:-30}"
    unset "PIDS[$s]"
  done
  return 0
}
infra_stop_stub() { [ -n "${PIDS[stub]:-}" ] && stop_pid ses-stub "${PIDS[stub]}" 5; unset "PIDS[stub]"; return 0; }
infra_stop_all() { # the services, then Kafka, ElasticMQ, the stub and PostgreSQL
  infra_stop_services
  [ -n "${PIDS[kafka]:-}" ] && stop_pid kafka "${PIDS[kafka]}" 30
  unset "PIDS[kafka]"
  [ -n "${PIDS[sqs]:-}" ] && stop_pid elasticmq "${PIDS[sqs]}" 10
  unset "PIDS[sqs]"
  infra_stop_stub
  if [ "$PG_UP" = 1 ] || [ -f "$DATA/pg/postmaster.pid" ]; then pg_ctl_ stop -m fast -w >>"$LOGS/postgres-ctl.log" 2>&1 && PG_UP=0; fi
  return 0
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "tearing down"
  declare -F infra_on_cleanup >/dev/null && infra_on_cleanup
  infra_stop_all
  log "logs in $LOGS"
  exit "$rc"
}

# ------------------------------------------------------------------ classpaths (Maven)
# A throwaway pom per tool; the classpath is cached in $CACHE. Offline first (~/.m2), then online.
resolve_cp() { # name deps-xml -> prints the classpath file
  local name=$1 deps=$2; local dir="$CACHE/$name"; local out="$CACHE/$name/classpath.txt"
  if [ -s "$out" ] && tr ':' '\n' <"$out" | while read -r f; do [ -f "$f" ] || exit 1; done; then echo "$out"; return; fi
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.blackbox</groupId><artifactId>$name</artifactId><version>1</version><packaging>pom</packaging>
  $deps
  <build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.9.0</version></plugin></plugins></build>
</project>
EOF
  if ! "$ROOT/mvnw" -B -ntp -q -o -f "$dir/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out" -Dmdep.includeScope=runtime >"$dir/mvn.log" 2>&1; then
    "$ROOT/mvnw" -B -ntp -q -f "$dir/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out" -Dmdep.includeScope=runtime >>"$dir/mvn.log" 2>&1 \
      || { cat "$dir/mvn.log" >&2; die "cannot resolve the $name classpath (see $dir/mvn.log)"; }
  fi
  echo "$out"
}

infra_resolve_classpaths() {
  log "resolving Kafka $KAFKA_VERSION and ElasticMQ $ELASTICMQ_VERSION classpaths"
  KAFKA_CP_FILE=$(resolve_cp kafka "
  <dependencyManagement><dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
    <dependency><groupId>ch.qos.logback</groupId><artifactId>logback-classic</artifactId><version>1.5.34</version></dependency>
  </dependencies>") || exit 1
  SQS_CP_FILE=$(resolve_cp elasticmq "
  <dependencies>
    <dependency><groupId>org.elasticmq</groupId><artifactId>elasticmq-server_2.13</artifactId><version>$ELASTICMQ_VERSION</version></dependency>
  </dependencies>") || exit 1
}

# ------------------------------------------------------------------ ports
infra_pick_ports() {
  KAFKA_PORT=$(free_port); KAFKA_CTRL_PORT=$(free_port); PG_PORT=$(free_port); SES_PORT=$(free_port); SQS_PORT=$(free_port)
  local s
  for s in "${SERVICES[@]}"; do PORT[$s]=$(free_port); done
  log "ports: kafka=$KAFKA_PORT postgres=$PG_PORT ses-stub=$SES_PORT sqs=$SQS_PORT ingress=${PORT[ingress]} topology=${PORT[topology]} dispatcher=${PORT[dispatcher]} feedback=${PORT[feedback]}"
}

wait_http() { # url timeout-seconds pid-to-watch name
  local url=$1 t=$2 pid=${3:-} name=${4:-}
  local deadline=$(( $(date +%s) + t ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" = 200 ] && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then log "$name exited early"; return 1; fi
    sleep 0.5
  done
  return 1
}

# ------------------------------------------------------------------ (1) Kafka
infra_start_kafka() {
  mkdir -p "$DATA/kafka"
  cat >"$DATA/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CTRL_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CTRL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA/kafka/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  cat >"$DATA/kafka/logback.xml" <<'EOF'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.kafka" level="INFO"/>
  <logger name="kafka" level="INFO"/>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>
EOF
  local KAFKA_CP CLUSTER_ID
  KAFKA_CP=$(cat "$KAFKA_CP_FILE")
  local KJAVA=(java -Xmx1g -Dlogback.configurationFile="$DATA/kafka/logback.xml" -cp "$KAFKA_CP")
  CLUSTER_ID=$("${KJAVA[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOGS/kafka-format.log" | tail -1)
  log "formatting Kafka storage (cluster $CLUSTER_ID)"
  "${KJAVA[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$DATA/kafka/server.properties" >>"$LOGS/kafka-format.log" 2>&1 \
    || die "kafka storage format failed: $(tail -5 "$LOGS/kafka-format.log")"
  "${KJAVA[@]}" kafka.Kafka "$DATA/kafka/server.properties" >"$LOGS/kafka.log" 2>&1 &
  PIDS[kafka]=$!
  for _ in $(seq 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null && grep -q 'Kafka Server started\|\[KafkaRaftServer nodeId=1\] Kafka Server started' "$LOGS/kafka.log" && break
    kill -0 "${PIDS[kafka]}" 2>/dev/null || die "Kafka exited: $(tail -20 "$LOGS/kafka.log")"
    sleep 0.5
  done
  grep -q 'Kafka Server started' "$LOGS/kafka.log" || die "Kafka did not start: $(tail -20 "$LOGS/kafka.log")"
  log "Kafka $KAFKA_VERSION up on 127.0.0.1:$KAFKA_PORT (pid ${PIDS[kafka]})"
}

# ------------------------------------------------------------------ (2) PostgreSQL 15
pg_start() {
  pg_ctl_ start -w -t 60 -l "$LOGS/postgres.log" \
    -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off ${PG_EXTRA_OPTS:-}" >>"$LOGS/postgres-ctl.log" 2>&1 && PG_UP=1
}
pg_stop() { pg_ctl_ stop -m fast -w >>"$LOGS/postgres-ctl.log" 2>&1 && PG_UP=0; }
pg_pid() { head -1 "$DATA/pg/postmaster.pid" 2>/dev/null; }
infra_start_postgres() {
  PG_SOCK="$DATA/pgsock"
  mkdir -p "$DATA/pg" "$PG_SOCK"
  touch "$LOGS/postgres.log"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA/pg" "$PG_SOCK" "$LOGS/postgres.log"
  as_pg "$PG_BIN/initdb" -D "$DATA/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOGS/postgres-initdb.log" 2>&1 \
    || die "initdb failed: $(tail -5 "$LOGS/postgres-initdb.log")"
  pg_start || die "PostgreSQL did not start: $(tail -10 "$LOGS/postgres.log")"
  PSQL=("$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
  as_pg "${PSQL[@]}" -d postgres -c "CREATE ROLE mailer LOGIN PASSWORD 'mailer'" -c "CREATE DATABASE mailer OWNER mailer" >>"$LOGS/postgres-ctl.log" 2>&1 \
    || die "cannot create role/database"
  log "PostgreSQL $(as_pg "${PSQL[@]}" -d postgres -c 'SHOW server_version') up on 127.0.0.1:$PG_PORT"
}

# ------------------------------------------------------------------ (3) SES stub and ElasticMQ
infra_start_stub() { # [latency-ms]: (re)starts the stub on $SES_PORT
  local latency=${1:-}
  if [ ! -f "$STUB_DIR/ses-stub.js" ]; then
    mkdir -p "$(dirname "$BASELINES_COPY")"
    rm -rf "$BASELINES_COPY" && cp -r "$BASELINES_SRC" "$BASELINES_COPY" && chmod -R u+w "$BASELINES_COPY"
    STUB_DIR=$BASELINES_COPY/ses-stub
  fi
  if [ -n "$latency" ]; then
    STUB_LATENCY_MS=$latency STUB_PORT=$SES_PORT STUB_HOST=127.0.0.1 node "$STUB_DIR/ses-stub.js" >>"$LOGS/ses-stub.log" 2>&1 &
  else
    STUB_PORT=$SES_PORT STUB_HOST=127.0.0.1 node "$STUB_DIR/ses-stub.js" >"$LOGS/ses-stub.log" 2>&1 &
  fi
  PIDS[stub]=$!
  wait_http "http://127.0.0.1:$SES_PORT/stats" 20 "${PIDS[stub]}" ses-stub || die "SES stub did not start"
  log "SES stub up on 127.0.0.1:$SES_PORT${latency:+ (latency $latency ms)}"
}

infra_start_sqs() {
  QUEUE=mailer-ses-events
  cat >"$DATA/elasticmq.conf" <<EOF
include classpath("application.conf")
node-address { protocol = http, host = localhost, port = $SQS_PORT, context-path = "" }
rest-sqs { enabled = true, bind-port = $SQS_PORT, bind-hostname = "127.0.0.1", sqs-limits = strict }
rest-stats { enabled = false }
generate-node-address = false
aws { region = us-east-1, accountId = 000000000000 }
queues { $QUEUE { defaultVisibilityTimeout = 30 seconds } }
EOF
  java -Xmx256m -Dconfig.file="$DATA/elasticmq.conf" -cp "$(cat "$SQS_CP_FILE")" org.elasticmq.server.Main >"$LOGS/elasticmq.log" 2>&1 &
  PIDS[sqs]=$!
  SQS_URL="http://localhost:$SQS_PORT/000000000000/$QUEUE"
  for _ in $(seq 120); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$SQS_PORT/?Action=ListQueues" && break
    kill -0 "${PIDS[sqs]}" 2>/dev/null || die "ElasticMQ exited: $(tail -20 "$LOGS/elasticmq.log")"
    sleep 0.5
  done
  curl -s --max-time 5 "http://127.0.0.1:$SQS_PORT/000000000000/$QUEUE?Action=GetQueueAttributes&AttributeName.1=All" | grep -q QueueArn \
    || die "ElasticMQ queue $QUEUE not there: $(tail -20 "$LOGS/elasticmq.log")"
  log "ElasticMQ $ELASTICMQ_VERSION up, queue $SQS_URL"
}

# ------------------------------------------------------------------ (4) the four services
service_heap() { # name: -Xmx512m, or HEAP_OPTS_<name> (e.g. the chart's flags with -XX:MaxRAM = its memory limit)
  local var="HEAP_OPTS_$1"
  echo "${!var:--Xmx512m}"
}
service_jar() { # name module: the module's exec jar, or SERVICE_JAR_<name> (e.g. an extracted jar for an AOT cache)
  local var="SERVICE_JAR_$1"
  echo "${!var:-$ROOT/$2/target/$2-$VERSION-exec.jar}"
}
start_service() { # name module [VAR=value …]: extra variables after the defaults (they win)
  local name=$1 module=$2; shift 2
  # shellcheck disable=SC2086  # SERVICE_JAVA_OPTS is a list of words
  env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 \
    PORT="${PORT[$name]}" \
    KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
    DATABASE_URL="postgres://mailer:mailer@127.0.0.1:$PG_PORT/mailer" \
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIABLACKBOXDUMMY AWS_SECRET_ACCESS_KEY=blackbox-dummy-secret \
    SES_ENDPOINT="http://127.0.0.1:$SES_PORT" \
    SQS_QUEUE_URL="$SQS_URL" SQS_ENDPOINT="http://localhost:$SQS_PORT" SNS_VERIFY_SIGNATURES=false \
    MAILER_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" MAIL_FROM="Mailer Blackbox <blackbox@example.com>" \
    WEBHOOK_ALLOW_HTTP=true WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32 \
    "$@" \
    "${SERVICE_JAVA:-java}" $(service_heap "$name") $SERVICE_JAVA_OPTS -jar "$(service_jar "$name" "$module")" >>"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
}
infra_start_services() { # [VAR=value …] for all of SERVICES; sets T_START and T_READY (epoch s)
  log "starting the services: ${SERVICES[*]}"
  T_START=$(date +%s)
  local s
  for s in "${SERVICES[@]}"; do start_service "$s" "${MODULE[$s]}" "$@"; done
  for s in "${SERVICES[@]}"; do
    if wait_http "http://127.0.0.1:${PORT[$s]}/api/v1/ready" "$SERVICE_TIMEOUT" "${PIDS[$s]}" "$s"; then
      log "$s ready on ${PORT[$s]} ($(( $(date +%s) - T_START )) s after start)"
    else
      log "$s not ready; last log lines:"; tail -30 "$LOGS/$s.log"
      die "$s did not become ready within ${SERVICE_TIMEOUT}s"
    fi
  done
  T_READY=$(date +%s)
}
