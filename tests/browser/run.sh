#!/usr/bin/env bash
# Browser test: ingest the sample corpus, serve it, drive the page in
# headless Chromium (Debian's), save docs/screenshot.png.
# Needs: a built `sitrep` (debug or release), node + npm, /usr/bin/chromium.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/../shared/corpus/tanf"
if [ ! -d "$corpus" ]; then
  if [ "${CI:-}" = "true" ]; then echo "browser test: $corpus missing" >&2; exit 1; fi
  echo "skipping browser test: ../shared not found"; exit 0
fi
bin="${SITREP_BIN:-}"
if [ -z "$bin" ]; then
  for b in "${CARGO_TARGET_DIR:-$root/target}/release/sitrep" "${CARGO_TARGET_DIR:-$root/target}/debug/sitrep"; do
    if [ -x "$b" ]; then bin=$b; break; fi
  done
fi
[ -n "$bin" ] || { echo "browser test: build sitrep first (cargo build -p sitrep)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill ${server_pid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/tanf.db"
"$bin" --quiet --db "$db" ingest "$corpus"
"$bin" --quiet --db "$db" zone add "$root/examples/zones.jsonl"

port=$(( 20000 + RANDOM % 20000 ))
"$bin" --db "$db" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -sf "http://127.0.0.1:$port/api/stats" >/dev/null; then break; fi
  sleep 0.1
done

cd "$here"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent
mkdir -p "$root/docs"
node test.mjs "http://127.0.0.1:$port" "$root/docs/screenshot.png"
