//! `retold compare A B`: one pair, explained.

use crate::term::{width, ColorChoice, Style};
use crate::{read_doc, Failure};
use retold::{compare, Comparison, Config, DocInfo};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `retold compare`.
#[derive(clap::Args)]
pub struct Args {
    /// First document (text file, or web page: .html/.htm, gzip ok).
    pub a: PathBuf,
    /// Second document (text file or web page).
    pub b: PathBuf,
    /// Print the result as JSON (the stable contract of DESIGN.md).
    #[arg(long)]
    pub json: bool,
    /// Colour the human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub semantic: crate::SemanticArgs,
}

/// Runs `retold compare`.
pub fn run(args: Args) -> Result<(), Failure> {
    let da = read_doc(&args.a)?;
    let db = read_doc(&args.b)?;
    let (ta, tb) = (&da.text, &db.text);
    let cfg = Config::default();
    let models = args.semantic.load()?;
    let c = compare(&DocInfo::of(&da), &DocInfo::of(&db), &cfg, models.as_ref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &c).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let names = [args.a.display().to_string(), args.b.display().to_string()];
        render(
            &mut out,
            &c,
            ta,
            tb,
            &names,
            Style::new(args.color.enabled()),
            width(),
        )?;
    }
    Ok(())
}

fn slice(text: &str, r: [usize; 2]) -> String {
    text.chars()
        .skip(r[0])
        .take(r[1].saturating_sub(r[0]))
        .collect()
}

/// Wraps `s` into lines of at most `w` characters.
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut n = 0;
    for word in s.split_whitespace() {
        let wl = word.chars().count();
        if n > 0 && n + 1 + wl > w {
            lines.push(std::mem::take(&mut cur));
            n = 0;
        }
        if wl > w {
            for ch in word.chars() {
                if n == w {
                    lines.push(std::mem::take(&mut cur));
                    n = 0;
                }
                cur.push(ch);
                n += 1;
            }
            continue;
        }
        if n > 0 {
            cur.push(' ');
            n += 1;
        }
        cur.push_str(word);
        n += wl;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Writes the human report: verdict, scores, boilerplate of each side, passages side by side.
pub fn render(
    out: &mut impl Write,
    c: &Comparison,
    ta: &str,
    tb: &str,
    names: &[String; 2],
    st: Style,
    width: usize,
) -> std::io::Result<()> {
    let s = &c.scores;
    writeln!(
        out,
        "{} {}  (confidence {:.2}{})",
        st.bold("relation:"),
        st.bold(c.relation.as_str()),
        c.confidence,
        if c.exact { ", exact" } else { "" }
    )?;
    writeln!(
        out,
        "  a: {}  [{}]",
        names[0],
        c.a.lang.as_deref().unwrap_or("?")
    )?;
    writeln!(
        out,
        "  b: {}  [{}]",
        names[1],
        c.b.lang.as_deref().unwrap_or("?")
    )?;
    writeln!(
        out,
        "  lexical: coverage a {:.2}  b {:.2}  similarity {:.2}  passages {}",
        s.coverage_a, s.coverage_b, s.similarity, s.passages
    )?;
    if let Some(model) = s.model {
        writeln!(
            out,
            "  semantic ({model}): coverage a {:.2}  b {:.2}  sentence similarity {:.2}  lead similarity {:.2}",
            s.sem_coverage_a, s.sem_coverage_b, s.sem_similarity, s.doc_similarity
        )?;
    }
    match c.original {
        Some(o) => writeln!(out, "  original: {o} — {}", c.original_reason)?,
        None => writeln!(out, "  original: {}", c.original_reason)?,
    }
    for (label, side, text) in [("a", &c.a, ta), ("b", &c.b, tb)] {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            st.cyan(&format!(
                "boilerplate of {label} ({} spans)",
                side.boilerplate.len()
            ))
        )?;
        for (r, why) in side.boilerplate.iter().zip(&side.boilerplate_reasons) {
            let t = slice(text, *r);
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = if t.chars().count() > 70 {
                t.chars().take(69).chain(['…']).collect()
            } else {
                t
            };
            writeln!(
                out,
                "  {:>5}..{:<5} {:<12} {}",
                r[0],
                r[1],
                why,
                st.dim(&short)
            )?;
        }
    }
    let col = (width.saturating_sub(3) / 2).max(20);
    for (i, p) in c.passages.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            st.cyan(&format!(
                "passage {} · {:?} · similarity {:.2} · a[{}..{}] ↔ b[{}..{}]",
                i + 1,
                p.kind,
                p.similarity,
                p.a[0],
                p.a[1],
                p.b[0],
                p.b[1]
            ))
        )?;
        let la = wrap(&slice(ta, p.a), col);
        let lb = wrap(&slice(tb, p.b), col);
        for k in 0..la.len().max(lb.len()) {
            let x = la.get(k).map(String::as_str).unwrap_or("");
            let y = lb.get(k).map(String::as_str).unwrap_or("");
            let pad = col.saturating_sub(x.chars().count());
            let paint = |s: &str| {
                if p.similarity >= 0.8 {
                    st.green(s)
                } else {
                    st.yellow(s)
                }
            };
            writeln!(out, "{}{} │ {}", paint(x), " ".repeat(pad), paint(y))?;
        }
    }
    Ok(())
}
