#!/usr/bin/env bash
# Whole-pipeline benchmark (issue 19): the four service jars as separate JVMs
# (`java -Xmx512m -jar <module>/target/<module>-0.1.0-SNAPSHOT-exec.jar`) on one KRaft Kafka
# broker, PostgreSQL 15, ElasticMQ and the Node SES stub — the infrastructure of
# devstack/blackbox (infra.sh) — in their DEFAULT configuration (only SES_MAX_SEND_RATE is set,
# to 100000, plus whatever MAILER_ENV passes through), then the BullMQ baseline in the same
# invocation. For each SES stub latency in LATENCIES:
#   A cold  N_A recipients as JSON batches of BATCH_SIZE, right after the services started
#           (at a later latency, without RESTART_PER_LATENCY=1, the JVMs are warm: "A 1st")
#   A warm  the same again
#   B       one NDJSON batch of N_B recipients
# each timed from the first submit until the stub has accepted N (its /stats reset before the
# run), with the CPU seconds and peak RSS of every process sampled from /proc meanwhile. Then the
# BullMQ baseline (BULL_CONCS, same latencies, BULL_N jobs). Prints one table; writes
# $BENCH_DIR/results.json. See README.md beside this file.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/pipeline-bench}"
INFRA_DIR="$BENCH_DIR"
INFRA_CACHE="${BLACKBOX_CACHE:-/tmp/blackbox-cache}"
BASELINES_COPY="${BASELINES_COPY:-$BENCH_DIR/baselines}"
# shellcheck source=../blackbox/infra.sh
. "$ROOT/devstack/blackbox/infra.sh"
TOOLS="$ROOT/devstack/bench/pipeline_tools.py"

N_A="${N_A:-100000}"                 # shape A: recipients
BATCH_SIZE="${BATCH_SIZE:-2500}"     # shape A: recipients per JSON batch (40 batches of 2,500)
HTML_BYTES="${HTML_BYTES:-0}"        # grow the message's html to about this many bytes (0: the BullMQ jobs' ~500 B)
N_B="${N_B:-200000}"                 # shape B: recipients of the one NDJSON batch (N_B=1000000: the issue's shape)
LATENCIES="${LATENCIES:-0 50}"       # SES stub latencies, ms
SHAPES="${SHAPES:-A A B}"            # per latency: the runs, in order (A twice: 1st and warm)
SES_MAX_SEND_RATE="${SES_MAX_SEND_RATE:-100000}"
MAILER_ENV="${MAILER_ENV:-}"         # extra VAR=value words for the four services, e.g. "SES_SEND_MODE=bulk WORKER_CONCURRENCY=64"
RESTART_PER_LATENCY="${RESTART_PER_LATENCY:-0}" # 1: restart the four services before each latency (a cold run at each)
RUN_TIMEOUT="${RUN_TIMEOUT:-1800}"   # s per run; then the partial rate is reported and the run's batches cancelled
STALL_TIMEOUT="${STALL_TIMEOUT:-60}" # s without a new stub accept (after the submission ended): partial
QUIESCE_TIMEOUT="${QUIESCE_TIMEOUT:-120}" # s to wait after a run for the batch view to show every recipient
BULL="${BULL:-1}"                    # 0: skip the BullMQ baseline
BULL_N="${BULL_N:-$N_A}"
BULL_CONCS="${BULL_CONCS:-20 100}"
BULL_RUNS="${BULL_RUNS:-1}"
BULL_LATENCIES="${BULL_LATENCIES:-$LATENCIES}"

SERVICE_ENV=("SES_MAX_SEND_RATE=$SES_MAX_SEND_RATE")
for w in $MAILER_ENV; do
  [[ "$w" =~ ^[A-Z_][A-Z0-9_]*=.*$ ]] || die "MAILER_ENV: '$w' is not VAR=value"
  SERVICE_ENV+=("$w")
