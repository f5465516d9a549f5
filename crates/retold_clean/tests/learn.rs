//! Corpus-learned boilerplate: recurring lines of distinct documents are learned, lines shared
//! only by copies of one article are not; per-source learning; batching does not matter.

use proptest::prelude::*;
use retold_clean::{line_keys, spans, CorpusModel, CorpusModelBuilder, LearnParams, Reason};

/// One document: id, source, text.
struct Doc {
    id: u32,
    source: &'static str,
    text: String,
    /// Documents with the same article number are near copies.
    article: u32,
}

fn article(n: u32) -> String {
    (0..6)
        .map(|p| {
            format!(
                "Paragraph {p} of story {n} reports that the council met on day {} and agreed \
                 on measure {} after a long debate.",
                n * 7 + p,
                n * 13 + p
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn site_chrome(site: &str) -> (String, String) {
    (
        format!("Welcome to the {site} daily portal for readers"),
        format!("Copyleft by the {site} collective, reuse with a link to the {site} portal"),
    )
}

fn doc(id: u32, source: &'static str, article_no: u32) -> Doc {
    let (head, foot) = site_chrome(source);
    Doc {
        id,
        source,
        text: format!("{head}\n\n{}\n\n{foot}\n", article(article_no)),
        article: article_no,
    }
}

fn keys(text: &str) -> Vec<u64> {
    line_keys(text).into_iter().map(|(_, k)| k).collect()
}

fn learn(docs: &[Doc], params: LearnParams) -> CorpusModel {
    let mut b = CorpusModelBuilder::new(params);
    for d in docs {
        b.observe(d.id, Some(d.source), &keys(&d.text));
    }
    let art: Vec<u32> = docs.iter().map(|d| d.article).collect();
    b.build(&|a, c| art[a as usize] == art[c as usize])
}

fn reason_of_line(model: &CorpusModel, source: Option<&str>, line: &str) -> Option<Reason> {
    let k = line_keys(line);
    assert_eq!(k.len(), 1);
    model.reason(source, k[0].1)
}

#[test]
fn copies_do_not_make_boilerplate_but_a_site_template_does() {
    // Article 0 copied onto five different sites; site "wire" runs three different articles.
    let docs = vec![
        doc(0, "alpha", 0),
        doc(1, "beta", 0),
        doc(2, "gamma", 0),
        doc(3, "delta", 0),
        doc(4, "epsilon", 0),
        doc(5, "wire", 1),
        doc(6, "wire", 2),
        doc(7, "wire", 3),
    ];
    let model = learn(&docs, LearnParams::default());

    // No line of the copied article is boilerplate, for any source.
    for (_, k) in line_keys(&article(0)) {
        assert_eq!(model.reason(None, k), None);
        assert_eq!(model.reason(Some("alpha"), k), None);
    }
    // The wire template recurs in three distinct articles.
    let (head, foot) = site_chrome("wire");
    assert_eq!(reason_of_line(&model, None, &head), Some(Reason::Recurring));
    assert_eq!(
        reason_of_line(&model, Some("wire"), &foot),
        Some(Reason::Recurring)
    );
    // Each other site's template occurs once.
    let (head, _) = site_chrome("alpha");
    assert_eq!(reason_of_line(&model, Some("alpha"), &head), None);

    // spans: the wire document gets its template marked, not its article.
    let d = &docs[5];
    let norm = retold_text::normalize(&d.text);
    let t = norm.text();
    let s = spans(t, Some(d.source), &model);
    let marked: Vec<&str> = s.iter().map(|s| &t[s.start..s.end]).collect();
    let (head, foot) = site_chrome("wire");
    assert_eq!(marked, vec![head.as_str(), foot.as_str()]);
    assert!(s.iter().all(|s| s.reason == Reason::Recurring));
    // The copies: nothing learned applies.
    let t0 = retold_text::normalize(&docs[0].text);
    assert!(spans(t0.text(), Some("alpha"), &model).is_empty());
}

#[test]
fn copies_plus_templates_in_the_same_documents() {
    // Five copies of article 0, all on site "wire", plus two other wire articles: the wire
    // template is in three groups (copies of 0, article 1, article 2), the article in one.
    let docs = vec![
        doc(0, "wire", 0),
        doc(1, "wire", 0),
        doc(2, "wire", 0),
        doc(3, "wire", 0),
        doc(4, "wire", 0),
        doc(5, "wire", 1),
        doc(6, "wire", 2),
    ];
    let model = learn(&docs, LearnParams::default());
    let (head, foot) = site_chrome("wire");
    assert_eq!(reason_of_line(&model, None, &head), Some(Reason::Recurring));
    assert_eq!(reason_of_line(&model, None, &foot), Some(Reason::Recurring));
    for (_, k) in line_keys(&article(0)) {
        assert_eq!(model.reason(Some("wire"), k), None);
    }
    // Only two groups when the other articles are dropped: not learned.
    let model = learn(&docs[..6], LearnParams::default());
    assert_eq!(reason_of_line(&model, None, &head), None);
    // ...but recurring within the source (two groups of "wire" documents).
    assert_eq!(
        reason_of_line(&model, Some("wire"), &head),
        Some(Reason::RecurringInSource)
    );
}

#[test]
fn per_source_recurring() {
    // The farm's footer in two different articles of the farm; another site's footer in two
    // copies of one article only.
    let docs = vec![
        doc(0, "farm", 1),
        doc(1, "farm", 2),
        doc(2, "mirror", 3),
        doc(3, "mirror", 3),
        doc(4, "other", 4),
    ];
    let model = learn(&docs, LearnParams::default());
    let (head, foot) = site_chrome("farm");
    assert_eq!(
        reason_of_line(&model, Some("farm"), &head),
        Some(Reason::RecurringInSource)
    );
    assert_eq!(
        reason_of_line(&model, Some("farm"), &foot),
        Some(Reason::RecurringInSource)
    );
    // Not corpus-wide, and not for another source or no source.
    assert_eq!(reason_of_line(&model, None, &head), None);
    assert_eq!(reason_of_line(&model, Some("other"), &head), None);
    // Copies within one source are not boilerplate.
    let (mhead, _) = site_chrome("mirror");
    assert_eq!(reason_of_line(&model, Some("mirror"), &mhead), None);
    for (_, k) in line_keys(&article(3)) {
        assert_eq!(model.reason(Some("mirror"), k), None);
    }
    assert_eq!(model.len(), 2);
}

#[test]
fn one_builder_per_document_merged_in_reverse() {
    let docs = vec![
        doc(0, "farm", 1),
        doc(1, "farm", 2),
        doc(2, "mirror", 3),
        doc(3, "mirror", 3),
        doc(4, "wire", 4),
        doc(5, "wire", 5),
        doc(6, "other", 6),
    ];
    let art: Vec<u32> = docs.iter().map(|d| d.article).collect();
    let mut builders: Vec<CorpusModelBuilder> = docs
        .iter()
        .map(|d| {
            let mut b = CorpusModelBuilder::new(LearnParams::default());
            b.observe(d.id, Some(d.source), &keys(&d.text));
            b
        })
        .collect();
    let mut merged = builders.pop().unwrap();
    while let Some(b) = builders.pop() {
        merged.merge(b);
    }
    let merged = merged.build(&|a, c| art[a as usize] == art[c as usize]);
    let one = learn(&docs, LearnParams::default());
    assert_eq!(one.len(), 4);
    assert_eq!(merged.len(), one.len());
    for d in &docs {
        for (_, k) in line_keys(&d.text) {
            for s in ["farm", "mirror", "wire", "other"] {
                assert_eq!(merged.reason(Some(s), k), one.reason(Some(s), k));
            }
        }
    }
    let (head, _) = site_chrome("wire");
    assert_eq!(
        reason_of_line(&merged, Some("wire"), &head),
        Some(Reason::RecurringInSource)
    );
}

#[test]
fn duplicate_keys_within_a_document_count_once() {
    let mut b = CorpusModelBuilder::new(LearnParams::default());
    b.observe(0, None, &[7, 7, 7]);
    b.observe(1, None, &[7]);
    let m = b.build(&|_, _| false);
    assert_eq!(m.reason(None, 7), None);
    let mut b = CorpusModelBuilder::new(LearnParams::default());
    for d in 0..3 {
        b.observe(d, None, &[7, 7]);
    }
    let m = b.build(&|_, _| false);
    assert_eq!(m.reason(None, 7), Some(Reason::Recurring));
}

#[test]
fn min_tokens_filters_learned_short_lines() {
    let params = LearnParams {
        min_tokens: 3,
        ..LearnParams::default()
    };
    let texts = [
        "Home\nStory one is here today.",
        "Home\nStory two is elsewhere now.",
        "Home\nStory three.\nHome",
    ];
    let mut b = CorpusModelBuilder::new(params);
    for (i, t) in texts.iter().enumerate() {
        b.observe(i as u32, None, &keys(t));
    }
    let m = b.build(&|_, _| false);
    assert_eq!(m.len(), 1);
    // Learned, but too short to mark ("Home" is a cue anyway; use a neutral line).
    let mut b = CorpusModelBuilder::new(params);
    for (i, t) in ["Zebra\nA.", "Zebra\nB.", "Zebra\nC."].iter().enumerate() {
        b.observe(i as u32, None, &keys(t));
    }
    let m = b.build(&|_, _| false);
    assert_eq!(m.len(), 1);
    assert!(spans("Zebra\nA.", None, &m).is_empty());
}

#[test]
fn empty_model() {
    let m = CorpusModel::empty();
    assert!(m.is_empty());
    assert_eq!(m.len(), 0);
    assert_eq!(m.reason(Some("x"), 1), None);
}

#[test]
fn same_text_is_asked_about_sampled_pairs_only() {
    use std::cell::Cell;
    let params = LearnParams {
        max_sample: 4,
        min_groups_long: 3,
        ..LearnParams::default()
    };
    let mut b = CorpusModelBuilder::new(params);
    for d in 0..1000 {
        b.observe(d, None, &[1]);
    }
    let calls = Cell::new(0);
    let m = b.build(&|a, c| {
        calls.set(calls.get() + 1);
        assert!(a < c && c < 4);
        true
    });
    assert_eq!(m.reason(None, 1), None);
    assert!(calls.get() <= 6);
}

/// A deterministic, symmetric "near copy" relation for random corpora.
fn same(art: &[u32], a: u32, b: u32) -> bool {
    art[a as usize] == art[b as usize]
}

fn all_keys_reasons(m: &CorpusModel, keys: &[u64], sources: &[&str]) -> Vec<Option<Reason>> {
    let mut out = Vec::new();
    for &k in keys {
        out.push(m.reason(None, k));
        for s in sources {
            out.push(m.reason(Some(s), k));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Splitting the documents into batches (and merging in any order) gives the same model as
    /// one builder over all of them.
    #[test]
    fn merge_equals_one_builder(
        docs in prop::collection::vec(
            (0usize..3, 0u32..6, prop::collection::vec(0u64..12, 0..8)),
            1..60,
        ),
        cuts in prop::collection::vec(0usize..60, 0..5),
        max_sample in 2usize..6,
        reverse in any::<bool>(),
    ) {
        const SOURCES: [&str; 3] = ["a", "b", "c"];
        let params = LearnParams { max_sample, min_groups: 3, min_groups_in_source: 2, min_tokens: 1, ..LearnParams::default() };
        let art: Vec<u32> = docs.iter().map(|d| d.1).collect();

        let mut one = CorpusModelBuilder::new(params);
        for (i, (s, _, k)) in docs.iter().enumerate() {
            one.observe(i as u32, Some(SOURCES[*s]), k);
        }
        let one = one.build(&|a, b| same(&art, a, b));

        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(docs.len())).collect();
        cuts.push(0);
        cuts.push(docs.len());
        cuts.sort_unstable();
        let mut builders: Vec<CorpusModelBuilder> = cuts
            .windows(2)
            .map(|w| {
                let mut b = CorpusModelBuilder::new(params);
                for (i, (s, _, k)) in docs.iter().enumerate().take(w[1]).skip(w[0]) {
                    b.observe(i as u32, Some(SOURCES[*s]), k);
                }
                b
            })
            .collect();
        if reverse {
            builders.reverse();
        }
        let mut it = builders.into_iter();
        let mut merged = it.next().unwrap();
        for b in it {
            merged.merge(b);
        }
        prop_assert_eq!(merged.docs(), docs.len() as u64);
        let merged = merged.build(&|a, b| same(&art, a, b));

        let keys: Vec<u64> = (0..12).collect();
        prop_assert_eq!(one.len(), merged.len());
        prop_assert_eq!(
            all_keys_reasons(&one, &keys, &SOURCES),
            all_keys_reasons(&merged, &keys, &SOURCES)
        );
    }
}

#[test]
fn long_lines_need_wider_recurrence() {
    // A 30-token paragraph quoted by two other articles: three otherwise different documents.
    let para = (0..30)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let docs = [
        format!("{para}\nsource article body one two three"),
        format!("host a intro words here\n{para}\nhost a more"),
        format!("host b other intro\n{para}\nhost b tail"),
    ];
    let mut b = CorpusModelBuilder::new(LearnParams::default());
    for (i, d) in docs.iter().enumerate() {
        let keys: Vec<u64> = line_keys(d).into_iter().map(|(_, k)| k).collect();
        b.observe(i as u32, None, &keys);
    }
    let m = b.build(&|_, _| false);
    let marked = spans(&docs[1], None, &m);
    assert!(
        marked.is_empty(),
        "a quoted paragraph is reuse, not boilerplate: {marked:?}"
    );
}
