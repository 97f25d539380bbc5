//! The dated article format: ` date YYYY-MM-DD first paragraph`, then paragraphs separated by
//! blank lines.
//!
//! The parser accepts exactly the seed's shape and is lenient where real files vary: a UTF-8 BOM,
//! CRLF line ends, no leading space before `date`, trailing spaces, blank lines before the date
//! line or several between paragraphs, a trailing newline or none, and the first paragraph on the
//! line after the date instead of on the date line. A paragraph spread over several lines is joined
//! with single spaces.

use chrono::NaiveDate;
use std::fmt;

/// One parsed article: its date and its paragraphs, in order, each non-empty and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The date from the date line.
    pub date: NaiveDate,
    /// The paragraphs, in order; never empty.
    pub paragraphs: Vec<String>,
    /// The 1-based line the date is on, for messages about the date.
    pub date_line: usize,
    /// What a records file says of the article beside its text (empty for a dated file).
    pub meta: Meta,
}

/// An article's metadata, as records files (JSON Lines, CSV) give it: none of it is required,
/// and a dated text file has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// The title or headline.
    pub title: Option<String>,
    /// The authors, in the order given.
    pub authors: Vec<String>,
    /// The outlet: a newspaper, a site, a collection.
    pub source: Option<String>,
    /// Where the article was published.
    pub url: Option<String>,
}

/// Why a file is not a valid dated article, and on which line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}: {kind}")]
pub struct ParseError {
    /// The 1-based line the problem is on.
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The kinds of parse failure, so callers can tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The file is empty or holds only white space.
    Empty,
    /// The first non-blank line does not start with `date`.
    NoDateLine,
    /// `date` is followed by something that is not `YYYY-MM-DD`.
    BadDateFormat(String),
    /// A well-formed date that does not exist on the calendar, such as `2016-02-30`.
    ImpossibleDate(String),
    /// A date line but no paragraph text.
    NoText,
    /// Bytes that are not UTF-8, at this byte offset in the file.
    InvalidUtf8 { offset: usize },
    /// A NUL byte: the file is binary, not text.
    Binary,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Empty => write!(f, "empty file (expected a ` date YYYY-MM-DD` line)"),
            ParseErrorKind::NoDateLine => {
                write!(
                    f,
                    "expected a date line (` date YYYY-MM-DD first paragraph`)"
                )
            }
            ParseErrorKind::BadDateFormat(s) => {
                write!(f, "invalid date {s:?} (expected YYYY-MM-DD)")
            }
            ParseErrorKind::ImpossibleDate(s) => write!(f, "impossible date {s}"),
            ParseErrorKind::NoText => write!(f, "no paragraph text after the date line"),
            ParseErrorKind::InvalidUtf8 { offset } => {
                write!(f, "not UTF-8 text (invalid byte at offset {offset})")
            }
            ParseErrorKind::Binary => write!(f, "binary file (contains a NUL byte)"),
        }
    }
}

fn err(line: usize, kind: ParseErrorKind) -> ParseError {
    ParseError { line, kind }
}

/// Parses raw file bytes: rejects binary and non-UTF-8 content, then parses the text.
pub fn parse_bytes(bytes: &[u8]) -> Result<Article, ParseError> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(err(line_of(bytes, pos), ParseErrorKind::Binary));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let offset = e.valid_up_to();
            Err(err(
                line_of(bytes, offset),
                ParseErrorKind::InvalidUtf8 { offset },
            ))
        }
    }
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Parses an article from text.
pub fn parse(text: &str) -> Result<Article, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Err(err(1, ParseErrorKind::Binary));
    }
    // `lines()` drops a final `\r\n` or `\n` and the `\r` of CRLF ends.
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));

    let (date_line_no, date_line) = loop {
        match lines.next() {
            None => return Err(err(1, ParseErrorKind::Empty)),
            Some((_, l)) if l.trim().is_empty() => continue,
            Some(found) => break found,
        }
    };
    let (date, first_text) = parse_date_line(date_line).map_err(|k| err(date_line_no, k))?;

    let mut paragraphs = Vec::new();
    let mut current = String::new();
    push_words(&mut current, first_text);
    for (_, line) in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            push_words(&mut current, line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    if paragraphs.is_empty() {
        return Err(err(date_line_no, ParseErrorKind::NoText));
    }
    Ok(Article {
        date,
        paragraphs,
        date_line: date_line_no,
        meta: Meta::default(),
    })
}

