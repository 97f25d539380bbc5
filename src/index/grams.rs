//! Common grams: fast phrases of common words.
//!
//! A phrase such as `"the company said"` is slow on a large index: tantivy must read the
//! positions of `the` in nearly every article. So, as Lucene's `CommonGramsFilter` does, the
//! index also holds each pair of adjacent words of which one is a very common word, as one
//! token (`the compani`, at the first word's position, spanning both words). At query time a
//! phrase is spelt with those pairs instead of the single words they cover, so
//! `"the company said"` becomes the two rare-ish tokens `the compani` and `compani said` at
//! consecutive positions: the same matches, from far shorter postings.
//!
//! The pairs are formed after stemming (so `"the companies"` finds `the company`), within one
//! paragraph, and contain a space, which no word token can, so they never collide with words.

use std::sync::OnceLock;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The common words: the twelve most frequent words of English news text (each 0.5-5 % of
/// Reuters' 2.9 million words; together 21 %), whose positions make phrases slow. Rarer
/// function words (`with`, `was`, `by`: about 0.5 % each) are left out: every common word adds
/// two pairs to the index for each time it occurs, and phrases through the rarer ones are
/// already fast.
const COMMON: &[&str] = &[
    "the", "of", "to", "in", "and", "said", "a", "for", "it", "on", "is", "that",
];

/// The common words as the analyzer leaves them (lower-cased, folded, stemmed), and the length
/// of the longest.
fn common() -> &'static (Vec<String>, usize) {
    static SET: OnceLock<(Vec<String>, usize)> = OnceLock::new();
    SET.get_or_init(|| {
        let mut base = crate::index::schema::word_analyzer();
        let words = COMMON
            .iter()
            .filter_map(|w| {
                let mut stream = base.token_stream(w);
                stream.next().map(|t| t.text.clone())
            })
            .collect::<Vec<String>>();
        let longest = words.iter().map(String::len).max().unwrap_or(0);
        (words, longest)
    })
}

/// Whether a (stemmed) word is common. Called for every token indexed: most words are longer
/// than any common one and answer at the length test; the rest compare with twelve short words
/// (std's SipHash of a set lookup cost more than that).
pub fn is_common(word: &str) -> bool {
    let (words, longest) = common();
    word.len() <= *longest && words.iter().any(|w| w == word)
}

/// Where the filter runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Words and pairs: what highlighting reads a paragraph with, so a phrase found by its
    /// pairs is marked as one span.
    Index,
    /// The pairs alone: the index's `pairs` field, kept apart from the words so that they do
    /// not count in an article's length for BM25.
    Pairs,
    /// The words alone, the pairs set aside for the `pairs` field (see [`StashedPairs`]): the
    /// body's analyzer at index time, so that a paragraph is analyzed once for both fields.
    Words,
    /// Pairs, and the words no pair covers: a phrase at query time.
    Query,
}

/// Whether a phrase of (analyzed) words is covered by pairs entirely, so that it can be matched
/// in the `pairs` field alone: two words or more, each one in a pair with a neighbour.
pub fn fully_paired(words: &[&str]) -> bool {
    words.len() >= 2
        && (0..words.len()).all(|i| {
            (i > 0 && forms_pair(words[i - 1], words[i]))
                || (i + 1 < words.len() && forms_pair(words[i], words[i + 1]))
        })
}

/// The token filter (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct CommonGrams(pub Mode);

impl TokenFilter for CommonGrams {
    type Tokenizer<T: Tokenizer> = CommonGramsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CommonGramsFilter<T> {
        CommonGramsFilter {
            inner,
            mode: self.0,
        }
    }
}

/// [`CommonGrams`] around a tokenizer.
#[derive(Clone)]
pub struct CommonGramsFilter<T> {
    inner: T,
    mode: Mode,
}

impl<T: Tokenizer> Tokenizer for CommonGramsFilter<T> {
    type TokenStream<'a> = CommonGramsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let mut tail = self.inner.token_stream(text);
        let stash = (self.mode == Mode::Words).then(|| Stashed {
            key: key_of(text),
            pairs: Vec::new(),
        });
        let queued = match self.mode {
            Mode::Index | Mode::Pairs | Mode::Words => Vec::new(),
            Mode::Query => {
                let mut words = Vec::new();
                while tail.advance() {
                    words.push(tail.token().clone());
                }
                let mut out = query_tokens(&words);
                out.reverse();
                out
            }
        };
        CommonGramsStream {
            tail,
            mode: self.mode,
            prev: Token::default(),
            has_prev: false,
            pair: Token::default(),
            at_pair: false,
            queued,
            current: Token::default(),
            stash,
        }
    }
}

fn pair_of(first: &Token, second: &Token, into: &mut Token) {
    into.text.clear();
    into.text.push_str(&first.text);
    into.text.push(' ');
    into.text.push_str(&second.text);
    into.position = first.position;
    into.position_length = 1;
    into.offset_from = first.offset_from;
    into.offset_to = second.offset_to;
}

