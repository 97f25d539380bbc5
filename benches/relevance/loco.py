#!/usr/bin/env python3
"""Leave-one-collection-out: every ranking choice made on five judged collections, scored on
the sixth, in turn. Run by benches/loco.sh, which unpacks and indexes the collections first.

    loco.py DATELINE WORKDIR [--jobs N] [--collections "cranfield cacm ..."]

WORKDIR/NAME/ holds docs/, queries.tsv, qrels.txt and NAME-index (built by loco.sh). Every
setting of the grid below is run once per collection with `dateline eval --ranking SPEC --json`
(results cached in WORKDIR/grid.jsonl, so a rerun only runs what is missing). Then, for each
held-out collection, the setting is chosen on the other five: among the settings at least BM25
on every one of the five (BM25 alone when none is), the best by its gain, the mean of
(nDCG@10 / BM25's nDCG@10 + MAP / BM25's MAP) / 2, averaged with the mean gain of its
neighbours (the settings one step away): a plateau, not a spike. The chosen setting's scores on the held-out
collection are the table that counts. A step's worth is the same protocol with the step held
off: the held-out scores with the step allowed, against without it.

Prints a markdown report on stdout (loco.sh writes it into docs/relevance.md).
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

COLLECTIONS = ["cranfield", "cacm", "cisi", "med", "adi", "lisa"]

# The best peer's nDCG@10 and MAP per collection (benches/relevance.sh, 2026-11-25; the same
# figures tests/relevance.rs holds).
BEST_PEER = {
    "cranfield": (0.3291, 0.2942),
    "cacm": (0.4655, 0.3167),
    "cisi": (0.3610, 0.2073),
    "med": (0.6900, 0.5281),
    "adi": (0.4781, 0.4085),
    "lisa": (0.4598, 0.3603),
}

# The grid: each ranking step off or at a few settings. Coordination applies to queries of 2-4
# words only (a few in CACM and ADI).
STEPS = {
    "repeats": ["repeats=off", "repeats=on"],
    "idf": ["idf=off", "idf=on,idf_floor=0.2", "idf=on,idf_floor=0.4"],
    "feedback": ["feedback=off"] + [
        f"feedback=on,feedback_min_words={m},feedback_docs={d},feedback_words=30,lambda={l}"
        for m in (5, 10) for d, l in ((5, 0.7), (10, 0.7), (5, 0.85))
    ],
    "proximity": ["proximity=0", "proximity=0.1", "proximity=0.2"],
    "lead": ["lead=0", "lead=0.4", "lead=0.8"],
    "coordination": ["coordination=off", "coordination=on"],
}
OFF = {name: values[0] for name, values in STEPS.items()}
BM25 = "bm25"


def spec_of(choice):
    """The --ranking value of one grid point (a dict step -> setting)."""
    return ",".join(["bm25"] + [choice[s] for s in STEPS])


def grid():
    names = list(STEPS)
    for values in itertools.product(*(STEPS[n] for n in names)):
        yield dict(zip(names, values))


def run_eval(dateline, work, name, spec):
    d = os.path.join(work, name)
    out = subprocess.run(
        [dateline, "--index", os.path.join(work, name + "-index"), "eval",
         "--queries", os.path.join(d, "queries.tsv"), "--qrels", os.path.join(d, "qrels.txt"),
         "--ranking", spec, "--json"],
        capture_output=True, text=True, check=True)
    mean = json.loads(out.stdout)["mean"]
    return mean["ndcg@10"], mean["map"]


def load_cache(path):
    cache = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                # Runs of an earlier grid whose feedback settings did not name the minimum.
                spec = r["spec"].replace("feedback=on,feedback_docs",
                                         "feedback=on,feedback_min_words=5,feedback_docs")
                cache[(r["collection"], spec)] = (r["ndcg"], r["map"])
    return cache


def fill(dateline, work, collections, specs, jobs):
    path = os.path.join(work, "grid.jsonl")
    cache = load_cache(path)
    todo = [(c, s) for s in specs for c in collections if (c, s) not in cache]
    if todo:
        print(f"loco.py: {len(todo)} runs to do ({len(cache)} cached)", file=sys.stderr)
    with open(path, "a") as out, ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(run_eval, dateline, work, c, s): (c, s) for c, s in todo}
        for i, (f, (c, s)) in enumerate(futures.items(), 1):
            ndcg, mp = f.result()
            cache[(c, s)] = (ndcg, mp)
            out.write(json.dumps({"collection": c, "spec": s, "ndcg": ndcg, "map": mp}) + "\n")
            out.flush()
            if i % 50 == 0:
                print(f"loco.py: {i}/{len(todo)}", file=sys.stderr)
    return cache


def gain(cache, train, spec):
    """The mean over `train` of (nDCG@10 / BM25's + MAP / BM25's) / 2, and the lowest ratio."""
    ratios = []
    for c in train:
        n, m = cache[(c, spec)]
        bn, bm = cache[(c, BM25)]
        ratios.append((n / bn, m / bm))
    return sum((a + b) / 2 for a, b in ratios) / len(ratios), min(min(r) for r in ratios)


def neighbours(choice, choices):
    """The settings of `choices` that differ from `choice` in one step."""
    keys = {tuple(sorted(ch.items())) for ch in choices}
    out = []
    for step, values in STEPS.items():
        for v in values:
            if v != choice[step]:
                n = dict(choice, **{step: v})
                if tuple(sorted(n.items())) in keys:
                    out.append(n)
    return out


def choose(cache, train, choices, plateau=True):
    """The best choice on the training collections (see the module's doc), or None for BM25.
    With `plateau`, a setting is judged by the mean of its own gain and its neighbours' mean
    gain: a broad optimum is preferred to a spike that the held-out collection may not share."""
    best, best_gain = None, None
    for ch in choices:
        g, low = gain(cache, train, spec_of(ch))
        if low < 1.0:
            continue
        if plateau:
            ns = [gain(cache, train, spec_of(n))[0] for n in neighbours(ch, choices)]
            if ns:
                g = (g + sum(ns) / len(ns)) / 2
        if best_gain is None or g > best_gain + 1e-12:
            best, best_gain = ch, g
    return best


def loco(cache, collections, choices, plateau=True):
    """For each held-out collection: the choice made on the others and its held-out scores."""
    rows = {}
    for held in collections:
        train = [c for c in collections if c != held]
        ch = choose(cache, train, choices, plateau)
        spec = spec_of(ch) if ch else BM25
        rows[held] = (spec, cache[(held, spec)])
    return rows


def short(spec):
    if spec == BM25:
        return "BM25 alone"
    parts = [p for p in spec.split(",")[1:] if p not in OFF.values()]
    return ", ".join(parts) if parts else "BM25 alone"


def mean(xs):
    return sum(xs) / len(xs)


def report(cache, collections):
    choices = list(grid())
    default = "default"
    rows = loco(cache, collections, choices)
    lines = []
    w = lines.append
    w("| held out | chosen on the other five | nDCG@10 | MAP | BM25 (engine's own) | best peer | "
      "in-sample default |")
    w("|---|---|---|---|---|---|---|")
    ratios_peer, ratios_bm25 = [], []
    for c in collections:
        spec, (n, m) = rows[c]
        bn, bm = cache[(c, BM25)]
        pn, pm = BEST_PEER[c]
        dn, dm = cache[(c, default)]
        ratios_peer.append((n / pn, m / pm))
        ratios_bm25.append((n / bn, m / bm))
        w(f"| {c} | {short(spec)} | {n:.4f} | {m:.4f} | {bn:.4f} / {bm:.4f} | {pn:.4f} / {pm:.4f} "
          f"| {dn:.4f} / {dm:.4f} |")
    w(f"| **mean ratio** | | to the best peer: **{mean([r[0] for r in ratios_peer]):.3f}** "
      f"| **{mean([r[1] for r in ratios_peer]):.3f}** | to BM25: "
      f"{mean([r[0] for r in ratios_bm25]):.3f} / {mean([r[1] for r in ratios_bm25]):.3f} | | |")
    low_peer = min(min(r) for r in ratios_peer)
    low_bm25 = min(min(r) for r in ratios_bm25)
    w("")
    w(f"Lowest held-out ratio to the best peer: {low_peer:.3f}; to BM25: {low_bm25:.3f}.")
    plain = loco(cache, collections, choices, plateau=False)
    pr = [(plain[c][1][0] / BEST_PEER[c][0], plain[c][1][1] / BEST_PEER[c][1]) for c in collections]
    differ = [c for c in collections if plain[c][0] != rows[c][0]]
    w("")
    if differ:
        w(f"Chosen by the gain alone (no plateau), the held-out mean ratios to the best peer are "
          f"{mean([r[0] for r in pr]):.3f} / {mean([r[1] for r in pr]):.3f}, the lowest "
          f"{min(min(r) for r in pr):.3f} (" + ", ".join(
              f"{c}: {short(plain[c][0])}" for c in differ) + ").")
    else:
        w("Chosen by the gain alone (no plateau), every fold chooses the same setting.")
    w("")
    w("**What each step is worth, out of sample**: the same protocol with the step held off "
      "(every other choice still made on the five), against the full protocol above; mean over "
      "the six held-out collections.")
    w("")
    w("| step held off | nDCG@10 | MAP | change (nDCG@10 / MAP) | held-out collections it "
      "helped / hurt (nDCG@10) |")
    w("|---|---|---|---|---|")
    full_n = mean([rows[c][1][0] for c in collections])
    full_m = mean([rows[c][1][1] for c in collections])
    w(f"| none (the protocol above) | {full_n:.4f} | {full_m:.4f} | | |")
    for step in STEPS:
        sub = [ch for ch in choices if ch[step] == OFF[step]]
        r = loco(cache, collections, sub)
        n = mean([r[c][1][0] for c in collections])
        m = mean([r[c][1][1] for c in collections])
        helped = [c for c in collections if rows[c][1][0] > r[c][1][0] + 1e-9]
        hurt = [c for c in collections if rows[c][1][0] < r[c][1][0] - 1e-9]
        w(f"| {step} | {n:.4f} | {m:.4f} | {full_n - n:+.4f} / {full_m - m:+.4f} | "
          f"{', '.join(helped) or '-'} / {', '.join(hurt) or '-'} |")
    final = choose(cache, collections, choices)
    w("")
    w(f"Chosen on all six (the default ranking): `{spec_of(final) if final else BM25}`.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dateline")
    ap.add_argument("work")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--collections", default=" ".join(COLLECTIONS))
    a = ap.parse_args()
    collections = a.collections.split()
    specs = [BM25, "default"] + [spec_of(ch) for ch in grid()]
    cache = fill(a.dateline, a.work, collections, specs, a.jobs)
    print(report(cache, collections))


if __name__ == "__main__":
    main()
