//! Printing results: colour on a terminal, `[[` `]]` markers when plain, or JSON. The only module
//! that knows about colour.

use crate::index::writer::{IndexSummary, SkippedFile};
use crate::search::explain::Explanation;
use crate::search::facets::FacetCount;
use crate::search::{Hit, Results, Stored};
use crate::similar::Similar;
use crate::stats::Stats;
use crate::timeline::Timeline;
use std::io::{self, Write};

/// The highlight markers used when output is not coloured.
pub const MARK_START: &str = "[[";
/// See [`MARK_START`].
pub const MARK_END: &str = "]]";

const BOLD_RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[32m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[33m";
const BLUE: &str = "\x1b[34m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// When to colour output: the `--color` choice.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    /// Colour when the output is a terminal and NO_COLOR is unset
    #[default]
    Auto,
    /// Always colour, even into a pipe
    Always,
    /// Never colour; highlights become [[ ]] markers
    Never,
}

/// Whether the `NO_COLOR` variable asks for no colour: set and not empty (no-color.org).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether to colour a stream: the choice wins, then `NO_COLOR`, then whether the stream is a
/// terminal. The one rule for standard output and for the `error:` label on standard error.
pub fn use_color(choice: ColorChoice, is_terminal: bool, no_color_env: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color_env,
    }
}

/// The label before an error message: red when coloured.
pub fn error_label(color: bool) -> String {
    if color {
        format!("{BOLD_RED}error:{RESET}")
    } else {
        "error:".into()
    }
}

/// A human-readable printer.
pub struct Printer {
    /// Colour on or off.
    pub color: bool,
}

