//! The `retold` command: `main` parses the arguments and hands over to one function per
//! command. Exit codes: 0 ok, 1 user error (bad input, bad flag), 2 internal error. Data goes
//! to stdout; progress, warnings and errors to stderr. A closed stdout (`| head`) ends quietly.

mod compare_cmd;
mod dedup_cmd;
mod eval_cmd;
mod extract_cmd;
mod index_cmd;
#[cfg(feature = "server")]
mod serve_cmd;
mod term;

use clap::{Parser, Subcommand};
use std::path::Path;
use std::process::ExitCode;

/// Find reproduced text across document collections: exact copies, reposts wrapped in other
/// sites' boilerplate, rewrites and partial reuse, with aligned passages and the likely
/// original.
#[derive(Parser)]
#[command(
    name = "retold",
    version,
    about = "Find reproduced text across document collections: copies, reposts in other sites' boilerplate, rewrites and partial reuse, with aligned passages and the likely original."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare two documents (text files or web pages): relation, aligned passages,
    /// boilerplate.
    Compare(compare_cmd::Args),
    /// Find reproductions across a corpus; write pairs.jsonl, clusters.jsonl and keep.txt.
    Dedup(dedup_cmd::Args),
    /// Run the pipeline on a labelled dataset and score it against its gold labels.
    Eval(eval_cmd::Args),
    /// Re-decide dumped clusters' provenance under other weights (for
    /// scripts/fit_provenance.py).
    #[command(hide = true)]
    ProvenanceRefit(eval_cmd::RefitArgs),
    /// Extract the article text of web pages (.html/.htm, gzip ok).
    Extract(extract_cmd::Args),
    /// A persistent index: add documents batch by batch, match new ones against it.
    Index(index_cmd::Args),
    /// Serve an index over HTTP: a JSON API and a web page with a side-by-side view.
    #[cfg(feature = "server")]
    Serve(serve_cmd::Args),
}

/// Shared ingest flags.
#[derive(clap::Args, Clone)]
pub struct InputArgs {
    /// Field (JSONL/Parquet) or column (CSV) holding the document id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// Field or column holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Field or column holding a web page's HTML instead of text: its main text is extracted
    /// (as for .html files) and the page's chrome marked as boilerplate.
    #[arg(long, value_name = "NAME")]
    pub html_field: Option<String>,
    /// Skip bad records (malformed lines, invalid UTF-8, duplicate ids, missing fields) with a
    /// warning instead of stopping; the summary counts them.
    #[arg(long)]
    pub skip_bad: bool,
    /// Largest document accepted, in bytes.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_doc_bytes: usize,
}

impl InputArgs {
    /// Ingest options from the flags.
    pub fn options(&self) -> retold::IngestOptions {
        retold::IngestOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            max_doc_bytes: self.max_doc_bytes,
            html_field: self.html_field.clone(),
            ..Default::default()
        }
    }
}

/// When to use the semantic layer (sentence embeddings).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemanticMode {
    /// Use the models that are installed; lexical only (with a note) when none is.
    Auto,
    /// Require the models; fail with the install command when one is missing.
    On,
    /// Lexical only.
    Off,
}

/// Where embeddings run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceArg {
    /// The CPU.
    Cpu,
    /// A CUDA GPU when present (and built with `--features cuda`), else the CPU.
    Auto,
    /// A CUDA GPU, or an error.
    Cuda,
}

/// Flags of the semantic layer.
#[derive(clap::Args, Clone)]
pub struct SemanticArgs {
    /// Semantic layer (rewrites, translations, related stories) from sentence embeddings.
    #[arg(long, value_enum, default_value = "auto")]
    pub semantic: SemanticMode,
    /// Directory holding the models (default: $RETOLD_MODEL_DIR, then
    /// ~/.cache/retold/models); install them with `bash scripts/setup-models.sh`.
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<std::path::PathBuf>,
    /// Where embeddings run.
    #[arg(long, value_enum, default_value = "cpu")]
    pub device: DeviceArg,
}

impl SemanticArgs {
    /// Loads the models the flags ask for; `None` for a lexical-only run.
    pub fn load(&self) -> Result<Option<retold::Models>, Failure> {
        if self.semantic == SemanticMode::Off {
            return Ok(None);
        }
        load_models(self)
    }
}

