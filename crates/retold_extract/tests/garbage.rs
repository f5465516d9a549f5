//! Property test: arbitrary bytes and arbitrary tag soup never panic and keep the range
//! invariants.

use proptest::prelude::*;
use retold_extract::{extract, ExtractOptions};

fn check(bytes: &[u8]) {
    if let Ok(page) = extract(bytes, &ExtractOptions::default()) {
        let mut ranges: Vec<_> = page.body.iter().chain(&page.boilerplate).cloned().collect();
        ranges.sort_by_key(|r| r.start);
        let mut last = 0;
        for r in ranges {
            assert!(r.start >= last && r.end <= page.text.len());
            assert!(page.text.is_char_boundary(r.start) && page.text.is_char_boundary(r.end));
            last = r.end;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        check(&bytes);
    }

    #[test]
    fn tag_soup(parts in proptest::collection::vec(prop_oneof![
        Just("<p>".to_string()), Just("</p>".to_string()), Just("<div class=\"comment\">".to_string()),
        Just("</div>".to_string()), Just("<a href=x>".to_string()), Just("</a>".to_string()),
        Just("<br>".to_string()), Just("<script>".to_string()), Just("<table><tr><td>".to_string()),
        Just("<meta charset=\"bogus\">".to_string()), Just("<article>".to_string()),
        "[a-zA-Z ,.é中]{0,40}",
    ], 0..60)) {
        check(parts.concat().as_bytes());
    }
}