fn forms_pair(first: &str, second: &str) -> bool {
    is_common(first) || is_common(second)
}

/// A query's tokens: each pair of adjacent words with a common one, and each word no pair
/// covers, in position order.
fn query_tokens(words: &[Token]) -> Vec<Token> {
    let paired: Vec<bool> = words
        .windows(2)
        .map(|w| forms_pair(&w[0].text, &w[1].text))
        .collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let covered = (i > 0 && paired[i - 1]) || paired.get(i).copied().unwrap_or(false);
        if !covered {
            out.push(word.clone());
        }
        if paired.get(i).copied().unwrap_or(false) {
            let mut pair = Token::default();
            pair_of(word, &words[i + 1], &mut pair);
            out.push(pair);
        }
    }
    out
}

/// The stream: at index time each word, preceded by the pair it closes when it forms one with
/// the previous word; at query time the precomputed tokens.
pub struct CommonGramsStream<S> {
    tail: S,
    mode: Mode,
    prev: Token,
    has_prev: bool,
    pair: Token,
    at_pair: bool,
    /// Query mode: tokens still to give, last first.
    queued: Vec<Token>,
    current: Token,
    /// Words mode: the pairs set aside so far.
    stash: Option<Stashed>,
}

impl<S: TokenStream> TokenStream for CommonGramsStream<S> {
    fn advance(&mut self) -> bool {
        if self.mode == Mode::Query {
            return match self.queued.pop() {
                Some(t) => {
                    self.current = t;
                    true
                }
                None => false,
            };
        }
        if self.at_pair {
            // The pair went out; now the word that closed it.
            self.at_pair = false;
            return true;
        }
        loop {
            if !self.tail.advance() {
                if let Some(done) = self.stash.take() {
                    STASH.with(|s| {
                        let mut s = s.borrow_mut();
                        if s.len() >= STASH_LIMIT {
                            s.pop_front();
                        }
                        s.push_back(done);
                    });
                }
                return false;
            }
            let word = self.tail.token();
            let paired = self.has_prev && forms_pair(&self.prev.text, &word.text);
            if paired {
                pair_of(&self.prev, word, &mut self.pair);
            }
            self.prev.text.clear();
            self.prev.text.push_str(&word.text);
            self.prev.position = word.position;
            self.prev.offset_from = word.offset_from;
            self.prev.offset_to = word.offset_to;
            self.has_prev = true;
            match self.mode {
                // Pairs alone: the pair, or on to the next word.
                Mode::Pairs if paired => return true,
                Mode::Pairs => continue,
                // Words alone: the pair set aside.
                Mode::Words => {
                    if paired && let Some(stash) = &mut self.stash {
                        stash.pairs.push(self.pair.clone());
                    }
                    return true;
                }
                _ => {
                    self.at_pair = paired;
                    return true;
                }
            }
        }
    }

