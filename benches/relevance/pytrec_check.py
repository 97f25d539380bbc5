"""Cross-checks `dateline eval` against pytrec_eval (trec_eval's own code, from PyPI).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pytrec_eval-terrier
    /tmp/venv/bin/python benches/relevance/pytrec_check.py DATELINE QRELS RUN

Scores RUN with both and prints the largest per-query difference of each measure; exits 1 if
any differs by more than 0.0001 (dateline prints four decimals).
"""
import json
import subprocess
import sys

import pytrec_eval

dateline, qrels_path, run_path = sys.argv[1:4]
qrels = {}
for line in open(qrels_path):
    q, _, d, g = line.split()
    qrels.setdefault(q, {})[d] = int(g)
run = {}
for line in open(run_path):
    q, _, d, _, s, _ = line.split()
    run.setdefault(q, {})[d] = float(s)
names = {"ndcg_cut_10": "ndcg@10", "map": "map", "P_10": "p@10",
         "recall_100": "recall@100", "recip_rank": "mrr"}
theirs = pytrec_eval.RelevanceEvaluator(
    qrels, {"ndcg_cut.10", "map", "P.10", "recall.100", "recip_rank"}).evaluate(run)
out = subprocess.run([dateline, "eval", "--qrels", qrels_path, "--run", run_path, "--json",
                      "--per-query"], capture_output=True, text=True, check=True).stdout
ours = {q["qid"]: q for q in json.loads(out)["per_query"]}
worst = 0.0
for qid, m in ours.items():
    for t, o in names.items():
        worst = max(worst, abs(theirs.get(qid, {}).get(t, 0.0) - m[o]))
print(f"{len(ours)} queries, 5 measures: largest difference {worst:.6f}")
sys.exit(0 if worst <= 1e-4 else 1)
