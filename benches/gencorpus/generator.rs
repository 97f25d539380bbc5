//! A deterministic generator of corpora in the dated format, for benchmarks at any size.
//!
//! Article `i` depends only on the seed and `i` (its own random stream), so articles can be made
//! in parallel and the same seed always gives the same bytes. Dates are spread uniformly over
//! 1950-01-01..=2025-12-31.
//!
//! Text comes from one of two places:
//! - **A source folder** of dated articles (the Reuters corpus): an article takes the paragraph
//!   count of a random source article and fills it with random source paragraphs, so real
//!   phrases (`"the company said"`) keep their frequency.
//! - **A built-in vocabulary**: sentences of words drawn from a Zipf distribution (exponent 1)
//!   whose first ranks are common English and news words.
//!
//! Either way the vocabulary grows with the corpus, as Heaps' law says real text does: article
//! `i` may draw from `K * (i * TOKENS)^BETA` ranks, and ranks past the built-in list are
//! synthetic words, unique per rank. With a source folder, about one word in [`INSERT_EVERY`] is
//! followed by such a word (a name, say). So a million articles are not a small corpus copied.

use std::path::{Path, PathBuf};

/// Heaps' law constants: the vocabulary after `n` tokens is about `K * n^BETA` words.
const HEAPS_K: f64 = 40.0;
const HEAPS_BETA: f64 = 0.5;
/// About how many tokens an article has, to turn an article index into a token count.
const TOKENS_PER_ARTICLE: f64 = 150.0;
/// With a source folder: one inserted synthetic word per this many source words, on average.
const INSERT_EVERY: u64 = 12;

/// The first ranks of the built-in vocabulary, most common first.
const COMMON: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "that",
    "for",
    "it",
    "said",
    "on",
    "was",
    "with",
    "as",
    "by",
    "at",
    "be",
    "this",
    "from",
    "have",
    "or",
    "are",
    "an",
    "they",
    "which",
    "not",
    "but",
    "were",
    "his",
    "has",
    "its",
    "had",
    "their",
    "will",
    "would",
    "there",
    "been",
    "who",
    "we",
    "more",
    "one",
    "new",
    "all",
    "year",
    "can",
    "also",
    "after",
    "people",
    "government",
    "company",
    "two",
    "other",
    "than",
    "up",
    "out",
    "about",
    "first",
    "over",
    "into",
    "market",
    "last",
    "percent",
    "state",
    "could",
    "when",
    "prices",
    "million",
    "years",
    "some",
    "only",
    "officials",
    "war",
    "no",
    "president",
    "week",
    "may",
    "time",
    "country",
    "oil",
    "bank",
    "since",
    "per",
    "shares",
    "against",
    "city",
    "before",
    "world",
    "public",
    "trade",
    "minister",
    "police",
    "under",
    "national",
    "three",
    "while",
    "if",
    "most",
    "such",
    "report",
    "foreign",
    "court",
    "group",
    "power",
    "between",
    "party",
    "rates",
    "months",
    "military",
    "economic",
    "during",
    "where",
    "any",
    "because",
    "policy",
    "security",
    "told",
    "made",
    "health",
    "both",
    "through",
    "billion",
    "law",
    "aid",
    "united",
    "council",
    "peace",
    "workers",
    "forces",
    "election",
    "water",
    "border",
    "talks",
    "food",
    "support",
    "program",
    "federal",
    "news",
    "general",
    "house",
    "plan",
    "budget",
    "team",
    "service",
    "rights",
    "children",
    "region",
    "official",
    "industry",
    "exports",
    "growth",
    "agreement",
    "members",
    "leaders",
    "crisis",
    "schools",
    "convoys",
    "refugees",
    "deal",
    "energy",
    "farmers",
    "judges",
    "vote",
    "tax",
    "women",
    "prison",
    "studies",
    "troops",
    "village",
    "markets",
    "debt",
    "loans",
    "wheat",
    "coffee",
    "gold",
    "steel",
    "strike",
    "ports",
    "ships",
    "dockworkers",
    "aleppo",
    "relief",
];

