#!/usr/bin/env python3
"""Draws benches/scaling.svg from benches/scaling.csv: index time, index size, search latency and
peak memory against the number of articles, log-log, with a dashed line of slope 1 (linear
growth) through the first point of each panel. Standard library only.

    python3 benches/plot.py [CSV] [SVG]
"""
import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
src = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "scaling.csv"
out = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "scaling.svg"

rows = list(csv.DictReader(src.open()))
n = [float(r["articles"]) for r in rows]
panels = [
    ("index time (s)", [("dateline", "index_s"), ("plain Tantivy loop", "plain_index_s")]),
    ("index size (MB)", [("index", "index_mb"), ("text", "text_mb")]),
    ("search, in process (ms)", [("p50", "search_p50_ms"), ("p99", "search_p99_ms")]),
    ("peak memory, indexing (MB)", [("dateline", "peak_mb")]),
]
colours = ["#1f77b4", "#d62728"]
W, H, PAD = 330, 250, 48
svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{2 * H + 30}" '
    'font-family="sans-serif" font-size="11">',
    f'<text x="{W}" y="18" text-anchor="middle" font-size="14">dateline scaling '
    "(generated corpus, log-log; dashed: linear growth)</text>",
]


def nice_ticks(lo, hi):
    ticks = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10**e
            if lo <= v <= hi:
                ticks.append(v)
    return ticks


for i, (title, series) in enumerate(panels):
    ox, oy = (i % 2) * W, 30 + (i // 2) * H
    values = [float(r[k]) for _, k in series for r in rows if r.get(k)]
    lo, hi = min(values) / 1.5, max(values) * 1.5
    xlo, xhi = min(n) / 1.5, max(n) * 1.5

    def px(x):
        return ox + PAD + (math.log(x) - math.log(xlo)) / (math.log(xhi) - math.log(xlo)) * (W - PAD - 15)

    def py(y):
        return oy + H - PAD + 10 - (math.log(y) - math.log(lo)) / (math.log(hi) - math.log(lo)) * (H - PAD - 25)

    svg.append(f'<text x="{ox + W / 2}" y="{oy + 14}" text-anchor="middle" font-size="12">{title}</text>')
    svg.append(f'<rect x="{px(xlo)}" y="{py(hi)}" width="{px(xhi) - px(xlo)}" height="{py(lo) - py(hi)}" '
               'fill="none" stroke="#999"/>')
    for t in nice_ticks(lo, hi):
        svg.append(f'<text x="{px(xlo) - 4}" y="{py(t) + 4}" text-anchor="end">{t:g}</text>')
        svg.append(f'<line x1="{px(xlo)}" x2="{px(xhi)}" y1="{py(t)}" y2="{py(t)}" stroke="#eee"/>')
    for x in n:
        svg.append(f'<text x="{px(x)}" y="{py(lo) + 14}" text-anchor="middle">{x:,.0f}</text>')
    for (name, key), colour in zip(series, colours):
        pts = [(x, float(r[key])) for x, r in zip(n, rows) if r.get(key)]
        if not pts:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        svg.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            svg.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        x0, y0 = pts[0]
        x1 = pts[-1][0]
        y1 = y0 * x1 / x0
        if y1 <= hi:
            svg.append(f'<line x1="{px(x0):.1f}" y1="{py(y0):.1f}" x2="{px(x1):.1f}" y2="{py(y1):.1f}" '
                       f'stroke="{colour}" stroke-dasharray="4 3" stroke-opacity="0.5"/>')
        li = series.index((name, key))
        svg.append(f'<text x="{px(xlo) + 8}" y="{py(hi) + 14 + 13 * li}" fill="{colour}">{name}</text>')
svg.append("</svg>")
out.write_text("\n".join(svg) + "\n")
print(f"wrote {out}")
