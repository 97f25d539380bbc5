#!/usr/bin/env bash
# Whole-process comparison of dateline with the tools people would use instead, on one folder.
#
#   benches/compare.sh CORPUS_DIR [WORKDIR]
#
# Installs what it lacks (Debian packages sqlite3, xapian-tools, python3-xapian, hyperfine,
# time; ripgrep and tantivy-cli 0.24 with cargo), builds dateline (`cargo build --release`),
# indexes CORPUS_DIR with each tool (alternating dateline, peer, dateline, peer, ...), times a
# fixed query mix with hyperfine (one fresh process per search), and prints a markdown report
# to stdout and to WORKDIR/compare.md. Progress goes to stderr. Without WORKDIR a temporary
# folder is used; its indexes are deleted at the end, the report and raw timings are kept.
#
# Environment:
#   RUNS_INDEX=3          index runs per tool (each peer run follows a dateline run)
#   RUNS_SEARCH=15        hyperfine runs per search command (after WARMUP=2 warm-up runs)
#   PEERS="sqlite xapian tantivy rg"   the peers to run (any subset, in this order)
#   DATE_FROM=1987-03 DATE_TO=1987-03  the month range (YYYY-MM) of the date-filtered query;
#                         the default suits Reuters (all 1987), pick one that suits your corpus
#   SKIP_XAPIAN_INDEX_OVER=N   over N articles, index with Xapian once instead of RUNS_INDEX
#                         times (it takes ~75 s per 100k articles); PEERS drops it altogether
#   TANTIVY_THREADS=nproc indexing threads of `tantivy index -t`
#   DATELINE_BIN=path     use this dateline binary instead of running `cargo build --release`
#
# What each tool runs (top 10 where the tool has a limit):
#   dateline   dateline --index DIR search QUERY [--from M --to M | --sort newest]
#   SQLite     benches/sqlite-fts5.sh to index; to search, sqlite3 directly with the SELECT of
#              that script (bm25(), snippet(), LIMIT 10; free words OR-ed, phrases kept), so
#              no shell wrapper sits in the timed path; `AND date BETWEEN`, `ORDER BY date DESC`
#   Xapian     a python3 indexer (English stemmer, BM25, path and date as document data, date in
#              value slot 0, a boolean month term XMyyyymm); `quest -m 10 --stemmer=english`,
#              the month range as boolean terms (`-b month:XM`); quest cannot sort by date
#   tantivy-cli NDJSON made by a python3 converter (timed apart), `tantivy new` answered on stdin
#              (path stored, date stored/fast/indexed, body stored with positions, en_stem),
#              `tantivy index -t T`; `tantivy search` prints every match, unranked and unsorted,
#              so it runs no date-sorted query; the date range is `+date:[FROM TO NEXT}`
#   ripgrep    no index: `rg -i -w -l` over the folder (every matching file, one line each;
#              -l stops reading a file at its first match); phrases with -F; no date queries
set -euo pipefail