/// Letters of synthetic words: each syllable is one consonant and one vowel, so a word splits
/// into syllables one way only, and rank `r` written in base 80 gives every rank its own word.
const CONSONANTS: &[u8] = b"bdfghjklmnprstvz";
const VOWELS: &[u8] = b"aeiou";

/// A splitmix64 stream: small, fast, and the same on every platform and version (a crate's
/// generator may change its output between releases, which would change the corpus).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The stream of article `i` under `seed`.
    pub fn for_article(seed: u64, i: u64) -> Rng {
        let mut r = Rng(seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A Zipf (exponent 1) rank in `1..=v`: `P(k)` proportional to `ln((k+1)/k)`, about `1/k`.
    pub fn zipf(&mut self, v: u64) -> u64 {
        let x = ((v as f64 + 1.0).ln() * self.unit()).exp();
        (x as u64).clamp(1, v)
    }
}

/// The synthetic word of a rank past the built-in list: common ranks get short words. A word
/// that happens to spell a built-in one gets an `n` appended (odd length: no other synthetic
/// word has one).
pub fn synthetic_word(rank: u64) -> String {
    let base = (CONSONANTS.len() * VOWELS.len()) as u64;
    let mut r = rank;
    let mut word = String::new();
    loop {
        let s = (r % base) as usize;
        word.push(CONSONANTS[s / VOWELS.len()] as char);
        word.push(VOWELS[s % VOWELS.len()] as char);
        r /= base;
        if r == 0 {
            break;
        }
    }
    if COMMON.contains(&word.as_str()) {
        word.push('n');
    }
    word
}

/// The vocabulary size article `i` may draw from (Heaps' law over the tokens before it).
pub fn vocabulary_at(i: u64) -> u64 {
    let tokens = (i as f64 + 1.0) * TOKENS_PER_ARTICLE;
    (HEAPS_K * tokens.powf(HEAPS_BETA)) as u64 + COMMON.len() as u64
}

fn word_of_rank(rank: u64) -> String {
    match COMMON.get(rank as usize - 1) {
        Some(w) => (*w).to_string(),
        None => synthetic_word(rank - COMMON.len() as u64),
    }
}

/// Paragraphs of a source corpus, grouped by article.
#[derive(Debug, Default)]
pub struct Source {
    paragraphs: Vec<String>,
    /// Paragraph count of each source article.
    counts: Vec<u32>,
}

impl Source {
    /// Reads every `.txt` dated article under `dir` (found as `dateline index` finds them), in
    /// path order; files that do not parse are skipped.
    pub fn load(dir: &Path) -> std::io::Result<Source> {
        let files = dateline::corpus::walk(&[dir.to_path_buf()]).files;
        let mut source = Source::default();
        for f in files {
            let bytes = std::fs::read(&f.path)?;
            if let Ok(a) = dateline::article::parse_bytes(&bytes) {
                source.counts.push(a.paragraphs.len() as u32);
                source.paragraphs.extend(a.paragraphs);
            }
        }
        if source.paragraphs.is_empty() {
            return Err(std::io::Error::other(format!(
                "{}: no dated articles found",
                dir.display()
            )));
        }
        Ok(source)
    }

    /// How many paragraphs were read.
    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len()
    }
}

/// What to generate.
#[derive(Debug)]
pub struct Generator {
    /// The seed: same seed, same bytes.
    pub seed: u64,
    /// Paragraphs to draw from; `None` uses the built-in vocabulary.
    pub source: Option<Source>,
}