    fn token(&self) -> &Token {
        match self.mode {
            Mode::Query => &self.current,
            Mode::Pairs => &self.pair,
            Mode::Index if self.at_pair => &self.pair,
            Mode::Index | Mode::Words => self.tail.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.mode {
            Mode::Query => &mut self.current,
            Mode::Pairs => &mut self.pair,
            Mode::Index if self.at_pair => &mut self.pair,
            Mode::Index | Mode::Words => self.tail.token_mut(),
        }
    }
}

/// A paragraph's pairs, set aside by the body's analyzer, with the paragraph's length and
/// hash to know it again.
struct Stashed {
    key: (usize, u64),
    pairs: Vec<Token>,
}

/// At most this many paragraphs' pairs wait (an index without a pairs field never takes them).
const STASH_LIMIT: usize = 4096;

thread_local! {
    /// Pairs set aside on this indexing thread, in the order the paragraphs were analyzed.
    static STASH: std::cell::RefCell<std::collections::VecDeque<Stashed>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

fn key_of(text: &str) -> (usize, u64) {
    (text.len(), xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// The pairs field's tokenizer at index time. tantivy analyzes a document field by field, each
/// field's values in order, on one thread: the body's paragraphs (whose analyzer, in
/// [`Mode::Words`], sets their pairs aside), then the same paragraphs for the pairs field. So
/// each paragraph's pairs are taken from the stash, checked by length and hash; a paragraph
/// not found there is analyzed afresh (`fallback`, in [`Mode::Pairs`]), which gives the same
/// tokens.
#[derive(Clone)]
pub struct StashedPairs {
    /// The analyzer of a paragraph whose pairs were not set aside.
    pub fallback: tantivy::tokenizer::TextAnalyzer,
}

impl Tokenizer for StashedPairs {
    type TokenStream<'a> = PairsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairsStream<'a> {
        let key = key_of(text);
        let found = STASH.with(|s| {
            let mut s = s.borrow_mut();
            while let Some(front) = s.pop_front() {
                if front.key == key {
                    return Some(front.pairs);
                }
            }
            None
        });
        match found {
            Some(pairs) => PairsStream::Stashed(pairs.into_iter(), Token::default()),
            None => PairsStream::Analyzed(self.fallback.token_stream(text)),
        }
    }
}

/// The stream of [`StashedPairs`].
pub enum PairsStream<'a> {
    /// Pairs taken from the stash, and the current one.
    Stashed(std::vec::IntoIter<Token>, Token),
    /// Pairs analyzed afresh.
    Analyzed(tantivy::tokenizer::BoxTokenStream<'a>),
}

impl TokenStream for PairsStream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            PairsStream::Stashed(rest, current) => match rest.next() {
                Some(t) => {
                    *current = t;
                    true
                }
                None => false,
            },
            PairsStream::Analyzed(s) => s.advance(),
        }
    }

    fn token(&self) -> &Token {
        match self {
            PairsStream::Stashed(_, current) => current,
            PairsStream::Analyzed(s) => s.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            PairsStream::Stashed(_, current) => current,
            PairsStream::Analyzed(s) => s.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::index::schema;

    fn tokens(mut a: tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    fn owned(v: &[(&str, usize)]) -> Vec<(String, usize)> {
        v.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    #[test]
    fn indexing_keeps_every_word_and_adds_pairs_with_a_common_word() {
        assert_eq!(
            tokens(schema::analyzer(), "The companies said oil prices rose"),
            owned(&[
                ("the", 0),
                ("the compani", 0),
                ("compani", 1),
                ("compani said", 1),
                ("said", 2),
                ("said oil", 2),
                ("oil", 3),
                ("price", 4),
                ("rose", 5),
            ])
        );
    }

    #[test]
    fn the_pairs_field_holds_the_pairs_alone() {
        assert_eq!(
            tokens(
                schema::pairs_analyzer(),
                "The companies said oil prices rose"
            ),
            owned(&[("the compani", 0), ("compani said", 1), ("said oil", 2)])
        );
        assert_eq!(
            tokens(schema::pairs_analyzer(), "oil prices rose"),
            owned(&[])
        );
    }

    #[test]
    fn pairs_set_aside_by_the_body_are_the_pairs_computed_afresh() {
        let waiting = || super::STASH.with(|s| s.borrow().len());
        let text = "The companies said oil prices of the world rose";
        let body = schema::body_analyzer();
        let pairs = schema::index_pairs_analyzer();
        assert_eq!(waiting(), 0);
        let words = tokens(body.clone(), text);
        assert_eq!(words, tokens(schema::word_analyzer(), text));
        // The stash now holds the paragraph's pairs; the pairs field takes them.
        assert_eq!(waiting(), 1);
        let stashed = tokens(pairs.clone(), text);
        assert_eq!(waiting(), 0);
        assert_eq!(stashed, tokens(schema::pairs_analyzer(), text));
        assert!(!stashed.is_empty());
        // Another paragraph than the one set aside is analyzed afresh, with the same result;
        // the stale one is dropped.
        let _ = tokens(body.clone(), "of the people");
        assert_eq!(waiting(), 1);
        assert_eq!(
            tokens(pairs.clone(), "brokers of peace"),
            tokens(schema::pairs_analyzer(), "brokers of peace")
        );
        assert_eq!(waiting(), 0);
    }

    #[test]
    fn a_phrase_is_fully_paired_when_every_word_has_a_common_neighbour() {
        assert!(super::fully_paired(&["the", "compani", "said"]));
        assert!(super::fully_paired(&["broker", "of", "peac"]));
        assert!(super::fully_paired(&["the", "the"]));
        assert!(!super::fully_paired(&["aid", "to", "aleppo", "convoy"]));
        assert!(!super::fully_paired(&["oil", "price"]));
        assert!(!super::fully_paired(&["the"]));
    }

    #[test]
    fn a_query_keeps_pairs_and_the_words_no_pair_covers() {
        assert_eq!(
            tokens(schema::query_analyzer(), "the company said"),
            owned(&[("the compani", 0), ("compani said", 1)])
        );
        assert_eq!(
            tokens(schema::query_analyzer(), "oil prices of the world"),
            owned(&[("oil", 0), ("price of", 1), ("of the", 2), ("the world", 3)])
        );
        // A single word, common or not, is itself.
        assert_eq!(
            tokens(schema::query_analyzer(), "the"),
            owned(&[("the", 0)])
        );
        assert_eq!(
            tokens(schema::query_analyzer(), "oil"),
            owned(&[("oil", 0)])
        );
    }

    #[test]
    fn pairs_span_both_words_in_the_text() {
        let mut a = schema::analyzer();
        let mut stream = a.token_stream("Aid for Aleppo");
        let mut spans = Vec::new();
        while let Some(t) = stream.next() {
            spans.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        assert!(spans.contains(&("aid for".to_string(), 0, 7)), "{spans:?}");
        assert!(
            spans.contains(&("for aleppo".to_string(), 4, 14)),
            "{spans:?}"
        );
    }
}