usage() { echo "usage: benches/compare.sh CORPUS_DIR [WORKDIR]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
[ -d "$1" ] || { echo "compare.sh: no folder $1" >&2; exit 2; }
CORPUS=$(cd "$1" && pwd)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

RUNS_INDEX=${RUNS_INDEX:-3}
RUNS_SEARCH=${RUNS_SEARCH:-15}
WARMUP=${WARMUP:-2}
PEERS=${PEERS:-"sqlite xapian tantivy rg"}
DATE_FROM=${DATE_FROM:-1987-03}
DATE_TO=${DATE_TO:-1987-03}
SKIP_XAPIAN_INDEX_OVER=${SKIP_XAPIAN_INDEX_OVER:-}
TANTIVY_THREADS=${TANTIVY_THREADS:-$(nproc)}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

shq() { # one word for sh (and for hyperfine -N, which splits its commands the same way)
  local s=$1
  if [[ $s =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then printf '%s' "$s"
  elif [[ $s != *\'* ]]; then printf "'%s'" "$s"
  else s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//\$/\\\$}; s=${s//\`/\\\`}; printf '"%s"' "$s"; fi
}
join_cmd() { local out="" a; for a in "$@"; do out+="${out:+ }$(shq "$a")"; done; printf '%s' "$out"; }
log() { printf 'compare.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

for m in "$DATE_FROM" "$DATE_TO"; do
  [[ $m =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] || die "DATE_FROM and DATE_TO must be YYYY-MM, not '$m'"
done
[[ $DATE_FROM < "$DATE_TO" || $DATE_FROM == "$DATE_TO" ]] || die "DATE_FROM is after DATE_TO"
for p in $PEERS; do
  case $p in sqlite|xapian|tantivy|rg) ;; *) die "unknown peer '$p' (sqlite xapian tantivy rg)" ;; esac
done

if [ $# -ge 2 ]; then
  WORK=$2; TEMP_WORK=0; mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dateline-compare.XXXXXX"); TEMP_WORK=1
fi
mkdir -p "$WORK/logs" "$WORK/search" "$WORK/bin"
cleanup() {
  if [ "$TEMP_WORK" = 1 ]; then
    rm -rf "${WORK:?}/dateline-index" "${WORK:?}/sqlite.db" "${WORK:?}/xapian-db" \
      "${WORK:?}/tantivy-index" "${WORK:?}/docs.json" "${WORK:?}/bin"
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- installing what is missing
# shellcheck source-path=SCRIPTDIR source=install-peers.sh disable=SC1091
. "$REPO/benches/install-peers.sh"

ACTIVE=""
drop_peer() { log "SKIPPING $1: $2"; SKIPPED+="- $1 skipped: $2"$'\n'; }
SKIPPED=""

[ -x /usr/bin/time ] || apt_install time || die "needs GNU time at /usr/bin/time (package time)"
command -v hyperfine >/dev/null || apt_install hyperfine || cargo install hyperfine --locked >&2 \
  || die "needs hyperfine"
command -v python3 >/dev/null || apt_install python3 || die "needs python3"

PYX=""
for p in $PEERS; do
  case $p in
    sqlite)
      if command -v sqlite3 >/dev/null || apt_install sqlite3; then ACTIVE+=" sqlite"
      else drop_peer "SQLite FTS5" "sqlite3 would not install"; fi ;;
    xapian)
      if { command -v quest >/dev/null || apt_install xapian-tools; } \
          && { /usr/bin/python3 -c 'import xapian' 2>/dev/null || apt_install python3-xapian; }; then
        PYX=$(find_python_xapian) || PYX=""
      fi
      if [ -n "$PYX" ] && command -v quest >/dev/null; then ACTIVE+=" xapian"
      else drop_peer "Xapian" "xapian-tools or python3-xapian would not install"; fi ;;
    tantivy)
      if have_tantivy || { install_tantivy "$WORK/logs/install-tantivy.log" && have_tantivy; }; then ACTIVE+=" tantivy"
      else drop_peer "tantivy-cli" "tantivy-cli 0.24 would not build (log: $WORK/logs/install-tantivy.log)"; fi ;;
    rg)
      if command -v rg >/dev/null || cargo install ripgrep --locked >&2; then ACTIVE+=" rg"
      else drop_peer "ripgrep" "cargo install ripgrep --locked failed"; fi ;;
  esac
done
has() { [[ " $ACTIVE " == *" $1 "* ]]; }
peer_name() { case $1 in sqlite) echo "SQLite FTS5" ;; xapian) echo Xapian ;; tantivy) echo tantivy-cli ;; *) echo "$1" ;; esac; }

# ---------------------------------------------------------------- dateline itself
if [ -n "${DATELINE_BIN:-}" ]; then
  [ -x "$DATELINE_BIN" ] || die "DATELINE_BIN=$DATELINE_BIN is not executable"
  src_bin=$DATELINE_BIN
else
  log "cargo build --release in $REPO"
  (cd "$REPO" && cargo build --release) >&2
  src_bin=$REPO/target/release/dateline
fi
# A copy, so that a rebuild during the run cannot change the binary under test.
cp "$src_bin" "$WORK/bin/dateline"
DL=$WORK/bin/dateline
commit=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

n_articles=$(find "$CORPUS" -type f -name '*.txt' | wc -l)
corpus_mb=$(du -sm --apparent-size "$CORPUS" | cut -f1)
log "corpus $CORPUS: $n_articles articles, $corpus_mb MB; work folder $WORK; peers:${ACTIVE:- none}"
# Warm the page cache so that no tool pays for the first read of the corpus.
find "$CORPUS" -type f -name '*.txt' -exec cat {} + >/dev/null

