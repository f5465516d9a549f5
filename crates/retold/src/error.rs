//! The facade's error type.

use retold_sketch::RunsError;
use std::path::PathBuf;

/// Errors of the pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad input record or file.
    #[error(transparent)]
    Ingest(#[from] retold_ingest::IngestError),
    /// Reading or writing a file failed.
    #[error("{}: {error}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What failed (in the message already, so not chained as a source).
        error: std::io::Error,
    },
    /// Temporary storage failed (e.g. the disk is full).
    #[error(
        "temporary storage failed (is the disk full? set TMPDIR to a directory with more free space)"
    )]
    Io(#[from] std::io::Error),
    /// Candidate keys could not be spilled to, or read back from, sorted runs on disk.
    #[error(transparent)]
    Spill(#[from] retold_sketch::RunsError),
    /// An embedding model is missing or broken (the message says which and how to install
    /// it): the user's installation.
    #[error("{0}")]
    Model(String),
    /// A loaded embedding model failed while embedding (a bug or a backend failure, not the
    /// user's input).
    #[error("embedding failed: {0}")]
    Inference(String),
    /// The persistent index: missing, of another format version, a duplicate id, or its
    /// store failed.
    #[error(transparent)]
    Index(#[from] retold_index::IndexError),
    /// A line of a gold file (or of a provenance dump) is not what `retold eval` expects.
    #[error("{}:{line}: {message}", path.display())]
    Gold {
        /// The gold file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// True when the error is the user's input or environment (exit code 1: a bad record, a
    /// missing model, a full or unwritable disk), false for internal failures.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Inference(_) | Error::Spill(RunsError::Corrupt { .. })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_or_a_full_disk_is_the_users_and_a_failed_inference_is_internal() {
        assert!(
            Error::Model("model missing: run bash scripts/setup-models.sh".into()).is_user_error()
        );
        assert!(!Error::Inference("shape mismatch".into()).is_user_error());
        assert!(Error::Io(std::io::Error::other("disk full")).is_user_error());
    }
}
