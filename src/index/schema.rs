//! The one definition of the index: its fields, its text analyzer and its format version.

use crate::index::grams::{CommonGrams, Mode};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::schema::Value;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, PreTokenizedString, RawTokenizer, RemoveLongFilter,
    SimpleTokenizer, TextAnalyzer, TextAnalyzerBuilder, Token, Tokenizer, TokenizerManager,
};
use tantivy::{DateTime, Index, IndexSettings, TantivyDocument};

/// Bumped whenever the schema or the analyzer changes in a way an old index cannot serve.
/// 4: the paragraphs' first positions ([`STARTS`]). 5: the metadata ([`TITLE`], [`AUTHOR`],
/// [`SOURCE`], [`URL`]). 6: the paragraphs' first positions as the positions of a term rather
/// than a column's values (opening the column cost a search at 1M a tenth of its time).
pub const FORMAT_VERSION: u32 = 6;

/// What every commit records, so an index of another format version is recognised on open.
pub fn commit_payload() -> String {
    format!("{{\"dateline_format\":{FORMAT_VERSION}}}")
}

/// The name the words analyzer is registered under; tantivy does not persist custom analyzers,
/// so it is registered again on every open.
pub const ANALYZER: &str = "dateline_en";
/// The name of the pairs field's analyzer (see [`ANALYZER`]).
pub const PAIRS_ANALYZER: &str = "dateline_pairs";
/// The name of the title's analyzer: the body's words (see [`word_analyzer`]), without the
/// pairs the body's analyzer sets aside for the pairs field.
pub const TITLE_ANALYZER: &str = "dateline_title";
/// The name of the analyzer of names (authors, sources): the whole value, lower-cased, so that
/// `author:"alexander hamilton"` finds `Alexander Hamilton` and nothing else.
pub const NAME_ANALYZER: &str = "dateline_name";

/// Field names, also used by the query language (`path:…`, `date:…`).
pub const PATH: &str = "path";
/// The article's date, midnight UTC.
pub const DATE: &str = "date";
/// The paragraphs, one value each, in order.
pub const BODY: &str = "body";
/// The paragraphs' common-word pairs (see `grams`): indexed with positions, not stored. Their
/// length norms (the count of pairs) rank a phrase read from them as BM25 ranks the words:
/// without, the articles with the most occurrences, the longest, would come first.
pub const PAIRS: &str = "pairs";
/// How many words the first paragraph (a headline, a title, a lede) has (fast): the body's
/// positions below it are the lead's, for ranking an article whose lead holds the query's
/// words higher.
pub const LEAD: &str = "lead";
/// Where each paragraph after the first begins among the body's positions: the positions of
/// one term, [`START_MARK`], indexed at each (not stored, not counted by any ranking). A hit's
/// snippet finds the paragraphs holding the query's words from their positions in the index,
/// without reading the others (see `snippet`). A term's postings open in constant time and are
/// read only for the hits shown; a column of the starts (format 4 and 5) was opened whole.
pub const STARTS: &str = "starts";
/// The one term of [`STARTS`].
pub const START_MARK: &str = "p";
/// Size, mtime and content hash of the file as indexed: the incremental plan's evidence.
pub const SIZE: &str = "size";
/// See [`SIZE`].
pub const MTIME: &str = "mtime";
/// See [`SIZE`].
pub const HASH: &str = "hash";
/// The title a records file gives (none for a dated file): its words, as the body's, stored.
pub const TITLE: &str = "title";
/// The authors, one value each: exact names, case-insensitive in queries and filters; stored
/// and in a column (fast) as written, for facets.
pub const AUTHOR: &str = "author";
/// The outlet (newspaper, site, collection), as [`AUTHOR`].
pub const SOURCE: &str = "source";
/// Where the article was published: stored only.
pub const URL: &str = "url";

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Unique key of the article (see `corpus`).
    pub path: Field,
    /// Date, indexed and fast.
    pub date: Field,
    /// Paragraphs: stored, positions on.
    pub body: Field,
    /// The paragraphs' common-word pairs.
    pub pairs: Field,
    /// The first paragraph's word count.
    pub lead: Field,
    /// File size in bytes (fast).
    pub size: Field,
    /// File mtime in ns (fast).
    pub mtime: Field,
    /// Content hash (fast).
    pub hash: Field,
    /// The first position of each paragraph after the first (fast, multi-valued).
    pub starts: Field,
    /// The title (words, stored).
    pub title: Field,
    /// The authors (names, stored, fast).
    pub author: Field,
    /// The source (a name, stored, fast).
    pub source: Field,
    /// The URL (stored).
    pub url: Field,
}

