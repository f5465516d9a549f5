//! `retold._retold`: the Python extension module of the `retold` wheel (pyo3, abi3, Python ≥
//! 3.9). A thin shell like the CLI: every answer comes from the `retold` facade, so Python gets
//! exactly what `retold compare --json`, `retold dedup` and `retold extract --json` give.
//! The Python package (`/python/retold`) wraps it; its docstrings and type stubs are there.
//!
//! Heavy work runs with the GIL released. Errors map onto one exception tree:
//! `RetoldError` ⊃ `InputError` (bad documents or columns), `ModelError` (embedding models
//! missing or failing), `ExtractError` (a page that cannot be read).

mod stages;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Schema};
use arrow::pyarrow::PyArrowType;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use retold::output::{ClusterLine, PairLine};
use retold::{
    AlignedPassage, Config, DedupOutput, DocInfo, Document, Features, IngestError, KeepPolicy,
    Models, Origin, PassageKind, Relation, RunOptions,
};

create_exception!(_retold, RetoldError, PyException, "Any error of retold.");
create_exception!(
    _retold,
    InputError,
    RetoldError,
    "A document, column or option that cannot be used."
);
create_exception!(
    _retold,
    ModelError,
    RetoldError,
    "An embedding model is missing or failed."
);
create_exception!(
    _retold,
    ExtractError,
    RetoldError,
    "A web page could not be read."
);

fn err(e: retold::Error) -> PyErr {
    use retold::Error as E;
    match &e {
        E::Ingest(_) | E::File { .. } => InputError::new_err(e.to_string()),
        E::Model(_) | E::Inference(_) => ModelError::new_err(e.to_string()),
        _ => RetoldError::new_err(e.to_string()),
    }
}

fn input(msg: impl Into<String>) -> PyErr {
    InputError::new_err(msg.into())
}

/// Models loaded so far, by (mode, model dir): loading takes seconds, so it happens once.
type ModelCache = Mutex<Vec<((String, Option<PathBuf>), Option<Arc<Models>>)>>;
static MODELS: ModelCache = Mutex::new(Vec::new());

/// The models for `semantic` (`"auto"`: those installed, `"on"`: all required, `"off"`: none).
fn models(semantic: &str, model_dir: Option<PathBuf>) -> PyResult<Option<Arc<Models>>> {
    use retold::embed::LoadOptions;
    if semantic == "off" {
        return Ok(None);
    }
    if semantic != "auto" && semantic != "on" {
        return Err(input(format!(
            "semantic must be \"auto\", \"on\" or \"off\", not {semantic:?}"
        )));
    }
    let key = (semantic.to_string(), model_dir.clone());
    let mut cache = MODELS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, m)) = cache.iter().find(|(k, _)| *k == key) {
        return Ok(m.clone());
    }
    let opts = LoadOptions {
        model_dir,
        ..Default::default()
    };
    let m = Models::load_for(semantic == "on", &opts)
        .map_err(err)?
        .map(Arc::new);
    cache.push((key, m.clone()));
    Ok(m)
}

/// `retold compare --json` of two texts, as a JSON string.
#[pyfunction]
#[pyo3(signature = (a, b, *, semantic = "auto", model_dir = None, date_a = None, date_b = None,
                    source_a = None, source_b = None, lang_a = None, lang_b = None))]
#[allow(clippy::too_many_arguments)]
fn compare_json(
    py: Python<'_>,
    a: String,
    b: String,
    semantic: &str,
    model_dir: Option<PathBuf>,
    date_a: Option<String>,
    date_b: Option<String>,
    source_a: Option<String>,
    source_b: Option<String>,
    lang_a: Option<String>,
    lang_b: Option<String>,
) -> PyResult<String> {
    let models = models(semantic, model_dir)?;
    py.detach(|| {
        let da = DocInfo {
            text: &a,
            date: date_a.as_deref(),
            source: source_a.as_deref(),
            lang: lang_a.as_deref(),
            marked: &[],
        };
        let db = DocInfo {
            text: &b,
            date: date_b.as_deref(),
            source: source_b.as_deref(),
            lang: lang_b.as_deref(),
            marked: &[],
        };
        let c = retold::compare(&da, &db, &Config::default(), models.as_deref()).map_err(err)?;
        serde_json::to_string(&c).map_err(|e| RetoldError::new_err(e.to_string()))
    })
}

