//! Structural cues on small documents: what is marked, what is not.

use proptest::prelude::*;
use retold_clean::{cue_spans, spans, CorpusModel, Reason, Span};

/// The marked texts with their reasons (normalising first, as the pipeline does).
fn marked(raw: &str) -> Vec<(String, Reason)> {
    let n = retold_text::normalize(raw);
    let t = n.text();
    cue_spans(t)
        .into_iter()
        .map(|s| (t[s.start..s.end].to_string(), s.reason))
        .collect()
}

fn m(s: &str, r: Reason) -> (String, Reason) {
    (s.to_string(), r)
}

const PLAIN: &str = "City council approves new budget after long debate

WASHINGTON (AP) - The city council on Tuesday approved a budget of $4.2 billion, ending weeks of debate over school funding and road repairs.

\"We did what we had to do,\" council president Maria Lopez told reporters. \"Nobody got everything they wanted.\"

Search teams found the missing hikers on Monday, officials said, after a three-day effort in the mountains.

The plan includes:
- more money for schools
- repairs to the main bridge
- a new bus line

Back to School

Parents said they were relieved. Some said the cuts went too far... Others disagreed.

The vote was 7-2. Council members may change the plan (and/or its timing) next year.

Share prices rose 3% on the news.

Photo opportunities were rare at the closed-door meeting, which lasted until midnight.

Copyright law changed in 1998, when the council last debated the matter at length.

Q: Who is affected?
A: Everyone who files a tax return.

In short
Yes
No
Maybe
";

#[test]
fn plain_article_has_no_cues() {
    assert_eq!(marked(PLAIN), vec![]);
    assert!(spans(PLAIN, Some("news.example"), &CorpusModel::empty()).is_empty());
}

#[test]
fn plain_articles_in_other_languages_have_no_cues() {
    let es = "El consejo aprueba el presupuesto\n\nEl consejo de la ciudad aprobó el martes un presupuesto de 4.200 millones.\n\nLos vecinos dijeron que estaban satisfechos con el resultado.";
    let fr = "Le conseil adopte le budget\n\nLe conseil municipal a adopté mardi un budget de 4,2 milliards.\n\n« Nous avons fait ce qu'il fallait », a déclaré la présidente.";
    let zh = "市议会通过新预算\n\n市议会周二通过了四十二亿美元的预算。";
    for t in [es, fr, zh] {
        assert_eq!(marked(t), vec![], "{t}");
    }
}

#[test]
fn navigation_share_and_notices() {
    let t = "Skip to main content\nMain Menu\nSIGN IN\nStory headline here\n\nBody text of the story goes on for a while here.\n\nShare on Facebook\nTweet\nFollow us on Twitter\nTags: budget, council, city\nPrivacy Policy\n© 2024 Example Media. All rights reserved.\nCopyright 2024 Example Media\n";
    assert_eq!(
        marked(t),
        vec![
            m("Skip to main content", Reason::Navigation),
            m("Main Menu", Reason::Navigation),
            m("SIGN IN", Reason::Navigation),
            m("Share on Facebook", Reason::Share),
            m("Tweet", Reason::Share),
            m("Follow us on Twitter", Reason::Share),
            m("Tags: budget, council, city", Reason::Navigation),
            m("Privacy Policy", Reason::Navigation),
            m(
                "© 2024 Example Media. All rights reserved.",
                Reason::Navigation
            ),
            m("Copyright 2024 Example Media", Reason::Navigation),
        ]
    );
}

#[test]
fn menu_lists_around_a_navigation_line() {
    let t = "Home\nNews\nSport\nBusiness\n\nStorm batters coast\n\n2 hours ago\nShare\nSave\n\nKey points\nRail services cancelled\nSchools closed\nFlood warnings in place\n\nBody text of the story goes on for a while here.";
    assert_eq!(
        marked(t),
        vec![
            m("Home", Reason::Navigation),
            m("News", Reason::Navigation),
            m("Sport", Reason::Navigation),
            m("Business", Reason::Navigation),
            m("2 hours ago", Reason::Navigation),
            m("Share", Reason::Share),
            m("Save", Reason::Navigation),
        ]
    );
}