/// Builds the schema.
pub fn build() -> (Schema, Fields) {
    let mut sb = Schema::builder();
    let path = sb.add_text_field(PATH, STRING | STORED | FAST);
    let date = sb.add_date_field(
        DATE,
        DateOptions::from(INDEXED)
            .set_stored()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let body = sb.add_text_field(
        BODY,
        TextOptions::default()
            .set_indexing_options(indexing)
            .set_stored(),
    );
    let pairs = sb.add_text_field(
        PAIRS,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PAIRS_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let lead = sb.add_u64_field(LEAD, FAST);
    let size = sb.add_u64_field(SIZE, FAST);
    let mtime = sb.add_i64_field(MTIME, FAST);
    let hash = sb.add_u64_field(HASH, FAST);
    let starts = sb.add_text_field(
        STARTS,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_fieldnorms(false)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let title = sb.add_text_field(
        TITLE,
        TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TITLE_ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored(),
    );
    // Names are matched lower-cased and counted as written (the column keeps each spelling;
    // facets merge the spellings of one name, see `facets`).
    let name = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NAME_ANALYZER)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored()
        .set_fast("raw");
    let author = sb.add_text_field(AUTHOR, name.clone());
    let source = sb.add_text_field(SOURCE, name);
    let url = sb.add_text_field(URL, STORED);
    (
        sb.build(),
        Fields {
            path,
            date,
            body,
            pairs,
            lead,
            size,
            mtime,
            hash,
            starts,
            title,
            author,
            source,
            url,
        },
    )
}

/// The settings a new index is created with: how the stored paragraphs are compressed. Read back
/// from `meta.json` on open, so an index made with other settings still opens.
///
/// zstd level 3 on 16 KB blocks, chosen on measurements (benches/README.md, "Doc store"). Each
/// hit shown decompresses one whole block, so the block size is a search's per-hit cost: on
/// 100,000 generated articles, 16 KB blocks take a search process 0.9-1.1 ms less CPU than
/// 64 KB ones (ten hits), for an index 1.26x the text instead of 1.16x; lz4 (tantivy's default)
/// on 16 KB blocks is 0.1-0.3 ms faster again but 1.48x the text.
pub fn settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 16 * 1024,
        ..IndexSettings::default()
    }
}

/// The chain that makes words: split, long words dropped, lower-cased, folded to ASCII (so `café`
/// finds `cafe`), English-stemmed (so `convoy` finds `convoys`).
fn words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(crate::index::stem::CachedStemmer)
}

/// How many positions the words of a text take in the index: its runs of letters and digits,
/// as the tokenizer splits them (a word dropped for its length keeps its position).
pub fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// How many of the body's positions a paragraph takes, the gap after it included: tantivy
/// starts a field's next value one position (`POSITION_GAP`) after the end of the last word
/// it indexed, and a word dropped for its length (40 bytes or more) takes a position but does
/// not end one. So paragraph `k` begins at the sum of this over paragraphs `0..k`.
pub fn positions_taken(text: &str) -> u32 {
    if !text.is_ascii() {
        let mut end = 0;
        for (k, (from, to)) in word_spans(text).enumerate() {
            if to - from < 40 {
                end = k as u32 + 1;
            }
        }
        return end + 1;
    }
    // ASCII (nearly every paragraph), three to four times faster: count the words' first
    // letters without branching, then step back over trailing words too long to index.
    let bytes = text.as_bytes();
    let (mut words, mut before) = (0u32, false);
    for &b in bytes {
        let alphanumeric = b.is_ascii_alphanumeric();
        words += u32::from(alphanumeric & !before);
        before = alphanumeric;
    }
    let mut i = bytes.len();
    while words > 0 {
        while i > 0 && !bytes[i - 1].is_ascii_alphanumeric() {
            i -= 1;
        }
        let to = i;
        while i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
            i -= 1;
        }
        if to - i < 40 {
            break;
        }
        words -= 1;
    }
    words + 1
}

