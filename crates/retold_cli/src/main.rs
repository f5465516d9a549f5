//! The `retold` command: `main` parses the arguments and hands over to one function per
//! command. Exit codes: 0 ok, 1 user error (bad input, bad flag), 2 internal error. Data goes
//! to stdout; progress, warnings and errors to stderr. A closed stdout (`| head`) ends quietly.

mod compare_cmd;
mod dedup_cmd;
mod eval_cmd;
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
    /// Compare two documents (text files): relation, aligned passages, boilerplate.
    Compare(compare_cmd::Args),
    /// Find reproductions across a corpus; write pairs.jsonl, clusters.jsonl and keep.txt.
    Dedup(dedup_cmd::Args),
    /// Run the pipeline on a labelled dataset and score it against its gold labels.
    Eval(eval_cmd::Args),
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
            ..Default::default()
        }
    }
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
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(Failure::User(anyhow::anyhow!(
                "--threads must be at least 1"
            )));
        }
        b = b.num_threads(n);
    }
    let pool = b
        .build()
        .map_err(|e| Failure::Internal(anyhow::anyhow!("cannot start threads: {e}")))?;
    Ok(pool.install(f))
}

/// Reads a file named on the command line as text, through the ingest crate's text reader
/// (so its errors, size limit and gzip support are the same as in `dedup`).
pub fn read_text(path: &Path) -> Result<String, Failure> {
    if path.is_dir() {
        return Err(Failure::User(anyhow::anyhow!(
            "{}: is a directory; compare takes two files",
            path.display()
        )));
    }
    let opts = retold::IngestOptions {
        format: Some(retold::Format::Text),
        ..Default::default()
    };
    let mut reader =
        retold::Reader::open(&[path.to_path_buf()], opts).map_err(|e| Failure::User(e.into()))?;
    match reader.next() {
        Some(Ok(doc)) => Ok(doc.text),
        Some(Err(e)) => Err(Failure::User(e.into())),
        None => Err(Failure::User(anyhow::anyhow!(
            "{}: nothing to read",
            path.display()
        ))),
    }
}

fn main() -> ExitCode {
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
        Command::Dedup(a) => dedup_cmd::run(a),
        Command::Eval(a) => eval_cmd::run(a),
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
