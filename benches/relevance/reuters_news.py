#!/usr/bin/env python3
"""A judged news collection derived from Reuters-21578 (dated), kept apart from the tuning set:
headline queries, each looking for the story it headed (known-item search).

    reuters_news.py REUTERS_DATED_DIR OUT_DIR [--queries 300]

OUT_DIR gets the layout of the judged collections (docs/*.txt, queries.tsv, qrels.txt):
- docs/: every story of the corpus with its headline paragraph taken out, so the body's first
  paragraph (the lede) becomes the lead and the query's words are not copied into it;
- queries.tsv: the headlines of QUERIES stories, lower-cased, as people write a sentence-like
  query (`u.s. house panel votes to cut oil import fee`);
- qrels.txt: each query's own story, grade 1.
A story is eligible when its headline has at least 4 words (not counting ticker symbols in
angle brackets), no other story has the same headline, and its body has at least 40 words.
The queries are every 50th eligible story in file-name order (the 25th, the 75th, …), the
first QUERIES of them: the same on every machine (tests/relevance.rs derives the same set).
Judged this way only the story itself counts: a second story on the same event ranked first
costs as much as an unrelated one, the same for every engine. nDCG@10 is then 1/log2(1+rank)
of the story within the top 10, MAP its reciprocal rank.
"""
import argparse
import os
import re
import sys

WORD = re.compile(r"\w+")


def read(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.match(r" date (\d{4}-\d{2}-\d{2}) ([^\n]*)\n?(.*)", text, re.S)
    if not m:
        return None
    date, headline, rest = m.groups()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", rest) if p.strip()]
    return date, headline.strip(), paragraphs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reuters")
    ap.add_argument("out")
    ap.add_argument("--queries", type=int, default=300)
    a = ap.parse_args()
    stories = {}
    for name in sorted(os.listdir(a.reuters)):
        if name.endswith(".txt"):
            r = read(os.path.join(a.reuters, name))
            if r:
                stories[name[:-4]] = r
    by_headline = {}
    for key, (_, headline, _) in stories.items():
        by_headline.setdefault(headline.lower(), []).append(key)
    docs = os.path.join(a.out, "docs")
    os.makedirs(docs, exist_ok=True)
    eligible = []
    for key, (date, headline, paragraphs) in stories.items():
        if not paragraphs:
            continue
        with open(os.path.join(docs, key + ".txt"), "w", encoding="utf-8") as f:
            f.write(f" date {date} " + "\n\n".join(paragraphs) + "\n")
        words = WORD.findall(re.sub(r"<[^>]*>", " ", headline))
        body_words = sum(len(WORD.findall(p)) for p in paragraphs)
        if len(words) >= 4 and len(by_headline[headline.lower()]) == 1 and body_words >= 40:
            eligible.append(key)
    chosen = eligible[24::50][: a.queries]
    with open(os.path.join(a.out, "queries.tsv"), "w", encoding="utf-8") as q, \
            open(os.path.join(a.out, "qrels.txt"), "w", encoding="utf-8") as j:
        for i, key in enumerate(chosen, 1):
            headline = re.sub(r"\s+", " ", stories[key][1].lower())
            q.write(f"{i}\t{headline}\n")
            j.write(f"{i} 0 {key} 1\n")
    print(f"reuters_news.py: {len(stories)} stories, {len(eligible)} eligible, "
          f"{len(chosen)} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
