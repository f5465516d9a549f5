//! `retold eval --docs D --gold G`: scores against gold labels.

use crate::{with_threads, Failure};
use retold::eval::EvalReport;
use retold::{run_eval, Config, Relation};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `retold eval`.
#[derive(clap::Args)]
pub struct Args {
    /// The dataset's documents (JSONL with id, text, lang, …).
    #[arg(long)]
    pub docs: PathBuf,
    /// The gold labels (cluster lines or pair lines; see ../shared/eval/README.md). A PAN
    /// text-alignment dataset (a `pairs.jsonl` with passage cases, or PAN's own `pairs` file
    /// with `susp/`, `src/` and XML truth folders beside it, `--docs` then naming that
    /// folder) is scored by PlagDet.
    #[arg(long)]
    pub gold: PathBuf,
    /// PAN datasets: score only the first N pairs of each obfuscation class (a quick run).
    #[arg(long, value_name = "N")]
    pub per_class: Option<usize>,
    /// PAN datasets: also write every pair's detections to FILE (JSONL: susp, src, class,
    /// cases, detections).
    #[arg(long, value_name = "FILE")]
    pub dump_detections: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub semantic: crate::SemanticArgs,
    /// Known originals (one document id per line) of gold clusters whose lines do not name
    /// one (`"original": id`): `eval` then also scores the named originals (provenance).
    #[arg(long, value_name = "FILE")]
    pub originals: Option<PathBuf>,
    /// Also write every analysed labelled pair with its features and gold label to FILE
    /// (JSONL), for `scripts/fit_classifier.py`.
    #[arg(long, value_name = "FILE")]
    pub dump_pairs: Option<PathBuf>,
    /// Also write, for each cluster scored for provenance (see --originals), its gold original
    /// and the votes between its members kind by kind to FILE (JSONL), for
    /// `scripts/fit_provenance.py`.
    #[arg(long, value_name = "FILE")]
    pub dump_provenance: Option<PathBuf>,
}

/// Runs `retold eval`.
pub fn run(args: Args) -> Result<(), Failure> {
    if retold::pan::is_pan(&args.gold) {
        return run_pan(args);
    }
    let cfg = Config {
        keep_unrelated: args.dump_pairs.is_some(),
        keep_provenance_input: args.dump_provenance.is_some(),
        ..Config::default()
    };
    let models = args.semantic.load()?;
    let (report, out) = with_threads(args.threads, || {
        run_eval(
            &args.docs,
            &args.gold,
            args.originals.as_deref(),
            &cfg,
            models.as_ref(),
            &|_| {},
        )
    })??;
    if let Some(path) = &args.dump_pairs {
        retold::eval::dump_pairs(&out, &args.gold, path)?;
    }
    if let Some(path) = &args.dump_provenance {
        let none = retold::eval::ProvenanceScores::default();
        retold::eval::dump_provenance(&out, report.provenance.as_ref().unwrap_or(&none), path)?;
    }
    let mut o = std::io::stdout().lock();
    if args.json {
        // The report, plus how far the pairs went through the semantic layer's cascade.
        let mut v = serde_json::to_value(&report).map_err(std::io::Error::from)?;
        if let Some(m) = v.as_object_mut() {
            let s = &out.stats;
            m.insert(
                "cascade".into(),
                serde_json::json!({
                    "candidates": s.candidates,
                    "static_vector_docs": s.doc_vectors.0,
                    "stages": s.cascade,
                    "embed_secs": s.embed_secs,
                }),
            );
        }
        serde_json::to_writer_pretty(&mut o, &v).map_err(std::io::Error::from)?;
        writeln!(o)?;
    } else {
        human(&mut o, &report, &args)?;
    }
    Ok(())
}

fn f(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into())
}

fn human(o: &mut impl Write, r: &EvalReport, args: &Args) -> std::io::Result<()> {
    writeln!(
        o,
        "retold eval: {} ({} docs, {} gold, {} labelled pairs, {:.2} s)",
        args.gold.display(),
        r.docs,
        r.gold_kind,
        r.pairs.labelled,
        r.elapsed_s
    )?;
    writeln!(
        o,
        "  {:<13} {:>9} {:>9} {:>9} {:>7} {:>9}",
        "label", "precision", "recall", "f1", "gold", "predicted"
    )?;
    let rows = r.pairs.per_label.iter().chain(r.pairs.coarse.iter());
    for (name, p) in rows {
        if p.gold == 0 && p.predicted == 0 {
            continue;
        }
        writeln!(
            o,
            "  {:<13} {:>9} {:>9} {:>9} {:>7} {:>9}",
            name,
            f(p.precision),
            f(p.recall),
            f(p.f1),
            p.gold,
            p.predicted
        )?;
    }
    writeln!(
        o,
        "  independent pairs called reproduced: {}   fine label right on reproduced: {}",
        f(r.pairs.independent_called_reproduced),
        f(r.pairs.fine_accuracy_on_reproduced)
    )?;
    if let Some(c) = &r.clusters {
        writeln!(
            o,
            "  clusters: ARI {:.3}   pairwise precision {} recall {} f1 {}",
            c.ari,
            f(c.pairwise.precision),
            f(c.pairwise.recall),
            f(c.pairwise.f1)
        )?;
    }
    if let Some(p) = &r.provenance {
        writeln!(
            o,
            "  provenance: {} clusters with a known original: right {}, wrong {}, undetermined {} ({} without any evidence); where evidence exists: right {}, wrong {}",
            p.clusters,
            p.right,
            p.wrong,
            p.undetermined,
            p.no_evidence,
            f(p.right_share_with_evidence),
            f(p.wrong_share_with_evidence)
        )?;
    }
    writeln!(o, "  confusion (rows gold, columns predicted):")?;
    let short: Vec<&str> = Relation::ALL.iter().map(|r| &r.as_str()[..4]).collect();
    writeln!(
        o,
        "  {:<12} {}",
        "",
        short.iter().map(|s| format!("{s:>6}")).collect::<String>()
    )?;
    for (i, row) in r.pairs.confusion.matrix.iter().enumerate() {
        if row.iter().all(|&c| c == 0) {
            continue;
        }
        writeln!(
            o,
            "  {:<12} {}",
            Relation::ALL[i].as_str(),
            row.iter().map(|c| format!("{c:>6}")).collect::<String>()
        )?;
    }
    Ok(())
}

