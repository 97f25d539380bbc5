//! Choosing the best paragraph of a hit and the window of it to show, with byte ranges of the
//! matched words.
//!
//! Tantivy's `SnippetGenerator` tiles a text into fixed windows and keeps the best tile, so two
//! matches 100 characters apart often land in different tiles and one is lost. Here each query
//! term weighs its IDF; the chosen paragraph is the one whose distinct matched terms weigh most,
//! and the window is the stretch of at most `max_chars` characters that covers the most weight,
//! widened with context on both sides and cut at word boundaries.
//!
//! An exact phrase is marked as one span where its words stand together, and its words
//! elsewhere are not marked (the query asked for the phrase, not the words): Elasticsearch,
//! Meilisearch and Typesense mark each word of a phrase on its own, wherever it occurs.

use crate::search::plan::{Marks, Plan};
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

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
        Ok(Highlighter {
            singles,
            phrases,
            weights,
            analyzer: crate::index::schema::word_analyzer(),
            max_chars,
        })
    }

    /// The best paragraph's snippet; the article's lead when no paragraph has a match.
    pub fn best(&mut self, paragraphs: &[String]) -> Snippet {
        let (mut snippets, best) = self.best_n(paragraphs, 1);
        snippets.swap_remove(best)
    }

    /// The snippets of the `n` best paragraphs (the heaviest distinct matches, then the most
    /// matches, then the first), in paragraph order, and the index among them of the best; the
    /// lead alone when none matches.
    pub fn best_n(&mut self, paragraphs: &[String], n: usize) -> (Vec<Snippet>, usize) {
        let mut ranked: Vec<((f32, usize), usize, Vec<Match>)> = Vec::new();
        for (i, p) in paragraphs.iter().enumerate() {
            let matches = self.matches(p);
            if matches.is_empty() {
                continue;
            }
            let rank = (self.weight(matches.iter()), matches.len());
            ranked.push((rank, i, matches));
        }
        if ranked.is_empty() {
            return (vec![lead(paragraphs, self.max_chars)], 0);
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
        let snippets = ranked
            .into_iter()
            .map(|(_, i, matches)| {
                let (text, highlights) = self.window(&paragraphs[i], &matches);
                Snippet {
                    paragraph: i + 1,
                    text,
                    highlights,
                }
            })
            .collect();
        (snippets, best)
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
        // Char offsets counted incrementally over the sorted starts.
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

    /// The summed weight of the distinct terms among `matches`.
    fn weight<'a>(&self, matches: impl Iterator<Item = &'a Match>) -> f32 {
        let mut seen = vec![false; self.weights.len()];
        let mut sum = 0.0;
        for m in matches {
            if !seen[m.term] {
                seen[m.term] = true;
                sum += self.weights[m.term];
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
    use crate::index::schema;

    fn highlighter(words: &[(&str, f32)], max_chars: usize) -> Highlighter {
        Highlighter {
            singles: words
                .iter()
                .enumerate()
                .map(|(i, (w, _))| (w.to_string(), i))
                .collect(),
            phrases: Vec::new(),
            weights: words.iter().map(|(_, s)| *s).collect(),
            analyzer: schema::word_analyzer(),
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
        let mut h = highlighter(&[("aid", 1.0)], 200);
        h.phrases.push((vec!["stand".into(), "armi".into()], 1));
        h.weights.push(2.0);
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
