//! Choosing the best paragraph of a hit and the window of it to show, with byte ranges of the
//! matched words.
//!
//! Tantivy's `SnippetGenerator` tiles a text into fixed windows and keeps the best tile, so two
//! matches 100 characters apart often land in different tiles and one is lost. Here each query
//! term weighs its IDF; the chosen paragraph is the one whose distinct matched terms weigh most,
//! and the window is the stretch of at most `max_chars` characters that covers the most weight,
//! widened with context on both sides and cut at word boundaries.
//!
//! A hit's paragraphs are ranked from the index, not by analysing them: the positions of the
//! query's words in the hit (its postings) and where each paragraph begins (the positions of
//! the `starts` field's one term) give each paragraph's matches, phrases included (their words
//! at consecutive positions). In the chosen paragraphs, the words at those positions (counted as the
//! tokenizer splits words, nothing stemmed) are the highlights; so no word of a hit is
//! analysed, and the paragraphs' text is only read up to the chosen ones' last match. The
//! snippets are the same as analysing every paragraph gives (tested on the bundled archive),
//! which remains the way for texts that are not a hit of this index, and the fallback where the
//! positions cannot tell (no `starts`, a paragraph past `MAX_MATCHES`).
//!
//! An exact phrase is marked as one span where its words stand together, and its words
//! elsewhere are not marked (the query asked for the phrase, not the words): Elasticsearch,
//! Meilisearch and Typesense mark each word of a phrase on its own, wherever it occurs.

use crate::index::schema;
use crate::search::plan::{Marks, Plan};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::Arc;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, InvertedIndexReader, Searcher, Term};

/// Matches more than this far into one paragraph are not considered (bounds the work on
/// pathological paragraphs).
const MAX_MATCHES: usize = 2_000;

/// One chosen snippet: 1-based paragraph number, text, highlight byte ranges into the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snippet {
    /// 1-based number of the paragraph.
    pub paragraph: usize,
    /// The text shown, with `…` where it was cut.
    pub text: String,
    /// Byte ranges `[start, end)` into `text`.
    pub highlights: Vec<[usize; 2]>,
}

/// Makes snippets for the hits of one query.
pub struct Highlighter {
    /// Indexed form of each single query word → term number.
    /// (Fx-hashed: looked up for every word of every paragraph of a hit.)
    singles: FxHashMap<String, usize>,
    /// Each exact phrase: its words (indexed form) in order, and its term number. A phrase is
    /// marked where all its words stand together, as one span; its words alone are not.
    phrases: Vec<(Vec<String>, usize)>,
    /// Weight of each term number (IDF in this index; a phrase's is its words' sum).
    weights: Vec<f32>,
    analyzer: TextAnalyzer,
    max_chars: usize,
    /// Every word of `singles` and `phrases`, once each, as the body's terms: their
    /// positions in a hit rank its paragraphs.
    words: Vec<Term>,
    /// The term number of each of `words` that is a single word.
    word_singles: Vec<Option<usize>>,
    /// Each phrase as indices into `words`, with its term number.
    phrase_words: Vec<(Vec<usize>, usize)>,
    /// What reading positions needs of each segment, by segment ordinal (filled on first use).
    segments: FxHashMap<u32, Option<SegmentPositions>>,
    /// Buffers reused from hit to hit.
    buffers: Buffers,
}

/// A segment's body postings and the term infos of the query's words; its paragraph starts'
/// postings and their term info (`None` when no article of the segment has a second paragraph).
struct SegmentPositions {
    inverted: Arc<InvertedIndexReader>,
    infos: Vec<Option<TermInfo>>,
    starts: Arc<InvertedIndexReader>,
    starts_info: Option<TermInfo>,
}

impl SegmentPositions {
    /// The paragraph starts' postings, to be moved forward from document to document.
    fn starts(&self) -> tantivy::Result<Option<SegmentPostings>> {
        self.starts_info
            .as_ref()
            .map(|info| {
                self.starts
                    .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)
            })
            .transpose()
            .map_err(Into::into)
    }
}

/// The positions of document `doc` in `postings`, moved forward to it, into `out` (emptied
/// when `doc` is not among them).
pub(crate) fn positions_at(
    postings: &mut SegmentPostings,
    doc: tantivy::DocId,
    out: &mut Vec<u32>,
) {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    if postings.doc() == doc {
        postings.positions(out);
    } else {
        out.clear();
    }
}

#[derive(Default)]
struct Buffers {
    /// The first position of each paragraph of the hit.
    starts: Vec<u32>,
    /// The positions of each of `words` in the hit.
    positions: Vec<Vec<u32>>,
    /// (paragraph, first position, last position, term number) of each match: sorted, the
    /// order reading finds them in (it sums a paragraph's weights in that order).
    found: Vec<(u32, u32, u32, u32)>,
    seen: Vec<bool>,
}

/// Where a marked word or phrase stands: its paragraph (0-based) and its first and last word
/// positions within the paragraph (the `k`-th of `schema::word_spans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// 0-based paragraph.
    pub paragraph: usize,
    /// Position of the first word within the paragraph.
    pub first: u32,
    /// Position of the last word (the first's, for a single word).
    pub last: u32,
}