#[cfg(feature = "embed-candle")]
fn load_models(args: &SemanticArgs) -> Result<Option<retold::Models>, Failure> {
    use retold::embed::{DevicePref, LoadOptions};
    let opts = LoadOptions {
        model_dir: args.model_dir.clone(),
        device: match args.device {
            DeviceArg::Cpu => DevicePref::Cpu,
            DeviceArg::Auto => DevicePref::Auto,
            DeviceArg::Cuda => DevicePref::Cuda,
        },
        ..Default::default()
    };
    let Some(models) = retold::Models::load_for(args.semantic == SemanticMode::On, &opts)? else {
        eprintln!(
            "retold: note: no embedding model installed; lexical analysis only (install the models with: bash scripts/setup-models.sh)"
        );
        return Ok(None);
    };
    if models.multilingual.is_none() {
        eprintln!("retold: note: the multilingual model is not installed; translations are not detected (bash scripts/setup-models.sh)");
    }
    Ok(Some(models))
}

#[cfg(not(feature = "embed-candle"))]
fn load_models(args: &SemanticArgs) -> Result<Option<retold::Models>, Failure> {
    if args.semantic == SemanticMode::On {
        return Err(Failure::User(anyhow::anyhow!(
            "this retold was built without the semantic layer (build with --features embed-candle)"
        )));
    }
    Ok(None)
}

/// A failure, with its exit code.
pub enum Failure {
    /// Exit 1.
    User(anyhow::Error),
    /// Exit 2.
    Internal(anyhow::Error),
    /// stdout closed: exit 0 quietly.
    BrokenPipe,
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Internal(e.into())
        }
    }
}

impl From<retold::Error> for Failure {
    fn from(e: retold::Error) -> Self {
        if e.is_user_error() {
            Failure::User(e.into())
        } else {
            Failure::Internal(e.into())
        }
    }
}

/// Runs `f` on a rayon pool of `threads` threads (all cores when `None`).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, Failure> {
    let n = match threads {
        Some(0) => {
            return Err(Failure::User(anyhow::anyhow!(
                "--threads must be at least 1"
            )))
        }
        Some(n) => n,
        None => *DEFAULT_THREADS.get().unwrap_or(&1),
    };
    let b = rayon::ThreadPoolBuilder::new().num_threads(n);
    let pool = b
        .build()
        .map_err(|e| Failure::Internal(anyhow::anyhow!("cannot start threads: {e}")))?;
    Ok(pool.install(f))
}

/// Reads a file named on the command line as one document, through the ingest crate (so its
/// errors, size limit and gzip support are the same as in `dedup`): a web page (`.html`,
/// `.htm`, also gzipped) through main-text extraction, anything else as text.
pub fn read_doc(path: &Path) -> Result<retold::Document, Failure> {
    if path.is_dir() {
        return Err(Failure::User(anyhow::anyhow!(
            "{}: is a directory; compare takes two files",
            path.display()
        )));
    }
    let format = match retold::Format::from_path(path) {
        Some(f @ retold::Format::Html) => f,
        _ => retold::Format::Text,
    };
    let opts = retold::IngestOptions {
        format: Some(format),
        ..Default::default()
    };
    let mut reader =
        retold::Reader::open(&[path.to_path_buf()], opts).map_err(|e| Failure::User(e.into()))?;
    match reader.next() {
        Some(Ok(doc)) => {
            for w in &doc.warnings {
                eprintln!("retold: warning: {}: {w}", path.display());
            }
            Ok(doc)
        }
        Some(Err(e)) => Err(Failure::User(e.into())),
        None => Err(Failure::User(anyhow::anyhow!(
            "{}: nothing to read",
            path.display()
        ))),
    }
}

/// Worker threads when `--threads` is not given: `RAYON_NUM_THREADS` as the user set it, else
/// every core.
static DEFAULT_THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Sizes the thread pools, then makes candle's matrix products single-threaded: the
/// embedding models run one batch per worker thread instead (see
/// `retold_embed::bert::embed_batched`; 2 × 49.7 against 76 sentences/s on 2 cores). candle
/// reads its thread count from `RAYON_NUM_THREADS` at every product, so this is set here,
/// before any thread starts, unless the user set it.
fn init_threads() {
    let user = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0);
    let n = user.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let _ = DEFAULT_THREADS.set(n);
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global();
    if user.is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
}

fn main() -> ExitCode {
    init_threads();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; a bad flag is a user error (exit 1).
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let res = match cli.command {
        Command::Compare(a) => compare_cmd::run(a),
        Command::Extract(a) => extract_cmd::run(a),
        Command::Dedup(a) => dedup_cmd::run(a),
        Command::Eval(a) => eval_cmd::run(a),
        Command::ProvenanceRefit(a) => eval_cmd::run_refit(a),
        Command::Index(a) => index_cmd::run(a),
        #[cfg(feature = "server")]
        Command::Serve(a) => serve_cmd::run(a),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::User(e)) => {
            eprintln!("retold: error: {e:#}");
            ExitCode::from(1)
        }
        Err(Failure::Internal(e)) => {
            eprintln!("retold: internal error: {e:#}");
            ExitCode::from(2)
        }
    }
}