done
for v in N_A BATCH_SIZE N_B BULL_N BULL_RUNS; do [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"; done

cpu_probe() { node "$BASELINES_COPY/cpu-probe.mjs" 2>/dev/null | awk '{print $2}'; }

infra_init
rm -rf "$BENCH_DIR/runs" "$BENCH_DIR/work" "$BENCH_DIR/bullmq" "$BENCH_DIR/results.json" "$BENCH_DIR/report.md"
mkdir -p "$BENCH_DIR/runs" "$BENCH_DIR/work"
trap cleanup EXIT
trap 'exit 130' INT TERM
log "pipeline bench: N_A=$N_A (batches of $BATCH_SIZE) N_B=$N_B LATENCIES='$LATENCIES' SHAPES='$SHAPES' service env: ${SERVICE_ENV[*]}${SERVICE_JAVA_OPTS:+ java opts: $SERVICE_JAVA_OPTS}"
log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (modified)')"
infra_resolve_classpaths
infra_pick_ports
infra_start_kafka
infra_start_postgres
read -r -a LAT_LIST <<<"$LATENCIES"
infra_start_stub "${LAT_LIST[0]}"
infra_start_sqs
infra_start_services "${SERVICE_ENV[@]}"
READY_S=$(( T_READY - T_START ))
INGRESS="http://127.0.0.1:${PORT[ingress]}"
STUB="http://127.0.0.1:$SES_PORT"

KEY=$(curl -s --max-time 30 -X POST -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
  --data '{"name":"pipeline-bench","scopes":["send","read"],"tenantId":"bench"}' "$INGRESS/api/v1/api-keys" | jq -r '.key // empty')
[ -n "$KEY" ] || die "cannot create the bench API key"

jq -n --arg date "$(date -u +%FT%TZ)" --arg commit "$(git -C "$ROOT" rev-parse HEAD 2>/dev/null)" \
  --arg env "${SERVICE_ENV[*]}" --arg javaOpts "$SERVICE_JAVA_OPTS" --argjson nproc "$(nproc)" \
  --argjson nA "$N_A" --argjson batch "$BATCH_SIZE" --argjson nB "$N_B" --arg lat "$LATENCIES" --arg shapes "$SHAPES" \
  --argjson ready "$READY_S" \
  '{date:$date, commit:$commit, serviceEnv:$env, serviceJavaOpts:$javaOpts, nproc:$nproc, nA:$nA, batchSize:$batch,
    nB:$nB, latencies:$lat, shapes:$shapes, servicesReadySeconds:$ready}' >"$BENCH_DIR/meta.json"

