#!/usr/bin/env bash
# Dispatcher benchmark (not part of `mvn verify`). For SES stub latency 0 ms, then 50 ms: 200,000
# records pre-filled in `sends`, drained by one dispatcher (child JVM) in each send mode (single:
# SendEmail per send; bulk: SendBulkEmail, 50 per call), then the BullMQ baseline in the same run on
# the same stub (one concurrency per latency, fewer jobs: see BULL_*).
# Usage: dispatcher-service/benchmarks/run.sh   (from anywhere; needs node, ~6 min on a quiet machine)
# Knobs: BENCH_RECORDS (200000), BENCH_MODES ("single bulk"), BENCH_LATENCIES / BULL_LATENCIES ("0 50"),
#   BENCH_CONCURRENCY_SINGLE_0 (64), BENCH_CONCURRENCY_SINGLE_50 (512), BENCH_CONCURRENCY_BULK (64),
#   BENCH_POLL_RECORDS_BULK (5000), BULL=0 to skip BullMQ, BULL_N (40000), BULL_CONC_0 (20), BULL_CONC_50 (100),
#   STUB_PORT (18090), BULL_STUB_PORT (18091), BULL_REDIS_PORT (16391)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BASE="$ROOT/../shared/baselines"
STUB_DIR=/tmp/dispatcher-bench-ses-stub
rm -rf "$STUB_DIR" && cp -r "$BASE/ses-stub" "$STUB_DIR"
PORT=${STUB_PORT:-18090}
RECORDS=${BENCH_RECORDS:-200000}
OUT="$ROOT/dispatcher-service/target/bench-results.txt"
cd "$ROOT"
./mvnw -q -o -pl dispatcher-service test-compile
: > "$OUT"
STUB_PID=
trap '[ -n "$STUB_PID" ] && kill $STUB_PID 2>/dev/null || true' EXIT
for LAT in ${BENCH_LATENCIES:-0 50}; do
  STUB_PORT=$PORT STUB_LATENCY_MS=$LAT node "$STUB_DIR/ses-stub.js" >/dev/null 2>&1 & STUB_PID=$!
  for i in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/stats" >/dev/null && break; sleep 0.1; done
  echo "== dispatcher, stub latency ${LAT} ms | $(node "$BASE/cpu-probe.mjs" 2>/dev/null || true) | $(uptime)" | tee -a "$OUT"
  SINGLE=$([ "$LAT" = 0 ] && echo "${BENCH_CONCURRENCY_SINGLE_0:-64}" || echo "${BENCH_CONCURRENCY_SINGLE_50:-512}")
  BENCH_RECORDS=$RECORDS BENCH_STUB_URL="http://127.0.0.1:$PORT" BENCH_LABEL="latency=${LAT}ms" \
    BENCH_MODES="${BENCH_MODES:-single bulk}" BENCH_CONCURRENCY_SINGLE=$SINGLE \
    BENCH_CONCURRENCY_BULK=${BENCH_CONCURRENCY_BULK:-64} BENCH_POLL_RECORDS_BULK=${BENCH_POLL_RECORDS_BULK:-5000} \
    ./mvnw -q -o -pl dispatcher-service surefire:test -Dtest=DispatcherBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
      2>&1 | grep -E "ERROR|FAIL" || true
  grep -h "^BENCH" dispatcher-service/target/surefire-reports/io.mailer.dispatcher.bench.DispatcherBenchmark-output.txt | tee -a "$OUT" || true
  kill $STUB_PID 2>/dev/null || true; wait $STUB_PID 2>/dev/null || true; STUB_PID=
done
if [ "${BULL:-1}" != 0 ]; then
  # BullMQ (the original design) on the same machine, same stub: redis-server + npm packages on first run
  BULL_DIR=/tmp/dispatcher-baselines
  [ -d "$BULL_DIR/bullmq-baseline" ] || cp -r "$BASE" "$BULL_DIR"
  for LAT in ${BULL_LATENCIES:-0 50}; do
    C=$([ "$LAT" = 0 ] && echo "${BULL_CONC_0:-20}" || echo "${BULL_CONC_50:-100}")
    echo "== BullMQ baseline, stub latency ${LAT} ms, concurrency $C, ${BULL_N:-40000} jobs | $(uptime)" | tee -a "$OUT"
    (cd "$BULL_DIR/bullmq-baseline" && rm -rf "results-dispatcher" && N=${BULL_N:-40000} RUNS=1 LATENCIES=$LAT CONCS=$C \
      STUB_PORT=${BULL_STUB_PORT:-18091} REDIS_PORT=${BULL_REDIS_PORT:-16391} REDIS_DIR=/tmp/dispatcher-bull-redis \
      RESULTS=results-dispatcher ./run.sh 2>&1 | grep -E "^   enqueue|^\|" | tee -a "$OUT")
  done
fi
echo "results: $OUT"
