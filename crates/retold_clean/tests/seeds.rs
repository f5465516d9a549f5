//! The motivating pair (`../shared/seeds`): with structural cues alone, every chrome line of
//! both seeds is marked and no article text is.
//!
//! Each seed's text is split into listed items, chrome and article, that together cover every
//! non-space character of the file, so nothing goes unchecked. Spans are mapped back to the
//! original text (code point offsets) through the normaliser's offset map, as the pipeline
//! does.

use retold_clean::{spans, CorpusModel, Reason};
use std::path::{Path, PathBuf};

/// Finds `shared/seeds`: `$RETOLD_SEEDS` if set, else `../../../shared/seeds` from this crate,
/// else a `shared/seeds` beside any ancestor of the crate directory.
fn seeds_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("RETOLD_SEEDS") {
        return PathBuf::from(p);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let direct = manifest.join("../../../shared/seeds");
    if direct.is_dir() {
        return direct;
    }
    for anc in manifest.ancestors() {
        for cand in [anc.join("shared/seeds"), anc.join("../shared/seeds")] {
            if cand.is_dir() {
                return cand;
            }
        }
    }
    panic!(
        "seed texts not found: expected {} (or set RETOLD_SEEDS to the seeds directory)",
        direct.display()
    );
}

fn read_seed(prefix: &str) -> String {
    let dir = seeds_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read seeds directory {}: {e}", dir.display()));
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && name.ends_with(".txt") {
            return std::fs::read_to_string(e.path())
                .unwrap_or_else(|err| panic!("cannot read {}: {err}", e.path().display()));
        }
    }
    panic!("no seed file {prefix}*.txt in {}", dir.display());
}