impl Generator {
    /// The text of article `i`, in the dated format.
    pub fn article(&self, i: u64) -> String {
        let mut rng = Rng::for_article(self.seed, i);
        // 1950-01-01 .. 2025-12-31: 27,759 days.
        let day = rng.below(27_759) as i64;
        let date = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date")
            + chrono::Duration::days(day);
        let vocab = vocabulary_at(i);
        let mut text = format!(" date {date} ");
        match &self.source {
            Some(src) => {
                let count = src.counts[rng.below(src.counts.len() as u64) as usize];
                for p in 0..count {
                    if p > 0 {
                        text.push_str("\n\n");
                    }
                    let para = &src.paragraphs[rng.below(src.paragraphs.len() as u64) as usize];
                    for (w, word) in para.split(' ').enumerate() {
                        if w > 0 {
                            text.push(' ');
                        }
                        text.push_str(word);
                        if rng.below(INSERT_EVERY) == 0 {
                            text.push(' ');
                            push_capitalised(&mut text, &synthetic_word(rng.zipf(vocab)));
                        }
                    }
                }
            }
            None => {
                let paragraphs = 2 + rng.below(7);
                for p in 0..paragraphs {
                    if p > 0 {
                        text.push_str("\n\n");
                    }
                    let sentences = 1 + rng.below(4);
                    for s in 0..sentences {
                        if s > 0 {
                            text.push(' ');
                        }
                        let words = 6 + rng.below(20);
                        for w in 0..words {
                            let word = word_of_rank(rng.zipf(vocab));
                            if w == 0 {
                                push_capitalised(&mut text, &word);
                            } else {
                                text.push(' ');
                                text.push_str(&word);
                            }
                        }
                        text.push('.');
                    }
                }
            }
        }
        text.push('\n');
        text
    }

    /// Where article `i` goes under `out`: folders of 1,000 files.
    pub fn path(out: &Path, i: u64) -> PathBuf {
        out.join(format!("{:04}", i / 1000))
            .join(format!("{i:07}.txt"))
    }

    /// Writes articles `0..n` under `out`, in parallel; returns the bytes written.
    pub fn write(&self, out: &Path, n: u64) -> std::io::Result<u64> {
        use rayon::prelude::*;
        (0..n.div_ceil(1000))
            .into_par_iter()
            .map(|folder| {
                std::fs::create_dir_all(out.join(format!("{folder:04}")))?;
                let mut bytes = 0;
                for i in folder * 1000..((folder + 1) * 1000).min(n) {
                    let text = self.article(i);
                    bytes += text.len() as u64;
                    std::fs::write(Self::path(out, i), text)?;
                }
                Ok(bytes)
            })
            .sum()
    }
}

impl Generator {
    /// Article `i` as one JSON Lines record: `id`, `date` and `text` (the same date and
    /// paragraphs as [`Generator::article`], blank lines between paragraphs); with `meta`, also
    /// a `title` (the first words), an `author` (one of 500, Zipf-distributed) and a `source`
    /// (one of 40), drawn apart from the text so the text is the same either way.
    pub fn record(&self, i: u64, meta: bool) -> String {
        let text = self.article(i);
        let (date, body) = text
            .strip_prefix(" date ")
            .and_then(|t| t.split_once(' '))
            .expect("the dated format");
        let mut rec = serde_json::json!({
            "id": i,
            "date": date,
            "text": body.trim_end(),
        });
        if meta {
            let mut rng = Rng::for_article(self.seed ^ 0x6d65_7461, i);
            let title: Vec<&str> = body.split_whitespace().take(6).collect();
            rec["title"] = title.join(" ").into();
            rec["author"] = format!("Author {}", rng.zipf(500)).into();
            rec["source"] = format!("source{}.example", rng.zipf(40)).into();
        }
        let mut line = rec.to_string();
        line.push('\n');
        line
    }

    /// Writes records `0..n` to one JSON Lines file, in order (generated in parallel, 10,000
    /// at a time); returns the bytes written.
    pub fn write_jsonl(&self, out: &Path, n: u64, meta: bool) -> std::io::Result<u64> {
        use rayon::prelude::*;
        use std::io::Write;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
        let mut bytes = 0;
        for start in (0..n).step_by(10_000) {
            let chunk: Vec<String> = (start..(start + 10_000).min(n))
                .into_par_iter()
                .map(|i| self.record(i, meta))
                .collect();
            for line in chunk {
                bytes += line.len() as u64;
                file.write_all(line.as_bytes())?;
            }
        }
        file.flush()?;
        Ok(bytes)
    }
}

fn push_capitalised(text: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        text.extend(c.to_uppercase());
        text.push_str(chars.as_str());
    }
}