# ---------------------------------------------------------------- helper programs for the peers
cat >"$WORK/dated.py" <<'PY'
# The articles of a folder as the peers' helpers read them: (path, date, body) for every .txt,
# hidden entries skipped, in path order. " date YYYY-MM-DD first paragraph..." is trusted.
import os
def articles(corpus):
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in sorted(files):
            if name.startswith('.') or not name.endswith('.txt'):
                continue
            path = os.path.join(root, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            yield path, text[6:16], text[17:]
PY
cat >"$WORK/xapian-index.py" <<'PY'
# Index every .txt under CORPUS into a new Xapian database: English stemmer, BM25 by default.
import sys, xapian
from dated import articles
corpus, dbpath = sys.argv[1], sys.argv[2]
db = xapian.WritableDatabase(dbpath, xapian.DB_CREATE_OR_OVERWRITE)
tg = xapian.TermGenerator()
tg.set_stemmer(xapian.Stem("english"))
for path, date, body in articles(corpus):
    doc = xapian.Document()
    tg.set_document(doc)
    tg.index_text(body)
    doc.add_boolean_term('XM' + date[0:4] + date[5:7])   # month filter for quest -b month:XM
    doc.add_value(0, date)
    doc.set_data(date + ' ' + path)
    db.add_document(doc)
db.commit()
PY
cat >"$WORK/to-ndjson.py" <<'PY'
# Every .txt under CORPUS as one JSON object a line: path, date (RFC 3339), body.
import json, sys
from dated import articles
out = sys.stdout
for path, date, body in articles(sys.argv[1]):
    out.write(json.dumps({"path": path, "date": date + "T00:00:00Z", "body": body},
                         ensure_ascii=False))
    out.write('\n')
PY

tantivy_new() { # DIR: a new tantivy-cli index with our schema (`tantivy new` asks on stdin)
  rm -rf "$1"
  # path: Text, stored, not fast, not indexed. date: Date, stored, fast, indexed.
  # body: Text, stored, not fast, indexed, tokenized (en_stem), freqs, positions.
  printf '%s\n' path Text Y N N Y  date Date Y Y Y Y  body Text Y N Y Y Y Y N \
    | timeout 30 tantivy new -i "$1" >"$WORK/logs/tantivy-new.out" 2>&1
  grep -qs '"en_stem"' "$1/meta.json" && grep -qs '"body"' "$1/meta.json"
}

# ---------------------------------------------------------------- indexing
# index.tsv: tool run wall_s maxrss_kb user_s sys_s partner_dateline_wall_s
: >"$WORK/index.tsv"; : >"$WORK/convert.tsv"; : >"$WORK/index-commands.sh"
LAST_DL_WALL=""
note_cmd() { # COMMAND...: remember an index command line for the report (once)
  local line; line=$(join_cmd "$@"); line=${line// \'>\' / > }; line=${line// \'<\' / < }
  grep -qxF -- "$line" "$WORK/index-commands.sh" 2>/dev/null || printf '%s\n' "$line" >>"$WORK/index-commands.sh"
}
timed() { # LABEL COMMAND... ; stdin as given. Sets T_WALL T_RSS T_USER T_SYS T_RC
  local label=$1; shift
  T_RC=0
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/logs/time.out" "$@" \
    >"$WORK/logs/$label.out" 2>"$WORK/logs/$label.err" || T_RC=$?
  read -r T_WALL T_RSS T_USER T_SYS < <(tail -n1 "$WORK/logs/time.out")
}
index_dateline() { # RUN
  rm -rf "$WORK/dateline-index"
  timed "index-dateline-$1" "$DL" --index "$WORK/dateline-index" index --rebuild "$CORPUS"
  [ "$T_RC" -le 1 ] || { cat "$WORK/logs/index-dateline-$1.err" >&2; die "dateline index failed"; }
  LAST_DL_WALL=$T_WALL
  note_cmd "$DL" --index "$WORK/dateline-index" index --rebuild "$CORPUS"
  printf 'dateline\t%s\t%s\t%s\t%s\t%s\t\n' "$1" "$T_WALL" "$T_RSS" "$T_USER" "$T_SYS" >>"$WORK/index.tsv"
  log "index run $1: dateline $T_WALL s, $((T_RSS / 1024)) MB ($(tail -n1 "$WORK/logs/index-dateline-$1.out"))"
}
index_peer() { # PEER RUN; returns 1 if the peer failed
  local p=$1 r=$2
  case $p in
    sqlite)
      rm -f "$WORK/sqlite.db"
      note_cmd "$REPO/benches/sqlite-fts5.sh" index "$CORPUS" "$WORK/sqlite.db"
      timed "index-sqlite-$r" "$REPO/benches/sqlite-fts5.sh" index "$CORPUS" "$WORK/sqlite.db" ;;
    xapian)
      rm -rf "$WORK/xapian-db"
      note_cmd "$PYX" "$WORK/xapian-index.py" "$CORPUS" "$WORK/xapian-db"
      timed "index-xapian-$r" "$PYX" "$WORK/xapian-index.py" "$CORPUS" "$WORK/xapian-db" ;;
    tantivy)
      note_cmd python3 "$WORK/to-ndjson.py" "$CORPUS" ">" "$WORK/docs.json"
      timed "convert-ndjson-$r" python3 "$WORK/to-ndjson.py" "$CORPUS"
      [ "$T_RC" = 0 ] || return 1
      mv "$WORK/logs/convert-ndjson-$r.out" "$WORK/docs.json"
      printf '%s\t%s\t%s\n' "$r" "$T_WALL" "$T_RSS" >>"$WORK/convert.tsv"
      tantivy_new "$WORK/tantivy-index" || return 1
      note_cmd tantivy index -i "$WORK/tantivy-index" -t "$TANTIVY_THREADS" "<" "$WORK/docs.json"
      timed "index-tantivy-$r" tantivy index -i "$WORK/tantivy-index" -t "$TANTIVY_THREADS" <"$WORK/docs.json" ;;
  esac
  if [ "$T_RC" != 0 ]; then tail -n 5 "$WORK/logs/index-$p-$r.err" >&2; return 1; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$r" "$T_WALL" "$T_RSS" "$T_USER" "$T_SYS" "$LAST_DL_WALL" \
    >>"$WORK/index.tsv"
  log "index run $r: $p $T_WALL s, $((T_RSS / 1024)) MB"
}