/// Appends one line of a paragraph, trimmed, joined to what came before by a single space.
fn push_words(paragraph: &mut String, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    if !paragraph.is_empty() {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
}

/// Splits ` date YYYY-MM-DD rest` into the date and the rest of the line.
fn parse_date_line(line: &str) -> Result<(NaiveDate, &str), ParseErrorKind> {
    let line = line.trim_start();
    let after = line
        .strip_prefix("date")
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        .ok_or(ParseErrorKind::NoDateLine)?
        .trim_start();
    let end = after.find(char::is_whitespace).unwrap_or(after.len());
    let (token, rest) = after.split_at(end);
    if token.is_empty() {
        return Err(ParseErrorKind::BadDateFormat(String::new()));
    }
    let date = parse_iso_date(token)?;
    Ok((date, rest))
}

/// Parses a strict `YYYY-MM-DD` date, telling a malformed one from an impossible one.
pub fn parse_iso_date(token: &str) -> Result<NaiveDate, ParseErrorKind> {
    let b = token.as_bytes();
    let well_formed = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !well_formed {
        return Err(ParseErrorKind::BadDateFormat(token.to_string()));
    }
    let num = |r: std::ops::Range<usize>| token[r].parse::<u32>().unwrap_or(0);
    NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
        .ok_or_else(|| ParseErrorKind::ImpossibleDate(token.to_string()))
}

/// An article in the dated format: ` date YYYY-MM-DD first paragraph`, then each further
/// paragraph after a blank line. [`parse`] reads it back to the same date and paragraphs.
pub fn write(date: &str, paragraphs: &[String]) -> String {
    format!(" date {date} {}", paragraphs.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn seed_shape() {
        let a = parse(" date 2016-09-17 First para.\n\nSecond para.\n\nThird.").unwrap();
        let written = write("2016-09-17", &a.paragraphs);
        assert_eq!(
            written,
            " date 2016-09-17 First para.\n\nSecond para.\n\nThird."
        );
        assert_eq!(parse(&written).unwrap().paragraphs, a.paragraphs);
        assert_eq!(a.date, d("2016-09-17"));
        assert_eq!(a.paragraphs, vec!["First para.", "Second para.", "Third."]);
    }

    #[test]
    fn the_real_seed_file() {
        let bytes = include_bytes!("../corpus/2016-09-17-aleppo-aid-caravans.txt");
        let a = parse_bytes(bytes).unwrap();
        assert_eq!(a.date, d("2016-09-17"));
        assert_eq!(a.paragraphs.len(), 9);
        assert!(a.paragraphs[0].starts_with("While Russia and the US"));
        assert!(a.paragraphs[3].contains("Moscow\u{2019}s foreign policy"));
        assert_eq!(
            a.paragraphs[8],
            "If this bus drives away there may no other service."
        );
    }

    #[test]
    fn lenient_bom_crlf_no_leading_space_trailing_spaces() {
        let a = parse("\u{feff}date 2020-01-02 One.  \r\n\r\nTwo. \r\n").unwrap();
        assert_eq!(a.date, d("2020-01-02"));
        assert_eq!(a.paragraphs, vec!["One.", "Two."]);
    }

    #[test]
    fn lenient_many_blank_lines_and_blank_lines_with_spaces() {
        let a = parse(" date 2020-01-02 One.\n\n\n  \n\t\nTwo.\n\n\n").unwrap();
        assert_eq!(a.paragraphs, vec!["One.", "Two."]);
    }

    #[test]
    fn first_paragraph_on_the_next_line() {
        let a = parse(" date 2020-01-02\nOne.\n\nTwo.").unwrap();
        assert_eq!(a.paragraphs, vec!["One.", "Two."]);
        let a = parse(" date 2020-01-02   \n\nOne.").unwrap();
        assert_eq!(a.paragraphs, vec!["One."]);
    }

    #[test]
    fn wrapped_lines_join_into_one_paragraph() {
        let a = parse(" date 2020-01-02 One\ncontinues\n\nTwo").unwrap();
        assert_eq!(a.paragraphs, vec!["One continues", "Two"]);
    }

    #[test]
    fn no_trailing_newline_and_leading_blank_lines() {
        let a = parse("\n\n date 1999-12-31 Only.").unwrap();
        assert_eq!(a.date, d("1999-12-31"));
        assert_eq!(a.paragraphs, vec!["Only."]);
        assert_eq!(a.date_line, 3);
    }

    #[test]
    fn rejects_missing_date_line() {
        let e = parse("Just some text\n\nmore").unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(e.kind, ParseErrorKind::NoDateLine);
        // `dated` is not `date`.
        assert_eq!(
            parse("dated 2016-01-01 x").unwrap_err().kind,
            ParseErrorKind::NoDateLine
        );
    }

    #[test]
    fn date_line_in_the_middle_names_line_one() {
        let e = parse("Intro text.\n\n date 2016-09-17 Later.").unwrap_err();
        assert_eq!((e.line, e.kind), (1, ParseErrorKind::NoDateLine));
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "2016-02-30",
            "2016-13-01",
            "2015-02-29",
            "2016-00-10",
            "2016-04-31",
        ] {
            let e = parse(&format!(" date {bad} text")).unwrap_err();
            assert_eq!(e.kind, ParseErrorKind::ImpossibleDate(bad.into()), "{bad}");
            assert_eq!(e.line, 1);
        }
        assert!(parse(" date 2016-02-29 leap day").is_ok());
    }

    #[test]
    fn rejects_other_date_formats() {
        for bad in [
            "17/09/2016",
            "2016-9-17",
            "20160917",
            "2016-09-17T10:00",
            "date",
        ] {
            let e = parse(&format!(" date {bad} text")).unwrap_err();
            assert!(
                matches!(e.kind, ParseErrorKind::BadDateFormat(_)),
                "{bad}: {e:?}"
            );
        }
        let e = parse(" date").unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::BadDateFormat(_)));
    }

    #[test]
    fn reports_the_line_of_a_late_date_line() {
        let e = parse("\n\n date 2016-02-30 x").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn rejects_no_text() {
        let e = parse(" date 2016-09-17\n\n   \n").unwrap_err();
        assert_eq!((e.line, e.kind), (1, ParseErrorKind::NoText));
        assert_eq!(
            parse(" date 2016-09-17").unwrap_err().kind,
            ParseErrorKind::NoText
        );
    }

    #[test]
    fn rejects_empty_and_whitespace_only() {
        assert_eq!(parse("").unwrap_err().kind, ParseErrorKind::Empty);
        assert_eq!(
            parse(" \n\t\n\r\n").unwrap_err().kind,
            ParseErrorKind::Empty
        );
        assert_eq!(parse_bytes(b"").unwrap_err().kind, ParseErrorKind::Empty);
    }

    #[test]
    fn rejects_invalid_utf8_with_line() {
        let e = parse_bytes(b" date 2016-09-17 ok\n\nbad \xff byte").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.kind, ParseErrorKind::InvalidUtf8 { offset: 25 });
    }

    #[test]
    fn rejects_binary() {
        let e = parse_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Binary);
        let e = parse_bytes(b" date 2016-09-17 a\n\nnul\0here").unwrap_err();
        assert_eq!((e.line, e.kind), (3, ParseErrorKind::Binary));
    }

    #[test]
    fn keeps_unicode_text() {
        let a = parse(" date 2016-09-17 مرحبا بالعالم\n\n東京の天気").unwrap();
        assert_eq!(a.paragraphs, vec!["مرحبا بالعالم", "東京の天気"]);
    }

    #[test]
    fn error_display_is_line_then_reason() {
        let e = parse(" date 2016-02-30 x").unwrap_err();
        assert_eq!(e.to_string(), "1: impossible date 2016-02-30");
    }
}
