//! `retold index create|add|query|stats|export|compact DIR …`: a persistent index that
//! documents are added to batch by batch, and that a new document can be matched against.

use crate::term::bar;
use crate::{read_doc, with_threads, Failure, InputArgs};
use retold::{Config, Index, KeepPolicy, Progress, Reader, RunOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// Arguments of `retold index`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Create an empty index in DIR (created if missing).
    Create {
        /// Index directory.
        dir: PathBuf,
    },
    /// Add documents (any input `dedup` reads) as one batch; the index's pairs, clusters and
    /// keep-list become those of `dedup` over everything added, in order. Committed as one
    /// transaction: an interrupted add leaves the index as before.
    Add {
        /// Index directory.
        dir: PathBuf,
        /// Input files or directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Match a document that is not stored (text file or web page) against the index: its
    /// pairs (the fields of pairs.jsonl, one JSON object per line) and the cluster it would
    /// join.
    Query {
        /// Index directory.
        dir: PathBuf,
        /// The document.
        file: PathBuf,
        /// One JSON object instead of JSON lines: {"id", "matches", "cluster"}.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Counts: documents, batches, bytes.
    Stats {
        /// Index directory.
        dir: PathBuf,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the index's pairs.jsonl, clusters.jsonl and keep.txt into OUT, as `dedup` does.
    Export {
        /// Index directory.
        dir: PathBuf,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Give free space in the store file back to the file system.
    Compact {
        /// Index directory.
        dir: PathBuf,
    },
}

/// Flags of the runs behind `add` and `query` (use the same ones for every call on an
/// index: the stored results are recomputed with those of the latest `add`).
#[derive(clap::Args)]
struct RunArgs {
    /// Which copy of each cluster survives in keep.txt.
    #[arg(long, default_value = "original", value_parser = parse_keep)]
    keep: KeepPolicy,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    semantic: crate::SemanticArgs,
}

fn parse_keep(s: &str) -> Result<KeepPolicy, String> {
    s.parse::<KeepPolicy>().map_err(|e| e.to_string())
}

/// Runs `f` with a progress bar and the run options of `run`.
fn with_run<T: Send>(
    run: &RunArgs,
    models: Option<&retold::Models>,
    f: impl FnOnce(RunOptions<'_>) -> Result<T, retold::Error> + Send,
) -> Result<T, Failure> {
    let pb = Mutex::new(bar(run.quiet));
    let progress = |p: Progress| {
        let pb = pb.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Verifying { done, total } => {
                pb.set_prefix("verifying");
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            }
            Progress::Reading { docs, .. } => {
                pb.set_prefix("reading");
                pb.set_position(docs as u64);
            }
            Progress::Embedding { done, total } => {
                pb.set_prefix("embedding");
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            }
            Progress::Candidates => pb.set_prefix("candidates"),
            Progress::Clustering => pb.set_prefix("clustering"),
        }
    };
    let mut on_bad = |_: &retold::IngestError| false;
    let keep = run.keep;
    let out = with_threads(run.threads, || {
        f(RunOptions {
            keep,
            on_bad: &mut on_bad,
            progress: &progress,
            models,
        })
    })??;
    pb.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .finish_and_clear();
    Ok(out)
}

/// Runs `retold index`.
pub fn run(args: Args) -> Result<(), Failure> {
    let cfg = Config::default();
    let mut o = std::io::stdout().lock();
    match args.command {
        Cmd::Create { dir } => {
            Index::create(&dir)?;
            eprintln!("retold index: created {}", dir.display());
        }
        Cmd::Add {
            dir,
            inputs,
            input,
            run,
        } => {
            let mut index = Index::open(&dir)?;
            let models = run.semantic.load()?;
            let reader =
                Reader::open(&inputs, input.options()).map_err(|e| Failure::User(e.into()))?;
            let mut docs = Vec::new();
            let mut skipped = 0usize;
            for r in reader {
                match r {
                    Ok(d) => docs.push(d),
                    Err(e) if input.skip_bad => {
                        eprintln!("retold: warning: skipped: {e}");
                        skipped += 1;
                    }
                    Err(e) => return Err(Failure::User(e.into())),
                }
            }
            let settings = retold::index::settings(run.keep, models.is_some());
            let rep = with_run(&run, models.as_ref(), |opts| {
                index.add(docs, &settings, &cfg, opts)
            })?;
            writeln!(
                o,
                "retold index: batch {} committed: {} documents added ({} skipped), {} in the index; {} pairs, {} clusters",
                rep.batch, rep.added, skipped, rep.docs, rep.pairs, rep.clusters
            )?;
        }
        Cmd::Query {
            dir,
            file,
            json,
            run,
        } => {
            let index = Index::open(&dir)?;
            let models = run.semantic.load()?;
            let doc = read_doc(&file)?;
            let settings = retold::index::settings(run.keep, models.is_some());
            let res = with_run(&run, models.as_ref(), |opts| {
                index.query(doc, &settings, &cfg, opts)
            })?;
            if json {
                serde_json::to_writer(&mut o, &res).map_err(std::io::Error::from)?;
                writeln!(o)?;
            } else {
                for m in &res.matches {
                    serde_json::to_writer(&mut o, m).map_err(std::io::Error::from)?;
                    writeln!(o)?;
                }
                eprintln!(
                    "retold index: {} matches for {}{}",
                    res.matches.len(),
                    res.id,
                    match res.cluster.as_ref().and_then(|c| c["cluster"].as_str()) {
                        Some(c) => format!(" (cluster {c})"),
                        None => String::new(),
                    }
                );
            }
        }
        Cmd::Stats { dir, json } => {
            let s = Index::open(&dir)?.stats()?;
            if json {
                serde_json::to_writer(&mut o, &s).map_err(std::io::Error::from)?;
                writeln!(o)?;
            } else {
                writeln!(
                    o,
                    "documents {}\nbatches {}\ndocument bytes {}\nresult bytes {}\nfile bytes {}",
                    s.docs, s.batches, s.doc_bytes, s.result_bytes, s.file_bytes
                )?;
            }
        }
        Cmd::Export { dir, out } => {
            Index::open(&dir)?.export(&out)?;
            eprintln!(
                "retold index: wrote {}/pairs.jsonl, clusters.jsonl, keep.txt",
                out.display()
            );
        }
        Cmd::Compact { dir } => {
            Index::open(&dir)?.compact()?;
            eprintln!("retold index: compacted {}", dir.display());
        }
    }
    Ok(())
}