INDEX_PEERS=""
for p in sqlite xapian tantivy; do has "$p" && INDEX_PEERS+=" $p"; done
xapian_runs=$RUNS_INDEX
if [ -n "$SKIP_XAPIAN_INDEX_OVER" ] && [ "$n_articles" -gt "$SKIP_XAPIAN_INDEX_OVER" ]; then
  xapian_runs=1
fi
for ((r = 1; r <= RUNS_INDEX; r++)); do
  [ -n "$INDEX_PEERS" ] || index_dateline "$r"
  for p in $INDEX_PEERS; do
    has "$p" || continue
    if [ "$p" = xapian ] && [ "$r" -gt "$xapian_runs" ]; then continue; fi
    index_dateline "$r"
    if ! index_peer "$p" "$r"; then
      drop_peer "$(peer_name "$p")" "its index run $r failed (see $WORK/logs)"; ACTIVE=${ACTIVE/ $p/}
    fi
  done
done
: >"$WORK/sizes.tsv"
size_of() { du -sb "$1" | cut -f1; }
printf 'dateline\t%s\n' "$(size_of "$WORK/dateline-index")" >>"$WORK/sizes.tsv"
if has sqlite; then printf 'sqlite\t%s\n' "$(size_of "$WORK/sqlite.db")" >>"$WORK/sizes.tsv"; fi
if has xapian; then printf 'xapian\t%s\n' "$(size_of "$WORK/xapian-db")" >>"$WORK/sizes.tsv"; fi
if has tantivy; then
  printf 'tantivy\t%s\n' "$(size_of "$WORK/tantivy-index")" >>"$WORK/sizes.tsv"
  printf 'ndjson\t%s\n' "$(size_of "$WORK/docs.json")" >>"$WORK/sizes.tsv"
fi

# ---------------------------------------------------------------- the query mix
# label|query|mode: mode is plain, date (DATE_FROM..DATE_TO) or newest (sorted by date).
# A query is either free words (any may match) or one "phrase": every tool gets the same meaning.
QUERIES=(
  'rare word|dockworkers|plain'
  'very common word|said|plain'
  'free-text pair|oil prices|plain'
  'free-text triple|oil prices opec|plain'
  'free-text triple, rare words|aid convoys Aleppo|plain'
  'free-text sentence (dateline: feedback)|opec ministers agree to cut crude oil output quotas|plain'
  'phrase|"oil prices"|plain'
  'phrase of common words|"the company said"|plain'
  "date-filtered, $DATE_FROM..$DATE_TO|oil prices|date"
  'newest first|said|newest'
)

