//! `retold dedup INPUT... --out DIR`: the whole pipeline over a corpus.

use crate::term::{bar, binary_bytes, bytes};
use crate::{with_threads, Failure, InputArgs};
use anyhow::anyhow;
use retold::{dedup, Config, KeepPolicy, Progress, Reader, Relation, RunOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// Arguments of `retold dedup`.
#[derive(clap::Args)]
pub struct Args {
    /// Input files or directories: .txt/.md files, web pages (.html/.htm), WARC archives,
    /// JSONL, CSV/TSV, Parquet (gzip ok).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Which copy of each cluster survives in keep.txt.
    #[arg(long, default_value = "original", value_parser = parse_keep)]
    pub keep: KeepPolicy,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Jaccard threshold that LSH banding targets (bands and rows follow from it).
    #[arg(long, default_value_t = 0.5)]
    pub lsh_threshold: f64,
    /// Memory budget, e.g. 512M, 2G, 1.5G (binary units; plain numbers are bytes). Beyond
    /// it texts (compressed) and candidate keys (sorted runs) go to temporary files in $TMPDIR;
    /// the results are the same. What grows with the corpus outside the budget is about 450
    /// bytes per document.
    #[arg(long, default_value = "2G", value_parser = parse_memory)]
    pub memory: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub semantic: crate::SemanticArgs,
}

/// A size with an optional binary unit: `K`, `M`, `G`, `T` (`KB`, `KiB`, … too).
pub(crate) fn parse_memory(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 512M, 2G)"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("{s:?}: unknown unit (use K, M, G or T)")),
    };
    let bytes = n * (1u64 << shift) as f64;
    if bytes.is_nan() || bytes < retold::MIN_MEMORY as f64 {
        return Err(format!("{s:?}: the memory budget must be at least 1M"));
    }
    Ok(bytes.min(usize::MAX as f64) as usize)
}

fn parse_keep(s: &str) -> Result<KeepPolicy, String> {
    s.parse::<KeepPolicy>().map_err(|e| e.to_string())
}

