#!/usr/bin/env bash
# Load test of the JSON API (issue 6): builds a store of synthetic events,
# serves it on 127.0.0.1 and drives it with wrk, then stops the server.
#
#   bench/load/run.sh                      # 100,000 events, 30 s per run, 100 connections
#   EVENTS=10000 DURATION=10s bench/load/run.sh
#
# Runs (each prints wrk's report; a summary table follows):
#   events        /api/events over >= 1000 distinct filter URLs (response cache on)
#   events-nocache  the same URLs made unique per request: every request queries
#   clusters      /api/events/clusters at zooms 2-12 (viewport bboxes, filters)
#   timeline      /api/timeline by day, week and month with filters
# Traffic goes only to 127.0.0.1; every run is bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."

EVENTS=${EVENTS:-100000}
DURATION=${DURATION:-30s}
CONNS=${CONNS:-100}
THREADS=${THREADS:-2}
PORT=${PORT:-8089}
RUNS=${RUNS:-events events-nocache clusters timeline}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
WORK=${WORK:-$CARGO_TARGET_DIR/loadtest}
ADDR=127.0.0.1:$PORT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi

cargo build --release -p sitrep-server --example loadgen
BIN=$CARGO_TARGET_DIR/release/examples/loadgen
mkdir -p "$WORK"
DB=$WORK/load-$EVENTS.db
if [ ! -f "$DB" ] || [ -n "${REBUILD:-}" ]; then
  "$BIN" build --db "$DB" --events "$EVENTS"
fi
"$BIN" urls --out-dir "$WORK/urls"

"$BIN" serve --db "$DB" --addr "$ADDR" &
PID=$!
stop() {
  kill -INT "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}
trap stop EXIT
# The index is loaded before the port opens; wait for it (at most 60 s).
for _ in $(seq 600); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  kill -0 "$PID" 2>/dev/null || { echo "server exited" >&2; exit 1; }
  sleep 0.1
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm-up (not reported): fills the full-text match cache and the page cache.
URLS=$WORK/urls/events.txt BUST=1 wrk -t"$THREADS" -c"$CONNS" -d5s -s bench/load/mix.lua "http://$ADDR" >/dev/null

summary=()
for run in $RUNS; do
  case $run in
    events) urls=events.txt bust=0 ;;
    events-nocache) urls=events.txt bust=1 ;;
    clusters) urls=clusters.txt bust=0 ;;
    timeline) urls=timeline.txt bust=0 ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
  n=$(wc -l <"$WORK/urls/$urls")
  echo "== $run: $n distinct paths, $CONNS connections, $THREADS threads, $DURATION"
  out=$(URLS=$WORK/urls/$urls BUST=$bust wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s bench/load/mix.lua "http://$ADDR")
  echo "$out"
  p() { echo "$out" | awk -v q="$1" '$1 == q {print $2}'; }
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {printf "%s ", $0}')
  summary+=("$(printf '| %-15s | %5s | %8s | %8s | %8s | %9s | %s |' "$run" "$n" "$(p 50%)" "$(p 90%)" "$(p 99%)" "$rps" "${errs:-none}")")
done

echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run             | paths |      p50 |      p90 |      p99 | req/s     | errors |"
echo "|-----------------|-------|----------|----------|----------|-----------|--------|"
printf '%s\n' "${summary[@]}"
