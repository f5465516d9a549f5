//! Main-text extraction over arbitrary bytes.
//!
//! Invariants: no panic; `body` and `boilerplate` are byte ranges of `text` on char
//! boundaries, sorted and non-overlapping (each list, and both together), and together they
//! cover `text` but for the `"\n\n"` separators between blocks; `article` is the body ranges'
//! text joined with `"\n\n"`; their code point ranges (`Page::char_ranges`) are sorted ranges
//! of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retold_extract::{extract, ExtractOptions};
use retold_fuzz::{check_byte_ranges, check_char_ranges};

fuzz_target!(|data: &[u8]| {
    let page = match extract(data, &ExtractOptions::default()) {
        Ok(page) => page,
        // Only a gzip stream with nothing readable in it is refused (the default limit is
        // far above libFuzzer's input sizes).
        Err(retold_extract::ExtractError::Gzip(_)) => {
            assert!(
                data.starts_with(&[0x1f, 0x8b]),
                "gzip error without gzip magic"
            );
            return;
        }
        Err(e) => panic!("unexpected error: {e}"),
    };
    let text = &page.text;
    check_byte_ranges(text, &page.body, "body");
    check_byte_ranges(text, &page.boilerplate, "boilerplate");
    let mut all: Vec<_> = page.body.iter().chain(&page.boilerplate).cloned().collect();
    all.sort_by_key(|r| (r.start, r.end));
    check_byte_ranges(text, &all, "body and boilerplate");

    // Coverage: outside the ranges there are only the separators between them.
    let mut at = 0;
    for (i, r) in all.iter().enumerate() {
        if i > 0 {
            assert_eq!(
                &text[at..r.start],
                "\n\n",
                "between ranges {:?} and {r:?}",
                all[i - 1]
            );
        } else {
            assert_eq!(r.start, 0, "text before the first range");
        }
        at = r.end;
    }
    assert_eq!(at, text.len(), "text after the last range");

    let joined: Vec<&str> = page.body.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(
        page.article,
        joined.join("\n\n"),
        "article is not the body's text"
    );

    let chars = text.chars().count();
    for ranges in [&page.body, &page.boilerplate] {
        let cr = page.char_ranges(ranges);
        check_char_ranges(&cr, chars, "char ranges");
        let bytes: usize = ranges.iter().map(|r| r.len()).sum();
        let counted: usize = ranges.iter().map(|r| text[r.clone()].chars().count()).sum();
        let got: usize = cr.iter().map(|[s, e]| e - s).sum();
        assert_eq!(got, counted, "char ranges of {bytes} bytes");
    }
});
