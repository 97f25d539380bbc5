#!/usr/bin/env bash
# Leave-one-collection-out relevance: every ranking choice made on five judged collections and
# scored on the sixth, in turn; then the news check (Reuters-21578 headlines, never tuned on).
#
#   benches/loco.sh [WORKDIR]          (default /tmp/dateline-loco; reruns reuse WORKDIR/grid.jsonl)
#
# Unpacks cranfield cacm cisi med adi lisa from the corpora folder, builds dateline
# (`cargo build --release`, or DATELINE_BIN), indexes each collection, runs the grid of
# benches/relevance/loco.py (every ranking step off or at a few settings: 378 settings x 6
# collections, about 25 minutes on 2 cores, cached), and prints the report. Then it derives the
# news collection (benches/relevance/reuters_news.py: 300 headline queries, each judged by its
# own story, headlines taken out of the indexed text) and scores dateline's default, the engine's
# BM25 (`--ranking bm25`) and SQLite FTS5 on it (sqlite3 needed for the last; skipped without).
# With --write the report replaces the part of docs/relevance.md between its loco markers.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WRITE=0
if [ "${1:-}" = --write ]; then WRITE=1; shift; fi
WORK=${1:-/tmp/dateline-loco}
CORPORA=${DATELINE_CORPORA:-$REPO/../shared/corpora}
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
log() { printf 'loco.sh: %s\n' "$*" >&2; }

if [ -n "${DATELINE_BIN:-}" ]; then src=$DATELINE_BIN; else
  (cd "$REPO" && cargo build --release) >&2; src=$REPO/target/release/dateline; fi
cp "$src" "$WORK/dateline"; DL=$WORK/dateline
# Settings whose results are cached belong to one binary: a new one starts a new grid.
sum=$(sha256sum "$DL" | cut -c1-16)
if [ "$(cat "$WORK/binary" 2>/dev/null)" != "$sum" ]; then rm -f "$WORK/grid.jsonl"; echo "$sum" >"$WORK/binary"; fi

for c in cranfield cacm cisi med adi lisa; do
  [ -d "$WORK/$c/docs" ] || tar -xzf "$CORPORA/$c.tar.gz" -C "$WORK"
  [ -d "$WORK/$c-index" ] || "$DL" --index "$WORK/$c-index" index "$WORK/$c/docs" >/dev/null
done
report=$WORK/loco.md
python3 "$REPO/benches/relevance/loco.py" "$DL" "$WORK" >"$report"

# The news check.
N=$WORK/reuters-news
if [ ! -d "$N/docs" ]; then
  mkdir -p "$WORK/reuters"; tar -xzf "$CORPORA/reuters21578-dated.tar.gz" -C "$WORK/reuters"
  python3 "$REPO/benches/relevance/reuters_news.py" "$WORK/reuters/reuters-dated" "$N"
fi
[ -d "$WORK/reuters-news-index" ] || "$DL" --index "$WORK/reuters-news-index" index "$N/docs" >/dev/null
score() { python3 -c 'import json,sys; m=json.load(sys.stdin)["mean"]; print("%.4f | %.4f" % (m["ndcg@10"], m["map"]))'; }
{
  echo
  echo "**The news check** (never tuned on; \`benches/relevance/reuters_news.py\`: 300 Reuters-21578"
  echo "headlines as queries, each judged by its own story, the headline taken out of the text):"
  echo
  echo "| engine | nDCG@10 | MAP |"
  echo "|---|---|---|"
  for r in default bm25; do
    printf '| dateline --ranking %s | %s |\n' "$r" "$("$DL" --index "$WORK/reuters-news-index" eval \
      --queries "$N/queries.tsv" --qrels "$N/qrels.txt" --ranking "$r" --json | score)"
  done
  if command -v sqlite3 >/dev/null; then
    [ -f "$N/sqlite.run" ] || {
      rm -f "$N/sqlite.db"
      "$REPO/benches/sqlite-fts5.sh" index "$N/docs" "$N/sqlite.db"
      python3 "$REPO/benches/relevance/peers.py" fts5-sql "$N/queries.tsv" | sqlite3 "$N/sqlite.db" \
        | python3 "$REPO/benches/relevance/peers.py" trec-run sqlite-fts5 >"$N/sqlite.run"
    }
    printf '| SQLite FTS5 (porter, bm25) | %s |\n' \
      "$("$DL" eval --qrels "$N/qrels.txt" --run "$N/sqlite.run" --json | score)"
  fi
} >>"$report"
cat "$report"
if [ "$WRITE" = 1 ]; then
  python3 - "$REPO/docs/relevance.md" "$report" <<'PY'
import sys
doc, rep = open(sys.argv[1]).read(), open(sys.argv[2]).read()
begin, end = "<!-- loco:begin -->", "<!-- loco:end -->"
i, j = doc.index(begin) + len(begin), doc.index(end)
open(sys.argv[1], "w").write(doc[:i] + "\n" + rep.strip() + "\n" + doc[j:])
PY
  log "written into docs/relevance.md"
fi