impl Buffers {
    /// `starts` and `found` of document `doc` from `positions` and the paragraph starts'
    /// postings (see `Highlighter::locate`), moved forward to `doc`.
    fn find(
        &mut self,
        starts: Option<&mut SegmentPostings>,
        doc: tantivy::DocId,
        word_singles: &[Option<usize>],
        phrase_words: &[(Vec<usize>, usize)],
    ) {
        match starts {
            Some(p) => positions_at(p, doc, &mut self.starts),
            None => self.starts.clear(),
        }
        self.starts.insert(0, 0);
        let b = self;
        let paragraph = |p: u32| (b.starts.partition_point(|&s| s <= p) - 1) as u32;
        b.found.clear();
        for (positions, single) in b.positions.iter().zip(word_singles) {
            if let Some(term) = single {
                let term = *term as u32;
                b.found
                    .extend(positions.iter().map(|&p| (paragraph(p), p, p, term)));
            }
        }
        // A phrase where its words stand at consecutive positions (never across paragraphs:
        // the position between two paragraphs holds no word).
        for (words, term) in phrase_words {
            let (first, rest) = words.split_first().expect("a phrase has words");
            for &p in &b.positions[*first] {
                let whole = rest
                    .iter()
                    .enumerate()
                    .all(|(k, &w)| b.positions[w].binary_search(&(p + 1 + k as u32)).is_ok());
                if whole {
                    let last = p + rest.len() as u32;
                    b.found.push((paragraph(p), p, last, *term as u32));
                }
            }
        }
        b.found.sort_unstable();
    }

    /// `found` as occurrences, in text order, overlapping ones merged (see
    /// `Highlighter::occurrences`); `found` is left sorted by start, the longest first.
    fn occurrences(&mut self, out: &mut Vec<Occurrence>) {
        out.clear();
        // The longest match first where two begin together.
        self.found
            .sort_unstable_by_key(|&(p, first, last, _)| (p, first, std::cmp::Reverse(last)));
        for &(paragraph, first, last, _) in &self.found {
            let start = self.starts[paragraph as usize];
            let (first, last) = (first - start, last - start);
            match out.last_mut() {
                Some(o) if o.paragraph == paragraph as usize && first <= o.last => {
                    o.last = o.last.max(last);
                }
                _ => out.push(Occurrence {
                    paragraph: paragraph as usize,
                    first,
                    last,
                }),
            }
        }
    }
}

/// A paragraph's rank (the weight of its distinct matched terms, then its number of matches),
/// its index, and its matches.
type Ranked = ((f32, usize), usize, Found);

/// A paragraph's index, weight and number of matches, for comparing rankings.
#[cfg(test)]
type FlatRank = (usize, f32, usize);

/// A ranked paragraph's matches.
enum Found {
    /// Found by reading the paragraph.
    Read(Vec<Match>),
    /// Found among the positions: the paragraph's first position and its range of
    /// `Buffers::found`.
    At(u32, std::ops::Range<usize>),
}

struct Match {
    start: usize,
    end: usize,
    /// Char offsets of start and end, for the length limit.
    cstart: usize,
    cend: usize,
    term: usize,
}

impl Highlighter {
    /// Highlights what the plan marks (its words and exact phrases, excluded clauses left
    /// out), each word weighted by its IDF in this index (the plan's document frequencies).
    pub fn new(
        searcher: &Searcher,
        plan: &Plan,
        body: Field,
        max_chars: usize,
    ) -> tantivy::Result<Highlighter> {
        Highlighter::of_marks(searcher, plan.marks.clone(), body, Some(plan), max_chars)
    }