impl Printer {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// Inserts highlight markers (or colour) at the given byte ranges.
    pub fn highlight(&self, text: &str, ranges: &[[usize; 2]]) -> String {
        let (open, close) = if self.color {
            (BOLD_RED, RESET)
        } else {
            (MARK_START, MARK_END)
        };
        let mut out = String::with_capacity(text.len() + ranges.len() * 8);
        let mut at = 0;
        for &[s, e] in ranges {
            if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                continue;
            }
            out.push_str(&text[at..s]);
            out.push_str(open);
            out.push_str(&text[s..e]);
            out.push_str(close);
            at = e;
        }
        out.push_str(&text[at..]);
        out
    }

    /// Search results: one block per hit, then a footer with the total and the time.
    pub fn results(&self, w: &mut dyn Write, r: &Results, offset: usize) -> io::Result<()> {
        for (i, hit) in r.hits.iter().enumerate() {
            // Without words every article scores the same: no score is shown.
            let scored = !r.query.trim().is_empty();
            self.hit(w, offset + i + 1, hit, scored)?;
            writeln!(w)?;
        }
        if !r.expansion.is_empty() {
            let words: Vec<&str> = r
                .expansion
                .iter()
                .take(12)
                .map(|e| e.word.as_str())
                .collect();
            let more = and_more(words.len(), r.expansion.len());
            writeln!(
                w,
                "{}",
                self.paint(DIM, &format!("feedback added: {}{more}", words.join(", ")))
            )?;
        }
        for (facet, values) in &r.facets {
            self.facet(w, facet.name(), values)?;
        }
        let shown = if r.hits.is_empty() {
            String::new()
        } else {
            format!(", showing {}-{}", offset + 1, offset + r.hits.len())
        };
        writeln!(
            w,
            "{}",
            self.paint(
                DIM,
                &format!(
                    "{} matching {}{} ({:.1} ms)",
                    r.total,
                    plural(r.total, "article", "articles"),
                    shown,
                    r.took_ms
                )
            )
        )
    }

    /// A facet's values, largest first: `by author:` then one `count  name` line each.
    pub fn facet(&self, w: &mut dyn Write, name: &str, values: &[FacetCount]) -> io::Result<()> {
        writeln!(w, "{}", self.paint(DIM, &format!("by {name}:")))?;
        if values.is_empty() {
            writeln!(w, "  {}", self.paint(DIM, &format!("(no {name} given)")))?;
        }
        let width = values.first().map_or(1, |v| v.count.to_string().len());
        for v in values {
            writeln!(w, "  {:>width$}  {}", v.count, v.value)?;
        }
        writeln!(w)
    }

    /// `Title · by A, B · Source`: what there is of it, `None` when there is nothing.
    fn byline(
        &self,
        title: Option<&str>,
        authors: &[String],
        source: Option<&str>,
    ) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(t) = title {
            parts.push(self.paint(CYAN, t));
        }
        if !authors.is_empty() {
            parts.push(format!("by {}", authors.join(", ")));
        }
        if let Some(s) = source {
            parts.push(s.to_string());
        }
        (!parts.is_empty()).then(|| parts.join(&self.paint(DIM, " · ")))
    }

    /// One hit: number, date, path, best paragraph and score (when `scored`), the title,
    /// authors and source when there are any, then its snippets.
    fn hit(&self, w: &mut dyn Write, n: usize, hit: &Hit, scored: bool) -> io::Result<()> {
        let place = if scored {
            format!("¶{}  score {}", hit.paragraph, score(hit.score))
        } else {
            format!("¶{}", hit.paragraph)
        };
        writeln!(
            w,
            "{} {}  {}  {}",
            self.paint(DIM, &format!("{n:>2}.")),
            self.paint(GREEN, &hit.date),
            self.paint(MAGENTA, &hit.path),
            self.paint(DIM, &place),
        )?;
        if let Some(line) = self.byline(hit.title.as_deref(), &hit.authors, hit.source.as_deref()) {
            writeln!(w, "    {line}")?;
        }
        if hit.snippets.len() > 1 {
            for s in &hit.snippets {
                writeln!(
                    w,
                    "    {} {}",
                    self.paint(DIM, &format!("¶{}", s.paragraph)),
                    self.highlight(&s.text, &s.highlights)
                )?;
            }
        } else {
            writeln!(w, "    {}", self.highlight(&hit.snippet, &hit.highlights))?;
        }
        if let Some(e) = &hit.explain {
            self.explanation(w, e)?;
        }
        Ok(())
    }

    /// What a hit's score is made of (`search --explain`).
    fn explanation(&self, w: &mut dyn Write, e: &Explanation) -> io::Result<()> {
        let mut sum = format!("score {:.2} = BM25 {:.2}", e.score, e.bm25);
        if e.coordination != 1.0 {
            sum.push_str(&format!(" × coordination {:.2}", e.coordination));
        }
        sum.push_str(&format!(
            " + proximity {:.2} + lead {:.2}",
            e.proximity, e.lead
        ));
        writeln!(w, "    {}", self.paint(DIM, &sum))?;
        let parts = |parts: &[crate::search::explain::Part]| {
            parts
                .iter()
                .map(|p| format!("{} {:.2} (weight {:.2})", p.word, p.score, p.weight))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !e.words.is_empty() {
            writeln!(
                w,
                "    {}",
                self.paint(DIM, &format!("  words: {}", parts(&e.words)))
            )?;
        }
        if e.side_by_side > 0.0 {
            let line = format!("  side by side: {:.2}", e.side_by_side);
            writeln!(w, "    {}", self.paint(DIM, &line))?;
        }
        if !e.feedback.is_empty() {
            let shown = &e.feedback[..e.feedback.len().min(8)];
            let more = and_more(shown.len(), e.feedback.len());
            writeln!(
                w,
                "    {}",
                self.paint(DIM, &format!("  feedback: {}{more}", parts(shown)))
            )?;
        }
        Ok(())
    }

    /// The articles like another: what they were judged by, then hits as search prints them,
    /// each with the words it shares.
    pub fn similar(&self, w: &mut dyn Write, s: &Similar) -> io::Result<()> {
        writeln!(
            w,
            "{}",
            self.paint(
                DIM,
                &format!(
                    "like {}{}, by: {}",
                    s.article,
                    if s.indexed { "" } else { " (not indexed)" },
                    if s.terms.is_empty() {
                        "(no word of it is found in other articles)".to_string()
                    } else {
                        s.terms.join(", ")
                    }
                )
            )
        )?;
        writeln!(w)?;
        for (i, h) in s.hits.iter().enumerate() {
            self.hit(w, i + 1, &h.hit, true)?;
            writeln!(
                w,
                "    {}",
                self.paint(DIM, &format!("shared: {}", h.shared.join(", ")))
            )?;
            writeln!(w)?;
        }
        writeln!(
            w,
            "{}",
            self.paint(
                DIM,
                &format!(
                    "{} {} sharing its words, showing {} ({:.1} ms)",
                    s.total,
                    plural(s.total, "article", "articles"),
                    s.hits.len(),
                    s.took_ms
                )
            )
        )
    }

    /// One stored article, paragraphs numbered.
    pub fn article(&self, w: &mut dyn Write, a: &Stored) -> io::Result<()> {
        writeln!(
            w,
            "{}  {}",
            self.paint(GREEN, &a.date),
            self.paint(MAGENTA, &a.path)
        )?;
        if let Some(line) = self.byline(a.title.as_deref(), &a.authors, a.source.as_deref()) {
            writeln!(w, "{line}")?;
        }
        if let Some(url) = &a.url {
            writeln!(w, "{}", self.paint(DIM, url))?;
        }
        for (i, p) in a.paragraphs.iter().enumerate() {
            writeln!(w)?;
            writeln!(w, "{} {}", self.paint(DIM, &format!("[{}]", i + 1)), p)?;
        }
        Ok(())
    }

    /// The index's figures: a short summary (span, size, articles per decade, the largest
    /// folders); with `by_year`, the full per-year table after it, empty years as 0.
    pub fn stats(&self, w: &mut dyn Write, s: &Stats, by_year: bool) -> io::Result<()> {
        writeln!(w, "index       {}", s.index)?;
        writeln!(w, "articles    {}", s.articles)?;
        writeln!(w, "first date  {}", s.first_date.as_deref().unwrap_or("-"))?;
        writeln!(w, "last date   {}", s.last_date.as_deref().unwrap_or("-"))?;
        writeln!(
            w,
            "size        {} ({} {}, format {})",
            human_bytes(s.size_bytes),
            s.segments,
            plural(s.segments as u64, "segment", "segments"),
            s.format_version
        )?;
        if !s.per_decade.is_empty() {
            writeln!(w, "per decade")?;
            let n_w = s
                .per_decade
                .iter()
                .map(|d| d.articles.to_string().len())
                .max()
                .unwrap_or(1);
            for row in s.per_decade.chunks(5) {
                let cells: Vec<String> = row
                    .iter()
                    .map(|d| format!("{:>5}  {:>n_w$}", format!("{}s", d.year), d.articles))
                    .collect();
                writeln!(w, "  {}", cells.join("   "))?;
            }
        }
        self.largest(w, "folders", &s.folders, s.folder_count)?;
        if by_year && !s.per_year.is_empty() {
            writeln!(w, "per year")?;
            let every = s.every_year();
            let max = every.iter().map(|y| y.articles).max().unwrap_or(1).max(1);
            for y in &every {
                let width = ((y.articles * 40).div_ceil(max)) as usize;
                let bar = if self.color { "█" } else { "#" }.repeat(width);
                writeln!(w, "  {:>4}  {:>8}  {}", y.year, y.articles, bar)?;
            }
        }
        self.names(w, "authors", &s.authors)?;
        self.names(w, "sources", &s.sources)
    }

    /// A list of names with their article counts (`stats`): the five largest, nothing when
    /// empty (`--json` has ten).
    fn names(&self, w: &mut dyn Write, heading: &str, names: &[FacetCount]) -> io::Result<()> {
        let rows: Vec<(u64, &str)> = names
            .iter()
            .take(5)
            .map(|n| (n.count, n.value.as_str()))
            .collect();
        counted(w, &format!("largest {heading}"), &rows)
    }

    /// The largest groups of a kind (folders): `largest folders (N)`,
    /// then each group's articles and name.
    fn largest(
        &self,
        w: &mut dyn Write,
        kind: &str,
        groups: &[crate::stats::Group],
        count: u64,
    ) -> io::Result<()> {
        let shown = if (groups.len() as u64) < count {
            format!(" ({} of {count})", groups.len())
        } else {
            format!(" ({count})")
        };
        let rows: Vec<(u64, &str)> = groups
            .iter()
            .map(|g| (g.articles, g.name.as_str()))
            .collect();
        counted(w, &format!("largest {kind}{shown}"), &rows)
    }

    /// A timeline as a chart of horizontal bars, one row per bucket, `width` characters wide:
    /// a header, a legend, then each row's label and, side by side, each query's bar and count
    /// (or share, with `--share`; the smoothed value, with `--smooth`). Bars share one scale.
    /// Coloured, they are Unicode blocks (eighths at the tip), a colour per query; plain, ASCII
    /// marks, one per query (`#`, `=`, `*`, `+`, `o`, `%`).
    pub fn timeline(&self, w: &mut dyn Write, t: &Timeline, width: usize) -> io::Result<()> {
        let k = t.queries.len().max(1);
        let unit = t.by.name();
        let what = if t.share {
            "share of articles"
        } else {
            "articles"
        };
        let smoothed = if t.smooth > 0 {
            format!(", each averaged with {} on either side", t.smooth)
        } else {
            String::new()
        };
        let header = match (&t.from, &t.to) {
            (Some(from), Some(to)) => format!("{what} per {unit}, {from} to {to}{smoothed}"),
            _ => "no articles in the range".to_string(),
        };
        writeln!(w, "{}", self.paint(DIM, &fit(&header, width)))?;
        // The legend on one line when it fits, else an entry per line; each cut to the width.
        let entries: Vec<(usize, String)> = t
            .queries
            .iter()
            .zip(&t.totals)
            .enumerate()
            .map(|(i, (q, &total))| {
                let name = if q.trim().is_empty() {
                    "all articles"
                } else {
                    q
                };
                let total = if t.share {
                    format!(
                        "{total}, {}",
                        percent(crate::timeline::share(total, t.articles))
                    )
                } else {
                    total.to_string()
                };
                (
                    i,
                    fit(&format!("{name} ({total})"), width.saturating_sub(2)),
                )
            })
            .collect();
        let one_line: usize = entries.iter().map(|(_, e)| e.chars().count() + 5).sum();
        let mut line = String::new();
        for (i, entry) in &entries {
            if !line.is_empty() {
                if one_line.saturating_sub(3) <= width {
                    line.push_str("   ");
                } else {
                    writeln!(w, "{line}")?;
                    line.clear();
                }
            }
            line.push_str(&format!("{} {entry}", self.mark(*i, "█")));
        }
        writeln!(w, "{line}")?;
        if t.buckets.is_empty() {
            return Ok(());
        }
        // Each cell's value (what the bar measures) and its text.
        let cells: Vec<Vec<(f64, String)>> = t
            .buckets
            .iter()
            .map(|b| {
                (0..b.counts.len())
                    .map(|q| match (t.share, b.smoothed.get(q)) {
                        (true, Some(&v)) => (v, percent(v)),
                        (true, None) => (b.shares[q], percent(b.shares[q])),
                        (false, Some(&v)) => (v, format!("{v:.1}")),
                        (false, None) => (b.counts[q] as f64, b.counts[q].to_string()),
                    })
                    .collect()
            })
            .collect();
        let label_w = widest(t.buckets.iter().map(|b| b.label.as_str()));
        let max = cells.iter().flatten().map(|(v, _)| *v).fold(0.0, f64::max);
        let count_w = cells
            .iter()
            .flatten()
            .map(|(_, s)| s.chars().count())
            .max()
            .unwrap_or(1);
        // label, two spaces, then per query: bar, a space, count; two spaces between queries.
        let fixed = label_w + 2 + k * (1 + count_w) + 2 * (k - 1);
        let room = width.saturating_sub(fixed).max(k);
        let bars: Vec<usize> = (0..k)
            .map(|i| room / k + usize::from(i == k - 1) * (room % k))
            .collect();
        for (b, row) in t.buckets.iter().zip(&cells) {
            let mut line = format!("{:>label_w$}  ", b.label);
            for (i, ((v, text), &bar_w)) in row.iter().zip(&bars).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let (bar, used) = self.bar(i, *v, max, bar_w);
                line.push_str(&bar);
                line.push_str(&" ".repeat(bar_w - used));
                line.push_str(&format!(" {text:>count_w$}"));
            }
            writeln!(w, "{line}")?;
        }
        Ok(())
    }

    /// A concordance: a line per occurrence (date, the left context right-aligned, the match
    /// highlighted, the right context, path and paragraph), then the total.
    pub fn kwic(&self, w: &mut dyn Write, k: &crate::kwic::Kwic) -> io::Result<()> {
        self.kwic_lines(w, &k.lines)?;
        self.kwic_total(w, k)
    }

    /// A concordance's lines, the matches in one column (printed before the total is known).
    pub fn kwic_lines(&self, w: &mut dyn Write, lines: &[crate::kwic::Line]) -> io::Result<()> {
        let left_w = widest(lines.iter().map(|l| l.left.as_str()));
        let right_w = widest(lines.iter().map(|l| l.right.as_str()));
        for l in lines {
            let matched = self.highlight(&l.matched, &[[0, l.matched.len()]]);
            // Punctuation right after the match stays against it.
            let gap = if l.right.starts_with(|c: char| ".,;:!?)]}'’”".contains(c)) {
                ""
            } else {
                " "
            };
            let right_w = right_w + 1 - gap.len();
            writeln!(
                w,
                "{}  {:>left_w$} {matched}{gap}{:<right_w$}  {}",
                l.date,
                l.left,
                l.right,
                self.paint(DIM, &format!("{} ¶{}", l.path, l.paragraph)),
            )?;
        }
        Ok(())
    }

    /// A concordance's last line: the occurrences and articles in all, the lines shown.
    pub fn kwic_total(&self, w: &mut dyn Write, k: &crate::kwic::Kwic) -> io::Result<()> {
        let shown = if k.lines.is_empty() {
            String::new()
        } else {
            format!(", showing {}-{}", k.offset + 1, k.offset + k.lines.len())
        };
        writeln!(
            w,
            "{}",
            self.paint(
                DIM,
                &format!(
                    "{} {} in {} {}{shown} ({:.1} ms)",
                    k.total,
                    plural(k.total, "occurrence", "occurrences"),
                    k.articles,
                    plural(k.articles, "article", "articles"),
                    k.took_ms
                )
            )
        )
    }

    /// A keyword list: a header naming the two sides, then a row per word (the word, its
    /// occurrences in the selection and the reference, G² and Log Ratio).
    pub fn keywords(&self, w: &mut dyn Write, k: &crate::keywords::Keywords) -> io::Result<()> {
        writeln!(
            w,
            "{}",
            self.paint(
                DIM,
                &format!(
                    "{} words in {} {} against {} words in {} {}; the words the selection uses {}",
                    k.selection_words,
                    k.selection_articles,
                    plural(k.selection_articles, "article", "articles"),
                    k.reference_words,
                    k.reference_articles,
                    plural(k.reference_articles, "article", "articles"),
                    if k.negative { "less" } else { "more" },
                )
            )
        )?;
        let word_w = widest(k.keywords.iter().map(|x| x.word.as_str())).max(4);
        writeln!(
            w,
            "{:>4}  {:<word_w$}  {:>9}  {:>9}  {:>9}  {:>9}",
            "", "word", "selection", "reference", "G2", "log ratio"
        )?;
        for (i, x) in k.keywords.iter().enumerate() {
            writeln!(
                w,
                "{:>4}  {:<word_w$}  {:>9}  {:>9}  {:>9.2}  {:>9.2}",
                i + 1,
                x.word,
                x.selection,
                x.reference,
                x.g2,
                x.log_ratio
            )?;
        }
        Ok(())
    }

    /// Collocates: a table (word, co-occurrences, frequency, score); with periods, a column
    /// per period (word and score), the periods without the node left out.
    pub fn collocates(
        &self,
        w: &mut dyn Write,
        c: &crate::collocates::Collocates,
    ) -> io::Result<()> {
        let measure = match c.measure {
            crate::collocates::Measure::LogDice => "logDice",
            crate::collocates::Measure::Mi => "MI",
            crate::collocates::Measure::LogLikelihood => "log-likelihood",
        };
        if let [p] = &c.periods[..] {
            writeln!(
                w,
                "{}",
                self.paint(
                    DIM,
                    &format!(
                        "{} {} of {:?} among the {} words of {} {}; within {} words, by {measure}",
                        p.node,
                        plural(p.node, "occurrence", "occurrences"),
                        c.query,
                        p.words,
                        p.articles,
                        plural(p.articles, "article", "articles"),
                        c.window
                    )
                )
            )?;
            let word_w = widest(p.collocates.iter().map(|x| x.word.as_str())).max(4);
            writeln!(
                w,
                "{:>4}  {:<word_w$}  {:>8}  {:>9}  {:>8}",
                "", "word", "together", "frequency", "score"
            )?;
            for (i, x) in p.collocates.iter().enumerate() {
                writeln!(
                    w,
                    "{:>4}  {:<word_w$}  {:>8}  {:>9}  {:>8.2}",
                    i + 1,
                    x.word,
                    x.cooccurrences,
                    x.frequency,
                    x.score
                )?;
            }
            return Ok(());
        }
        let shown: Vec<&crate::collocates::Period> =
            c.periods.iter().filter(|p| p.node > 0).collect();
        writeln!(
            w,
            "{}",
            self.paint(
                DIM,
                &format!(
                    "collocates of {:?} within {} words, by {measure}; {} of {} periods hold it",
                    c.query,
                    c.window,
                    shown.len(),
                    c.periods.len()
                )
            )
        )?;
        let cell = |x: &crate::collocates::Collocate| format!("{} {:.1}", x.word, x.score);
        let widths: Vec<usize> = shown
            .iter()
            .map(|p| {
                p.collocates
                    .iter()
                    .map(|x| cell(x).chars().count())
                    .chain([p.label.chars().count() + 2 + p.node.to_string().len() + 2])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let head: Vec<String> = shown
            .iter()
            .zip(&widths)
            .map(|(p, &wd)| format!("{:<wd$}", format!("{} ({})", p.label, p.node)))
            .collect();
        writeln!(w, "{:>4}  {}", "", head.join("  ").trim_end())?;
        let rows = shown.iter().map(|p| p.collocates.len()).max().unwrap_or(0);
        for r in 0..rows {
            let cells: Vec<String> = shown
                .iter()
                .zip(&widths)
                .map(|(p, &wd)| {
                    format!("{:<wd$}", p.collocates.get(r).map(cell).unwrap_or_default())
                })
                .collect();
            writeln!(w, "{:>4}  {}", r + 1, cells.join("  ").trim_end())?;
        }
        Ok(())
    }

    /// Query `i`'s mark: its colour on `glyph`, or its ASCII character.
    fn mark(&self, i: usize, glyph: &str) -> String {
        const MARKS: [char; 6] = ['#', '=', '*', '+', 'o', '%'];
        const COLOURS: [&str; 6] = [CYAN, YELLOW, MAGENTA, GREEN, BLUE, BOLD_RED];
        if self.color {
            self.paint(COLOURS[i % COLOURS.len()], glyph)
        } else {
            MARKS[i % MARKS.len()].to_string()
        }
    }

    /// A bar for `n` of `max` in `width` cells, and how many cells it takes: at least one
    /// cell for any value above zero. (Counts are whole numbers far below 2^53: `n * width`
    /// is exact and the one division rounds correctly, as whole-number arithmetic would.)
    fn bar(&self, i: usize, n: f64, max: f64, width: usize) -> (String, usize) {
        if n <= 0.0 || max <= 0.0 || width == 0 {
            return (String::new(), 0);
        }
        if self.color {
            const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
            let eighths = ((n * width as f64 * 8.0 / max).floor() as usize).clamp(1, width * 8);
            let (full, part) = (eighths / 8, eighths % 8);
            let text = format!("{}{}", "█".repeat(full), EIGHTHS[part]);
            let used = full + usize::from(part > 0);
            (self.mark(i, &text), used)
        } else {
            let cells = ((n * width as f64 / max + 0.5).floor() as usize).clamp(1, width);
            (self.mark(i, "").repeat(cells), cells)
        }
    }

    /// The summary line of an index run.
    pub fn index_summary(&self, w: &mut dyn Write, r: &IndexSummary, secs: f64) -> io::Result<()> {
        write!(
            w,
            "{} added, {} updated, {} removed, {} unchanged, {} skipped in {:.2} s; the index holds {} {}",
            r.added,
            r.updated,
            r.removed,
            r.unchanged,
            r.skipped.len(),
            secs,
            r.total,
            plural(r.total, "article", "articles"),
        )?;
        // Files passed by are counted, never silently: `-v` lists them.
        if !r.ignored.is_empty() {
            write!(w, "; {} ignored: not an article format", r.ignored.len())?;
        }
        writeln!(w)
    }

    /// The outcome of `dateline check`.
    pub fn check(&self, w: &mut dyn Write, r: &crate::check::CheckResult) -> io::Result<()> {
        if r.problems.is_empty() {
            return writeln!(
                w,
                "ok: {} {} checked",
                r.articles,
                plural(r.articles, "article", "articles")
            );
        }
        for p in &r.problems {
            writeln!(w, "{p}")?;
        }
        writeln!(
            w,
            "{} {} in {} {} checked",
            r.problems.len(),
            plural(r.problems.len() as u64, "problem", "problems"),
            r.articles,
            plural(r.articles, "article", "articles")
        )
    }

    /// One skipped file, as `path:line: reason`.
    pub fn skipped_file(&self, w: &mut dyn Write, f: &SkippedFile) -> io::Result<()> {
        writeln!(w, "{f}")
    }
}

/// `text` cut to at most `width` characters, ending in `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A score as text: two decimals, or two significant digits below 0.01 (a query of words found
/// in nearly every article scores in thousandths, and `0.00` would hide its order).
fn score(s: f32) -> String {
    if s > 0.0 && s < 0.005 {
        let digits = (1 - s.log10().floor() as i32).clamp(2, 8) as usize;
        format!("{s:.digits$}")
    } else {
        format!("{s:.2}")
    }
}

fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// ` and N more` when `shown` of `total` items were listed, else nothing.
fn and_more(shown: usize, total: usize) -> String {
    match total.saturating_sub(shown) {
        0 => String::new(),
        more => format!(" and {more} more"),
    }
}

/// A fraction as a percentage with three significant digits (`12.5%`, `0.0312%`), `0%` for
/// none.
pub fn percent(x: f64) -> String {
    if x <= 0.0 {
        return "0%".into();
    }
    let p = x * 100.0;
    let decimals = (2 - p.log10().floor() as i32).clamp(0, 6) as usize;
    format!("{p:.decimals$}%")
}

/// Bytes as B, KB, MB or GB with one decimal.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Writes a value as one line of JSON.
pub fn json<T: serde::Serialize>(w: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *w, value)?;
    writeln!(w)
}