/// `retold extract --json` of one page (HTML bytes, gzip or not), as a JSON string without
/// `path`.
#[pyfunction]
#[pyo3(signature = (html, *, content_type = None))]
fn extract_json(py: Python<'_>, html: Vec<u8>, content_type: Option<String>) -> PyResult<String> {
    py.detach(|| {
        let opts = retold::extract::ExtractOptions {
            content_type,
            ..Default::default()
        };
        let page = retold::extract::extract(&html, &opts)
            .map_err(|e| ExtractError::new_err(e.to_string()))?;
        let j = serde_json::json!({
            "title": page.title,
            "date": page.date,
            "charset": page.charset,
            "text": page.text,
            "article": page.article,
            "body": page.char_ranges(&page.body),
            "boilerplate": page.char_ranges(&page.boilerplate),
            "warnings": page.warnings,
        });
        Ok(j.to_string())
    })
}

/// Documents collected for one `dedup` run.
#[pyclass(module = "retold._retold")]
struct Deduper {
    docs: Vec<Document>,
    semantic: String,
    model_dir: Option<PathBuf>,
    keep: KeepPolicy,
    /// The pipeline's memory budget in bytes (`retold dedup --memory`); `None`: the default.
    memory: Option<usize>,
}

/// The string column `name` of `batch` (any type Arrow casts to text), or `None` when absent
/// and not required.
fn column(
    batch: &RecordBatch,
    name: Option<&str>,
    required: bool,
) -> PyResult<Option<arrow::array::StringArray>> {
    let Some(name) = name else { return Ok(None) };
    let Some(col) = batch.column_by_name(name) else {
        if required {
            let have: Vec<&str> = batch
                .schema_ref()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            return Err(input(format!("no column {name:?} (columns: {have:?})")));
        }
        return Ok(None);
    };
    let text = arrow::compute::cast(col, &DataType::Utf8)
        .map_err(|e| input(format!("column {name:?}: {e}")))?;
    Ok(Some(text.as_string::<i32>().clone()))
}

#[pymethods]
impl Deduper {
    #[new]
    #[pyo3(signature = (*, semantic = "auto", model_dir = None, keep = "original", memory = None))]
    fn new(
        semantic: &str,
        model_dir: Option<PathBuf>,
        keep: &str,
        memory: Option<usize>,
    ) -> PyResult<Self> {
        if memory.is_some_and(|m| m < retold::MIN_MEMORY) {
            return Err(input(format!(
                "memory is a budget in bytes and must be at least 1 MiB ({})",
                retold::MIN_MEMORY
            )));
        }
        let keep = keep
            .parse::<KeepPolicy>()
            .map_err(|e| input(e.to_string()))?;
        if !["auto", "on", "off"].contains(&semantic) {
            return Err(input(format!(
                "semantic must be \"auto\", \"on\" or \"off\", not {semantic:?}"
            )));
        }
        Ok(Deduper {
            docs: Vec::new(),
            semantic: semantic.to_string(),
            model_dir,
            keep,
            memory,
        })
    }

