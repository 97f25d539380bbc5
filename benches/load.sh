#!/usr/bin/env bash
# Load on `dateline serve` over loopback: the query mix (benches/load/mix.lua) at 1, 8 and 64
# concurrent clients, then at 8 clients again while `dateline index` adds EXTRA (a folder of new
# articles) to the index and commits. Prints requests per second, p50/p99 latency, errors and
# answers other than 200, and the server's peak memory (VmHWM).
#   benches/load.sh INDEX [SECONDS] [EXTRA]
# Needs wrk (Debian: apt-get install -y wrk) and a release build (cargo build --release).
# The EXTRA run changes INDEX: run it on a copy. DATELINE=PATH serves with another build (to
# compare two builds in turn), CLIENTS="8" runs only those client counts.
set -euo pipefail
index=${1:?usage: benches/load.sh INDEX [SECONDS] [EXTRA]}
secs=${2:-20}
extra=${3:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="${DATELINE:-$repo/target/release/dateline}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }

out=$(mktemp)
"$bin" --index "$index" serve --addr 127.0.0.1:0 >"$out" 2>/dev/null &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on \(http[^ ]*\)\/$/\1/p' "$out")
echo "server $url (pid $server), index $index, ${secs}s per run"
curl -fsS "$url/api/search?q=said" >/dev/null # warm

run() { # label, connections
  local line
  line=$(wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${secs}s" --timeout 10s -s "$repo/benches/load/mix.lua" "$url" | grep '^RESULT')
  printf '| %s | %s |\n' "$1" "${line#RESULT }"
}
echo "| run | requests | rps | p50 ms | p99 ms | socket errors | non-200 |"
echo "|---|---|---|---|---|---|---|"
for c in ${CLIENTS:-1 8 64}; do run "$c clients" "$c"; done
if [ -n "$extra" ]; then
  "$bin" --index "$index" index "$extra" >/tmp/load-index.log 2>&1 &
  indexer=$!
  run "8 clients, index committing" 8
  wait $indexer && echo "index run: $(tail -1 /tmp/load-index.log)"
  sleep 1
  echo "the server now sees $(curl -fsS "$url/api/stats" | grep -o '"articles":[0-9]*' | head -1 | cut -d: -f2) articles"
fi
echo "server peak memory: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MiB"}')"