next_month() { date -u -d "$1-01 +1 month" +%Y-%m; }
months() { local m=$DATE_FROM; while [[ $m < "$DATE_TO" || $m == "$DATE_TO" ]]; do printf '%s\n' "$m"; m=$(next_month "$m"); done; }
is_phrase() { [[ $1 == \"*\" ]]; }
words_of() { local w; for w in $1; do w=${w//[^[:alnum:]]/}; [ -n "$w" ] && printf '%s\n' "$w"; done; }

# CMD_<tool>: the command for query Q in mode M, as an array; empty when the tool cannot run it.
# (Read through `declare -n cmd=CMD_$tool` below.)
# shellcheck disable=SC2034
build_cmds() { # QUERY MODE
  local q=$1 mode=$2 match where="" order="bm25(docs)" w m
  CMD_dateline=("$DL" --index "$WORK/dateline-index" search "$q")
  case $mode in
    date) CMD_dateline+=(--from "$DATE_FROM" --to "$DATE_TO") ;;
    newest) CMD_dateline+=(--sort newest) ;;
  esac
  # SQLite: sqlite-fts5.sh's SELECT; bare words OR-ed (FTS5 ANDs them), a phrase kept whole.
  if is_phrase "$q"; then match="\"$(words_of "$q" | paste -sd' ')\""
  else match=$(words_of "$q" | sed 's/.*/"&"/' | paste -sd' ' | sed 's/" "/" OR "/g'); fi
  case $mode in
    date) where=" AND date BETWEEN '$DATE_FROM-01' AND '$DATE_TO-31'" ;;
    newest) order="date DESC" ;;
  esac
  CMD_sqlite=(sqlite3 "$WORK/sqlite.db" "SELECT date, path, snippet(docs, 2, '[[', ']]', '…', 30) FROM docs WHERE docs MATCH '$match'$where ORDER BY $order LIMIT 10;")
  COUNT_sqlite="SELECT count(*) FROM docs WHERE docs MATCH '$match'$where;"
  # Xapian: quest's parser ORs free words and knows "phrases"; months as boolean filter terms.
  CMD_xapian=(quest -d "$WORK/xapian-db" -m 10 --stemmer=english)
  case $mode in
    plain) CMD_xapian+=("$q") ;;
    date) local terms="$q"; for m in $(months); do terms+=" month:${m/-/}"; done
          CMD_xapian+=(-b month:XM "$terms") ;;
    newest) CMD_xapian=() ;;
  esac
  # tantivy-cli: its parser ORs free words by default; a range on the date field.
  case $mode in
    plain) CMD_tantivy=(tantivy search -i "$WORK/tantivy-index" -q "$q") ;;
    date) CMD_tantivy=(tantivy search -i "$WORK/tantivy-index" -q "+($q) +date:[${DATE_FROM}-01T00:00:00Z TO $(next_month "$DATE_TO")-01T00:00:00Z}") ;;
    newest) CMD_tantivy=() ;;
  esac
  # ripgrep: whole words, any case; files listed once each.
  CMD_rg=()
  if [ "$mode" = plain ]; then
    CMD_rg=(rg -i -w -l -g '*.txt')
    if is_phrase "$q"; then CMD_rg+=(-F -e "$(words_of "$q" | paste -sd' ')")
    else for w in $(words_of "$q"); do CMD_rg+=(-e "$w"); done; fi
    CMD_rg+=("$CORPUS")
  fi
}