    /// Adds one document.
    #[pyo3(signature = (id, text, *, lang = None, date = None, source = None, url = None, title = None))]
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        id: String,
        text: String,
        lang: Option<String>,
        date: Option<String>,
        source: Option<String>,
        url: Option<String>,
        title: Option<String>,
    ) -> PyResult<()> {
        if id.is_empty() {
            return Err(input(format!(
                "document {} has an empty id",
                self.docs.len() + 1
            )));
        }
        let mut d = Document::new(id, text, Origin::at_row("python", self.docs.len() as u64));
        (d.lang, d.date, d.source, d.url, d.title) = (lang, date, source, url, title);
        self.docs.push(d);
        Ok(())
    }

    /// Adds the rows of a pyarrow RecordBatch (received through the Arrow C data interface,
    /// without copying; the texts are copied once into the engine). Returns the rows added.
    #[pyo3(signature = (batch, *, id_col = "id", text_col = "text", lang_col = Some("lang"),
                        date_col = Some("date"), source_col = Some("source")))]
    fn add_batch(
        &mut self,
        batch: PyArrowType<RecordBatch>,
        id_col: &str,
        text_col: &str,
        lang_col: Option<&str>,
        date_col: Option<&str>,
        source_col: Option<&str>,
    ) -> PyResult<usize> {
        let batch = batch.0;
        let ids = column(&batch, Some(id_col), true)?.expect("required");
        let texts = column(&batch, Some(text_col), true)?.expect("required");
        let langs = column(&batch, lang_col, false)?;
        let dates = column(&batch, date_col, false)?;
        let sources = column(&batch, source_col, false)?;
        let opt = |c: &Option<arrow::array::StringArray>, i: usize| {
            c.as_ref()
                .filter(|c| c.is_valid(i))
                .map(|c| c.value(i).to_string())
        };
        let start = self.docs.len();
        for i in 0..batch.num_rows() {
            if ids.is_null(i) || ids.value(i).is_empty() {
                return Err(input(format!("row {i}: no {id_col:?}")));
            }
            if texts.is_null(i) {
                return Err(input(format!(
                    "row {i} ({}): no {text_col:?}",
                    ids.value(i)
                )));
            }
            let mut d = Document::new(
                ids.value(i),
                texts.value(i),
                Origin::at_row("python", (start + i) as u64),
            );
            (d.lang, d.date, d.source) = (opt(&langs, i), opt(&dates, i), opt(&sources, i));
            self.docs.push(d);
        }
        Ok(batch.num_rows())
    }

    fn __len__(&self) -> usize {
        self.docs.len()
    }

    /// Runs `dedup` over the documents added: (pairs, clusters) as record batches with the
    /// fields of `pairs.jsonl` and `clusters.jsonl`, and the keep-list's ids.
    #[allow(clippy::type_complexity)]
    fn run(
        &self,
        py: Python<'_>,
    ) -> PyResult<(
        PyArrowType<RecordBatch>,
        PyArrowType<RecordBatch>,
        Vec<String>,
    )> {
        let models = models(&self.semantic, self.model_dir.clone())?;
        let (docs, keep) = (&self.docs, self.keep);
        let mut cfg = Config::default();
        if let Some(m) = self.memory {
            cfg.set_memory(m);
        }
        let out = py.detach(|| {
            let mut on_bad = |_: &IngestError| false;
            retold::dedup(
                docs.iter().cloned().map(Ok),
                &cfg,
                RunOptions {
                    keep,
                    on_bad: &mut on_bad,
                    progress: &|_| {},
                    models: models.as_deref(),
                },
            )
            .map_err(err)
        })?;
        let pairs = py.detach(|| {
            to_batch(
                pair_schema()?,
                out.pairs.iter().map(|p| retold::output::pair_line(&out, p)),
            )
        })?;
        let clusters = to_batch(
            cluster_schema()?,
            out.clusters
                .iter()
                .map(|c| retold::output::cluster_line(&out, c)),
        )?;
        let keep = keep_ids(&out);
        Ok((PyArrowType(pairs), PyArrowType(clusters), keep))
    }
}

fn keep_ids(out: &DedupOutput) -> Vec<String> {
    out.keep
        .iter()
        .map(|&k| out.docs[k as usize].id.clone())
        .collect()
}

/// A `pairs.jsonl` line with every field present (the schema of the Arrow output).
fn pair_template() -> String {
    let scores = Features {
        model: Some("model"),
        ..Default::default()
    };
    let passages = [AlignedPassage {
        a: [0, 1],
        b: [0, 1],
        kind: PassageKind::Verbatim,
        similarity: 1.0,
    }];
    serde_json::to_string(&PairLine {
        a: "a",
        b: "b",
        relation: Relation::Duplicate,
        confidence: 1.0,
        exact: true,
        scores: &scores,
        passages: &passages,
    })
    .expect("serializable")
}

/// A `clusters.jsonl` line with every field present.
fn cluster_template() -> String {
    serde_json::to_string(&ClusterLine {
        cluster: "c1",
        docs: vec!["a", "b"],
        relation: Relation::Duplicate,
        original: Some("a"),
        original_reason: "reason",
        story: "s1",
    })
    .expect("serializable")
}

