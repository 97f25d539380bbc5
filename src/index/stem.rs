//! English stemming, once per distinct word: tantivy's `Stemmer` filter stems every token, and a
//! corpus's tokens are mostly a few thousand frequent words (Zipf's law), so the same words were
//! stemmed again and again (about a quarter of all indexing CPU on Reuters-21578). This filter
//! keeps each analyzer's stems in a cache: an analyzer belongs to one indexing thread (tantivy
//! clones it per segment writer), so the cache needs no lock. The stems are the same as
//! tantivy's filter gives: the same stemmer (`frostem`, English), called on the same text.

use frostem::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Distinct words kept per analyzer; past it the cache is emptied and fills again (bounds the
/// memory a corpus of endless distinct tokens, such as numbers, can take).
const CAPACITY: usize = 200_000;

/// The filter: English stems, each word stemmed once per analyzer.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            stemmer: Stemmer::new(Algorithm::English),
            cache: FxHashMap::default(),
        }
    }
}

/// [`CachedStemmer`] around a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stemmer: Stemmer,
    cache: FxHashMap<Box<str>, Box<str>>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
            cache: &mut self.cache,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: Stemmer,
    cache: &'a mut FxHashMap<Box<str>, Box<str>>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(token.text.as_str()) {
            // Reuses the token's buffer: no allocation for a word seen before.
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem: Box<str> = self.stemmer.stem(&token.text).into();
        if self.cache.len() >= CAPACITY {
            self.cache.clear();
        }
        self.cache.insert(token.text.as_str().into(), stem.clone());
        token.text.clear();
        token.text.push_str(&stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, TextAnalyzer};

    fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while let Some(t) = s.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    /// The same tokens as tantivy's own stemmer filter, words seen before included.
    #[test]
    fn stems_as_tantivy_does_whether_cached_or_not() {
        let text = "Convoys convoys CONVOY relational relate running runs ran caféS \
                    convoys running the the generously generous 1987 years' year's";
        let ours = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(tantivy::tokenizer::Stemmer::new(Language::English))
            .build();
        let mut ours_twice = ours.clone();
        let first = tokens(ours.clone(), text);
        assert_eq!(first, tokens(theirs, text));
        // A second text through the same analyzer reads the cache.
        let _ = tokens(ours_twice.clone(), text);
        let mut s = ours_twice.token_stream(text);
        let mut again = Vec::new();
        while let Some(t) = s.next() {
            again.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        assert_eq!(again, first);
    }
}
