#!/usr/bin/env python3
"""dateline against the plain Tantivy reference (../shared/reference/tantivy-plain), whole
processes in turn (A B A B), CPU from `perf stat -e task-clock` (every thread of the process),
the median of each pair's ratio.

  benches/reference/vs_reference.py search DATELINE_INDEX REFERENCE_INDEX [ROUNDS]
      every query of the mix (benches/mix.rs): dateline's `search` against the reference's
      `query` with the same words (the reference reads its query from a file on stdin: no
      shell in either measurement)
  benches/reference/vs_reference.py index CORPUS [ROUNDS]
      a fresh index of CORPUS by each, in turn

DATELINE (default target/release/dateline) and REFERENCE (default
target/reference/release/tantivy-plain) name the binaries. Wall times are printed too; on a
loaded machine only the CPU ratios mean much.
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATELINE = os.environ.get("DATELINE", os.path.join(REPO, "target/release/dateline"))
REFERENCE = os.environ.get("REFERENCE", os.path.join(REPO, "target/reference/release/tantivy-plain"))

# name, dateline's query, dateline's flags, the reference's query line
MIX = [
    ("dockworkers", "dockworkers", [], "dockworkers"),
    ("said", "said", [], "said"),
    ("oil prices opec", "oil prices opec", [], "oil prices opec"),
    ("aid convoys Aleppo", "aid convoys Aleppo", [], "aid convoys Aleppo"),
    ("sentence", "opec ministers agree to cut crude oil output quotas", [],
     "opec ministers agree to cut crude oil output quotas"),
    ('"oil prices"', '"oil prices"', [], '"oil prices"'),
    ('"the company said"', '"the company said"', [], '"the company said"'),
    ("oil AND prices", "oil AND prices", [], "oil AND prices"),
    ("oil prices, 1990s", "oil prices", ["--from", "1990", "--to", "1999"],
     "range:1990-01-01..1999-12-31 oil prices"),
    ("said, March 1987", "said", ["--from", "1987-03", "--to", "1987-03"],
     "range:1987-03-01..1987-03-31 said"),
    ("said, newest first", "said", ["--sort", "newest"], "sort:date said"),
]


def cpu_ms(cmd, stdin_path=None):
    """Runs cmd once under perf stat; returns (task-clock ms, wall ms)."""
    with tempfile.NamedTemporaryFile("r", suffix=".perf") as out:
        stdin = open(stdin_path) if stdin_path else subprocess.DEVNULL
        start = time.perf_counter()
        done = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock", "-o", out.name, "--"] + cmd,
                              stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = (time.perf_counter() - start) * 1000
        if stdin_path:
            stdin.close()
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}")
        cpu = [float(l.split(",")[0]) for l in out if "task-clock" in l][0]
    return cpu, wall


def in_turn(a, b, rounds, warmup=2):
    """a and b: (cmd, stdin) pairs, run in turn; medians and the median of the pairs' ratios."""
    runs = {"a": [], "b": []}
    for r in range(rounds + warmup):
        for key, (cmd, stdin) in (("a", a), ("b", b)):
            result = cpu_ms(cmd(), stdin)
            if r >= warmup:
                runs[key].append(result)
    med = lambda xs: statistics.median(xs)
    cpu_ratio = med([x[0] / y[0] for x, y in zip(runs["a"], runs["b"])])
    wall_ratio = med([x[1] / y[1] for x, y in zip(runs["a"], runs["b"])])
    return (med([x[0] for x in runs["a"]]), med([x[0] for x in runs["b"]]), cpu_ratio, wall_ratio)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("search", "index"):
        sys.exit(__doc__)
    print(f"| {'query' if sys.argv[1] == 'search' else 'corpus'} | dateline CPU ms | reference CPU ms "
          "| CPU ratio | wall ratio |\n|---|---|---|---|---|")
    if sys.argv[1] == "search":
        dindex, rindex = sys.argv[2], sys.argv[3]
        rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 15
        queries = tempfile.mkdtemp()
        try:
            for i, (name, q, flags, ref_line) in enumerate(MIX):
                qfile = os.path.join(queries, f"{i}.q")
                with open(qfile, "w") as f:
                    f.write(ref_line + "\n")
                d = (lambda: [DATELINE, "--index", dindex, "search", "--color", "never"] + flags + [q], None)
                r = (lambda: [REFERENCE, "query", rindex], qfile)
                a, b, cr, wr = in_turn(d, r, rounds)
                print(f"| `{name}` | {a:.2f} | {b:.2f} | {cr:.2f} | {wr:.2f} |", flush=True)
        finally:
            shutil.rmtree(queries)
    else:
        corpus = sys.argv[2]
        rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
        scratch = tempfile.mkdtemp()
        di, ri = os.path.join(scratch, "d"), os.path.join(scratch, "r")

        def fresh(path, cmd):
            def run():
                shutil.rmtree(path, ignore_errors=True)
                return cmd
            return run
        try:
            a, b, cr, wr = in_turn((fresh(di, [DATELINE, "--index", di, "index", corpus]), None),
                                   (fresh(ri, [REFERENCE, "index", corpus, ri]), None), rounds, warmup=1)
            print(f"| `{corpus}` | {a:.0f} | {b:.0f} | {cr:.2f} | {wr:.2f} |")
        finally:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