#[test]
fn comment_forms() {
    let t = "Body text of the story goes on for a while here.\n\n3 Comments\nLeave a Comment\nYour email address will not be published. Required fields are marked *\nPost Comment\nDeja un comentario";
    assert_eq!(
        marked(t),
        vec![
            m("3 Comments", Reason::CommentForm),
            m("Leave a Comment", Reason::CommentForm),
            m(
                "Your email address will not be published. Required fields are marked *",
                Reason::CommentForm
            ),
            m("Post Comment", Reason::CommentForm),
            m("Deja un comentario", Reason::CommentForm),
        ]
    );
}

#[test]
fn teaser_blocks() {
    // Header + headline + snippet ending in an ellipsis.
    let t = "Body text.\n\nSee also\n\nAnother headline about things\n\nThe first words of another story that stops…\n\nMore body text that is not a teaser at all.";
    assert_eq!(
        marked(t),
        vec![
            m("See also", Reason::Teaser),
            m("Another headline about things", Reason::Teaser),
            m(
                "The first words of another story that stops...",
                Reason::Teaser
            ),
        ]
    );
    // Header + short headline, no snippet: the headline only.
    let t = "Body text.\n\nRelated Articles\nMayor resigns after scandal\nThe council met again on Friday and discussed the budget for a very long time, as it usually does.";
    assert_eq!(
        marked(t),
        vec![
            m("Related Articles", Reason::Teaser),
            m("Mayor resigns after scandal", Reason::Teaser),
        ]
    );
    // Header followed by a long paragraph: the header only.
    let t = "Recommended\n\nThe council met again on Friday and discussed the budget for a very long time, as it usually does every year in the spring.";
    assert_eq!(marked(t), vec![m("Recommended", Reason::Teaser)]);
    // Other languages, and "Read also: headline" on one line.
    let t = "Lire aussi\nUn autre titre\n\nRead also: Mayor resigns after scandal";
    assert_eq!(
        marked(t),
        vec![
            m("Lire aussi", Reason::Teaser),
            m("Un autre titre", Reason::Teaser),
            m("Read also: Mayor resigns after scandal", Reason::Teaser),
        ]
    );
}

#[test]
fn editor_tags() {
    let t = "First line of text ends here. [em/lt]\nSecond line (ab/cd)\nThird [jh]\nFourth.[xy/z]\nNot a tag (sic)\nNot a tag [AP]\nNot a tag (ab)\nNot a tag (and/or)\n[em/lt]";
    assert_eq!(
        marked(t),
        vec![
            m(" [em/lt]", Reason::EditorTag),
            m(" (ab/cd)", Reason::EditorTag),
            m(" [jh]", Reason::EditorTag),
            m("[xy/z]", Reason::EditorTag),
            m("[em/lt]", Reason::EditorTag),
        ]
    );
}

#[test]
fn duplicated_lines() {
    let t = "A caption about the picture shown above.\nA caption about the picture shown above.\n\nBody text.\n\nShort line\nShort line\n\nA CAPTION about the picture, shown above!";
    assert_eq!(
        marked(t),
        vec![
            m(
                "A caption about the picture shown above.",
                Reason::DuplicateLine
            ),
            m(
                "A caption about the picture shown above.",
                Reason::DuplicateLine
            ),
            m(
                "A CAPTION about the picture, shown above!",
                Reason::DuplicateLine
            ),
        ]
    );
}

#[test]
fn tiny_lines_and_menus() {
    let t = "A A A\n\nHome | World | Business | Tech\n\nNews » Europe » France\n\nShop › Men › Shoes\n\nTop ¦ Left ¦ Right\n\nA \"quote\" not » a menu\n\nBody text of the story goes on for a while here.\n\n1\n2\n3\n\nThe end.\n\nYes.\nNo.";
    assert_eq!(
        marked(t),
        vec![
            m("A A A", Reason::Navigation),
            m("Home | World | Business | Tech", Reason::Navigation),
            // Normalisation folds guillemets into quotes.
            m("News \" Europe \" France", Reason::Navigation),
            m("Shop › Men › Shoes", Reason::Navigation),
            m("Top ¦ Left ¦ Right", Reason::Navigation),
            m("1", Reason::Navigation),
            m("2", Reason::Navigation),
            m("3", Reason::Navigation),
        ]
    );
}

