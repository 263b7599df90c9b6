#!/usr/bin/env bash
# Black-box run of Mailer: the four service jars as separate JVMs, configured only by their
# documented environment variables, on infrastructure that is not the project's embedded devstack:
#   - a standalone KRaft Kafka 4.1 broker (kafka.Kafka from the Maven jars),
#   - Debian's PostgreSQL 15 (initdb/pg_ctl in a scratch folder),
#   - the Node SES stub of shared/baselines (no SES events: bounces/deliveries never arrive),
#   - a standalone ElasticMQ server (org.elasticmq:elasticmq-server_2.13) as SQS.
# Then a scenario with curl + jq prints PASS/FAIL per step. Everything is torn down on exit;
# logs stay in $BLACKBOX_DIR/logs (default /tmp/blackbox/logs). See README.md beside this file.
# The infrastructure (start/stop of all of the above) is in infra.sh, shared with
# devstack/bench/pipeline.sh.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BB="${BLACKBOX_DIR:-/tmp/blackbox}"
INFRA_DIR="$BB"
INFRA_CACHE="${BLACKBOX_CACHE:-/tmp/blackbox-cache}"
INFRA_WITH_WEBHOOK="${INFRA_WITH_WEBHOOK:-1}"   # the webhook relay's jar too, and a receiver on localhost
# shellcheck source=infra.sh
. "$ROOT/devstack/blackbox/infra.sh"

PASS=0; FAIL=0; FAILED_STEPS=()
check() { # name ok(0|1) detail
  if [ "$2" = 1 ]; then PASS=$((PASS + 1)); printf 'PASS  %s — %s\n' "$1" "$3"
  else FAIL=$((FAIL + 1)); FAILED_STEPS+=("$1"); printf 'FAIL  %s — %s\n' "$1" "$3"; fi
}
info() { printf 'INFO  %s\n' "$*"; }

# ------------------------------------------------------------------ (1)-(4) infrastructure and services
infra_init
trap cleanup EXIT
trap 'exit 130' INT TERM
infra_resolve_classpaths
infra_pick_ports
infra_start_kafka
infra_start_postgres
infra_start_stub
infra_start_sqs
infra_start_services SES_MAX_SEND_RATE=200

# a webhook receiver (Python, not the project's code): records every request, answers 204
infra_on_cleanup() { [ -n "${PIDS[receiver]:-}" ] && kill "${PIDS[receiver]}" 2>/dev/null; return 0; }
HOOKS="$BB/work/hooks.jsonl"
if [ "$INFRA_WITH_WEBHOOK" = 1 ]; then
  mkdir -p "$BB/work"; : >"$HOOKS"
  HOOK_PORT=$(free_port)
  cat >"$BB/work/receiver.py" <<'PY'