/// Runs `retold dedup`.
pub fn run(args: Args) -> Result<(), Failure> {
    if !(0.05..=0.99).contains(&args.lsh_threshold) {
        return Err(Failure::User(anyhow!(
            "--lsh-threshold must be between 0.05 and 0.99"
        )));
    }
    let mut cfg = Config {
        lsh_threshold: args.lsh_threshold,
        ..Config::default()
    };
    cfg.set_memory(args.memory);
    let start = Instant::now();
    let models = args.semantic.load()?;
    let reader =
        Reader::open(&args.inputs, args.input.options()).map_err(|e| Failure::User(e.into()))?;
    let pb = bar(args.quiet);
    pb.set_prefix("reading");
    let pb_ref = Mutex::new(pb);
    let progress = |p: Progress| {
        let pb = pb_ref.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Reading { docs, bytes: b } => {
                pb.set_position(docs as u64);
                pb.set_length(docs as u64);
                pb.set_message(bytes(b));
            }
            Progress::Verifying { done, total } => {
                pb.set_prefix("verifying");
                pb.set_length(total as u64);
                pb.set_position(done as u64);
                pb.set_message("pairs");
            }
            Progress::Embedding { done, total } => {
                pb.set_prefix("embedding");
                pb.set_length(total as u64);
                pb.set_position(done as u64);
                pb.set_message("documents");
            }
            Progress::Candidates => {
                pb.set_prefix("candidates");
                pb.set_message("");
            }
            Progress::Clustering => {
                pb.set_prefix("clustering");
                pb.set_message("");
            }
        }
    };
    let skip_bad = args.input.skip_bad;
    let mut on_bad = |e: &retold::IngestError| {
        if skip_bad {
            let pb = pb_ref.lock().unwrap_or_else(|e| e.into_inner());
            pb.suspend(|| eprintln!("retold: warning: skipped: {e}"));
        }
        skip_bad
    };
    let quiet = args.quiet;
    // Best-effort notes of the reader (e.g. a page's unknown charset) go to stderr.
    let reader = reader.inspect(|r| {
        if let Ok(d) = r {
            if !quiet && !d.warnings.is_empty() {
                let pb = pb_ref.lock().unwrap_or_else(|e| e.into_inner());
                pb.suspend(|| {
                    for w in &d.warnings {
                        eprintln!("retold: warning: {}: {w}", d.origin);
                    }
                });
            }
        }
    });
    let out = with_threads(args.threads, || {
        dedup(
            reader,
            &cfg,
            RunOptions {
                keep: args.keep,
                on_bad: &mut on_bad,
                progress: &progress,
                models: models.as_ref(),
            },
        )
    })??;
    retold::output::write_outputs(&args.out, &out)?;
    pb_ref
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .finish_and_clear();

    let secs = start.elapsed().as_secs_f64();
    let s = &out.stats;
    let mut counts = [0usize; 6];
    for p in &out.pairs {
        counts[Relation::ALL
            .iter()
            .position(|&r| r == p.analysis.relation)
            .unwrap_or(5)] += 1;
    }
    let removed = s.docs - out.keep.len();
    let largest = out.clusters.iter().map(|c| c.docs.len()).max().unwrap_or(0);
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "retold dedup: {} documents ({}) in {:.2} s ({}/s)",
        s.docs,
        bytes(s.bytes),
        secs,
        bytes((s.bytes as f64 / secs.max(1e-9)) as usize)
    )?;
    writeln!(
        o,
        "  skipped bad records: {}   empty documents: {}   boilerplate lines learned: {}",
        s.skipped, s.empty, s.learned_lines
    )?;
    writeln!(
        o,
        "  candidate pairs: {} (exact {}, lsh {}, passage seeds {}, sentence keys {})",
        s.candidates, s.exact_pairs, s.lsh_pairs, s.seed_pairs, s.sentence_pairs
    )?;
    if models.is_some() {
        writeln!(
            o,
            "  semantic layer: {} candidates from static vectors ({} documents in {:.2} s), {} from anchors; {} pairs (final lexically {}, decided by cheap signals {}, vetoed by translation terms {}), {} ({:.1} %) sentence-aligned: {} sentences of {} documents embedded in {:.2} s",
            s.ann_pairs,
            s.doc_vectors.0,
            s.doc_vectors.1,
            s.anchor_pairs,
            s.cascade.pairs,
            s.cascade.lexical_final,
            s.cascade.cheap_decided,
            s.cascade.anchor_vetoed,
            s.cascade.transformer_pairs,
            100.0 * s.cascade.transformer_pairs as f64 / s.candidates.max(1) as f64,
            s.cascade.transformer_sentences,
            s.cascade.transformer_docs,
            s.embed_secs
        )?;
    }
    let rel: Vec<String> = Relation::ALL
        .iter()
        .zip(counts)
        .filter(|(_, c)| *c > 0)
        .map(|(r, c)| format!("{r} {c}"))
        .collect();
    writeln!(
        o,
        "  pairs: {}",
        if rel.is_empty() {
            "none".to_string()
        } else {
            rel.join(", ")
        }
    )?;
    writeln!(
        o,
        "  clusters: {} (largest {})   kept {} of {} documents ({} removed, --keep {})",
        out.clusters.len(),
        largest,
        out.keep.len(),
        s.docs,
        removed,
        args.keep
    )?;
    if s.spilled || s.spilled_keys.1 > 0 {
        writeln!(
            o,
            "  beyond --memory {}: texts {} on disk (compressed), candidate keys {} in {} sorted runs",
            binary_bytes(args.memory),
            bytes(s.spilled_text_bytes as usize),
            bytes(s.spilled_keys.0 as usize),
            s.spilled_keys.1
        )?;
    }
    let ph = s.phase_secs;
    writeln!(
        o,
        "  time: read+fingerprint {:.2} s, boilerplate {:.2} s, candidates {:.2} s, verify {:.2} s, cluster {:.2} s",
        ph[0], ph[1], ph[2], ph[3], ph[4]
    )?;
    writeln!(
        o,
        "  wrote {}/pairs.jsonl, clusters.jsonl, keep.txt, manifest.json",
        args.out.display()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_memory;

    #[test]
    fn memory_sizes() {
        assert_eq!(parse_memory("2G"), Ok(2 << 30));
        assert_eq!(parse_memory("512M"), Ok(512 << 20));
        assert_eq!(parse_memory("1.5gib"), Ok(3 << 29));
        assert_eq!(parse_memory("100000000"), Ok(100_000_000));
        assert!(parse_memory("100K").unwrap_err().contains("at least 1M"));
        assert!(parse_memory("2X").unwrap_err().contains("unknown unit"));
        assert!(parse_memory("lots").unwrap_err().contains("not a size"));
    }
}
