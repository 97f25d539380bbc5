#!/usr/bin/env bash
# Relevance baselines: three peer engines, and dateline itself, on the judged test collections
# (cranfield cacm cisi med adi lisa), every run scored by `dateline eval`.
#
#   benches/relevance.sh [WORKDIR]
#
# Unpacks each NAME.tar.gz of the corpora folder into WORKDIR/NAME/ (docs/*.txt, queries.tsv,
# qrels.txt), installs the peers it lacks (sqlite3 and python3-xapian with apt-get, tantivy-cli
# 0.24 with cargo: benches/install-peers.sh, shared with compare.sh), builds dateline
# (`cargo build --release`), indexes every collection with every engine, writes one TREC run
# per engine (`qid Q0 docname rank score TAG`, top 1000 per query) to WORKDIR/NAME/runs/, scores
# it with `dateline eval` (JSON in WORKDIR/NAME/scores/) and prints a markdown report to stdout
# and to WORKDIR/relevance.md. Progress goes to stderr. Without WORKDIR a temporary folder is
# used, whose indexes are deleted at the end (runs, scores and the report are kept).
# Where `dateline eval --help` fails (a dateline without `eval`) every figure reads n/a.
#
# Environment:
#   DATELINE_CORPORA=DIR   the folder of NAME.tar.gz (default: ../shared/corpora from the repo root)
#   DATELINE_BIN=PATH      use this dateline binary instead of running `cargo build --release`
#   COLLECTIONS="cranfield cacm cisi med adi lisa"   any subset
#
# The query: the words of the query text, re.findall(r'\w+', text.lower()), OR-ed (a repeated
# word stays repeated). The text indexed: the whole file but its leading " date YYYY-MM-DD ".
# What runs for each collection, in WORKDIR/NAME (Q = queries.tsv, P = benches/relevance/peers.py):
#
#   SQLite FTS5 (sqlite3 shell; porter stemmer over unicode61, bm25() with its defaults):
#     benches/sqlite-fts5.sh index docs sqlite.db
#       = CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, date UNINDEXED, body,
#           tokenize='porter unicode61'), filled from fsdir() with body = the text from its 18th character
#     python3 P fts5-sql Q | sqlite3 sqlite.db | python3 P trec-run sqlite-fts5 > runs/sqlite.run
#       = for each query: SELECT qid, path, -bm25(docs) FROM docs WHERE docs MATCH '"w1" OR "w2" OR ...'
#           ORDER BY bm25(docs) LIMIT 1000;   (each word an FTS5 string, so and/or/not/near stay words)
#   Xapian 1.4 (python3-xapian):
#     python3 P xapian-index docs xapian-db
#       = TermGenerator, Stem("english"), STEM_SOME (the default); document data = docname
#     python3 P xapian-run xapian-db Q xapian-bm25 > runs/xapian.run
#       = QueryParser (Stem("english"), STEM_SOME, default op OP_OR, default flags) over the words
#         joined with spaces, i.e. the OR of their stemmed terms; BM25Weight() defaults; get_mset(0, 1000)
#   tantivy-cli 0.24 (`tantivy search` prints every match unranked, so `tantivy serve`, whose
#   /api/?q=...&nhits=N answers TopDocs(N) with BM25 scores):
#     python3 P ndjson docs > docs.json                       {"docname": ..., "body": ...} a line
#     printf '%s\n' docname Text Y N N Y body Text N N Y Y Y Y N | tantivy new -i tantivy-index
#       = docname stored, not indexed; body indexed with en_stem (tantivy-cli's default), freqs, positions
#     tantivy index -i tantivy-index < docs.json               (-t 1, the default)
#     tantivy serve -i tantivy-index --host 127.0.0.1 -p PORT &
#     python3 P tantivy-run http://127.0.0.1:PORT/api/ Q tantivy-cli > runs/tantivy.run
#       = GET /api/?q=w1+w2+...&nhits=1000 (QueryParser: words OR-ed; only capitals are operators)
#   dateline:
#     dateline --index dateline-index index --rebuild docs
#     dateline --index dateline-index eval --queries queries.tsv --qrels qrels.txt --json
# Scoring each peer's run:
#     dateline eval --qrels qrels.txt --run runs/ENGINE.run --json > scores/ENGINE.json
set -euo pipefail

usage() { echo "usage: benches/relevance.sh [WORKDIR]" >&2; exit 2; }
[ $# -le 1 ] || usage
case ${1:-} in -h|--help) usage ;; esac
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELP=$REPO/benches/relevance
CORPORA=${DATELINE_CORPORA:-$REPO/../shared/corpora}
COLLECTIONS=${COLLECTIONS:-"cranfield cacm cisi med adi lisa"}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