/// A heading, then each row's count (right-aligned) and name; nothing when there are no rows.
fn counted(w: &mut dyn Write, heading: &str, rows: &[(u64, &str)]) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(w, "{heading}")?;
    let n_w = rows
        .iter()
        .map(|(n, _)| n.to_string().len())
        .max()
        .unwrap_or(1);
    for (n, name) in rows {
        writeln!(w, "  {n:>n_w$}  {name}")?;
    }
    Ok(())
}

/// The width of a column holding `texts`, in characters (0 without any).
fn widest<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    texts
        .into_iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_scores_keep_two_significant_digits() {
        assert_eq!(score(11.523), "11.52");
        assert_eq!(score(0.25), "0.25");
        assert_eq!(score(0.0), "0.00");
        assert_eq!(score(0.003_14), "0.0031");
        assert_eq!(score(0.000_271), "0.00027");
    }

    #[test]
    fn plain_highlight_uses_markers() {
        let p = Printer { color: false };
        assert_eq!(
            p.highlight("aid to Aleppo", &[[0, 3], [7, 13]]),
            "[[aid]] to [[Aleppo]]"
        );
    }

    #[test]
    fn colour_highlight_uses_ansi() {
        let p = Printer { color: true };
        assert_eq!(p.highlight("aid", &[[0, 3]]), "\x1b[1;31maid\x1b[0m");
    }

    #[test]
    fn bad_ranges_are_ignored_not_panicked_on() {
        let p = Printer { color: false };
        assert_eq!(p.highlight("é", &[[0, 1], [5, 9]]), "é");
    }

    #[test]
    fn colour_rules() {
        use ColorChoice::{Always, Auto, Never};
        assert!(use_color(Always, false, true));
        assert!(!use_color(Never, true, false));
        assert!(use_color(Auto, true, false));
        assert!(!use_color(Auto, true, true));
        assert!(!use_color(Auto, false, false));
        assert_eq!(error_label(false), "error:");
        assert_eq!(error_label(true), "\x1b[1;31merror:\x1b[0m");
    }

    #[test]
    fn percentages_keep_three_significant_digits() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(0.0125), "1.25%");
        assert_eq!(percent(0.000_312), "0.0312%");
    }

    #[test]
    fn bytes_are_human() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(18_200_000), "18.2 MB");
    }
}