SEQ=0
COLD=1
LI=0
INV=$(printf '%x' "$(date +%s)")
for L in "${LAT_LIST[@]}"; do
  LI=$((LI + 1))
  if [ "$LI" -gt 1 ]; then
    if [ "$RESTART_PER_LATENCY" = 1 ]; then
      log "restarting the four services"
      infra_stop_services
      infra_start_services "${SERVICE_ENV[@]}"
      COLD=1
    fi
    infra_stop_stub
    infra_start_stub "$L"
  fi
  nA_run=0
  for shape in $SHAPES; do
    SEQ=$((SEQ + 1))
    case $shape in
      A) nA_run=$((nA_run + 1))
         if [ "$nA_run" = 1 ]; then label=$([ "$COLD" = 1 ] && echo "A cold" || echo "A 1st"); phase=$([ "$COLD" = 1 ] && echo cold || echo first)
         else label="A warm"; phase=warm; [ "$nA_run" -gt 2 ] && label="A warm $((nA_run - 1))"; fi
         n=$N_A ;;
      B) label="B"; phase=$([ "$COLD" = 1 ] && echo cold || echo warm); n=$N_B ;;
      *) die "SHAPES: unknown shape '$shape' (A or B)" ;;
    esac
    COLD=0
    probe=$(cpu_probe)
    for s in "${SERVICES[@]}"; do
      kill -0 "${PIDS[$s]}" 2>/dev/null || { log "$s is no longer running (see $LOGS/$s.log): no more runs"; break 3; }
    done
    log "--- run $SEQ: $label, $n recipients, SES latency $L ms (cpu-probe ${probe:-n/a} ms, load $(cut -d' ' -f1-3 /proc/loadavg))"
    python3 "$TOOLS" run --label "$label" --phase "$phase" --shape "$shape" --n "$n" --batch-size "$BATCH_SIZE" --html-bytes "$HTML_BYTES" \
      --latency "$L" --run-id "${INV}r${SEQ}" --ingress "$INGRESS" --key "$KEY" --stub "$STUB" \
      --procs "ingress=${PIDS[ingress]},topology=${PIDS[topology]},dispatcher=${PIDS[dispatcher]},feedback=${PIDS[feedback]},kafka=${PIDS[kafka]},postgres=tree:$(pg_pid),stub=${PIDS[stub]}" \
      --out "$BENCH_DIR/runs/$(printf '%02d' "$SEQ")-lat$L-$shape.json" --work "$BENCH_DIR/work" \
      --timeout "$RUN_TIMEOUT" --stall "$STALL_TIMEOUT" --quiesce "$QUIESCE_TIMEOUT" \
      ${probe:+--cpu-probe-ms "$probe"} --loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" --env-desc "${SERVICE_ENV[*]}" \
      || log "run $SEQ failed (exit $?)"
    # the dispatcher's counters after each run (cumulative), e.g. where the rate went: mailer_dispatcher_rate_*
    curl -s --max-time 5 "http://127.0.0.1:${PORT[dispatcher]}/actuator/prometheus" \
      >"$BENCH_DIR/runs/$(printf '%02d' "$SEQ")-lat$L-$shape-dispatcher.prom" 2>/dev/null || true
    # with PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements": PostgreSQL's statements of this run
    if [[ "${PG_EXTRA_OPTS:-}" == *pg_stat_statements* ]]; then
      as_pg "${PSQL[@]}" -d mailer -F ' | ' -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "SELECT calls, rows, round(total_exec_time::numeric) AS ms, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
            FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15" -c "SELECT pg_stat_statements_reset()" \
        >"$BENCH_DIR/runs/$(printf '%02d' "$SEQ")-lat$L-$shape-pg-statements.txt" 2>&1 || true
    fi
    # bytes of the sends topic's log segments so far (all runs; the index files are preallocated, not counted)
    log "broker bytes of the sends topic after run $SEQ: $(cat "$INFRA_DIR"/data/kafka/logs/*sends-[0-9]*/*.log 2>/dev/null | wc -c)"
  done
done

echo
SVC_LOG_SUMMARY=""
for s in "${SERVICES[@]}"; do
  kill -0 "${PIDS[$s]}" 2>/dev/null || log "$s is no longer running"
  line="$s: $(grep -c ' ERROR ' "$LOGS/$s.log") ERROR, $(grep -c ' WARN ' "$LOGS/$s.log") WARN lines in $LOGS/$s.log"
  log "$line"; SVC_LOG_SUMMARY+="$line; "
done
jq --arg logs "$SVC_LOG_SUMMARY" '. + {serviceLogs:$logs}' "$BENCH_DIR/meta.json" >"$BENCH_DIR/meta.json.tmp" && mv "$BENCH_DIR/meta.json.tmp" "$BENCH_DIR/meta.json"

# The BullMQ baseline on the same machine, with the Mailer stack stopped (each side runs alone).
if [ "$BULL" = 1 ]; then
  log "stopping the Mailer stack before the BullMQ baseline"
  infra_stop_all
  [ -f "$BASELINES_COPY/bullmq-baseline/run.sh" ] || die "$BASELINES_COPY/bullmq-baseline missing"
  log "BullMQ baseline: N=$BULL_N RUNS=$BULL_RUNS LATENCIES='$BULL_LATENCIES' CONCS='$BULL_CONCS'"
  ( cd "$BASELINES_COPY/bullmq-baseline" && \
    N=$BULL_N RUNS=$BULL_RUNS LATENCIES="$BULL_LATENCIES" CONCS="$BULL_CONCS" \
    REDIS_PORT="$(free_port)" STUB_PORT="$(free_port)" RESULTS="$BENCH_DIR/bullmq/results" REDIS_DIR="$BENCH_DIR/bullmq/redis" \
    ./run.sh ) 2>&1 | tee "$LOGS/bullmq.log" | grep --line-buffered -E '^(==|   enqueue|\||.*(rror|failed|timeout))'
  [ "${PIPESTATUS[0]}" = 0 ] || log "the BullMQ baseline failed (see $LOGS/bullmq.log)"
fi

python3 "$TOOLS" report "$BENCH_DIR" | tee "$BENCH_DIR/report.md"
