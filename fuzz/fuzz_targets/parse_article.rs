//! The dated-format parser on arbitrary bytes: it never panics, an error names a line inside
//! the file, and an accepted article written back in the dated format parses to itself.
#![no_main]

use dateline::article;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match article::parse_bytes(data) {
        Err(e) => {
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
        }
        Ok(a) => {
            assert!(!a.paragraphs.is_empty());
            for p in &a.paragraphs {
                assert!(!p.is_empty() && !p.contains('\n'), "{p:?}");
                assert_eq!(p.trim(), p, "untrimmed paragraph");
            }
            let text = format!(
                " date {} {}",
                a.date.format("%Y-%m-%d"),
                a.paragraphs.join("\n\n")
            );
            let again = article::parse(&text).expect("a written-back article parses");
            assert_eq!(again.date, a.date);
            assert_eq!(again.paragraphs, a.paragraphs);
        }
    }
});