/// How an item is found in the text.
enum Find {
    /// Exactly this text (every occurrence).
    Exact(&'static str),
    /// The whole line starting with this text (every occurrence).
    Line(&'static str),
}

/// Chrome (with the reason expected) or article text.
enum Item {
    Chrome(Find, Reason),
    Article(Find),
}
use Find::*;
use Item::*;

/// Code point ranges of the item's occurrences in `text`.
fn occurrences(text: &str, f: &Find) -> Vec<(usize, usize)> {
    let needle = match f {
        Exact(s) | Line(s) => *s,
    };
    let mut out = Vec::new();
    for (b, _) in text.match_indices(needle) {
        let end = match f {
            Exact(s) => b + s.len(),
            Line(_) => text[b..].find('\n').map_or(text.len(), |p| b + p),
        };
        let cs = text[..b].chars().count();
        let ce = cs + text[b..end].chars().count();
        out.push((cs, ce));
    }
    assert!(!out.is_empty(), "item not found in the seed: {needle:?}");
    out
}

fn check(prefix: &str, items: &[Item]) {
    let raw = read_seed(prefix);
    let norm = retold_text::normalize(&raw);
    let t = norm.text();
    let marked: Vec<(usize, usize, Reason, String)> = spans(t, None, &CorpusModel::empty())
        .into_iter()
        .map(|s| {
            let (a, b) = norm.to_original(s.start, s.end);
            (a, b, s.reason, t[s.start..s.end].to_string())
        })
        .collect();
    let chars: Vec<char> = raw.chars().collect();
    let mut listed = vec![false; chars.len()];
    let mut failures = Vec::new();
    for item in items {
        let (find, chrome) = match item {
            Chrome(f, r) => (f, Some(*r)),
            Article(f) => (f, None),
        };
        for (s, e) in occurrences(&raw, find) {
            for slot in &mut listed[s..e] {
                *slot = true;
            }
            let shown: String = chars[s..e].iter().collect();
            match chrome {
                Some(reason) => {
                    // Every non-space char of the item lies in a span, and the span holding its
                    // first non-space char has the expected reason.
                    let first = (s..e).find(|&i| !chars[i].is_whitespace()).unwrap_or(s);
                    let uncovered = (s..e).any(|i| {
                        !chars[i].is_whitespace()
                            && !marked.iter().any(|(a, b, _, _)| *a <= i && i < *b)
                    });
                    let got = marked
                        .iter()
                        .find(|(a, b, _, _)| *a <= first && first < *b)
                        .map(|m| m.2);
                    if uncovered {
                        failures.push(format!("chrome not (fully) marked: {shown:?}"));
                    } else if got != Some(reason) {
                        failures.push(format!(
                            "chrome {shown:?} marked as {got:?}, expected {reason:?}"
                        ));
                    }
                }
                None => {
                    for (a, b, r, text) in &marked {
                        if *a < e && s < *b {
                            failures.push(format!(
                                "article text {shown:?} overlaps a {r:?} span {text:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    for (i, c) in chars.iter().enumerate() {
        if !c.is_whitespace() && !listed[i] {
            let line_start = raw[..raw.char_indices().nth(i).map_or(raw.len(), |x| x.0)]
                .rfind('\n')
                .map_or(0, |p| p + 1);
            let line = raw[line_start..].lines().next().unwrap_or("");
            failures.push(format!("seed line not listed in the test: {line:?}"));
            break;
        }
    }
    assert!(
        failures.is_empty(),
        "seed {prefix}: {} problem(s):\n  {}\nspans found:\n  {}",
        failures.len(),
        failures.join("\n  "),
        marked
            .iter()
            .map(|(a, b, r, t)| format!("{a}..{b} {r:?} {t:?}"))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn seed_000_repost_chrome_is_marked_and_article_is_not() {
    check(
        "000_",
        &[
            Article(Line("NATO relations with Russia at")),
            Article(Line(
                "Secretary General of the North Atlantic Treaty Organization",
            )),
            Article(Line(
                "Stoltenberg made this statement as the defense ministers",
            )),
            Article(Line("Tensions have run high between Russia and NATO")),
            Article(Line(
                "Speaking to reporters on Thursday, Stoltenberg said he regretted",
            )),
            Article(Line(
                "However, the NATO secretary general said this difficult situation",
            )),
            Article(Line(
                "Stoltenberg also said NATO is undergoing a transformation process",
            )),
            Article(Line("NATO also discussed the issue of Afghanistan")),
            Article(Line("\u{201C}The lessons learned from the process")),
            Article(Line("Speaking to reporters on Wednesday (20/10)")),
            Article(Exact(
                "Stoltenberg said NATO allies and partners managed to get more than 120,000 \
                 people out of Afghanistan and would continue to work to evacuate many more.",
            )),
            Chrome(Exact("[em/lt]"), Reason::EditorTag),
            Chrome(Line("Check Also"), Reason::Teaser),
            Chrome(
                Line("China\u{2019}s Military Power Is Expected To Overtake"),
                Reason::Teaser,
            ),
            Chrome(
                Line("A US military general warned that it was only a matter of time"),
                Reason::Teaser,
            ),
            Chrome(Line("Leave a Reply"), Reason::CommentForm),
            Chrome(
                Line("Your email address will not be published."),
                Reason::CommentForm,
            ),
        ],
    );
}

#[test]
fn seed_001_original_chrome_is_marked_and_article_is_not() {
    check(
        "001_",
        &[
            Chrome(Line("Accessibility links"), Reason::Navigation),
            Chrome(Line("Breaking News"), Reason::Navigation),
            Article(Line(
                "NATO Chief Says Relations With Russia at Their Lowest Since Cold War",
            )),
            // The photo caption, printed twice.
            Chrome(
                Line("NATO Secretary General Jens Stoltenberg, left, speaks with"),
                Reason::DuplicateLine,
            ),
            Article(Line(
                "NATO Secretary General Jens Stoltenberg said Thursday relations",
            )),
            Article(Line(
                "Stoltenberg made the comments as NATO defense ministers",
            )),
            Article(Line(
                "Tensions have risen between Russia and NATO over recent weeks",
            )),
            Article(Line(
                "Speaking to reporters Thursday, Stoltenberg said he regretted",
            )),
            Article(Line("But the NATO chief said this difficult situation")),
            Article(Line(
                "Stoltenberg also said NATO is going through a transformation",
            )),
            Article(Line("NATO allies will also address Afghanistan")),
            Article(Line("\"The 'lessons learned' process")),
            Article(Line(
                "Speaking to reporters on Wednesday, the NATO chief said",
            )),
            Article(Line(
                "Stoltenberg said NATO allies and partners were able to get",
            )),
            Article(Line(
                "Some information for this report came from the Associated Press, Reuters, and \
                 Agence France-Presse.",
            )),
            Chrome(Line("  \u{2022} 16x9 Image"), Reason::Caption),
            Chrome(Line("    VOA News"), Reason::Sidebar),
            Chrome(
                Line("    The Voice of America provides news"),
                Reason::Sidebar,
            ),
            Chrome(Line("XS"), Reason::Navigation),
            Chrome(Line("SM"), Reason::Navigation),
            Chrome(Line("MD"), Reason::Navigation),
            Chrome(Line("LG"), Reason::Navigation),
        ],
    );
}