    /// Highlights the given words and phrases (indexed forms) of the body; document
    /// frequencies from `plan` where it has them.
    pub fn of_marks(
        searcher: &Searcher,
        want: Marks,
        body: Field,
        plan: Option<&Plan>,
        max_chars: usize,
    ) -> tantivy::Result<Highlighter> {
        let n = searcher.num_docs() as f32;
        let idf_of = |word: &str| -> tantivy::Result<f32> {
            let term = Term::from_field_text(body, word);
            let df = match plan {
                Some(plan) => plan.doc_freq(searcher, &term)?,
                None => searcher.doc_freq(&term)?,
            } as f32;
            Ok(if df == 0.0 {
                0.0
            } else {
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
        };
        let mut singles = FxHashMap::default();
        let mut weights = Vec::new();
        for word in want.singles {
            if singles.contains_key(&word) {
                continue;
            }
            let idf = idf_of(&word)?;
            if idf == 0.0 {
                continue;
            }
            singles.insert(word, weights.len());
            weights.push(idf);
        }
        let mut phrases: Vec<(Vec<String>, usize)> = Vec::new();
        for words in want.phrases {
            if phrases.iter().any(|(w, _)| *w == words) {
                continue;
            }
            let mut sum = 0.0;
            for w in &words {
                sum += idf_of(w)?;
            }
            phrases.push((words, weights.len()));
            weights.push(sum);
        }
        Ok(Highlighter::from_parts(
            singles, phrases, weights, body, max_chars,
        ))
    }

    fn from_parts(
        singles: FxHashMap<String, usize>,
        phrases: Vec<(Vec<String>, usize)>,
        weights: Vec<f32>,
        body: Field,
        max_chars: usize,
    ) -> Highlighter {
        // The number of a word among `words`, added on first sight.
        fn number(
            body: Field,
            w: &str,
            words: &mut Vec<Term>,
            word_singles: &mut Vec<Option<usize>>,
        ) -> usize {
            let term = Term::from_field_text(body, w);
            words.iter().position(|t| *t == term).unwrap_or_else(|| {
                words.push(term);
                word_singles.push(None);
                words.len() - 1
            })
        }
        let mut words: Vec<Term> = Vec::new();
        let mut word_singles = Vec::new();
        let mut by_term: Vec<(&String, usize)> = singles.iter().map(|(w, &t)| (w, t)).collect();
        by_term.sort_by_key(|&(_, t)| t);
        for (w, t) in by_term {
            let i = number(body, w, &mut words, &mut word_singles);
            word_singles[i] = Some(t);
        }
        let phrase_words = phrases
            .iter()
            .map(|(ws, t)| {
                let ws = ws
                    .iter()
                    .map(|w| number(body, w, &mut words, &mut word_singles))
                    .collect();
                (ws, *t)
            })
            .collect();
        Highlighter {
            singles,
            phrases,
            weights,
            analyzer: schema::word_analyzer(),
            max_chars,
            words,
            word_singles,
            phrase_words,
            segments: FxHashMap::default(),
            buffers: Buffers::default(),
        }
    }

    /// The best paragraph's snippet; the article's lead when no paragraph has a match.
    pub fn best(&mut self, paragraphs: &[String]) -> Snippet {
        let (mut snippets, best) = self.best_n(paragraphs, 1);
        snippets.swap_remove(best)
    }

    /// The snippets of the `n` best paragraphs (the heaviest distinct matches, then the most
    /// matches, then the first), in paragraph order, and the index among them of the best; the
    /// lead alone when none matches. Reads and analyses every paragraph: for a text that is
    /// not a hit of the index ([`Highlighter::best_n_of_hit`] is the way for a hit).
    pub fn best_n(&mut self, paragraphs: &[String], n: usize) -> (Vec<Snippet>, usize) {
        let ranked = self.rank_by_reading(paragraphs);
        self.choose(paragraphs, ranked, n)
            .expect("the matches of a read paragraph are at hand")
    }

    /// [`Highlighter::best_n`] for the hit `addr` of `searcher`, whose stored paragraphs are
    /// `paragraphs`: the paragraphs are ranked from the positions of the query's words in the
    /// index and only the chosen ones are read. The same snippets as reading them all: where
    /// the positions cannot tell (no `starts`, a paragraph past `MAX_MATCHES`, a chosen
    /// paragraph whose words disagree with its positions), every paragraph is read.
    pub fn best_n_of_hit(
        &mut self,
        searcher: &Searcher,
        addr: DocAddress,
        paragraphs: &[String],
        n: usize,
    ) -> tantivy::Result<(Vec<Snippet>, usize)> {
        match self.by_positions(searcher, addr, paragraphs, n)? {
            Some(chosen) => Ok(chosen),
            None => Ok(self.best_n(paragraphs, n)),
        }
    }

    /// [`Highlighter::best_n_of_hit`] from the positions alone; `None` where they cannot tell.
    fn by_positions(
        &mut self,
        searcher: &Searcher,
        addr: DocAddress,
        paragraphs: &[String],
        n: usize,
    ) -> tantivy::Result<Option<(Vec<Snippet>, usize)>> {
        Ok(
            match self.rank_by_positions(searcher, addr, paragraphs.len())? {
                Some(ranked) => self.choose(paragraphs, ranked, n),
                None => None,
            },
        )
    }

    /// Every paragraph with a match, ranked by reading it.
    fn rank_by_reading(&mut self, paragraphs: &[String]) -> Vec<Ranked> {
        let mut ranked = Vec::new();
        for (i, p) in paragraphs.iter().enumerate() {
            let matches = self.matches(p);
            if matches.is_empty() {
                continue;
            }
            let rank = (self.weight(matches.iter().map(|m| m.term)), matches.len());
            ranked.push((rank, i, Found::Read(matches)));
        }
        ranked
    }

    /// The ranks of a hit's matching paragraphs, from the positions and from reading every
    /// paragraph.
    #[cfg(test)]
    fn both_ranks(
        &mut self,
        searcher: &Searcher,
        addr: DocAddress,
        paragraphs: &[String],
    ) -> (Option<Vec<FlatRank>>, Vec<FlatRank>) {
        let flat = |mut r: Vec<Ranked>| {
            r.sort_by_key(|(_, i, _)| *i);
            r.into_iter()
                .map(|((w, c), i, _)| (i, w, c))
                .collect::<Vec<_>>()
        };
        let positions = self
            .rank_by_positions(searcher, addr, paragraphs.len())
            .unwrap()
            .map(flat);
        (positions, flat(self.rank_by_reading(paragraphs)))
    }

    /// What reading positions needs of segment `ord` (looked up on first use); `None` when the
    /// segment has no `starts` (an index written before them).
    fn segment(
        &mut self,
        searcher: &Searcher,
        ord: u32,
    ) -> tantivy::Result<Option<&SegmentPositions>> {
        if !self.segments.contains_key(&ord) {
            let seg = searcher.segment_reader(ord);
            let schema = seg.schema();
            let positions = match schema.get_field(schema::STARTS) {
                Ok(field) if schema.get_field_entry(field).field_type().is_indexed() => {
                    let inverted = seg.inverted_index(self.words[0].field())?;
                    let infos = self
                        .words
                        .iter()
                        .map(|t| inverted.get_term_info(t))
                        .collect::<std::io::Result<_>>()?;
                    let starts = seg.inverted_index(field)?;
                    let starts_info =
                        starts.get_term_info(&Term::from_field_text(field, schema::START_MARK))?;
                    Some(SegmentPositions {
                        inverted,
                        infos,
                        starts,
                        starts_info,
                    })
                }
                _ => None,
            };
            self.segments.insert(ord, positions);
        }
        Ok(self.segments.get(&ord).and_then(Option::as_ref))
    }

    /// Finds the hit's matches from the positions of the query's words (its postings) and the
    /// paragraph starts (the `starts` term's positions), into `buffers`: `starts` (each paragraph's first position) and
    /// `found` (paragraph, first and last position, term number of each match, sorted); a
    /// phrase is one match where its words stand at consecutive positions. `false` when the
    /// segment has no `starts` (an index written before them).
    fn locate(&mut self, searcher: &Searcher, addr: DocAddress) -> tantivy::Result<bool> {
        if self.words.is_empty() {
            self.buffers.starts.clear();
            self.buffers.found.clear();
            return Ok(true);
        }
        self.segment(searcher, addr.segment_ord)?;
        let Some(Some(seg)) = self.segments.get(&addr.segment_ord) else {
            return Ok(false);
        };
        let doc = addr.doc_id;
        let b = &mut self.buffers;
        b.positions.resize_with(self.words.len(), Vec::new);
        for (info, positions) in seg.infos.iter().zip(b.positions.iter_mut()) {
            positions.clear();
            let Some(info) = info else { continue };
            let mut postings = seg
                .inverted
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)?;
            positions_at(&mut postings, doc, positions);
        }
        let mut starts = seg.starts()?;
        b.find(starts.as_mut(), doc, &self.word_singles, &self.phrase_words);
        Ok(true)
    }

    /// Every occurrence in the hit `addr` of what is marked (a word, or a phrase as one), from
    /// the positions alone, into `out` in text order; overlapping ones (a phrase and a word of
    /// it) are one. `false` when the positions cannot tell (no `starts`).
    pub fn occurrences(
        &mut self,
        searcher: &Searcher,
        addr: DocAddress,
        out: &mut Vec<Occurrence>,
    ) -> tantivy::Result<bool> {
        out.clear();
        if !self.locate(searcher, addr)? {
            return Ok(false);
        }
        self.buffers.occurrences(out);
        Ok(true)
    }

    /// How many occurrences (as [`Highlighter::occurrences`] counts them) each of `docs`
    /// (ascending) of segment `ord` holds, handed to `each` in turn. Without phrases no two
    /// marked words can overlap (a position holds one word), so the count is the sum of the
    /// words' term frequencies and no position is read; with phrases, the occurrences are
    /// found as [`Highlighter::occurrences_in_segment`] finds them. `false`, and nothing
    /// handed, when the positions cannot tell.
    pub fn count_in_segment(
        &mut self,
        searcher: &Searcher,
        ord: u32,
        docs: &[tantivy::DocId],
        mut each: impl FnMut(tantivy::DocId, u64),
    ) -> tantivy::Result<bool> {
        if !self.phrase_words.is_empty() || self.words.is_empty() {
            return self.occurrences_in_segment(searcher, ord, docs, |doc, found| {
                each(doc, found.len() as u64);
                Ok::<(), tantivy::TantivyError>(())
            });
        }
        let Some(seg) = self.segment(searcher, ord)? else {
            return Ok(false);
        };
        let mut postings = Vec::with_capacity(seg.infos.len());
        for info in seg.infos.iter().flatten() {
            postings.push(
                seg.inverted
                    .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?,
            );
        }
        for &doc in docs {
            let mut n = 0u64;
            for p in postings.iter_mut() {
                if p.doc() < doc {
                    p.seek(doc);
                }
                if p.doc() == doc {
                    n += u64::from(p.term_freq());
                }
            }
            each(doc, n);
        }
        Ok(true)
    }

    /// [`Highlighter::occurrences`] of each of `docs` (ascending) of segment `ord`, handed to
    /// `each` in turn: the words' postings are read once for the segment, moving forward,
    /// rather than sought afresh for each document (what a concordance of a common word over
    /// a million articles needs). `false`, and nothing handed, when the positions cannot tell.
    pub fn occurrences_in_segment<E: From<tantivy::TantivyError>>(
        &mut self,
        searcher: &Searcher,
        ord: u32,
        docs: &[tantivy::DocId],
        mut each: impl FnMut(tantivy::DocId, &[Occurrence]) -> Result<(), E>,
    ) -> Result<bool, E> {
        let mut out = Vec::new();
        if self.words.is_empty() {
            for &doc in docs {
                each(doc, &out)?;
            }
            return Ok(true);
        }
        let Some(seg) = self.segment(searcher, ord)? else {
            return Ok(false);
        };
        let mut postings = Vec::with_capacity(seg.infos.len());
        for info in &seg.infos {
            postings.push(match info {
                Some(info) => Some(
                    seg.inverted
                        .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)
                        .map_err(tantivy::TantivyError::from)?,
                ),
                None => None,
            });
        }
        let Some(Some(seg)) = self.segments.get(&ord) else {
            return Ok(false);
        };
        let mut starts = seg.starts().map_err(E::from)?;
        let b = &mut self.buffers;
        b.positions.resize_with(self.words.len(), Vec::new);
        for &doc in docs {
            for (p, positions) in postings.iter_mut().zip(b.positions.iter_mut()) {
                positions.clear();
                let Some(p) = p else { continue };
                positions_at(p, doc, positions);
            }
            b.find(starts.as_mut(), doc, &self.word_singles, &self.phrase_words);
            b.occurrences(&mut out);
            each(doc, &out)?;
        }
        Ok(true)
    }

