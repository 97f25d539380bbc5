"""The peer engines' side of benches/relevance.sh: what the engines' own command-line tools
cannot do themselves (reading the dated files into a Xapian database, asking a running
`tantivy serve` for each query, numbering the ranks of a run file).

    peers.py ndjson DOCS                      docs as NDJSON for `tantivy index`: {"docname", "body"}
    peers.py fts5-sql QUERIES                 an sqlite3 script: one SELECT (top 1000, bm25) per query
    peers.py trec-run TAG < qid<TAB>doc<TAB>score lines, already in rank order per query
                                              a TREC run: qid Q0 docname rank score TAG
    peers.py xapian-index DOCS DB             a new Xapian database (English stemmer, STEM_SOME)
    peers.py xapian-run DB QUERIES TAG        a TREC run from Xapian (BM25Weight(), top 1000)
    peers.py tantivy-run URL QUERIES TAG      a TREC run from `tantivy serve` at URL (nhits=1000)

A query is the words of its text, re.findall(r'\\w+', text.lower()), OR-ed; a query without
a word is left out of the run. Run files go to stdout.
"""
import json
import os
import re
import sys
import time

DEPTH = 1000
DATE_MARK = re.compile(r' date \d{4}-\d{2}-\d{2} ')


def docs(folder):
    """(docname, text) for every DOCS/*.txt in name order; the leading date marker removed."""
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.txt') or name.startswith('.'):
            continue
        with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as f:
            text = f.read()
        m = DATE_MARK.match(text)
        yield name[:-4], text[m.end():] if m else text


def queries(path):
    """(qid, words) for every line `qid<TAB>text` of a queries.tsv that has a word."""
    with open(path, encoding='utf-8') as f:
        for line in f:
            qid, sep, text = line.rstrip('\r\n').partition('\t')
            words = re.findall(r'\w+', text.lower())
            if sep and words:
                yield qid.strip(), words


def docname(s):
    base = os.path.basename(s)
    return base[:-4] if base.endswith('.txt') else base


def write_hits(out, qid, hits, tag):
    for rank, (name, score) in enumerate(hits, 1):
        out.write(f"{qid} Q0 {name} {rank} {score} {tag}\n")


def ndjson(folder):
    out = sys.stdout
    for name, body in docs(folder):
        out.write(json.dumps({"docname": name, "body": body}, ensure_ascii=False) + '\n')


def fts5_sql(qpath):
    # Each word an FTS5 string ("word"), joined with OR: "and", "or", "not", "near" stay words.
    # Table `docs` as benches/sqlite-fts5.sh makes it: path, date UNINDEXED, body.
    print('.mode tabs')
    print('.headers off')
    for qid, words in queries(qpath):
        match = ' OR '.join(f'"{w}"' for w in words)
        q = qid.replace("'", "''")
        print(f"SELECT '{q}', path, -bm25(docs) FROM docs WHERE docs MATCH '{match}' "
              f"ORDER BY bm25(docs) LIMIT {DEPTH};")


def trec_run(tag):
    current, hits = None, []
    for line in sys.stdin:
        qid, path, score = line.rstrip('\n').split('\t')
        if qid != current:
            if current is not None:
                write_hits(sys.stdout, current, hits, tag)
            current, hits = qid, []
        hits.append((docname(path), score))
    if current is not None:
        write_hits(sys.stdout, current, hits, tag)


def xapian_index(folder, dbpath):
    import xapian
    db = xapian.WritableDatabase(dbpath, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))   # stemming strategy: STEM_SOME, the default
    for name, body in docs(folder):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(body)
        doc.set_data(name)
        db.add_document(doc)
    db.commit()


def xapian_run(dbpath, qpath, tag):
    import xapian
    db = xapian.Database(dbpath)
    # The words go through Xapian's QueryParser (English stemmer, STEM_SOME, default op OR,
    # default flags): for lower-case \w+ words that is the OR of their stemmed Z-terms, a
    # repeated word counted again; lower-case and/or/not are no operators (FLAG_BOOLEAN
    # wants them in capitals).
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    qp.set_database(db)
    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())   # k1 1, k2 0, k3 1, b 0.5, min_normlen 0.5
    for qid, words in queries(qpath):
        enquire.set_query(qp.parse_query(' '.join(words)))
        mset = enquire.get_mset(0, DEPTH)
        write_hits(sys.stdout, qid, [(m.document.get_data().decode(), repr(m.weight)) for m in mset], tag)


def tantivy_run(url, qpath, tag):
    import urllib.error
    import urllib.parse
    import urllib.request

    def get(q):
        u = url + '?' + urllib.parse.urlencode({'q': q, 'nhits': DEPTH})
        with urllib.request.urlopen(u, timeout=60) as r:
            return json.load(r)

    deadline = time.time() + 60   # the server may still be opening the index
    while True:
        try:
            get('x')
            break
        except (urllib.error.URLError, ConnectionError):
            if time.time() > deadline:
                sys.exit(f"peers.py: no answer from {url}")
            time.sleep(0.2)
    # The words joined with spaces: tantivy's QueryParser ORs them (conjunction_by_default is
    # off); only AND, OR, NOT, IN in capitals are operators, so lower-case words stay words.
    for qid, words in queries(qpath):
        serp = get(' '.join(words))
        write_hits(sys.stdout, qid, [(h['doc']['docname'][0], repr(h['score'])) for h in serp['hits']], tag)


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ('', [])
    table = {'ndjson': (ndjson, 1), 'fts5-sql': (fts5_sql, 1), 'trec-run': (trec_run, 1),
             'xapian-index': (xapian_index, 2), 'xapian-run': (xapian_run, 3),
             'tantivy-run': (tantivy_run, 3)}
    if cmd not in table or len(args) != table[cmd][1]:
        sys.exit(__doc__)
    table[cmd][0](*args)


if __name__ == '__main__':
    main(sys.argv)
