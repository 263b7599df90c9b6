#!/usr/bin/env bash
# Black-box run of Mailer: the four service jars as separate JVMs, configured only by their
# documented environment variables, on infrastructure that is not the project's embedded devstack:
#   - a standalone KRaft Kafka 4.1 broker (kafka.Kafka from the Maven jars),
#   - Debian's PostgreSQL 15 (initdb/pg_ctl in a scratch folder),
#   - the Node SES stub of shared/baselines (no SES events: bounces/deliveries never arrive),
#   - a standalone ElasticMQ server (org.elasticmq:elasticmq-server_2.13) as SQS.
# Then a scenario with curl + jq prints PASS/FAIL per step. Everything is torn down on exit;
# logs stay in $BLACKBOX_DIR/logs (default /tmp/blackbox/logs). See README.md beside this file.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BB="${BLACKBOX_DIR:-/tmp/blackbox}"
LOGS="$BB/logs"
DATA="$BB/data"
CACHE="${BLACKBOX_CACHE:-/tmp/blackbox-cache}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
BASELINES_SRC="${BASELINES_SRC:-$ROOT/../shared/baselines}"
[ -d "$BASELINES_SRC" ] || BASELINES_SRC=/work/shared/baselines
STUB_DIR="${STUB_DIR:-/tmp/baselines/ses-stub}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
ELASTICMQ_VERSION="${ELASTICMQ_VERSION:-1.7.1}"
VERSION=0.1.0-SNAPSHOT
ADMIN_KEY="mk_blackbox_bootstrap_admin_key_0123456789abcdef"
SERVICE_TIMEOUT="${SERVICE_TIMEOUT:-420}"

PASS=0; FAIL=0; FAILED_STEPS=()
declare -A PIDS=()
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
check() { # name ok(0|1) detail
  if [ "$2" = 1 ]; then PASS=$((PASS + 1)); printf 'PASS  %s — %s\n' "$1" "$3"
  else FAIL=$((FAIL + 1)); FAILED_STEPS+=("$1"); printf 'FAIL  %s — %s\n' "$1" "$3"; fi
}
info() { printf 'INFO  %s\n' "$*"; }