log() { printf 'relevance.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

[ -d "$CORPORA" ] || die "no corpora folder $CORPORA (set DATELINE_CORPORA)"
CORPORA=$(cd "$CORPORA" && pwd)
for c in $COLLECTIONS; do
  case $c in cranfield|cacm|cisi|med|adi|lisa) ;; *) die "unknown collection '$c'" ;; esac
  [ -f "$CORPORA/$c.tar.gz" ] || die "no $CORPORA/$c.tar.gz"
done

if [ $# -ge 1 ]; then
  WORK=$1; TEMP_WORK=0; mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dateline-relevance.XXXXXX"); TEMP_WORK=1
fi
mkdir -p "$WORK/logs" "$WORK/bin"
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; fi
  if [ "$TEMP_WORK" = 1 ]; then
    local c
    for c in $COLLECTIONS; do
      rm -rf "${WORK:?}/$c/sqlite.db" "${WORK:?}/$c/xapian-db" "${WORK:?}/$c/tantivy-index" \
        "${WORK:?}/$c/dateline-index" "${WORK:?}/$c/docs.json"
    done
    rm -rf "${WORK:?}/bin"
  fi
}
trap cleanup EXIT
START=$(date +%s)

# ---------------------------------------------------------------- installing what is missing
# shellcheck source-path=SCRIPTDIR source=install-peers.sh disable=SC1091
. "$REPO/benches/install-peers.sh"
command -v python3 >/dev/null || apt_install python3 || die "needs python3"
command -v sqlite3 >/dev/null || apt_install sqlite3 || die "needs sqlite3 (package sqlite3)"
PYX=$(find_python_xapian) || { apt_install python3-xapian && PYX=$(find_python_xapian); } \
  || die "needs python3-xapian"
have_tantivy || { install_tantivy "$WORK/logs/install-tantivy.log" && have_tantivy; } \
  || die "tantivy-cli 0.24 would not build (log: $WORK/logs/install-tantivy.log)"

# ---------------------------------------------------------------- dateline
if [ -n "${DATELINE_BIN:-}" ]; then
  [ -x "$DATELINE_BIN" ] || die "DATELINE_BIN=$DATELINE_BIN is not executable"
  src_bin=$DATELINE_BIN
else
  log "cargo build --release in $REPO"
  (cd "$REPO" && cargo build --release) >&2 || die "cargo build --release failed (or set DATELINE_BIN)"
  src_bin=$REPO/target/release/dateline
fi
# A copy, so that a rebuild during the run cannot change the binary under test.
cp "$src_bin" "$WORK/bin/dateline"
DL=$WORK/bin/dateline
HAVE_EVAL=1
if ! "$DL" eval --help >/dev/null 2>&1; then
  HAVE_EVAL=0
  log "WARNING: this dateline has no \`eval\` (\`dateline eval --help\` fails): runs are written, every figure reads n/a"
fi

{
  printf 'collections\t%s\n' "$(echo "$COLLECTIONS" | xargs)"
  printf 'work\t%s\n' "$WORK"
  printf 'date\t%s\n' "$(date -u +%Y-%m-%d)"
  printf 'sqlite_version\t%s\n' "$(sqlite3 --version | cut -d' ' -f1)"
  printf 'xapian_version\t%s\n' "$("$PYX" -c 'import xapian; print(xapian.version_string())')"
  printf 'tantivy_version\t%s\n' "$(tantivy --version | awk '{print $NF}')"
  printf 'dateline_version\t%s\n' "$("$DL" --version | awk '{print $NF}')"
  printf 'dateline_commit\t%s\n' "$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
} >"$WORK/meta.tsv"

