//! Choosing the best paragraph of a hit and the window of it to show, with byte ranges of the
//! matched words.
//!
//! Tantivy's `SnippetGenerator` tiles a text into fixed windows and keeps the best tile, so two
//! matches 100 characters apart often land in different tiles and one is lost. Here each query
//! term weighs its IDF; the chosen paragraph is the one whose distinct matched terms weigh most,
//! and the window is the stretch of at most `max_chars` characters that covers the most weight,
//! widened with context on both sides and cut at word boundaries.

use std::collections::HashMap;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// Matches more than this far into one paragraph are not considered (bounds the work on
/// pathological paragraphs).
const MAX_MATCHES: usize = 2_000;

/// One chosen snippet: 1-based paragraph number, text, highlight byte ranges into the text.
#[derive(Debug, Clone, PartialEq)]
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
    /// Indexed form of each query term → (term number, weight).
    terms: HashMap<String, (usize, f32)>,
    analyzer: TextAnalyzer,
    max_chars: usize,
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
    /// Collects the query's terms on `fields` (the body's words and the pairs field's pairs),
    /// weighted by IDF in this index. Paragraphs are read into words and pairs alike, so a
    /// phrase matched by its pairs is marked as one span.
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: &[Field],
        max_chars: usize,
    ) -> tantivy::Result<Highlighter> {
        let mut found: Vec<Term> = Vec::new();
        query.query_terms(&mut |term, _| {
            if fields.contains(&term.field()) {
                found.push(term.clone());
            }
        });
        let n = searcher.num_docs() as f32;
        let mut terms = HashMap::new();
        for term in found {
            let Some(text) = term.value().as_str().map(str::to_string) else {
                continue;
            };
            if terms.contains_key(&text) {
                continue;
            }
            let df = searcher.doc_freq(&term)? as f32;
            if df == 0.0 {
                continue;
            }
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let id = terms.len();
            terms.insert(text, (id, idf));
        }
        Ok(Highlighter {
            terms,
            analyzer: crate::schema::analyzer(),
            max_chars,
        })
    }

    /// The best paragraph's snippet; the article's lead when no paragraph has a match.
    pub fn best(&mut self, paragraphs: &[String]) -> Snippet {
        let mut best: Option<((f32, usize), usize, Vec<Match>)> = None;
        for (i, p) in paragraphs.iter().enumerate() {
            let matches = self.matches(p);
            if matches.is_empty() {
                continue;
            }
            let rank = (self.weight(matches.iter()), matches.len());
            if best
                .as_ref()
                .is_none_or(|(r, _, _)| rank.0 > r.0 || (rank.0 == r.0 && rank.1 > r.1))
            {
                best = Some((rank, i, matches));
            }
        }
        match best {
            Some((_, i, matches)) => {
                let (text, highlights) = self.window(&paragraphs[i], &matches);
                Snippet {
                    paragraph: i + 1,
                    text,
                    highlights,
                }
            }
            None => lead(paragraphs, self.max_chars),
        }
    }

    fn matches(&mut self, text: &str) -> Vec<Match> {
        let mut out = Vec::new();
        if self.terms.is_empty() {
            return out;
        }
        let mut stream = self.analyzer.token_stream(text);
        // Char offsets are counted incrementally: tokens come in text order.
        let (mut byte_at, mut char_at) = (0usize, 0usize);
        let mut to_chars = |b: usize| {
            if b >= byte_at {
                char_at += text[byte_at..b].chars().count();
                byte_at = b;
                char_at
            } else {
                // A pair of words (see `grams`) starts at the word before.
                char_at - text[b..byte_at].chars().count()
            }
        };
        while let Some(tok) = stream.next() {
            if let Some(&(term, _)) = self.terms.get(&tok.text) {
                let (start, end) = (tok.offset_from, tok.offset_to);
                let cstart = to_chars(start);
                let cend = to_chars(end);
                out.push(Match {
                    start,
                    end,
                    cstart,
                    cend,
                    term,
                });
                if out.len() >= MAX_MATCHES {
                    break;
                }
            }
        }
        out
    }

    /// The summed weight of the distinct terms among `matches`.
    fn weight<'a>(&self, matches: impl Iterator<Item = &'a Match>) -> f32 {
        let mut seen = vec![false; self.terms.len()];
        let weights = self.weights();
        let mut sum = 0.0;
        for m in matches {
            if !seen[m.term] {
                seen[m.term] = true;
                sum += weights[m.term];
            }
        }
        sum
    }

    fn weights(&self) -> Vec<f32> {
        let mut w = vec![0.0; self.terms.len()];
        for &(id, weight) in self.terms.values() {
            w[id] = weight;
        }
        w
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
            let rank = (self.weight(matches[i..=j].iter()), j - i + 1);
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
        // Pairs of words overlap (`the company`, `company said`): one span for the run.
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
    use crate::schema;

    fn highlighter(words: &[(&str, f32)], max_chars: usize) -> Highlighter {
        Highlighter {
            terms: words
                .iter()
                .enumerate()
                .map(|(i, (w, s))| (w.to_string(), (i, *s)))
                .collect(),
            analyzer: schema::analyzer(),
            max_chars,
        }
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