    /// Every paragraph with a match, ranked from the positions of the query's words in the
    /// hit; `None` where they cannot tell.
    fn rank_by_positions(
        &mut self,
        searcher: &Searcher,
        addr: DocAddress,
        num_paragraphs: usize,
    ) -> tantivy::Result<Option<Vec<Ranked>>> {
        if self.weights.is_empty() || num_paragraphs == 0 {
            return Ok(Some(Vec::new()));
        }
        if !self.locate(searcher, addr)? || self.buffers.starts.len() != num_paragraphs {
            return Ok(None);
        }
        let b = &mut self.buffers;
        let mut ranked = Vec::new();
        let mut at = 0;
        for run in b.found.chunk_by(|a, b| a.0 == b.0) {
            // Reading stops counting at MAX_MATCHES: leave such a paragraph to it.
            if run.len() >= MAX_MATCHES {
                return Ok(None);
            }
            b.seen.clear();
            b.seen.resize(self.weights.len(), false);
            let mut weight = 0.0;
            for &(_, _, _, term) in run {
                if !std::mem::replace(&mut b.seen[term as usize], true) {
                    weight += self.weights[term as usize];
                }
            }
            let i = run[0].0 as usize;
            let found = Found::At(b.starts[i], at..at + run.len());
            ranked.push(((weight, run.len()), i, found));
            at += run.len();
        }
        Ok(Some(ranked))
    }