import http.server, json, sys
out = open(sys.argv[2], "a", buffering=1)
class Hooks(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        out.write(json.dumps({"id": self.headers.get("webhook-id"), "ts": self.headers.get("webhook-timestamp"),
                              "sig": self.headers.get("webhook-signature"), "body": body}) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # the relay opens up to WEBHOOK_ENDPOINT_CONCURRENCY connections at once (default backlog: 5)
Server(("127.0.0.1", int(sys.argv[1])), Hooks).serve_forever()
PY
  python3 "$BB/work/receiver.py" "$HOOK_PORT" "$HOOKS" >"$LOGS/receiver.log" 2>&1 &
  PIDS[receiver]=$!
fi
# distinct event ids of a batch's events of one type the receiver got, and requests whose signature does not verify
hooks_seen() { # batch-id type secret
  python3 - "$HOOKS" "$1" "$2" "$3" <<'PY'
import base64, hashlib, hmac, json, sys
path, batch, kind, secret = sys.argv[1:5]
key = base64.b64decode(secret.removeprefix("whsec_"))
seen, bad = set(), 0
for line in open(path):
    r = json.loads(line)
    expected = base64.b64encode(hmac.new(key, f"{r['id']}.{r['ts']}.{r['body']}".encode(), hashlib.sha256).digest()).decode()
    if not any(s.split(",", 1)[1] == expected for s in (r["sig"] or "").split() if "," in s):
        bad += 1
        continue
    body = json.loads(r["body"])
    for event in (body["data"] if body["type"] == "batch" else [body]):
        d = event["data"]
        if d.get("batchId") == batch and d.get("type") == kind:
            seen.add(d["eventId"])
print(len(seen), bad)
PY
}

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

# webhooks: tenant good's endpoint for SENT events, on the local receiver
HOOK_SECRET=""
if [ "$INFRA_WITH_WEBHOOK" = 1 ]; then
  printf '{"name":"good-hooks","scopes":["webhooks"],"tenantId":"good"}' >"$W/key-hooks.json"
  api POST /api/v1/api-keys "$ADMIN_KEY" "$W/key-hooks.json"; HOOKS_KEY=$(jq -r '.key // empty' "$RESP" 2>/dev/null)
  printf '{"url":"http://127.0.0.1:%s/hooks","events":["SENT"],"description":"blackbox"}' "$HOOK_PORT" >"$W/webhook.json"
  api POST /api/v1/webhooks "${HOOKS_KEY:-none}" "$W/webhook.json"
  HOOK_SECRET=$(jq -r '.secret // empty' "$RESP" 2>/dev/null)
  BODY=$(jq -c '.secret |= (.[0:10] + "…")' "$RESP" 2>/dev/null || echo "$BODY"); expect "good: registers a webhook for SENT -> 201" 201
  sleep 3 # the relay follows webhook-endpoints; events before it has read the endpoint are not sent to it
fi

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
  if [ -n "$HOOK_SECRET" ]; then
    t0=$(date +%s); seen="0 0"
    while [ "$(date +%s)" -lt $((t0 + 120)) ]; do
      seen=$(hooks_seen "$B2K" SENT "$HOOK_SECRET"); [ "${seen%% *}" -ge 2000 ] && break; sleep 2
    done
    check "webhook: the receiver got all 2,000 SENT events of that batch, every request signed (Standard Webhooks)" \
      "$([ "${seen%% *}" = 2000 ] && [ "${seen##* }" = 0 ] && echo 1 || echo 0)" \
      "distinct SENT events $(echo "$seen" | cut -d' ' -f1), unverifiable requests $(echo "$seen" | cut -d' ' -f2), $(wc -l <"$HOOKS") requests, after $(( $(date +%s) - t0 )) s"
  fi
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
  # the last sample within 1 s of the 202 (on a loaded machine the first sample can come later: then the first one)
  base=$(awk -v t=$((T202 + 1000)) '$1 <= t {v=$2} END {print v}' "$W/samples.txt"); [ -n "$base" ] || base=$at202
  final=$(tail -1 "$W/samples.txt" | cut -d' ' -f2)
  lastAt=$(curl -s "$STUB/stats" | jq -r '.lastAt')
  after=$(( final - base ))
  info "stub accepted: at the 202 +$((at202 - A0)), within 1 s after the 202 +$((base - at202)), then +$after in the next 9 s; stub lastAt = 202 $( [ $((lastAt - T202)) -ge 0 ] && echo + )$((lastAt - T202)) ms"
  # the stub's own clock of its last acceptance decides; the samples say how many came after
  check "good: stub accepts nothing more than 1 s after the cancel's 202" "$([ $((lastAt - T202)) -le 1000 ] && echo 1 || echo 0)" \
    "last acceptance $((lastAt - T202)) ms after the 202 (expected <= 1000); $after accepted after the first sample past 1 s"
  t0=$(date +%s)
  wait_batch "$B20K" "$GOOD" 180 '.status == "CANCELLED" and (.counts.sent + .counts.cancelled) == 20000'; ok=$?
  check "good: 20,000 batch ends CANCELLED with sent+cancelled=20000" "$([ $ok = 0 ] && echo 1 || echo 0)" "after $(( $(date +%s) - t0 )) s: $(batch_counts)"
  info "stub accepted for the 20,000 batch in total: $(( $(stub_accepted) - A0 )) (view says sent=$(echo "$BODY" | jq -r '.counts.sent' 2>/dev/null))"
fi

# health and readiness of every service
probe_all() { # label
  for s in "${SERVICES[@]}"; do
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
for s in "${SERVICES[@]}"; do wait_http "http://127.0.0.1:${PORT[$s]}/api/v1/ready" 60 >/dev/null; done
probe_all "after the outage"

echo
for s in "${SERVICES[@]}"; do
  kill -0 "${PIDS[$s]}" 2>/dev/null || info "$s is no longer running"
  info "$s: $(grep -c ' ERROR ' "$LOGS/$s.log") ERROR lines, $(grep -c ' WARN ' "$LOGS/$s.log") WARN lines in its log"
done
echo "blackbox: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ] || { printf '  failed: %s\n' "${FAILED_STEPS[@]}"; exit 1; }