# ------------------------------------------------------------------ prerequisites
for tool in java node curl jq python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
[ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 binaries not found in $PG_BIN (apt-get install postgresql-15)"
JARS=()
for m in ingress-service topology dispatcher-service feedback-service; do
  j="$ROOT/$m/target/$m-$VERSION-exec.jar"
  [ -f "$j" ] || die "$j missing: build first (./mvnw -B -ntp -q package -DskipTests)"
  JARS+=("$j")
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ------------------------------------------------------------------ teardown
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
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "tearing down"
  for s in ingress dispatcher topology feedback; do [ -n "${PIDS[$s]:-}" ] && stop_pid "$s" "${PIDS[$s]}" 30; done
  [ -n "${PIDS[kafka]:-}" ] && stop_pid kafka "${PIDS[kafka]}" 30
  [ -n "${PIDS[sqs]:-}" ] && stop_pid elasticmq "${PIDS[sqs]}" 10
  [ -n "${PIDS[stub]:-}" ] && stop_pid ses-stub "${PIDS[stub]}" 5
  if [ "$PG_UP" = 1 ] || [ -f "$DATA/pg/postmaster.pid" ]; then pg_ctl_ stop -m fast -w >>"$LOGS/postgres-ctl.log" 2>&1; fi
  log "logs in $LOGS"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$DATA" "$LOGS"
mkdir -p "$LOGS" "$DATA" "$CACHE"
chmod 755 "$BB" "$DATA"

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

# ------------------------------------------------------------------ ports
KAFKA_PORT=$(free_port); KAFKA_CTRL_PORT=$(free_port); PG_PORT=$(free_port); SES_PORT=$(free_port); SQS_PORT=$(free_port)
declare -A PORT=([ingress]=$(free_port) [topology]=$(free_port) [dispatcher]=$(free_port) [feedback]=$(free_port))
log "ports: kafka=$KAFKA_PORT postgres=$PG_PORT ses-stub=$SES_PORT sqs=$SQS_PORT ingress=${PORT[ingress]} topology=${PORT[topology]} dispatcher=${PORT[dispatcher]} feedback=${PORT[feedback]}"

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
KAFKA_CP=$(cat "$KAFKA_CP_FILE")
KJAVA=(java -Xmx1g -Dlogback.configurationFile="$DATA/kafka/logback.xml" -cp "$KAFKA_CP")
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

# ------------------------------------------------------------------ (2) PostgreSQL 15
PG_SOCK="$DATA/pgsock"
mkdir -p "$DATA/pg" "$PG_SOCK"
touch "$LOGS/postgres.log"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA/pg" "$PG_SOCK" "$LOGS/postgres.log"
as_pg "$PG_BIN/initdb" -D "$DATA/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOGS/postgres-initdb.log" 2>&1 \
  || die "initdb failed: $(tail -5 "$LOGS/postgres-initdb.log")"
pg_start() {
  pg_ctl_ start -w -t 60 -l "$LOGS/postgres.log" \
    -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" >>"$LOGS/postgres-ctl.log" 2>&1 && PG_UP=1
}
pg_stop() { pg_ctl_ stop -m fast -w >>"$LOGS/postgres-ctl.log" 2>&1 && PG_UP=0; }
pg_start || die "PostgreSQL did not start: $(tail -10 "$LOGS/postgres.log")"
PSQL=("$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
as_pg "${PSQL[@]}" -d postgres -c "CREATE ROLE mailer LOGIN PASSWORD 'mailer'" -c "CREATE DATABASE mailer OWNER mailer" >>"$LOGS/postgres-ctl.log" 2>&1 \
  || die "cannot create role/database"
log "PostgreSQL $(as_pg "${PSQL[@]}" -d postgres -c 'SHOW server_version') up on 127.0.0.1:$PG_PORT"

# ------------------------------------------------------------------ (3) SES stub and ElasticMQ
if [ ! -f "$STUB_DIR/ses-stub.js" ]; then
  mkdir -p "$(dirname "$STUB_DIR")"
  rm -rf /tmp/baselines && cp -r "$BASELINES_SRC" /tmp/baselines && chmod -R u+w /tmp/baselines
  STUB_DIR=/tmp/baselines/ses-stub
fi
STUB_PORT=$SES_PORT STUB_HOST=127.0.0.1 node "$STUB_DIR/ses-stub.js" >"$LOGS/ses-stub.log" 2>&1 &
PIDS[stub]=$!
wait_http "http://127.0.0.1:$SES_PORT/stats" 20 "${PIDS[stub]}" ses-stub || die "SES stub did not start"
log "SES stub up on 127.0.0.1:$SES_PORT"

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

# ------------------------------------------------------------------ (4) the four services
start_service() { # name module
  local name=$1 module=$2
  env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 \
    PORT="${PORT[$name]}" \
    KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
    DATABASE_URL="postgres://mailer:mailer@127.0.0.1:$PG_PORT/mailer" \
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIABLACKBOXDUMMY AWS_SECRET_ACCESS_KEY=blackbox-dummy-secret \
    SES_ENDPOINT="http://127.0.0.1:$SES_PORT" SES_MAX_SEND_RATE=200 \
    SQS_QUEUE_URL="$SQS_URL" SQS_ENDPOINT="http://localhost:$SQS_PORT" SNS_VERIFY_SIGNATURES=false \
    MAILER_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" MAIL_FROM="Mailer Blackbox <blackbox@example.com>" \
    java -Xmx512m -jar "$ROOT/$module/target/$module-$VERSION-exec.jar" >"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
}
log "starting the four services"
T_START=$(date +%s)
start_service feedback feedback-service
start_service topology topology
start_service dispatcher dispatcher-service
start_service ingress ingress-service
for s in feedback topology dispatcher ingress; do
  if wait_http "http://127.0.0.1:${PORT[$s]}/api/v1/ready" "$SERVICE_TIMEOUT" "${PIDS[$s]}" "$s"; then
    log "$s ready on ${PORT[$s]} ($(( $(date +%s) - T_START )) s after start)"
  else
    log "$s not ready; last log lines:"; tail -30 "$LOGS/$s.log"
    die "$s did not become ready within ${SERVICE_TIMEOUT}s"
  fi
done

# ------------------------------------------------------------------ (5) scenario
INGRESS="http://127.0.0.1:${PORT[ingress]}"
STUB="http://127.0.0.1:$SES_PORT"
W="$BB/work"; mkdir -p "$W"; RESP="$W/resp.json"
CODE=000; BODY=""; TIME=0
api() { # method path key [body-file] [content-type]
  local m=$1 p=$2 k=$3 f=${4:-} ct=${5:-application/json}
  local args=(-s -o "$RESP" -w '%{http_code} %{time_total}' -X "$m" -H "Authorization: Bearer $k" --max-time 120) out
  [ -n "$f" ] && args+=(-H "Content-Type: $ct" --data-binary "@$f")
  : >"$RESP"
  out=$(curl "${args[@]}" "$INGRESS$p" 2>>"$LOGS/curl-errors.log")
  CODE=${out%% *}; TIME=${out##* }; [ -n "$CODE" ] || CODE=000
  BODY=$(head -c 600 "$RESP")
}
expect() { # name expected-code
  check "$1" "$([ "$CODE" = "$2" ] && echo 1 || echo 0)" "HTTP $CODE (expected $2) in ${TIME}s: $(echo "$BODY" | tr -d '\n' | head -c 300)"
}
stub_accepted() { curl -s --max-time 2 "$STUB/stats" | jq -r '.accepted // empty'; }
batch_counts() { echo "$BODY" | jq -c '{status, counts}' 2>/dev/null || echo "$BODY"; }
wait_batch() { # id key timeout jq-condition -> 0 when met; BODY = last answer
  local id=$1 key=$2 cond=$4 deadline=$(( $(date +%s) + $3 ))
  while :; do
    api GET "/api/v1/batches/$id" "$key"
    [ "$CODE" = 200 ] && echo "$BODY" | jq -e "$cond" >/dev/null 2>&1 && return 0
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 1
  done
}

echo; log "=== scenario ==="
# API keys
printf '{"name":"evil","scopes":["send","read"],"tenantId":"evil"}' >"$W/key-evil.json"
printf '{"name":"good","scopes":["send","read"],"tenantId":"good"}' >"$W/key-good.json"
api POST /api/v1/api-keys "$ADMIN_KEY" "$W/key-evil.json"; EVIL=$(jq -r '.key // empty' "$RESP" 2>/dev/null)
check "operator creates API key for tenant evil" "$([ "$CODE" = 201 ] && [ -n "$EVIL" ] && echo 1 || echo 0)" "HTTP $CODE, key ${EVIL:0:12}…"
api POST /api/v1/api-keys "$ADMIN_KEY" "$W/key-good.json"; GOOD=$(jq -r '.key // empty' "$RESP" 2>/dev/null)
check "operator creates API key for tenant good" "$([ "$CODE" = 201 ] && [ -n "$GOOD" ] && echo 1 || echo 0)" "HTTP $CODE, key ${GOOD:0:12}…"
[ -n "$EVIL" ] && [ -n "$GOOD" ] || die "no API keys: cannot go on"

# evil: refused templates and limits
jq -n '{subject:"s", html:"<p>{{> x}}</p>", recipients:[{email:"a@example.com"}]}' >"$W/partial.json"
api POST /api/v1/batches "$EVIL" "$W/partial.json"; expect "evil: html with a partial {{> x}} -> 400" 400
open=""; close=""; for i in $(seq 17); do open+="{{#s$i}}"; close="{{/s$i}}$close"; done
jq -n --arg h "${open}x${close}" '{subject:"s", html:$h, recipients:[{email:"a@example.com"}]}' >"$W/deep17.json"
api POST /api/v1/batches "$EVIL" "$W/deep17.json"; expect "evil: 17-deep nested sections -> 400" 400
open=""; close=""; for i in $(seq 16); do open+="{{#s$i}}"; close="{{/s$i}}$close"; done
jq -n --arg h "${open}x${close}" '{subject:"s", html:$h, recipients:[{email:"deep16@example.com"}]}' >"$W/deep16.json"
api POST /api/v1/batches "$EVIL" "$W/deep16.json"; expect "evil: control, 16-deep nested sections -> 202" 202
python3 - "$W/big.ndjson" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"subject": "big", "html": "<p>" + "A" * 1_200_000 + "</p>"}) + "\n")
    f.write(json.dumps({"email": "big@example.com"}) + "\n")