# ---------------------------------------------------------------- searching
# plan.tsv: query# label query mode tool command   (rows in the order hyperfine ran them)
: >"$WORK/search/plan.tsv"; : >"$WORK/search/matches.tsv"; : >"$WORK/search/commands.sh"
qi=0
for entry in "${QUERIES[@]}"; do
  qi=$((qi + 1))
  IFS='|' read -r label query mode <<<"$entry"
  build_cmds "$query" "$mode"
  hf=(hyperfine -N -i --runs "$RUNS_SEARCH" --warmup "$WARMUP" --export-json "$WORK/search/q$qi.json")
  for tool in dateline $ACTIVE; do
    declare -n cmd="CMD_$tool"
    if [ ${#cmd[@]} -eq 0 ]; then unset -n cmd; continue; fi
    line=$(join_cmd "${cmd[@]}")
    hf+=("$line")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$qi" "$label" "$query" "$mode" "$tool" "$line" >>"$WORK/search/plan.tsv"
    # One untimed run: keep the output, and count what the tool says it matched.
    out=$WORK/search/q$qi-$tool.out
    "${cmd[@]}" >"$out" 2>&1 || true
    case $tool in
      dateline) n=$(grep -oE '^[0-9]+ matching article' "$out" | grep -oE '^[0-9]+' || true) ;;
      sqlite) n=$(sqlite3 "$WORK/sqlite.db" "$COUNT_sqlite" 2>/dev/null || true) ;;
      xapian) n=$("${cmd[0]}" -c "$n_articles" "${cmd[@]:1}" 2>/dev/null | grep -oE '^Exactly [0-9]+' | grep -oE '[0-9]+' || true) ;;
      tantivy | rg) n=$(grep -c . "$out" || true) ;;
    esac
    printf '%s\t%s\t%s\n' "$qi" "$tool" "${n:-?}" >>"$WORK/search/matches.tsv"
    unset -n cmd
  done
  join_cmd "${hf[@]}" >>"$WORK/search/commands.sh"; echo >>"$WORK/search/commands.sh"
  log "search $qi/${#QUERIES[@]}: $label: $query"
  "${hf[@]}" >"$WORK/logs/hyperfine-q$qi.txt" 2>&1 || { cat "$WORK/logs/hyperfine-q$qi.txt" >&2; die "hyperfine failed"; }
done

# ---------------------------------------------------------------- report
{
  printf 'corpus\t%s\n' "$CORPUS"
  printf 'articles\t%s\n' "$n_articles"
  printf 'corpus_mb\t%s\n' "$corpus_mb"
  printf 'when\t%s\n' "$(date -u +%Y-%m-%d)"
  printf 'cpu\t%s cores, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  printf 'runs_index\t%s\n' "$RUNS_INDEX"
  printf 'xapian_runs\t%s\n' "$xapian_runs"
  printf 'runs_search\t%s\n' "$RUNS_SEARCH"
  printf 'warmup\t%s\n' "$WARMUP"
  printf 'tantivy_threads\t%s\n' "$TANTIVY_THREADS"
  printf 'dateline_threads\t%s\n' "$(nproc)"
  printf 'v_dateline\t%s (%s)\n' "$("$DL" --version)" "$commit"
  has sqlite && printf 'v_sqlite\tSQLite %s\n' "$(sqlite3 --version | cut -d' ' -f1)"
  has xapian && printf 'v_xapian\tXapian %s\n' "$(quest --version | head -n1 | awk '{print $NF}')"
  has tantivy && printf 'v_tantivy\ttantivy-cli %s\n' "$(tantivy --version | awk '{print $NF}')"
  has rg && printf 'v_rg\t%s\n' "$(rg --version | head -n1)"
  printf 'v_hyperfine\t%s\n' "$(hyperfine --version)"
  printf 'active\t%s\n' "$ACTIVE"
  printf 'skipped\t%s\n' "${SKIPPED//$'\n'/\\n}"
  printf 'work\t%s\n' "$WORK"
  printf 'temp_work\t%s\n' "$TEMP_WORK"
} >"$WORK/meta.tsv"

python3 - "$WORK" >"$WORK/compare.md" <<'PY'
import json, os, statistics, sys
work = sys.argv[1]
meta = dict(l.rstrip('\n').split('\t', 1) for l in open(os.path.join(work, 'meta.tsv')) if '\t' in l)
active = meta['active'].split()
tools = ['dateline'] + active
name = {'dateline': 'dateline', 'sqlite': 'SQLite FTS5', 'xapian': 'Xapian (`quest`)',
        'tantivy': 'tantivy-cli', 'rg': 'ripgrep'}
med = statistics.median

def ms(x): return f'{x:.1f}' if x < 100 else f'{x:.0f}'
def ratio(x): return f'{x:.2f}'

rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(work, 'index.tsv'))]
conv = [l.rstrip('\n').split('\t') for l in open(os.path.join(work, 'convert.tsv'))]
sizes = dict(l.rstrip('\n').split('\t') for l in open(os.path.join(work, 'sizes.tsv')))
out = []
p = out.append
corpus_name = os.path.basename(meta['corpus'])
p(f"## Whole process, against the peers ({corpus_name}, {int(meta['articles']):,} articles, "
  f"{meta['corpus_mb']} MB)")
p('')
p(f"Measured {meta['when']} by `benches/compare.sh` on {meta['cpu']}; page cache warm. "
  + ', '.join(meta[k] for k in ('v_dateline', 'v_sqlite', 'v_xapian', 'v_tantivy', 'v_rg', 'v_hyperfine') if k in meta) + '.')
if meta.get('skipped'):
    p('')
    for s in meta['skipped'].split('\\n'):
        if s: p(s)
p('')
p('### Index (a rebuild of the whole folder)')
p('')
threads = [f"dateline {meta['dateline_threads']} (its default)"]
if 'tantivy' in active: threads.append(f"tantivy-cli `-t {meta['tantivy_threads']}`")
one = [name[t] for t in ('sqlite', 'xapian') if t in active]
if one: threads.append(' and '.join(one) + ' 1')
p(f"Runs alternate dateline, peer, dateline, peer, ...; wall and CPU are medians "
  f"(dateline's over all its runs), peak memory the largest; \"vs dateline\" is the median of "
  f"each peer run's wall time over the dateline run just before it. Threads: " + ', '.join(threads) + '.')
p('')
p('| tool | runs | wall | vs dateline | CPU user+sys | peak memory | index size |')
p('|---|---|---|---|---|---|---|')
for t in ['dateline', 'sqlite', 'xapian', 'tantivy']:
    rs = [r for r in rows if r[0] == t]
    if not rs: continue
    wall = med(float(r[2]) for r in rs)
    cpu = med(float(r[4]) + float(r[5]) for r in rs)
    rss = max(int(r[3]) for r in rs) / 1024
    vs = '' if t == 'dateline' else ratio(med(float(r[2]) / float(r[6]) for r in rs if r[6] and float(r[6]) > 0))
    size = f"{int(sizes[t]) / 1e6:.1f} MB" if t in sizes else ''
    extra = ''
    if t == 'tantivy' and conv:
        cw = med(float(c[1]) for c in conv)
        extra = f" (+ {cw:.2f} s to write {int(sizes.get('ndjson', 0)) / 1e6:.1f} MB of NDJSON)"
    p(f"| {name[t]} | {len(rs)} | {wall:.2f} s{extra} | {vs} | {cpu:.2f} s | {rss:.0f} MB | {size} |")
if 'rg' in active:
    p('| ripgrep | – | no index | | | | |')
p('')

plan = [l.rstrip('\n').split('\t') for l in open(os.path.join(work, 'search', 'plan.tsv'))]
matches = {}
for l in open(os.path.join(work, 'search', 'matches.tsv')):
    qi, t, n = l.rstrip('\n').split('\t'); matches[(qi, t)] = n
queries = []
for r in plan:
    if r[0] not in [q[0] for q in queries]: queries.append((r[0], r[1], r[2], r[3]))
times = {}
for qi, *_ in queries:
    res = json.load(open(os.path.join(work, 'search', f'q{qi}.json')))['results']
    qtools = [r[4] for r in plan if r[0] == qi]
    for t, rr in zip(qtools, res):
        times[(qi, t)] = rr['median'] * 1000

p(f"### Search (one fresh process per query, top 10)")
p('')
p(f"Median of {meta['runs_search']} runs after {meta['warmup']} warm-up runs "
  f"(`hyperfine -N -i`), in ms; in brackets the peer's time over dateline's. – : the tool cannot run that query.")
p('')
hdr = '| query | ' + ' | '.join(name[t] for t in tools) + ' |'
p(hdr)
p('|---' * (len(tools) + 1) + '|')
for qi, label, q, mode in queries:
    cells = []
    d = times.get((qi, 'dateline'))
    for t in tools:
        v = times.get((qi, t))
        if v is None: cells.append('–')
        elif t == 'dateline': cells.append(ms(v))
        else: cells.append(f"{ms(v)} ({ratio(v / d)})")
    p(f"| {label}: `{q}` | " + ' | '.join(cells) + ' |')
