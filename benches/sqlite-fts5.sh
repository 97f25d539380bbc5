#!/usr/bin/env bash
# The peer to beat: SQLite FTS5 (porter tokenizer, bm25(), snippet()) on the same folder.
#   benches/sqlite-fts5.sh index CORPUS_DIR DB      # builds DB from every .txt under CORPUS_DIR
#   benches/sqlite-fts5.sh search DB "QUERY WORDS"  # top 10 with snippets, words OR-ed as dateline does
#   benches/sqlite-fts5.sh timeline DB "QUERY WORDS" # matches per decade (dateline timeline's peer)
# Needs the sqlite3 shell (Debian: apt-get install -y sqlite3), whose fsdir() and readfile()
# read the files, so no other program sits in the timed path.
set -euo pipefail
cmd=${1:?usage: sqlite-fts5.sh index CORPUS_DIR DB | search DB QUERY | timeline DB QUERY}
case "$cmd" in
  index)
    corpus=${2:?corpus folder}; db=${3:?database file}
    rm -f "$db"
    sqlite3 "$db" <<SQL
CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, date UNINDEXED, body, tokenize='porter unicode61');
INSERT INTO docs(path, date, body)
  SELECT name, substr(CAST(data AS TEXT), 7, 10), substr(CAST(data AS TEXT), 18)
  FROM fsdir('$corpus') WHERE name LIKE '%.txt';
SQL
    ;;
  search|timeline)
    db=${2:?database file}; query=${3:?query}
    # FTS5 ANDs bare words; join them with OR to match dateline's free-text semantics.
    match=$(printf '%s\n' $query | sed 's/[^[:alnum:]]//g; /^$/d; s/.*/"&"/' | paste -sd' ' | sed 's/" "/" OR "/g')
    if [ "$cmd" = search ]; then
      sqlite3 "$db" "SELECT date, path, snippet(docs, 2, '[[', ']]', '…', 30) FROM docs WHERE docs MATCH '$match' ORDER BY bm25(docs) LIMIT 10;"
    else
      # Only the decades with a match (dateline also lists the empty ones).
      sqlite3 "$db" "SELECT substr(date, 1, 3) || '0s', count(*) FROM docs WHERE docs MATCH '$match' GROUP BY 1 ORDER BY 1;"
    fi
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