EOF
api POST /api/v1/batches "$EVIL" "$W/big.ndjson" application/x-ndjson; expect "evil: NDJSON batch with a 1.2 MB html -> 413" 413
jq -n '{subject:"s", html:"h", headers:{"X-Note":"a\r\nBcc: victim@example.com"}, recipients:[{email:"a@example.com"}]}' >"$W/crlf.json"
api POST /api/v1/batches "$EVIL" "$W/crlf.json"; expect "evil: header value with CR LF -> 400" 400

# evil: output-multiplying template
jq -n '{subject:"boom", html:"{{#l}}{{#l}}{{#l}}0123456789012345678901234567890123456789{{/l}}{{/l}}{{/l}}",
        recipients:[{email:"boom@example.com", variables:{l:[range(300)]}}]}' >"$W/boom.json"
api POST /api/v1/batches "$EVIL" "$W/boom.json"; expect "evil: output-multiplying template (300^3 x 40 B) -> 202" 202
BOOM=$(jq -r '.id // empty' "$RESP" 2>/dev/null)
if [ -n "$BOOM" ]; then
  t0=$(date +%s)
  wait_batch "$BOOM" "$EVIL" 180 '.counts.failed == 1 and .status == "COMPLETED"'; ok=$?
  check "evil: output-multiplying batch ends COMPLETED with failed=1" "$([ $ok = 0 ] && echo 1 || echo 0)" "after $(( $(date +%s) - t0 )) s: $(batch_counts)"
  api GET "/api/v1/batches/$BOOM/recipients" "$EVIL"; info "boom recipient: $(jq -c '.items[0] | {status, reason}' "$RESP" 2>/dev/null)"
  info "dispatcher after the boom: ready $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[dispatcher]}/api/v1/ready"), RSS $(grep VmRSS /proc/${PIDS[dispatcher]}/status 2>/dev/null | awk '{print $2/1024 " MiB"}')"