    /// The `n` best of the ranked paragraphs, with their windows; `None` when a chosen
    /// paragraph has fewer words than its positions say.
    fn choose(
        &mut self,
        paragraphs: &[String],
        mut ranked: Vec<Ranked>,
        n: usize,
    ) -> Option<(Vec<Snippet>, usize)> {
        if ranked.is_empty() {
            return Some((vec![lead(paragraphs, self.max_chars)], 0));
        }
        ranked.sort_by(|a, b| {
            b.0.0
                .total_cmp(&a.0.0)
                .then(b.0.1.cmp(&a.0.1))
                .then(a.1.cmp(&b.1))
        });
        ranked.truncate(n.max(1));
        let first = ranked[0].1;
        ranked.sort_by_key(|(_, i, _)| *i);
        let best = ranked.iter().position(|(_, i, _)| *i == first).unwrap_or(0);
        let mut snippets = Vec::with_capacity(ranked.len());
        for (_, i, found) in ranked {
            let matches = match found {
                Found::Read(m) => m,
                Found::At(start, range) => {
                    matches_at(&paragraphs[i], start, &self.buffers.found[range])?
                }
            };
            let (text, highlights) = self.window(&paragraphs[i], &matches);
            snippets.push(Snippet {
                paragraph: i + 1,
                text,
                highlights,
            });
        }
        Some((snippets, best))
    }

    /// The matches in a paragraph, in text order: single words, and phrases as one span.
    fn matches(&mut self, text: &str) -> Vec<Match> {
        let mut raw: Vec<(usize, usize, usize)> = Vec::new();
        if self.weights.is_empty() {
            return Vec::new();
        }
        // (text, start, end, position) of every word.
        let mut tokens: Vec<(String, usize, usize, usize)> = Vec::new();
        let mut stream = self.analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            if let Some(&term) = self.singles.get(&tok.text) {
                raw.push((tok.offset_from, tok.offset_to, term));
            }
            if !self.phrases.is_empty() {
                tokens.push((
                    tok.text.clone(),
                    tok.offset_from,
                    tok.offset_to,
                    tok.position,
                ));
            }
            if raw.len() >= MAX_MATCHES {
                break;
            }
        }
        for (words, term) in &self.phrases {
            for (i, first) in tokens.iter().enumerate() {
                if first.0 != words[0] {
                    continue;
                }
                // The phrase's words at consecutive positions.
                let whole = words.iter().enumerate().skip(1).all(|(k, w)| {
                    tokens
                        .get(i + k)
                        .is_some_and(|t| t.3 == first.3 + k && t.0 == *w)
                });
                if whole {
                    raw.push((first.1, tokens[i + words.len() - 1].2, *term));
                }
            }
        }
        raw.sort_unstable();
        raw.truncate(MAX_MATCHES);
        to_matches(text, raw)
    }

    /// The byte ranges of a whole text's matches (a paragraph, as an article view marks it):
    /// overlapping ones merged, in order.
    pub fn ranges(&mut self, text: &str) -> Vec<[usize; 2]> {
        let mut out: Vec<[usize; 2]> = Vec::new();
        for m in self.matches(text) {
            match out.last_mut() {
                Some(last) if m.start < last[1] => last[1] = last[1].max(m.end),
                _ => out.push([m.start, m.end]),
            }
        }
        out
    }

    /// The summed weight of the distinct terms among `terms`.
    fn weight(&self, terms: impl Iterator<Item = usize>) -> f32 {
        let mut seen = vec![false; self.weights.len()];
        let mut sum = 0.0;
        for t in terms {
            if !seen[t] {
                seen[t] = true;
                sum += self.weights[t];
            }
        }
        sum
    }

    /// Cuts the window of the paragraph to show and shifts the highlights into it.
    fn window(&self, text: &str, matches: &[Match]) -> (String, Vec<[usize; 2]>) {
        // The run of matches spanning at most max_chars with the most weight, then most matches.
        let (mut best_i, mut best_j, mut best_rank) = (0, 0, (f32::MIN, 0usize));
        for i in 0..matches.len() {
            let mut j = i;
            while j + 1 < matches.len() && matches[j + 1].cend - matches[i].cstart <= self.max_chars
            {
                j += 1;
            }
            let rank = (
                self.weight(matches[i..=j].iter().map(|m| m.term)),
                j - i + 1,
            );
            if rank.0 > best_rank.0 || (rank.0 == best_rank.0 && rank.1 > best_rank.1) {
                (best_i, best_j, best_rank) = (i, j, rank);
            }
        }
        let (first, last) = (&matches[best_i], &matches[best_j]);
        let span_chars = last.cend.saturating_sub(first.cstart);
        let spare = self.max_chars.saturating_sub(span_chars);

        // A third of the spare room before the matches, the rest after; cut at spaces.
        let start = back_chars(text, first.start, spare / 3);
        let start = if start == 0 {
            0
        } else {
            text[start..first.start]
                .find(' ')
                .map(|i| start + i + 1)
                .unwrap_or(start)
        };
        let used = text[start..last.end].chars().count();
        let end = forward_chars(text, last.end, self.max_chars.saturating_sub(used));
        let end = if end >= text.len() {
            text.len()
        } else {
            text[last.end..end]
                .rfind(' ')
                .map(|i| last.end + i)
                .unwrap_or(end)
        };

        let head = start > 0;
        let tail = end < text.len();
        let shift = if head { '…'.len_utf8() } else { 0 };
        let mut out = String::with_capacity(end - start + 6);
        if head {
            out.push('…');
        }
        out.push_str(text[start..end].trim_end());
        if tail {
            out.push('…');
        }
        // Overlapping matches (a phrase and a query word in it, phrases sharing words) make
        // one span.
        let mut spans: Vec<[usize; 2]> = matches
            .iter()
            .filter(|m| m.start >= start && m.end <= end)
            .map(|m| [m.start - start + shift, m.end - start + shift])
            .collect();
        spans.sort_unstable();
        let mut highlights: Vec<[usize; 2]> = Vec::with_capacity(spans.len());
        for s in spans {
            match highlights.last_mut() {
                Some(last) if s[0] < last[1] => last[1] = last[1].max(s[1]),
                _ => highlights.push(s),
            }
        }
        (out, highlights)
    }
}