/// The byte ranges of a text's words as the tokenizer splits them (runs of letters and
/// digits), in order: the `k`-th is the word at position `k`.
pub fn word_spans(text: &str) -> WordSpans<'_> {
    WordSpans { text, at: 0 }
}

/// See [`word_spans`].
pub struct WordSpans<'a> {
    text: &'a str,
    at: usize,
}

impl WordSpans<'_> {
    /// Whether the character at byte `i` is a letter or digit, and its length.
    fn class(&self, i: usize) -> (bool, usize) {
        let b = self.text.as_bytes()[i];
        if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = self.text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    }
}

impl Iterator for WordSpans<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let len = self.text.len();
        while self.at < len {
            let (alphanumeric, width) = self.class(self.at);
            if alphanumeric {
                break;
            }
            self.at += width;
        }
        if self.at >= len {
            return None;
        }
        let from = self.at;
        while self.at < len {
            let (alphanumeric, width) = self.class(self.at);
            if !alphanumeric {
                break;
            }
            self.at += width;
        }
        Some((from, self.at))
    }
}

/// The words of a text (see [`words`]). Words over 40 bytes are dropped.
pub fn word_analyzer() -> TextAnalyzer {
    words().build()
}

/// The words and the pairs of adjacent words with a common one (see `grams`), as the two
/// fields hold them together: highlighting reads paragraphs with it.
pub fn analyzer() -> TextAnalyzer {
    words().filter(CommonGrams(Mode::Index)).build()
}

/// The pairs field's analyzer: the pairs alone, which make phrases of common words fast.
pub fn pairs_analyzer() -> TextAnalyzer {
    words().filter(CommonGrams(Mode::Pairs)).build()
}

/// The analyzer of a phrase sent to the pairs field: the pairs, and the words no pair covers
/// (none, for the fully paired phrases `query` sends there).
pub fn query_analyzer() -> TextAnalyzer {
    words().filter(CommonGrams(Mode::Query)).build()
}

/// The body's analyzer at index time: the words, the pairs set aside for the pairs field.
pub fn body_analyzer() -> TextAnalyzer {
    words().filter(CommonGrams(Mode::Words)).build()
}

/// The pairs field's analyzer at index time: the pairs the body's analyzer set aside for the
/// same paragraph, or [`pairs_analyzer`] when there are none.
pub fn index_pairs_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(crate::index::grams::StashedPairs {
        fallback: pairs_analyzer(),
    })
}

/// The analyzer of names (see [`NAME_ANALYZER`]).
pub fn name_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// A name as it is indexed and looked up: white space trimmed and collapsed to single spaces
/// (the case is the analyzer's affair).
pub fn tidy_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Registers the analyzers on an index (needed after every open).
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, body_analyzer());
    index
        .tokenizers()
        .register(PAIRS_ANALYZER, index_pairs_analyzer());
    index.tokenizers().register(TITLE_ANALYZER, word_analyzer());
    index.tokenizers().register(NAME_ANALYZER, name_analyzer());
}

/// The analyzers a query is parsed with.
pub fn query_tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    manager.register(ANALYZER, word_analyzer());
    manager.register(PAIRS_ANALYZER, query_analyzer());
    manager.register(TITLE_ANALYZER, word_analyzer());
    manager.register(NAME_ANALYZER, name_analyzer());
    manager
}

/// Resolves the field handles of an opened index, failing if the schema is not ours.
pub fn fields_of(schema: &Schema) -> Option<Fields> {
    Some(Fields {
        path: schema.get_field(PATH).ok()?,
        date: schema.get_field(DATE).ok()?,
        body: schema.get_field(BODY).ok()?,
        pairs: schema.get_field(PAIRS).ok()?,
        lead: schema.get_field(LEAD).ok()?,
        size: schema.get_field(SIZE).ok()?,
        mtime: schema.get_field(MTIME).ok()?,
        hash: schema.get_field(HASH).ok()?,
        starts: schema.get_field(STARTS).ok()?,
        title: schema.get_field(TITLE).ok()?,
        author: schema.get_field(AUTHOR).ok()?,
        source: schema.get_field(SOURCE).ok()?,
        url: schema.get_field(URL).ok()?,
    })
}