#[test]
fn captions() {
    let t = "Image\nGetty Images\nPhoto: John Smith/Reuters\n(AP Photo/Evan Vucci)\nFile photo\nImage source, Getty Images\n\nThe photo by Smith was taken at dawn on Monday.\nPhoto opportunities were rare.";
    assert_eq!(
        marked(t),
        vec![
            m("Image", Reason::Caption),
            m("Getty Images", Reason::Caption),
            m("Photo: John Smith/Reuters", Reason::Caption),
            m("(AP Photo/Evan Vucci)", Reason::Caption),
            m("File photo", Reason::Caption),
            m("Image source, Getty Images", Reason::Caption),
        ]
    );
}

#[test]
fn sidebars_at_head_and_tail() {
    let body = "Headline of the story\n\nFirst paragraph of the story.\n\nSecond paragraph of the story.\n\nThird paragraph of the story.";
    let t = format!(
        "  • Section\n    Another item\n\n{body}\n\n  Agency profile line\n  More profile text."
    );
    assert_eq!(
        marked(&t),
        vec![
            m("• Section", Reason::Sidebar),
            m("Another item", Reason::Sidebar),
            m("Agency profile line", Reason::Sidebar),
            m("More profile text.", Reason::Sidebar),
        ]
    );
    // A bulleted list that is not indented stays article text.
    let t = format!("{body}\n\n- one point\n- another point");
    assert_eq!(marked(&t), vec![]);
    // A document that is all indented has no sidebar.
    let t = "  Headline\n\n  First paragraph.\n\n  Second paragraph.\n\n  Third.";
    assert_eq!(marked(t), vec![]);
    // An indented block in the middle is not a sidebar.
    let t =
        format!("{body}\n\n    A quoted block in the middle.\n\nFourth paragraph.\n\nFifth one.");
    assert_eq!(marked(&t), vec![]);
}

#[test]
fn spans_merge_touching_cues() {
    // Two cue spans separated by a newline do not touch; spans() keeps them apart.
    let t = "Home\nMenu";
    let s = spans(t, None, &CorpusModel::empty());
    assert_eq!(
        s,
        vec![
            Span {
                start: 0,
                end: 4,
                reason: Reason::Navigation
            },
            Span {
                start: 5,
                end: 9,
                reason: Reason::Navigation
            },
        ]
    );
}

fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "Share",
        "Leave a Reply",
        "Check Also",
        "…",
        "...",
        "[em/lt]",
        "(ab/cd)",
        "  ",
        " ",
        "\n",
        "\n\n",
        "•",
        "- ",
        "|",
        "»",
        "XS",
        "©",
        "Photo:",
        "(",
        ")",
        "[",
        "]",
        "/",
        ":",
        "é",
        "\u{0301}",
        "北",
        "😀",
        "\r\n",
        "\t",
        "16x9",
        "Image",
        "Home",
        "a",
        "Word",
        "sentence.",
    ]);
    prop::collection::vec(
        prop_oneof![3 => pieces.prop_map(String::from), 1 => any::<String>()],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    /// Any input: no panic; spans sorted, non-empty, non-overlapping, on char boundaries; the
    /// same on the raw and the normalised text.
    #[test]
    fn cues_are_well_formed(raw in tricky_text()) {
        for text in [raw.clone(), retold_text::normalize(&raw).into_text()] {
            for s in [cue_spans(&text), spans(&text, Some("src"), &CorpusModel::empty())] {
                let mut prev_end = 0;
                for (i, sp) in s.iter().enumerate() {
                    prop_assert!(sp.start < sp.end && sp.end <= text.len());
                    prop_assert!(text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end));
                    if i > 0 {
                        prop_assert!(sp.start >= prev_end);
                    }
                    prev_end = sp.end;
                }
            }
        }
    }
}