/// Matches from sorted (start, end, term number) byte ranges: their char offsets counted
/// incrementally over the starts.
fn to_matches(text: &str, raw: Vec<(usize, usize, usize)>) -> Vec<Match> {
    let (mut byte_at, mut char_at) = (0usize, 0usize);
    raw.into_iter()
        .map(|(start, end, term)| {
            char_at += text[byte_at..start].chars().count();
            byte_at = start;
            let cstart = char_at;
            Match {
                start,
                end,
                cstart,
                cend: cstart + text[start..end].chars().count(),
                term,
            }
        })
        .collect()
}

/// The matches of a paragraph beginning at position `start`, from its sorted `found`
/// (paragraph, first and last position, term number): the words at those positions, without
/// analysing the text. `None` if the text has fewer words than the positions say.
fn matches_at(text: &str, start: u32, found: &[(u32, u32, u32, u32)]) -> Option<Vec<Match>> {
    let last = found.iter().map(|f| f.2).max()?.checked_sub(start)? as usize;
    let spans: Vec<(usize, usize)> = schema::word_spans(text).take(last + 1).collect();
    if spans.len() <= last {
        return None;
    }
    let raw = found
        .iter()
        .map(|&(_, first, last, term)| {
            let from = spans[(first - start) as usize].0;
            let to = spans[(last - start) as usize].1;
            (from, to, term as usize)
        })
        .collect();
    Some(to_matches(text, raw))
}

/// The byte offset `n` characters before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map(|(i, _)| i)
        .filter(|_| n > 0)
        .unwrap_or(if n == 0 { at } else { 0 })
}

/// The byte offset `n` characters after `at` (or the end).
fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map(|(i, _)| at + i)
        .unwrap_or(text.len())
}