/// The earliest date the index can hold: tantivy keeps dates as i64 nanoseconds since 1970.
pub fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1678, 1, 1).expect("valid constant date")
}

/// The latest date the index can hold (see [`min_date`]).
pub fn max_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2261, 12, 31).expect("valid constant date")
}

/// Converts a calendar date to the index's date value (midnight UTC); `None` outside
/// [`min_date`]..=[`max_date`].
pub fn to_index_date(date: NaiveDate) -> Option<DateTime> {
    if date < min_date() || date > max_date() {
        return None;
    }
    let days = date.signed_duration_since(epoch()).num_days();
    Some(DateTime::from_timestamp_secs(days * 86_400))
}

/// Converts an index date value back to a calendar date.
pub fn from_index_date(dt: DateTime) -> NaiveDate {
    let days = dt.into_timestamp_secs().div_euclid(86_400);
    epoch() + chrono::Duration::days(days)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date")
}

/// The stored paragraphs of a document, in order.
pub fn paragraphs(doc: &TantivyDocument, f: Fields) -> Vec<String> {
    doc.get_all(f.body)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// What the incremental plan knows of an article's file, kept in fast fields.
#[derive(Debug, Clone, Copy)]
pub struct Evidence {
    /// The file's size in bytes.
    pub size: u64,
    /// Its modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// The content hash of its bytes.
    pub hash: u64,
}

/// An article as one document: the key, the date, each paragraph in the body and the pairs
/// field, the lead's word count, the paragraphs' first positions, the metadata (only what
/// there is: an article without any costs nothing more), the evidence. [`Stored::from_doc`]
/// reads it back.
pub fn document(
    f: Fields,
    key: &str,
    date: DateTime,
    paragraphs: &[String],
    meta: &crate::article::Meta,
    evidence: Evidence,
) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.path, key);
    doc.add_date(f.date, date);
    for p in paragraphs {
        doc.add_text(f.body, p);
        doc.add_text(f.pairs, p);
    }
    let lead = paragraphs.first().map_or(0, |p| word_count(p));
    doc.add_u64(f.lead, lead as u64);
    if paragraphs.len() > 1 {
        let mut start = 0usize;
        let tokens = paragraphs[..paragraphs.len() - 1]
            .iter()
            .map(|p| {
                start += positions_taken(p) as usize;
                Token {
                    position: start,
                    text: START_MARK.to_string(),
                    ..Token::default()
                }
            })
            .collect();
        doc.add_pre_tokenized_text(
            f.starts,
            PreTokenizedString {
                text: String::new(),
                tokens,
            },
        );
    }
    if let Some(title) = meta
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        doc.add_text(f.title, title);
    }
    // An author listed twice (in any case) is one author.
    let mut named: Vec<String> = Vec::with_capacity(meta.authors.len());
    for author in &meta.authors {
        let author = tidy_name(author);
        let lower = author.to_lowercase();
        if !author.is_empty() && !named.contains(&lower) {
            doc.add_text(f.author, &author);
            named.push(lower);
        }
    }
    if let Some(source) = meta
        .source
        .as_deref()
        .map(tidy_name)
        .filter(|s| !s.is_empty())
    {
        doc.add_text(f.source, &source);
    }
    if let Some(url) = meta.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        doc.add_text(f.url, url);
    }
    doc.add_u64(f.size, evidence.size);
    doc.add_i64(f.mtime, evidence.mtime_ns);
    doc.add_u64(f.hash, evidence.hash);
    doc
}

/// A stored article, as `dateline show` prints it. Its `path` is the key (an absolute path):
/// each front end shows it its own way (see `corpus::display_key`).
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    /// The article's key.
    pub path: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Its paragraphs, in order.
    pub paragraphs: Vec<String>,
    /// The title a records file gave it (none for a dated file).
    pub title: Option<String>,
    /// Its authors, in the order given (none for a dated file).
    pub authors: Vec<String>,
    /// Its source (outlet).
    pub source: Option<String>,
    /// Where it was published.
    pub url: Option<String>,
}

