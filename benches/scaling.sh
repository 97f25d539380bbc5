#!/usr/bin/env bash
# The scaling table: index time, index size, search latency and peak memory at several corpus
# sizes, written to benches/scaling.csv, then drawn into benches/scaling.svg.
#
#   benches/scaling.sh SOURCE_DIR [WORKDIR] [SIZES...]
#
# SOURCE_DIR is the folder the generator draws paragraphs from (the Reuters-21578 folder); the
# corpora (WORKDIR/gN, made by `gencorpus` when absent) are the first N articles of one
# generated sequence. For each size: one `dateline index` into an empty index and one plain
# Tantivy loop run (wall time and peak memory from /usr/bin/time), the index's apparent size,
# and the in-process latency of the query mix (`latency`, 20 passes). Defaults: WORKDIR
# /tmp/dateline-scaling, SIZES 10000 100000 1000000 (the million needs about 4 GB of disk for
# the corpus and 1.1 GB for each index).
set -euo pipefail
source_dir=${1:?usage: benches/scaling.sh SOURCE_DIR [WORKDIR] [SIZES...]}
work=${2:-/tmp/dateline-scaling}
shift $(( $# >= 2 ? 2 : 1 ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cargo build --release --bin dateline --example gencorpus --example plain --example latency
bin=target/release
mkdir -p "$work"
csv=benches/scaling.csv
echo "articles,text_mb,index_s,plain_index_s,index_mb,peak_mb,search_p50_ms,search_p99_ms" >"$csv"
timed() { # prints "wall_s peak_kb" of a command
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" \
    || { cat "$work/stderr.txt" >&2; return 1; }
  cat "$work/time.txt"
}
for n in "${sizes[@]}"; do
  corpus="$work/g$n"
  [ -d "$corpus" ] || "$bin/examples/gencorpus" "$n" "$corpus" --source "$source_dir"
  find "$corpus/" -name '*.txt' -print0 | xargs -0 cat >/dev/null # warm the page cache
  text=$(find "$corpus/" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1e6}')
  rm -rf "$work/index" "$work/plain"
  read -r wall peak < <(timed "$bin/dateline" --index "$work/index" index "$corpus")
  read -r plain _ < <(timed "$bin/examples/plain" "$corpus" "$work/plain")
  size=$(du -s --apparent-size -B1 "$work/index" | awk '{printf "%.1f", $1/1e6}')
  read -r p50 p99 < <("$bin/examples/latency" "$work/index" 20 |
    awk -F'|' '/all, pooled/ {gsub(/ /, ""); print $4, $6}')
  echo "$n,$text,$wall,$plain,$size,$((peak / 1024)),$p50,$p99" | tee -a "$csv"
  rm -rf "$work/index" "$work/plain"
done
python3 benches/plot.py