/// The start of the first paragraph, cut at a word boundary near `max_chars` characters.
pub fn lead(paragraphs: &[String], max_chars: usize) -> Snippet {
    let text = paragraphs.first().map(String::as_str).unwrap_or("");
    let out = if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let cut = forward_chars(text, 0, max_chars);
        let cut = text[..cut].rfind(' ').filter(|&i| i > 0).unwrap_or(cut);
        format!("{}…", text[..cut].trim_end())
    };
    Snippet {
        paragraph: 1,
        text: out,
        highlights: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store::Store;
    use tantivy::TantivyDocument;
    use tantivy::collector::TopDocs;

    fn highlighter(words: &[(&str, f32)], max_chars: usize) -> Highlighter {
        with_phrases(words, &[], max_chars)
    }

    /// Single words, then phrases of indexed words, each with its weight.
    fn with_phrases(
        words: &[(&str, f32)],
        phrases: &[(&[&str], f32)],
        max_chars: usize,
    ) -> Highlighter {
        let singles = words
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (w.to_string(), i))
            .collect();
        let mut weights: Vec<f32> = words.iter().map(|(_, s)| *s).collect();
        let phrases = phrases
            .iter()
            .map(|(ws, weight)| {
                weights.push(*weight);
                (
                    ws.iter().map(|w| w.to_string()).collect(),
                    weights.len() - 1,
                )
            })
            .collect();
        let (schema, _) = schema::build();
        let body = schema.get_field(schema::BODY).unwrap();
        Highlighter::from_parts(singles, phrases, weights, body, max_chars)
    }

    fn marked(s: &Snippet) -> String {
        let mut out = s.text.clone();
        for [a, b] in s.highlights.iter().rev() {
            out.insert_str(*b, "]]");
            out.insert_str(*a, "[[");
        }
        out
    }

    #[test]
    fn window_covers_two_matches_that_fixed_tiles_would_split() {
        let p = "While Russia and the US may have different viewpoints about the continuance of \
                 Assad as the Syrian president, this issue should not come in the way of the \
                 blocked aid caravans that are so badly needed to offer succor to over 300,000 \
                 civilians without food and water in the Aleppo region."
            .to_string();
        let mut h = highlighter(&[("aid", 1.0), ("aleppo", 1.0)], 200);
        let s = h.best(&[p]);
        let m = marked(&s);
        assert!(m.contains("[[aid]]") && m.contains("[[Aleppo]]"), "{m}");
        assert!(s.text.starts_with('…'));
        assert!(s.text.chars().count() <= 202);
    }

    #[test]
    fn best_paragraph_has_the_heaviest_distinct_terms() {
        let ps = vec![
            "common common common common".to_string(),
            "nothing here".to_string(),
            "one rare word and one common".to_string(),
        ];
        let mut h = highlighter(&[("common", 0.1), ("rare", 2.0)], 200);
        let s = h.best(&ps);
        assert_eq!(s.paragraph, 3);
        assert_eq!(marked(&s), "one [[rare]] word and one [[common]]");
    }

    #[test]
    fn stemmed_matches_highlight_the_original_word() {
        let mut h = highlighter(&[("convoy", 1.0)], 200);
        let s = h.best(&["Convoys arrived.".to_string()]);
        assert_eq!(marked(&s), "[[Convoys]] arrived.");
    }

    #[test]
    fn no_match_gives_the_lead() {
        let mut h = highlighter(&[("absent", 1.0)], 10);
        let s = h.best(&["one two three four".to_string()]);
        assert_eq!((s.paragraph, s.text.as_str()), (1, "one two…"));
        assert!(s.highlights.is_empty());
    }

    /// What the highlighter takes from each query of the language, on a real index's schema.
    #[test]
    fn phrases_are_wanted_whole_and_exclusions_not_at_all() {
        let (_dir, store) = crate::index::writer::index_files([(
            "a.txt".to_string(),
            " date 2001-01-01 The company said standing armies aid caravans.".to_string(),
        )]);
        let of = |text: &str| {
            crate::search::plan::parse(&store, text, &Default::default())
                .unwrap()
                .marks
        };
        let words = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let w = of("\"standing army\" aid");
        assert_eq!(w.phrases, vec![words(&["stand", "armi"])]);
        assert_eq!(w.singles, words(&["aid"]));
        // A phrase of common words goes to the pairs field; its words come back in order.
        let w = of("\"the company said\"");
        assert_eq!(w.phrases, vec![words(&["the", "compani", "said"])]);
        assert!(w.singles.is_empty());
        // An excluded phrase is not marked; a phrase with slop is marked word by word.
        let w = of("aid -\"aid caravans\"");
        assert_eq!(
            (w.singles, w.phrases),
            (words(&["aid"]), Vec::<Vec<String>>::new())
        );
        let w = of("\"standing army\"~2");
        assert!(w.phrases.is_empty());
        assert_eq!(w.singles, words(&["stand", "armi"]));
    }

    #[test]
    fn a_phrase_is_one_span_and_its_words_alone_are_not_marked() {
        let mut h = with_phrases(&[("aid", 1.0)], &[(&["stand", "armi"], 2.0)], 200);
        let s = h.best(&["An army, then standing armies, and aid: no standing here.".to_string()]);
        assert_eq!(
            marked(&s),
            "An army, then [[standing armies]], and [[aid]]: no standing here."
        );
    }

    #[test]
    fn several_snippets_come_in_paragraph_order_with_the_best_named() {
        let ps: Vec<String> = ["rare", "none", "common", "rare common", "common"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let mut h = highlighter(&[("common", 0.1), ("rare", 2.0)], 200);
        let (snippets, best) = h.best_n(&ps, 3);
        let numbers: Vec<usize> = snippets.iter().map(|s| s.paragraph).collect();
        // Paragraph 4 has both words, 1 the rare one, then 3 (the first of the common ones).
        assert_eq!(numbers, vec![1, 3, 4]);
        assert_eq!(snippets[best].paragraph, 4);
        let (one, best) = h.best_n(&ps, 1);
        assert_eq!((one.len(), one[best].paragraph), (1, 4));
    }

    /// For each query, the top hits of `store`: the paragraphs ranked from the positions are
    /// those reading ranks, each with the same weight and number of matches, and the snippets
    /// (`n` of them) are the same. Returns how many hits were compared.
    fn positions_agree_with_reading(store: &Store, queries: &[String], n: usize) -> usize {
        let f = store.fields;
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let mut compared = 0;
        for query in queries {
            let Ok(plan) = crate::search::plan::parse(store, query, &Default::default()) else {
                panic!("{query:?} does not parse");
            };
            let hits = searcher
                .search(&*plan.full, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
            let mut h = Highlighter::new(&searcher, &plan, f.body, 200).unwrap();
            for (_, addr) in hits {
                let doc: TantivyDocument = searcher.doc(addr).unwrap();
                let paragraphs = schema::paragraphs(&doc, f);
                let (positions, reading) = h.both_ranks(&searcher, addr, &paragraphs);
                assert_eq!(positions.as_ref(), Some(&reading), "{query:?} {addr:?}");
                let by_positions = h.by_positions(&searcher, addr, &paragraphs, n).unwrap();
                let by_reading = h.best_n(&paragraphs, n);
                assert_eq!(by_positions, Some(by_reading), "{query:?} {addr:?}");
                compared += 1;
            }
        }
        compared
    }

    #[test]
    fn positions_choose_what_reading_chooses_on_fixtures() {
        let long = "x".repeat(45);
        let files = [
            (
                "a.txt",
                format!(
                    " date 2001-01-01 The company said standing armies aid caravans.\n\n\
                     Aid aid aid, and then the company said it again: {long}\n\n\
                     --\n\n\
                     Standing armies of the company said nothing {long}.\n\n\
                     Köln: über aid caravans, standing armies, standing, armies."
                ),
            ),
            (
                "b.txt",
                " date 2002-02-02 Of the people, by the people, for the people.\n\n\
                 The people said the company said the people.\n\n\
                 Caravans without aid; aid without caravans; aid caravans aid caravans."
                    .to_string(),
            ),
            (
                "c.txt",
                format!(
                    " date 2003-03-03 {long}\n\n{long} aid\n\nnothing here\n\n\
                     the company said aid"
                ),
            ),
        ];
        let (_dir, store) = crate::index::writer::index_files(
            files.iter().map(|(n, t)| (n.to_string(), t.clone())),
        );
        let queries: Vec<String> = [
            "aid",
            "aid caravans",
            "\"aid caravans\"",
            "\"standing army\" aid",
            "\"the company said\"",
            "\"the people\"",
            "\"of the people\" caravans",
            "aid -\"aid caravans\"",
            "aid -caravans",
            "+aid +company",
            "\"standing armies\"~2",
            "people OR caravans OR armies",
            "\"said the company\" \"the company said\"",
            "k\u{f6}ln uber",
        ]
        .iter()
        .map(|q| q.to_string())
        .collect();
        for n in [1, 3] {
            assert!(positions_agree_with_reading(&store, &queries, n) >= 20);
        }
    }

    /// The bundled archive (speeches of tens of thousands of words, two segments), over
    /// queries of its own words: single words, several, phrases, common-word phrases read from
    /// the pairs field, exclusions.
    #[test]
    fn positions_choose_what_reading_chooses_on_the_bundled_archive() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::index::writer::Options::default();
        crate::index::writer::run(dir.path(), &[corpus], &opts, &crate::index::writer::Silent)
            .unwrap();
        let store = crate::index::store::open(dir.path()).unwrap();
        let mut queries: Vec<String> = [
            "aid convoys Aleppo",
            "militia",
            "\"the people\"",
            "\"of the united states\"",
            "\"standing army\" militia",
            "war -peace",
            "+congress +tariff",
            "the",
            "\"we the people\" constitution",
            "taxes OR tariffs OR duties",
        ]
        .iter()
        .map(|q| q.to_string())
        .collect();
        // Words and word pairs of the archive's own text, at fixed strides.
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus/sotu/sotu-1943-01-07-roosevelt-32.txt"),
        )
        .unwrap();
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for (k, i) in (3..words.len()).step_by(53).enumerate() {
            queries.push(match k % 4 {
                0 => words[i].to_string(),
                1 => format!("{} {}", words[i], words[i - 2]),
                2 => format!("\"{} {}\"", words[i - 1], words[i]),
                _ => format!(
                    "\"{} {} {}\" {}",
                    words[i - 2],
                    words[i - 1],
                    words[i],
                    words[i - 3]
                ),
            });
        }
        assert!(queries.len() > 90, "{}", queries.len());
        assert!(positions_agree_with_reading(&store, &queries, 1) > 500);
        assert!(positions_agree_with_reading(&store, &queries[..10], 3) > 80);
    }

    #[test]
    fn the_paragraph_starts_are_where_the_index_puts_each_first_word() {
        let long = "y".repeat(50);
        let paragraphs = [
            format!("Alpha one {long}"),
            "--".to_string(),
            long.clone(),
            "Beta two three".to_string(),
            format!("Köln {long} four"),
            "Gamma".to_string(),
        ];
        let text = format!(" date 2001-01-01 {}", paragraphs.join("\n\n"));
        let (_dir, store) = crate::index::writer::index_files([("a.txt".to_string(), text)]);
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let seg = searcher.segment_reader(0);
        let positions = |field: Field, word: &str| {
            let term = Term::from_field_text(field, word);
            let mut p = seg
                .inverted_index(field)
                .unwrap()
                .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                .unwrap()
                .unwrap();
            let mut at = Vec::new();
            p.positions(&mut at);
            at
        };
        let starts = positions(store.fields.starts, schema::START_MARK);
        let first = |word: &str| positions(store.fields.body, word)[0];
        assert_eq!(starts.len(), 5, "{starts:?}");
        assert_eq!(first("beta"), starts[2]);
        assert_eq!(first("koln"), starts[3]);
        assert_eq!(first("gamma"), starts[4]);
    }

    #[test]
    fn multibyte_text_is_cut_on_char_boundaries() {
        let p = "東京 ".repeat(200) + "target " + &"東京 ".repeat(200);
        let mut h = highlighter(&[("target", 1.0)], 50);
        let s = h.best(&[p]);
        let [a, b] = s.highlights[0];
        assert_eq!(&s.text[a..b], "target");
        assert!(s.text.chars().count() <= 52);
    }
}