fi

# good: 2,000 recipients JSON
jq -n '{subject:"Hello {{name}}", html:"<p>Hi {{name}}!</p>", text:"Hi {{name}}!",
        recipients:[range(2000) | {email:"user\(.)@example.com", variables:{name:"User \(.)"}}]}' >"$W/good2000.json"
A0=$(stub_accepted)
api POST /api/v1/batches "$GOOD" "$W/good2000.json"; expect "good: 2,000-recipient JSON batch -> 202" 202
B2K=$(jq -r '.id // empty' "$RESP" 2>/dev/null)
if [ -n "$B2K" ]; then
  t0=$(date +%s)
  wait_batch "$B2K" "$GOOD" 300 '.counts.sent == 2000 and .status == "COMPLETED"'; ok=$?
  check "good: 2,000 batch reaches sent=2000 COMPLETED" "$([ $ok = 0 ] && echo 1 || echo 0)" "after $(( $(date +%s) - t0 )) s: $(batch_counts)"
  sleep 2; info "stub accepted during the 2,000 batch: $(( $(stub_accepted) - A0 ))"
fi

# good: 20,000 recipients NDJSON, cancelled after ~2,000 sends
{ jq -nc '{subject:"Big {{name}}", html:"<p>Hi {{name}}</p>", text:"Hi {{name}}"}'
  jq -nc 'range(20000) | {email:"big\(.)@example.com", variables:{name:"B\(.)"}}'; } >"$W/good20000.ndjson"