# median over the mix, and ratio of medians over the queries each peer ran
cells_med, cells_ratio, cells_slow = [], [], []
for t in tools:
    qs = [qi for qi, *_ in queries if (qi, t) in times]
    m = med(times[(qi, t)] for qi in qs)
    cells_med.append(f"{ms(m)} ({len(qs)} queries)")
    if t == 'dateline': cells_ratio.append('1')
    else: cells_ratio.append(ratio(m / med(times[(qi, 'dateline')] for qi in qs)))
    slow = max(qs, key=lambda qi: times[(qi, t)])
    cells_slow.append(f"{ms(times[(slow, t)])} (`{[x for x in queries if x[0] == slow][0][2]}`)")
p('| **median over the mix** | ' + ' | '.join(cells_med) + ' |')
p('| **ratio of medians** (same queries) | ' + ' | '.join(cells_ratio) + ' |')
p('| slowest query | ' + ' | '.join(cells_slow) + ' |')
p('')
p('What each printed (an untimed run): dateline its "N matching articles", SQLite `count(*)` of the '
  'same MATCH, quest its exact count (`-c` all), tantivy-cli and ripgrep the lines they printed (every match, every matching file).')
p('')
p('| query | ' + ' | '.join(name[t] for t in tools) + ' |')
p('|---' * (len(tools) + 1) + '|')
for qi, label, q, mode in queries:
    p(f"| `{q}`{' (' + mode + ')' if mode != 'plain' else ''} | "
      + ' | '.join(matches.get((qi, t), '–') for t in tools) + ' |')
p('')
p('ripgrep neither stems nor spans lines: it finds fewer. quest stems neither the words of a phrase nor '
  'capitalised words (Xapian\'s STEM_SOME): fewer phrase matches. SQLite, Xapian and tantivy-cli match a '
  'phrase across a paragraph break (`... demand for oil.` / `Prices had ...`); dateline does not.')
p('')
p('Notes')
p('- dateline: `dateline --index DIR search QUERY` (top 10 with snippets; `--from/--to`, `--sort newest`).')
if 'sqlite' in active:
    p("- SQLite FTS5: indexed by `benches/sqlite-fts5.sh`; searched with `sqlite3` directly (that script's "
      "SELECT: `bm25()`, `snippet()`, `LIMIT 10`), bare words joined with OR, a phrase kept whole; the date "
      "filter is `AND date BETWEEN`, the sort `ORDER BY date DESC`.")
if 'xapian' in active:
    p("- Xapian: a python3 indexer (English stemmer, BM25 with Xapian's defaults, path and date as "
      "document data, date in value slot 0, a boolean month term); `quest -m 10 --stemmer=english` "
      "prints ranked ids and data, no snippets; the date filter is month terms (`-b month:XM`); "
      "quest cannot sort by date.")
if 'tantivy' in active:
    p("- tantivy-cli: the folder converted to NDJSON by a python3 script (timed apart), schema given to "
      "`tantivy new` (body: `en_stem`, positions, stored), `tantivy index -t N`. `tantivy search` prints "
      "**every** match as JSON, unranked: no top 10, no snippets, no date sort; the date filter is a "
      "range query on a date field.")
if 'rg' in active:
    p("- ripgrep: no index; `rg -i -w -l` lists every matching file (no ranking, no top 10), a phrase "
      "with `-F` (within a line only); no date queries.")
p('')
p('Commands (the search lines are the exact hyperfine invocations; WORKDIR was '
  f"`{meta['work']}`{', a temporary folder, since deleted' if meta['temp_work'] == '1' else ''}):")
p('')
p('```sh')
p(f"RUNS_INDEX={meta['runs_index']} RUNS_SEARCH={meta['runs_search']} PEERS=\"{' '.join(active)}\" "
  f"benches/compare.sh {meta['corpus']}")
p('# index (each timed with /usr/bin/time; the target removed first)')
for l in open(os.path.join(work, 'index-commands.sh')):
    p(l.rstrip('\n'))
p('# search')
for l in open(os.path.join(work, 'search', 'commands.sh')):
    p(l.rstrip('\n'))
p('```')
print('\n'.join(out))
PY
cat "$WORK/compare.md"
log "report: $WORK/compare.md (raw timings and outputs: $WORK/search, $WORK/logs)"
