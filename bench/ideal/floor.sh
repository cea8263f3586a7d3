#!/usr/bin/env bash
# Runs ../shared/perf's fixed-rate scenario (same sizes as its run.sh) against bench/ideal/server.js,
# a server that stores and checks nothing: the p99 it prints is the load generator's floor on
# this machine. Run ../shared/perf/run.sh once first (it installs the generator's modules).
# Usage: bench/ideal/floor.sh [rounds]   (from the project's root)
set -euo pipefail
ROUNDS="${1:-3}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PERF=""
for dir in "${PERF_WORK:-}" target/perf ../shared/perf; do
  if [ -n "$dir" ] && [ -d "$dir/loadgen/node_modules/ws" ]; then PERF="$dir"; break; fi
done
[ -n "$PERF" ] || { echo "run ../shared/perf/run.sh once first: it installs the load generator" >&2; exit 1; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
node -e '
  const users = [];
  for (let i = 1; i <= 200; i++) users.push({ username: `ideal_${i}`, email: "-", password: "-", id: i, token: String(i) });
  require("fs").writeFileSync(process.argv[1], JSON.stringify({ url: "http://127.0.0.1:3005", prefix: "ideal", users }));
' "$OUT/users.json"
for round in $(seq 1 "$ROUNDS"); do
  NODE_PATH="$PERF/loadgen/node_modules" node "$HERE/server.js" &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:3005/health >/dev/null && break; sleep 0.1; done
  echo "round $round"
  node "$PERF/loadgen/loadgen.js" --target chat --url http://127.0.0.1:3005 --scenario fanout-rate \
    --conns 200 --rooms 1 --senders 5 --rate 100 --msgs 200 --duration 30 --drain 5 --hold 2 --size 64 \
    --users-cache "$OUT/users.json" --users 200 --server-pid "$SERVER" 2>&1 >/dev/null |
    grep -E 'latency ms|lost|cpu cost' || true
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
done
