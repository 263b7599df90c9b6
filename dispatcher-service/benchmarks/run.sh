#!/usr/bin/env bash
# Dispatcher benchmark (not part of `mvn verify`): 200,000 records pre-filled in `sends`, drained by
# one dispatcher (child JVM) through the SES stub answering in 0 ms, then in 50 ms.
# Usage: dispatcher-service/benchmarks/run.sh   (from anywhere; needs node; ~5 min)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STUB_DIR=/tmp/dispatcher-bench-ses-stub
rm -rf "$STUB_DIR" && cp -r "$ROOT/../shared/baselines/ses-stub" "$STUB_DIR"
PORT=${STUB_PORT:-18090}
RECORDS=${BENCH_RECORDS:-200000}
cd "$ROOT"
mvn -q -o -pl dispatcher-service test-compile
for LAT in 0 50; do
  CONC=$([ "$LAT" = 0 ] && echo "${BENCH_CONCURRENCY_0:-64}" || echo "${BENCH_CONCURRENCY_50:-512}")
  STUB_PORT=$PORT STUB_LATENCY_MS=$LAT node "$STUB_DIR/ses-stub.js" >/dev/null 2>&1 & STUB_PID=$!
  trap 'kill $STUB_PID 2>/dev/null || true' EXIT
  for i in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/stats" >/dev/null && break; sleep 0.1; done
  echo "== latency ${LAT} ms, WORKER_CONCURRENCY=$CONC | $(node "$ROOT/../shared/baselines/cpu-probe.mjs" 2>/dev/null || true) | $(uptime)"
  BENCH_RECORDS=$RECORDS BENCH_STUB_URL="http://127.0.0.1:$PORT" BENCH_CONCURRENCY=$CONC BENCH_LABEL="latency=${LAT}ms" \
    mvn -q -o -pl dispatcher-service surefire:test -Dtest=DispatcherBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
      2>&1 | grep -E "ERROR|FAIL" || true
  grep -h "^BENCH" dispatcher-service/target/surefire-reports/io.mailer.dispatcher.bench.DispatcherBenchmark-output.txt || true
  kill $STUB_PID 2>/dev/null || true; wait $STUB_PID 2>/dev/null || true
done
