//! `retold` is the facade of the engine: it owns the [`Config`], the public result types and
//! the orchestration of the stages, each of which lives in its own crate:
//!
//! - `retold_text`: normalisation with an offset map, tokens, segmentation, language;
//! - `retold_ingest`: streaming readers for files, directories, JSONL, CSV, Parquet, web
//!   pages and WARC archives;
//! - `retold_extract`: main-text extraction from web pages (title, date, article body,
//!   chrome), behind the `html` feature;
//! - `retold_clean`: boilerplate (structural cues and corpus-learned lines);
//! - `retold_sketch`: exact hashes, MinHash + LSH, passage and anchor seeds, nearest
//!   neighbours over embeddings: candidate pairs;
//! - `retold_embed`: sentence embeddings (MiniLM, multilingual-e5) behind the `embed-candle`
//!   feature;
//! - `retold_align`: lexical passage alignment and semantic sentence alignment;
//! - `retold_cluster`: chaining-guarded clusters, stories, keep-lists, provenance.
//!
//! Here: [`prepare`] (a document made ready), [`analyze`] and [`classify`] (one pair),
//! [`semantic`] (sentence units, embeddings and their alignment), [`stages`] (the stages of
//! `dedup` as functions of their own inputs, for distributed runs),
//! [`compare()`] (the `retold compare` result), [`dedup`] (the whole pipeline), [`eval`]
//! (scores against gold), [`pan`] (PAN text-alignment scores) and [`output`] (the files of `retold dedup`). Nothing here prints.

pub mod analyze;
pub mod classify;
pub mod compare;
pub mod config;
pub mod error;
pub mod eval;
pub mod evidence;
pub mod index;
pub mod index_view;
pub mod live;
pub mod output;
pub mod pan;
pub mod pipeline;
pub mod prepare;
pub mod relation;
pub mod semantic;
pub mod stages;
pub mod store;

pub use analyze::{AlignedPassage, PairAnalysis, PassageKind};
pub use classify::Features;
pub use compare::{compare, Comparison, DocInfo};
pub use config::{
    ClassifierParams, Config, ModelParams, SemanticParams, DEFAULT_MEMORY, MIN_MEMORY,
};
pub use error::Error;
pub use index::{AddReport, Index, IndexStats, QueryResult};
pub use index_view::ClusterPage;
pub use live::{Live, LiveAdd};
pub use pipeline::{dedup, Cascade, DedupOutput, GroupPair, Progress, RunOptions, Stats};
pub use relation::Relation;
pub use retold_cluster::{KeepPolicy, ProvenanceInput, Weights as ProvenanceWeights};
/// The embedding backend (models, discovery, errors).
pub use retold_embed as embed;
/// Main-text extraction from web pages (feature `html`).
#[cfg(feature = "html")]
pub use retold_extract as extract;
pub use retold_ingest::{Document, Format, IngestError, IngestOptions, Origin, Reader};
pub use semantic::Models;

use std::path::Path;
use std::time::Instant;

/// Runs the pipeline on a dataset's `docs.jsonl` and scores it against `gold.jsonl`; returns
/// the report and the run's output.
pub fn run_eval(
    docs: &Path,
    gold: &Path,
    originals: Option<&Path>,
    cfg: &Config,
    models: Option<&semantic::Models>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(eval::EvalReport, DedupOutput), Error> {
    let start = Instant::now();
    let reader = Reader::open(&[docs.to_path_buf()], IngestOptions::default())?;
    let mut stop = |_: &IngestError| false;
    let out = dedup(
        reader,
        cfg,
        RunOptions {
            keep: KeepPolicy::Original,
            on_bad: &mut stop,
            progress,
            models,
        },
    )?;
    eval::score(&out, gold, originals, start.elapsed().as_secs_f64()).map(|r| (r, out))
}

/// Runs [`compare()`] on every pair of a PAN dataset (the suspicious document as `a`, in
/// parallel on the current rayon pool) and scores the passages as detections with PlagDet.
/// `models` are used only for pairs whose two documents are in different languages.
/// `progress` gets the number of pairs done.
pub fn run_pan_eval(
    ds: &pan::PanDataset,
    cfg: &Config,
    models: Option<&semantic::Models>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(pan::PanReport, Vec<Vec<pan::Case>>), Error> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let start = Instant::now();
    let done = AtomicUsize::new(0);
    let detections = ds
        .pairs
        .par_iter()
        .map(|p| {
            let doc = |id: &str| DocInfo {
                text: ds.docs.get(id).map(String::as_str).unwrap_or(""),
                ..DocInfo::default()
            };
            // Passages in one language come from the lexical and reworded aligners; the
            // semantic layer (sentence embeddings) runs only on pairs across languages.
            let c = compare::compare_when(&doc(&p.susp), &doc(&p.src), cfg, models, |a, b| {
                a.lang.is_some() && b.lang.is_some() && a.lang != b.lang
            })?;
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_multiple_of(64) {
                progress(n);
            }
            Ok(c.passages
                .iter()
                .map(|x| pan::Case {
                    susp: x.a,
                    src: x.b,
                })
                .collect())
        })
        .collect::<Result<Vec<Vec<pan::Case>>, Error>>()?;
    progress(ds.pairs.len());
    let report = pan::score(ds, &detections, start.elapsed().as_secs_f64());
    Ok((report, detections))
}