/// The schema of `pairs.jsonl` lines, derived once per process.
fn pair_schema() -> PyResult<Arc<Schema>> {
    static SCHEMA: std::sync::OnceLock<Arc<Schema>> = std::sync::OnceLock::new();
    cached_schema(&SCHEMA, pair_template)
}

/// The schema of `clusters.jsonl` lines, derived once per process.
fn cluster_schema() -> PyResult<Arc<Schema>> {
    static SCHEMA: std::sync::OnceLock<Arc<Schema>> = std::sync::OnceLock::new();
    cached_schema(&SCHEMA, cluster_template)
}

fn cached_schema(
    cell: &std::sync::OnceLock<Arc<Schema>>,
    template: fn() -> String,
) -> PyResult<Arc<Schema>> {
    if let Some(s) = cell.get() {
        return Ok(s.clone());
    }
    let schema = Arc::new(schema_of(&template())?);
    Ok(cell.get_or_init(|| schema).clone())
}

/// The JSON lines of `rows` as one record batch of `schema`.
fn to_batch<T: serde::Serialize>(
    schema: Arc<Schema>,
    rows: impl Iterator<Item = T>,
) -> PyResult<RecordBatch> {
    let fail = |e: &dyn std::fmt::Display| RetoldError::new_err(format!("arrow output: {e}"));
    let mut lines = Vec::new();
    for r in rows {
        serde_json::to_writer(&mut lines, &r).map_err(|e| fail(&e))?;
        lines.push(b'\n');
    }
    let reader = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(8192)
        .build(std::io::Cursor::new(lines))
        .map_err(|e| fail(&e))?;
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().map_err(|e| fail(&e))?;
    arrow::compute::concat_batches(&schema, &batches).map_err(|e| fail(&e))
}

/// The Arrow schema of a template line, its top-level fields in the line's order (inference
/// sorts them; nested structs keep the sorted order, which dicts do not see).
fn schema_of(template: &str) -> PyResult<Schema> {
    let (schema, _) =
        arrow_json::reader::infer_json_schema(std::io::Cursor::new(template.as_bytes()), Some(1))
            .map_err(|e| RetoldError::new_err(format!("arrow output: {e}")))?;
    // Top-level keys come before any nested key of the same name in these templates.
    let pos = |name: &str| template.find(&format!("\"{name}\":")).unwrap_or(usize::MAX);
    let mut fields: Vec<_> = schema.fields().iter().cloned().collect();
    fields.sort_by_key(|f| pos(f.name()));
    Ok(Schema::new(fields))
}

/// The pipeline's pool gets every core (or `RAYON_NUM_THREADS`). Unlike the CLI, the module
/// does not set `RAYON_NUM_THREADS=1` for candle's matrix products: that would change the
/// environment of the user's process and of every process it starts.
fn init_threads() {
    let n = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Fails harmlessly when another extension built the global pool first.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global();
}

#[pymodule]
fn _retold(m: &Bound<'_, PyModule>) -> PyResult<()> {
    init_threads();
    m.add_function(wrap_pyfunction!(compare_json, m)?)?;
    m.add_function(wrap_pyfunction!(extract_json, m)?)?;
    m.add_class::<Deduper>()?;
    m.add_class::<stages::StageModel>()?;
    m.add_function(wrap_pyfunction!(stages::stage_params, m)?)?;
    m.add_function(wrap_pyfunction!(stages::sketch_batch, m)?)?;
    m.add_function(wrap_pyfunction!(stages::sketch_batch_schema, m)?)?;
    m.add_function(wrap_pyfunction!(stages::learn_batch, m)?)?;
    m.add_function(wrap_pyfunction!(stages::line_counts, m)?)?;
    m.add_function(wrap_pyfunction!(stages::pair_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(stages::candidate_batch, m)?)?;
    m.add_function(wrap_pyfunction!(stages::verify_batch, m)?)?;
    m.add_function(wrap_pyfunction!(stages::verify_batch_schema, m)?)?;
    m.add_function(wrap_pyfunction!(stages::group_batch, m)?)?;
    m.add_function(wrap_pyfunction!(stages::group_batch_schema, m)?)?;
    let py = m.py();
    m.add("RetoldError", py.get_type::<RetoldError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("ExtractError", py.get_type::<ExtractError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