impl Stored {
    /// `1787-10-27T00:00:00Z`: RFC 3339, midnight UTC, as the index holds dates.
    pub fn rfc3339(&self) -> String {
        format!("{}T00:00:00Z", self.date)
    }

    /// The title when it has one, else the first paragraph: a headline, a title, a lede.
    pub fn heading(&self) -> &str {
        self.title
            .as_deref()
            .unwrap_or_else(|| self.paragraphs.first().map_or("", String::as_str))
    }

    /// Reads path, date, paragraphs and metadata from a stored document.
    pub fn from_doc(doc: &TantivyDocument, f: Fields) -> Stored {
        Stored {
            path: doc
                .get_first(f.path)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .map(from_index_date)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            paragraphs: paragraphs(doc, f),
            title: text(doc, f.title),
            authors: doc
                .get_all(f.author)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            source: text(doc, f.source),
            url: text(doc, f.url),
        }
    }
}

/// A stored field's first value.
fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_before_and_after_1970() {
        for s in [
            "1787-10-27",
            "1969-12-31",
            "1970-01-01",
            "2016-09-17",
            "2261-12-31",
        ] {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            assert_eq!(from_index_date(to_index_date(d).unwrap()), d, "{s}");
        }
    }

    #[test]
    fn dates_outside_the_range_are_refused() {
        assert!(to_index_date(NaiveDate::from_ymd_opt(1600, 1, 1).unwrap()).is_none());
        assert!(to_index_date(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()).is_none());
    }

    #[test]
    fn word_count_is_the_position_after_the_last_word() {
        for text in [
            "Aid caravans reach Aleppo.",
            "  U.S.-backed aid: 3,000 tonnes!",
            "",
            "--",
        ] {
            let mut a = word_analyzer();
            let mut s = a.token_stream(text);
            let mut end = 0;
            while let Some(t) = s.next() {
                end = t.position + 1;
            }
            assert_eq!(word_count(text), end, "{text:?}");
        }
        let long = format!("a {} b", "x".repeat(50));
        assert_eq!(word_count(&long), 3);
    }

    #[test]
    fn positions_taken_is_one_past_the_last_indexed_word_and_the_gap_and_spans_are_words() {
        let long = "x".repeat(40);
        let short = "y".repeat(39);
        for text in [
            "Aid caravans reach Aleppo.".to_string(),
            "  U.S.-backed aid: 3,000 tonnes!".to_string(),
            String::new(),
            "--".to_string(),
            format!("a {long} b"),
            format!("a b {long}"),
            format!("a b {long}."),
            format!("a {long} b {long}, {long}"),
            format!("{long} {long}"),
            long.clone(),
            format!("a {short}"),
            "Köln, São Paulo — 東京 über Ωmega ²".to_string(),
            format!("é{}", "é".repeat(19)),
            format!("a é{}", "é".repeat(20)),
        ] {
            let mut a = body_analyzer();
            let mut s = a.token_stream(&text);
            let mut end = 0;
            let spans: Vec<(usize, usize)> = word_spans(&text).collect();
            while let Some(t) = s.next() {
                end = t.position + t.position_length;
                assert_eq!(spans[t.position], (t.offset_from, t.offset_to), "{text:?}");
            }
            assert_eq!(positions_taken(&text) as usize, end + 1, "{text:?}");
        }
    }

    #[test]
    fn analyzer_stems_folds_and_lowercases() {
        let mut a = analyzer();
        let mut stream = a.token_stream("Convoys CAFÉ running");
        let mut words = Vec::new();
        while let Some(t) = stream.next() {
            words.push(t.text.clone());
        }
        assert_eq!(words, vec!["convoy", "cafe", "run"]);
        let mut words = Vec::new();
        let mut a = word_analyzer();
        let mut stream = a.token_stream("The convoys");
        while let Some(t) = stream.next() {
            words.push(t.text.clone());
        }
        assert_eq!(words, vec!["the", "convoy"]);
    }
}
