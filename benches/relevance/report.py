"""The tables of benches/relevance.sh, from WORKDIR/NAME/scores/ENGINE.json (the JSON of
`dateline eval`; a file ENGINE.na or ENGINE.failed where there is none) and WORKDIR/meta.tsv.

    report.py WORKDIR   prints the markdown report
"""
import json
import os
import sys

ENGINES = ['sqlite', 'xapian', 'tantivy', 'dateline']
PEERS = ENGINES[:3]


def main(work):
    meta = {}
    with open(os.path.join(work, 'meta.tsv'), encoding='utf-8') as f:
        for line in f:
            k, _, v = line.rstrip('\n').partition('\t')
            meta[k] = v
    colls = meta['collections'].split()
    head = {
        'sqlite': f"SQLite FTS5 {meta.get('sqlite_version', '')} (porter, bm25)",
        'xapian': f"Xapian {meta.get('xapian_version', '')} (BM25, English stemmer)",
        'tantivy': f"tantivy-cli {meta.get('tantivy_version', '')} (`en_stem`, BM25)",
        'dateline': f"dateline {meta.get('dateline_version', '')}",
    }

    def load(c, e):
        d = os.path.join(work, c, 'scores')
        p = os.path.join(d, e + '.json')
        if os.path.exists(p):
            with open(p, encoding='utf-8') as f:
                return json.load(f)
        return 'failed' if os.path.exists(os.path.join(d, e + '.failed')) else 'n/a'

    res = {(c, e): load(c, e) for c in colls for e in ENGINES}

    def val(c, e, m):
        r = res[(c, e)]
        return r['mean'][m] if isinstance(r, dict) else None

    def mean(e, m):
        vs = [val(c, e, m) for c in colls]
        return None if any(v is None for v in vs) else sum(vs) / len(vs)

    def cells(get, metrics):
        """One cell per engine: the metrics joined with ' / ', the best peer value(s) bold."""
        best = {}
        for m in metrics:
            vs = [round(v, 3) for v in (get(e, m) for e in PEERS) if v is not None]
            best[m] = max(vs) if vs else None
        out = []
        for e in ENGINES:
            parts = []
            for m in metrics:
                v = get(e, m)
                if v is None:
                    parts = None
                    break
                s = f"{v:.3f}"
                parts.append(f"**{s}**" if e in PEERS and round(v, 3) == best[m] else s)
            if parts is None:
                c0 = next((res[(c, e)] for c in colls if not isinstance(res[(c, e)], dict)), 'n/a')
                out.append(c0)
            else:
                out.append(' / '.join(parts))
        return out

    def queries(c):
        for e in ENGINES:
            if isinstance(res[(c, e)], dict):
                return str(res[(c, e)]['queries'])
        return meta.get(f'queries_{c}', '')

    p = []
    p.append(f"## Relevance on the judged collections ({meta.get('date', '')})")
    p.append('')
    p.append("Each engine ranks its top 1000 for every query, the query's words (`\\w+`, lower-cased) "
             "OR-ed; every run is scored by `dateline eval` (trec_eval's definitions: nDCG@10 with "
             "linear gain, MAP to depth 1000; queries without a relevant document skipped). "
             "The best peer value in bold (dateline is not a peer).")
    p.append('')
    for title, metrics in (('nDCG@10 / MAP', ['ndcg@10', 'map']),
                           ('P@10 / Recall@100 / MRR', ['p@10', 'recall@100', 'mrr'])):
        p.append(title + ':')
        p.append('')
        p.append('| collection | docs | queries | ' + ' | '.join(head[e] for e in ENGINES) + ' |')
        p.append('|---|---:|---:|' + '---|' * len(ENGINES))
        for c in colls:
            row = cells(lambda e, m: val(c, e, m), metrics)
            p.append(f"| {c} | {meta.get('docs_' + c, '')} | {queries(c)} | " + ' | '.join(row) + ' |')
        row = cells(mean, metrics)
        p.append(f"| **mean** ({len(colls)}) | | | " + ' | '.join(row) + ' |')
        p.append('')
    notes = [f"dateline {meta.get('dateline_commit', '')}", meta.get('elapsed', ''),
             f"runs and scores in `{meta.get('work', '')}`"]
    states = set(v for v in res.values() if not isinstance(v, dict))
    if 'n/a' in states:
        notes.append("n/a: this dateline has no `eval`")
    if 'failed' in states:
        notes.append("failed: `dateline eval` failed, see `logs/eval-*.err` in the work folder")
    p.append('; '.join(n for n in notes if n) + '.')
    print('\n'.join(p))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