A0=$(stub_accepted)
api POST /api/v1/batches "$GOOD" "$W/good20000.ndjson" application/x-ndjson; expect "good: 20,000-recipient NDJSON batch -> 202" 202
B20K=$(jq -r '.id // empty' "$RESP" 2>/dev/null)
if [ -n "$B20K" ]; then
  deadline=$(( $(date +%s) + 180 ))
  while [ $(( $(stub_accepted) - A0 )) -lt 2000 ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
  info "stub accepted $(( $(stub_accepted) - A0 )) of the 20,000 batch before the cancel"
  api POST "/api/v1/batches/$B20K/cancel" "$GOOD"; T202=$(now_ms)
  expect "good: cancel the 20,000 batch -> 202" 202
  info "cancel answer: $BODY"
  : >"$W/samples.txt"
  for _ in $(seq 50); do echo "$(now_ms) $(stub_accepted)" >>"$W/samples.txt"; sleep 0.2; done
  at202=$(head -1 "$W/samples.txt" | cut -d' ' -f2)
  base=$(awk -v t=$((T202 + 1000)) '$1 <= t {v=$2} END {print v}' "$W/samples.txt")
  final=$(tail -1 "$W/samples.txt" | cut -d' ' -f2)
  lastAt=$(curl -s "$STUB/stats" | jq -r '.lastAt')
  after=$(( final - base ))
  info "stub accepted: at the 202 +$((at202 - A0)), within 1 s after the 202 +$((base - at202)), then +$after in the next 9 s; stub lastAt = 202 $( [ $((lastAt - T202)) -ge 0 ] && echo + )$((lastAt - T202)) ms"
  check "good: stub accepts nothing more than 1 s after the cancel's 202" "$([ "$after" = 0 ] && echo 1 || echo 0)" "$after messages accepted later than 1 s after the 202 (expected 0)"
  t0=$(date +%s)
  wait_batch "$B20K" "$GOOD" 180 '.status == "CANCELLED" and (.counts.sent + .counts.cancelled) == 20000'; ok=$?
  check "good: 20,000 batch ends CANCELLED with sent+cancelled=20000" "$([ $ok = 0 ] && echo 1 || echo 0)" "after $(( $(date +%s) - t0 )) s: $(batch_counts)"
  info "stub accepted for the 20,000 batch in total: $(( $(stub_accepted) - A0 )) (view says sent=$(echo "$BODY" | jq -r '.counts.sent' 2>/dev/null))"
fi

# health and readiness of every service
probe_all() { # label
  for s in ingress topology dispatcher feedback; do
    for p in health ready; do
      c=$(curl -s -o "$W/probe.json" -w '%{http_code}' --max-time 5 "http://127.0.0.1:${PORT[$s]}/api/v1/$p")
      check "$1: $s /api/v1/$p -> 200 (port ${PORT[$s]})" "$([ "$c" = 200 ] && echo 1 || echo 0)" "HTTP $c $(head -c 200 "$W/probe.json" | tr -d '\n')"
    done
  done
}
probe_all "probes"

# PostgreSQL outage of 20 s
printf '%s\n' "$(jq -nc '{subject:"During outage {{name}}", html:"<p>{{name}}</p>", recipients:[range(5) | {email:"outage\(.)@example.com", variables:{name:"O\(.)"}}]}')" >"$W/outage.json"
log "stopping PostgreSQL for 20 s"
T_STOP=$(date +%s)
pg_stop || log "pg_ctl stop failed"
info "pg_ctl stop -m fast took $(( $(date +%s) - T_STOP )) s"
sleep 2
c=$(curl -s -o "$W/probe.json" -w '%{http_code}' --max-time 5 "$INGRESS/api/v1/ready")
check "PostgreSQL down: ingress /api/v1/ready stays 200" "$([ "$c" = 200 ] && echo 1 || echo 0)" "HTTP $c $(head -c 200 "$W/probe.json")"
api POST /api/v1/batches "$GOOD" "$W/outage.json"; expect "PostgreSQL down: submit -> 202" 202
BOUT=$(jq -r '.id // empty' "$RESP" 2>/dev/null)
api GET "/api/v1/batches/${BOUT:-$B2K}" "$GOOD"; expect "PostgreSQL down: GET of the batch -> 503" 503
api GET "/api/v1/batches/$B2K" "$GOOD"; expect "PostgreSQL down: GET of an older batch -> 503" 503
# in the background, at most 15 s (000 = no answer by then): with PostgreSQL down it can wait for the pool's connection timeout
curl -s -o /dev/null -w '%{http_code} in %{time_total}s' --max-time 15 "http://127.0.0.1:${PORT[feedback]}/api/v1/ready" >"$W/feedback-ready-outage.txt" 2>/dev/null &
FB_PROBE=$!
info "outage checks done $(( $(date +%s) - T_STOP )) s after the stop"
sleep $(( 20 - ($(date +%s) - T_STOP) > 0 ? 20 - ($(date +%s) - T_STOP) : 0 ))
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$INGRESS/api/v1/ready")
check "PostgreSQL down 20 s: ingress /api/v1/ready still 200" "$([ "$c" = 200 ] && echo 1 || echo 0)" "HTTP $c after $(( $(date +%s) - T_STOP )) s"
wait "$FB_PROBE"; info "feedback /api/v1/ready while PostgreSQL is down: HTTP $(cat "$W/feedback-ready-outage.txt")"
log "restarting PostgreSQL"
pg_start || log "PostgreSQL restart failed: $(tail -5 "$LOGS/postgres.log")"
if [ -n "$BOUT" ]; then
  t0=$(date +%s)
  wait_batch "$BOUT" "$GOOD" 120 '.counts.total == 5'; ok=$?
  check "PostgreSQL back: the batch submitted during the outage appears" "$([ $ok = 0 ] && echo 1 || echo 0)" "after $(( $(date +%s) - t0 )) s: HTTP $CODE $(batch_counts)"
  wait_batch "$BOUT" "$GOOD" 120 '.counts.sent == 5 and .status == "COMPLETED"'; ok=$?
  check "PostgreSQL back: that batch reaches sent=5 COMPLETED" "$([ $ok = 0 ] && echo 1 || echo 0)" "after $(( $(date +%s) - t0 )) s: $(batch_counts)"
fi
for s in ingress topology dispatcher feedback; do wait_http "http://127.0.0.1:${PORT[$s]}/api/v1/ready" 60 >/dev/null; done
probe_all "after the outage"

echo
for s in ingress topology dispatcher feedback; do
  kill -0 "${PIDS[$s]}" 2>/dev/null || info "$s is no longer running"
  info "$s: $(grep -c ' ERROR ' "$LOGS/$s.log") ERROR lines, $(grep -c ' WARN ' "$LOGS/$s.log") WARN lines in its log"
done
echo "blackbox: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ] || { printf '  failed: %s\n' "${FAILED_STEPS[@]}"; exit 1; }