FAILED=0
score() { # COLLECTION ENGINE DATELINE-ARGS...: the JSON of `dateline ... eval ...` to scores/ENGINE.json
  local c=$1 e=$2 out=$WORK/$1/scores/$2
  shift 2
  rm -f "$out.json" "$out.na" "$out.failed"
  if [ "$HAVE_EVAL" = 0 ]; then : >"$out.na"; return 0; fi
  if "$DL" "$@" >"$out.tmp" 2>"$WORK/logs/eval-$c-$e.err" \
      && python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["mean"]; [m[k] for k in ("ndcg@10", "map", "p@10", "recall@100", "mrr")]' "$out.tmp" 2>>"$WORK/logs/eval-$c-$e.err"; then
    mv "$out.tmp" "$out.json"
  else
    rm -f "$out.tmp"; : >"$out.failed"; FAILED=1
    log "$c: scoring $e FAILED: $(tail -n 3 "$WORK/logs/eval-$c-$e.err" | tr '\n' ' ')"
  fi
}
since() { echo $(( $(date +%s%N) / 1000000 - $1 )); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------- each collection
for c in $COLLECTIONS; do
  D=$WORK/$c
  rm -rf "$D"
  tar -xzf "$CORPORA/$c.tar.gz" -C "$WORK"
  if [ ! -d "$D/docs" ] || [ ! -f "$D/queries.tsv" ] || [ ! -f "$D/qrels.txt" ]; then
    die "$c.tar.gz did not unpack to $c/docs, $c/queries.tsv, $c/qrels.txt"
  fi
  mkdir -p "$D/runs" "$D/scores"
  n_docs=$(find "$D/docs" -maxdepth 1 -name '*.txt' | wc -l)
  n_queries=$(grep -c . "$D/queries.tsv" || true)
  printf 'docs_%s\t%s\nqueries_%s\t%s\n' "$c" "$n_docs" "$c" "$n_queries" >>"$WORK/meta.tsv"
  log "$c: $n_docs docs, $n_queries queries"

  # SQLite FTS5
  t=$(now_ms)
  "$REPO/benches/sqlite-fts5.sh" index "$D/docs" "$D/sqlite.db"
  python3 "$HELP/peers.py" fts5-sql "$D/queries.tsv" | sqlite3 "$D/sqlite.db" \
    | python3 "$HELP/peers.py" trec-run sqlite-fts5 >"$D/runs/sqlite.run"
  log "$c: SQLite FTS5 indexed and searched in $(since "$t") ms"
  score "$c" sqlite eval --qrels "$D/qrels.txt" --run "$D/runs/sqlite.run" --json

  # Xapian
  t=$(now_ms)
  "$PYX" "$HELP/peers.py" xapian-index "$D/docs" "$D/xapian-db"
  "$PYX" "$HELP/peers.py" xapian-run "$D/xapian-db" "$D/queries.tsv" xapian-bm25 >"$D/runs/xapian.run"
  log "$c: Xapian indexed and searched in $(since "$t") ms"
  score "$c" xapian eval --qrels "$D/qrels.txt" --run "$D/runs/xapian.run" --json

  # tantivy-cli
  t=$(now_ms)
  python3 "$HELP/peers.py" ndjson "$D/docs" >"$D/docs.json"
  printf '%s\n' docname Text Y N N Y body Text N N Y Y Y Y N \
    | timeout 30 tantivy new -i "$D/tantivy-index" >"$WORK/logs/tantivy-new-$c.out" 2>&1
  grep -qs '"en_stem"' "$D/tantivy-index/meta.json" || die "tantivy new did not make the schema (log: $WORK/logs/tantivy-new-$c.out)"
  tantivy index -i "$D/tantivy-index" <"$D/docs.json" >"$WORK/logs/tantivy-index-$c.log" 2>&1 \
    || die "tantivy index failed (log: $WORK/logs/tantivy-index-$c.log)"
  port=$(free_port)
  tantivy serve -i "$D/tantivy-index" --host 127.0.0.1 -p "$port" >"$WORK/logs/tantivy-serve-$c.log" 2>&1 &
  SERVE_PID=$!
  python3 "$HELP/peers.py" tantivy-run "http://127.0.0.1:$port/api/" "$D/queries.tsv" tantivy-cli \
    >"$D/runs/tantivy.run" || die "tantivy serve gave no run (log: $WORK/logs/tantivy-serve-$c.log)"
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
  log "$c: tantivy-cli indexed and searched in $(since "$t") ms"
  score "$c" tantivy eval --qrels "$D/qrels.txt" --run "$D/runs/tantivy.run" --json

  # dateline
  t=$(now_ms)
  rc=0
  "$DL" --index "$D/dateline-index" index --rebuild "$D/docs" >"$WORK/logs/dateline-index-$c.log" 2>&1 || rc=$?
  [ "$rc" -le 1 ] || { cat "$WORK/logs/dateline-index-$c.log" >&2; die "dateline index failed on $c"; }
  [ "$rc" = 0 ] || log "$c: dateline skipped some files: $(tail -n 1 "$WORK/logs/dateline-index-$c.log")"
  score "$c" dateline --index "$D/dateline-index" eval --queries "$D/queries.tsv" --qrels "$D/qrels.txt" --json
  log "$c: dateline indexed and scored in $(since "$t") ms"

  for e in sqlite xapian tantivy; do
    [ -s "$D/runs/$e.run" ] || die "$c: the $e run is empty"
  done
done

elapsed=$(( $(date +%s) - START ))
printf 'elapsed\t%s\n' "$elapsed s in all" >>"$WORK/meta.tsv"
python3 "$HELP/report.py" "$WORK" >"$WORK/relevance.md"
cat "$WORK/relevance.md"
log "report: $WORK/relevance.md (runs in $WORK/NAME/runs, scores in $WORK/NAME/scores, logs in $WORK/logs); ${elapsed} s"
[ "$FAILED" = 0 ] || { log "some scoring failed (cells marked failed)"; exit 1; }