/// `retold eval` on a PAN text-alignment dataset.
fn run_pan(args: Args) -> Result<(), Failure> {
    let cfg = Config::default();
    let mut ds = retold::pan::load(&args.docs, &args.gold)?;
    if let Some(n) = args.per_class {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        ds.pairs.retain(|p| {
            let c = seen.entry(p.class.clone()).or_default();
            *c += 1;
            *c <= n
        });
    }
    let models = args.semantic.load()?;
    let pb = crate::term::bar(false);
    pb.set_length(ds.pairs.len() as u64);
    pb.set_message("aligning pairs");
    let progress = |n: usize| pb.set_position(n as u64);
    let (report, dets) = with_threads(args.threads, || {
        retold::run_pan_eval(&ds, &cfg, models.as_ref(), &progress)
    })??;
    pb.finish_and_clear();
    if let Some(path) = &args.dump_detections {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| Failure::User(anyhow::anyhow!("{}: {e}", path.display())))?,
        );
        for (p, d) in ds.pairs.iter().zip(&dets) {
            let v = serde_json::json!({
                "susp": p.susp, "src": p.src, "class": p.class,
                "cases": p.cases, "detections": d,
            });
            writeln!(w, "{v}")?;
        }
        w.flush()?;
    }
    let mut o = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut o, &report).map_err(std::io::Error::from)?;
        writeln!(o)?;
        return Ok(());
    }
    writeln!(
        o,
        "retold eval: {} (PAN text alignment: {} pairs, {} docs, {:.2} s)",
        args.gold.display(),
        report.overall.pairs,
        report.docs,
        report.elapsed_s
    )?;
    writeln!(
        o,
        "  {:<28} {:>6} {:>6} {:>9} {:>9} {:>11} {:>8} {:>13}",
        "class", "pairs", "cases", "precision", "recall", "granularity", "plagdet", "clean w/ det."
    )?;
    let rows = report
        .per_class
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain(std::iter::once(("overall", &report.overall)));
    for (name, p) in rows {
        writeln!(
            o,
            "  {:<28} {:>6} {:>6} {:>9} {:>9} {:>11.3} {:>8} {:>13}",
            name,
            p.pairs,
            p.cases,
            f(p.precision),
            f(p.recall),
            p.granularity,
            f(p.plagdet),
            p.clean_pairs_with_detection
        )?;
    }
    if let Some(r) = report.clean_pairs_with_detection_rate {
        writeln!(
            o,
            "  pairs without plagiarism that have a detection: {:.2} %",
            r * 100.0
        )?;
    }
    Ok(())
}

/// Flags of `retold provenance-refit` (a tool of `scripts/fit_provenance.py`, hidden from
/// `--help`).
#[derive(clap::Args)]
pub struct RefitArgs {
    /// Dumps written by `retold eval --dump-provenance` (JSONL).
    #[arg(required = true)]
    pub dumps: Vec<PathBuf>,
    /// Weights of the eight kinds of evidence, in the order of the dump's votes (date,
    /// containment, boilerplate, attribution, translation, wrapped, fuller, update), each a
    /// multiple of 0.5; default: the weights in use.
    #[arg(long, value_delimiter = ',')]
    pub weights: Option<Vec<f64>>,
}

/// Re-decides the provenance of each dumped cluster under `--weights` and prints, per dump,
/// the scores `eval` reports, as JSON.
pub fn run_refit(args: RefitArgs) -> Result<(), Failure> {
    let weights = match &args.weights {
        None => retold::ProvenanceWeights::default(),
        Some(w) => retold::ProvenanceWeights::from_values(w).ok_or_else(|| {
            Failure::User(anyhow::anyhow!(
                "--weights: eight values needed, each a multiple of 0.5 and at least 0 (got {w:?})"
            ))
        })?,
    };
    let mut out = serde_json::Map::new();
    for path in &args.dumps {
        let scores = retold::eval::rescore_provenance(path, &weights)?;
        out.insert(
            path.display().to_string(),
            serde_json::to_value(scores).map_err(std::io::Error::from)?,
        );
    }
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::Value::Object(out)
    )?;
    Ok(())
}
