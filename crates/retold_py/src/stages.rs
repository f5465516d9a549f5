//! The stage functions of `retold::stages` over Arrow record batches, for the Spark job
//! (`python -m retold.spark`): each takes one batch of rows that a shuffle brought together and
//! returns one batch, with the GIL released. Document numbers are `int64` columns (Spark has
//! no unsigned types); 64-bit keys are their bits as `int64`.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BinaryBuilder, BooleanArray, Float32Array, Int64Array,
    Int64Builder, ListArray, ListBuilder, RecordBatch, StringArray, StringBuilder,
};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use arrow::pyarrow::PyArrowType;
use pyo3::prelude::*;
use retold::output::PairLine;
use retold::stages::{
    candidates_of, doc_part, group_component, key_pair_items, key_part, learned_sets,
    model_from_keys, pair_rule, verify_pairs, ComponentDoc, Containment, CorpusModel, DocEvidence,
    KeyPairs, LearnedSet, PairDoc, PairRule, Posting, Sketcher, VerifiedPair, KEY_BAND, KEY_EXACT,
    KEY_SEED, KEY_SENTENCE,
};
use retold::{Config, Document, GroupPair, KeepPolicy, Origin, Relation};
use std::collections::HashMap;

use crate::{input, pair_schema, to_batch, RetoldError};

/// The run configuration every stage uses (the CLI's defaults), made once per process.
fn cfg() -> &'static Config {
    static CFG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CFG.get_or_init(Config::default)
}

/// The sketcher of [`cfg`], made once per process (its LSH parameters take a search).
fn sketcher() -> &'static Sketcher<'static> {
    static S: std::sync::OnceLock<Sketcher<'static>> = std::sync::OnceLock::new();
    S.get_or_init(|| Sketcher::new(cfg()))
}

fn fail(e: impl std::fmt::Display) -> PyErr {
    RetoldError::new_err(format!("arrow: {e}"))
}

fn col<'b>(batch: &'b RecordBatch, name: &str) -> PyResult<&'b ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| input(format!("no column {name:?}")))
}

fn i64s(batch: &RecordBatch, name: &str) -> PyResult<Int64Array> {
    let c = arrow::compute::cast(col(batch, name)?, &DataType::Int64).map_err(fail)?;
    Ok(c.as_primitive::<Int64Type>().clone())
}

fn bools(batch: &RecordBatch, name: &str) -> PyResult<arrow::array::BooleanArray> {
    let c = arrow::compute::cast(col(batch, name)?, &DataType::Boolean).map_err(fail)?;
    Ok(c.as_boolean().clone())
}

fn f32s(batch: &RecordBatch, name: &str) -> PyResult<Float32Array> {
    let c = arrow::compute::cast(col(batch, name)?, &DataType::Float32).map_err(fail)?;
    Ok(c.as_primitive::<arrow::datatypes::Float32Type>().clone())
}

/// A string column; absent (when optional) or null values read as `None`.
fn strs(batch: &RecordBatch, name: &str, required: bool) -> PyResult<Option<StringArray>> {
    match batch.column_by_name(name) {
        None if !required => Ok(None),
        None => Err(input(format!("no column {name:?}"))),
        Some(c) => {
            let c = arrow::compute::cast(c, &DataType::Utf8).map_err(fail)?;
            Ok(Some(c.as_string::<i32>().clone()))
        }
    }
}

fn get(c: &Option<StringArray>, i: usize) -> Option<&str> {
    c.as_ref().filter(|c| c.is_valid(i)).map(|c| c.value(i))
}

fn list_i64(batch: &RecordBatch, name: &str) -> PyResult<ListArray> {
    let t = DataType::List(Arc::new(Field::new("item", DataType::Int64, true)));
    let c = arrow::compute::cast(col(batch, name)?, &t).map_err(fail)?;
    Ok(c.as_list::<i32>().clone())
}

fn list_values(l: &ListArray, i: usize) -> Vec<i64> {
    if l.is_null(i) {
        return Vec::new();
    }
    l.value(i)
        .as_primitive::<Int64Type>()
        .iter()
        .flatten()
        .collect()
}

/// Appends one list (one row) of `values` to a list column.
fn append_list<B, T>(list: &mut ListBuilder<B>, values: impl IntoIterator<Item = T>)
where
    B: arrow::array::ArrayBuilder + Extend<Option<T>>,
{
    list.values().extend(values.into_iter().map(Some));
    list.append(true);
}

fn u32_of(v: i64) -> PyResult<u32> {
    u32::try_from(v).map_err(|_| input(format!("document number {v} is out of range")))
}

fn int64_list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
        true,
    )
}

/// The schema of [`sketch_batch`]'s output: document rows (`block` 0: `idx`, `tokens`,
/// `same_sig`) and block rows (`block` 1: candidate keys, 2: line keys; `part`, `data`),
/// the other fields null.
fn sketch_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("block", DataType::Int32, false),
        Field::new("idx", DataType::Int64, true),
        Field::new("tokens", DataType::Int64, true),
        Field::new("same_sig", DataType::Binary, true),
        Field::new("part", DataType::Int32, true),
        Field::new("data", DataType::Binary, true),
    ]))
}

/// The parameters the Spark job's SQL needs: how each candidate key kind pairs documents, and
/// the boilerplate-learning thresholds.
#[pyfunction]
pub fn stage_params() -> PyResult<String> {
    let cfg = cfg();
    let rule = |kind: u32| match pair_rule(kind, cfg) {
        PairRule::Chain => serde_json::json!({"rule": "chain"}),
        PairRule::Bucket { max } => serde_json::json!({"rule": "bucket", "max": max}),
        PairRule::Shared { max_df, min_shared } => {
            serde_json::json!({"rule": "shared", "max_df": max_df, "min_shared": min_shared})
        }
    };
    let decisions: Vec<_> = cfg
        .learn
        .decisions()
        .iter()
        .map(|&(per_source, set, threshold)| {
            serde_json::json!({"per_source": per_source, "set": format!("{set:?}"), "threshold": threshold})
        })
        .collect();
    Ok(serde_json::json!({
        "key_exact": KEY_EXACT,
        "key_seed": KEY_SEED,
        "key_sentence": KEY_SENTENCE,
        "key_band": KEY_BAND,
        "rules": {
            "exact": rule(KEY_EXACT),
            "seed": rule(KEY_SEED),
            "sentence": rule(KEY_SENTENCE),
            "band": rule(KEY_BAND),
        },
        "sample_size": cfg.learn.sample_size(),
        "decisions": decisions,
    })
    .to_string())
}

/// Stage 1: sketches of documents. Input columns `idx` (the document's number), `text`, and
/// optionally `source`, `lang`; output [`sketch_schema`]: a row per document (content tokens,
/// the signature values telling near copies apart), and the documents' candidate keys and
/// line keys (kind 0: global, 1: within the source) as postings cut into `parts` blocks by
/// key ([`retold::stages::key_part`]), one row per block. Shuffled by `part`, the blocks bring
/// each key's documents together in few, large rows.
#[pyfunction]
pub fn sketch_batch(
    py: Python<'_>,
    batch: PyArrowType<RecordBatch>,
    parts: i64,
) -> PyResult<PyArrowType<RecordBatch>> {
    let batch = batch.0;
    let parts = parts_of(parts)?;
    let idx = i64s(&batch, "idx")?;
    let texts = strs(&batch, "text", true)?;
    let sources = strs(&batch, "source", false)?;
    let langs = strs(&batch, "lang", false)?;
    let docs: Vec<u32> = idx
        .values()
        .iter()
        .map(|&d| u32_of(d))
        .collect::<PyResult<_>>()?;
    let out = py.detach(|| -> PyResult<RecordBatch> {
        use rayon::prelude::*;
        let sketcher = sketcher();
        let sketches: Vec<_> = (0..batch.num_rows())
            .into_par_iter()
            .map(|i| {
                let mut d = Document::new(
                    "",
                    get(&texts, i).unwrap_or(""),
                    Origin::at_row("spark", i as u64),
                );
                d.source = get(&sources, i).map(str::to_string);
                d.lang = get(&langs, i).map(str::to_string);
                sketcher.sketch(&d)
            })
            .collect();
        let mut key_blocks = PostingBlocks::new(parts);
        let mut line_blocks = PostingBlocks::new(parts);
        let mut sigs = BinaryBuilder::new();
        let mut tokens = Vec::with_capacity(sketches.len());
        for (s, &doc) in sketches.iter().zip(&docs) {
            tokens.push(Some(i64::from(s.tokens)));
            for &(kind, key) in &s.keys {
                key_blocks.push(kind, key, doc);
            }
            for (kind, keys) in [&s.lines, &s.source_lines].into_iter().enumerate() {
                for &key in keys {
                    line_blocks.push(kind as u32, key, doc);
                }
            }
            let bytes: Vec<u8> = s.same_sig.iter().flat_map(|v| v.to_le_bytes()).collect();
            sigs.append_value(bytes);
        }
        let n = sketches.len();
        let mut block = vec![0i32; n];
        let mut idx: Vec<Option<i64>> = docs.iter().map(|&d| Some(i64::from(d))).collect();
        let mut part: Vec<Option<i32>> = vec![None; n];
        let mut data = BinaryBuilder::new();
        data.append_nulls(n);
        for (kind, blocks) in [(1, key_blocks.finish()), (2, line_blocks.finish())] {
            for (p, b) in blocks
                .into_iter()
                .enumerate()
                .filter(|(_, b)| !b.is_empty())
            {
                block.push(kind);
                idx.push(None);
                tokens.push(None);
                sigs.append_null();
                part.push(Some(p as i32));
                data.append_value(b);
            }
        }
        RecordBatch::try_new(
            sketch_schema(),
            vec![
                Arc::new(arrow::array::Int32Array::from(block)),
                Arc::new(Int64Array::from(idx)),
                Arc::new(Int64Array::from(tokens)),
                Arc::new(sigs.finish()),
                Arc::new(arrow::array::Int32Array::from(part)),
                Arc::new(data.finish()),
            ],
        )
        .map_err(fail)
    })?;
    Ok(PyArrowType(out))
}

/// Bytes of one posting in a key block after its kind's header: key (`u64`), document (`u32`).
const POSTING_BYTES: usize = 12;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn parts_of(parts: i64) -> PyResult<u32> {
    u32::try_from(parts)
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| input(format!("parts must be in 1..2^32, not {parts}")))
}

/// The rows of `blocks`: one per partition holding data, `part` and its bytes.
fn block_batch(blocks: Vec<Vec<u8>>) -> PyResult<RecordBatch> {
    let mut part = Vec::new();
    let mut data = BinaryBuilder::new();
    for (p, b) in blocks.into_iter().enumerate() {
        if !b.is_empty() {
            part.push(p as i32);
            data.append_value(b);
        }
    }
    RecordBatch::try_new(
        block_schema(),
        vec![
            Arc::new(arrow::array::Int32Array::from(part)),
            Arc::new(data.finish()),
        ],
    )
    .map_err(fail)
}

/// The schema of key and tally blocks: `part` (the shuffle partition) and `data`.
fn block_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("part", DataType::Int32, false),
        Field::new("data", DataType::Binary, false),
    ]))
}

/// The `data` values of a list of block batches.
fn block_data(batches: &[RecordBatch]) -> PyResult<Vec<BinaryArray>> {
    batches
        .iter()
        .filter(|b| b.num_rows() > 0)
        .map(|b| {
            let c = arrow::compute::cast(col(b, "data")?, &DataType::Binary).map_err(fail)?;
            Ok(c.as_binary::<i32>().clone())
        })
        .collect()
}

/// The groups of a block written as a header per kind (kind, count: `u32`s) followed by
/// `count` items of `width` bytes: each group's kind and the bytes of its items.
fn kind_groups<'v>(v: &'v [u8], width: usize, what: &str) -> PyResult<Vec<(u32, &'v [u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < v.len() {
        let short = || input(format!("{what} block cut short"));
        if at + 8 > v.len() {
            return Err(short());
        }
        let (kind, n) = (u32_at(v, at), u32_at(v, at + 4) as usize);
        at += 8;
        let end = n
            .checked_mul(width)
            .and_then(|b| b.checked_add(at))
            .filter(|&e| e <= v.len())
            .ok_or_else(short)?;
        out.push((kind, &v[at..end]));
        at = end;
    }
    Ok(out)
}

/// Appends the header of a group of `n` items of one kind, as [`kind_groups`] reads it.
fn push_group_header(b: &mut Vec<u8>, kind: u32, n: usize) {
    b.extend_from_slice(&kind.to_le_bytes());
    b.extend_from_slice(&(n as u32).to_le_bytes());
}

/// The postings of a list of key blocks (as [`PostingBlocks`] writes them).
fn postings_of(data: &[BinaryArray]) -> PyResult<Vec<Posting>> {
    let mut postings = Vec::new();
    for arr in data {
        for i in (0..arr.len()).filter(|&i| arr.is_valid(i)) {
            for (kind, body) in kind_groups(arr.value(i), POSTING_BYTES, "key")? {
                postings.extend(body.chunks_exact(POSTING_BYTES).map(|r| Posting {
                    kind,
                    key: u64_at(r, 0),
                    doc: u32_at(r, 8),
                }));
            }
        }
    }
    Ok(postings)
}

/// Postings cut into one block per shuffle partition (by [`key_part`]). Within a block the
/// postings are grouped by kind, each group a header (kind, count: `u32`s) and its postings
/// ([`POSTING_BYTES`] each), so the kind is not repeated per posting.
struct PostingBlocks {
    /// Per partition, per kind (in first-seen order), the kind and its postings' bytes.
    parts: Vec<Vec<(u32, Vec<u8>)>>,
}

impl PostingBlocks {
    fn new(parts: u32) -> Self {
        PostingBlocks {
            parts: vec![Vec::new(); parts as usize],
        }
    }

    fn push(&mut self, kind: u32, key: u64, doc: u32) {
        let n = self.parts.len() as u32;
        let groups = &mut self.parts[key_part(kind, key, n) as usize];
        let g = match groups.iter().position(|(k, _)| *k == kind) {
            Some(g) => g,
            None => {
                groups.push((kind, Vec::new()));
                groups.len() - 1
            }
        };
        let b = &mut groups[g].1;
        b.extend_from_slice(&key.to_le_bytes());
        b.extend_from_slice(&doc.to_le_bytes());
    }

    /// The blocks' bytes, one per partition (empty where no posting went).
    fn finish(self) -> Vec<Vec<u8>> {
        self.parts
            .into_iter()
            .map(|groups| {
                let size = groups.iter().map(|(_, b)| 8 + b.len()).sum();
                let mut out = Vec::with_capacity(size);
                for (kind, b) in groups {
                    push_group_header(&mut out, kind, b.len() / POSTING_BYTES);
                    out.extend_from_slice(&b);
                }
                out
            })
            .collect()
    }
}

/// Stage 2a: per line key of one shuffle partition of line blocks (every block of its keys)
/// held by at least `least_global` documents (`least_source` for keys within a source), the
/// key, `per_source`, its document `count` and `sample`: its `sample_size` smallest document
/// numbers, ascending.
#[pyfunction]
pub fn line_counts(
    py: Python<'_>,
    batches: Vec<PyArrowType<RecordBatch>>,
    least_global: u64,
    least_source: u64,
    sample_size: usize,
) -> PyResult<PyArrowType<RecordBatch>> {
    let batches: Vec<RecordBatch> = batches.into_iter().map(|b| b.0).collect();
    let data = block_data(&batches)?;
    let out = py.detach(|| -> PyResult<RecordBatch> {
        let mut postings = postings_of(&data)?;
        postings.sort_unstable();
        let mut key = Vec::new();
        let mut per_source = Vec::new();
        let mut count = Vec::new();
        let mut sample = ListBuilder::new(Int64Builder::new());
        for g in postings.chunk_by(|x, y| x.kind == y.kind && x.key == y.key) {
            let least = if g[0].kind == 0 {
                least_global
            } else {
                least_source
            };
            if (g.len() as u64) < least.max(1) {
                continue;
            }
            key.push(g[0].key as i64);
            per_source.push(g[0].kind != 0);
            count.push(g.len() as i64);
            append_list(
                &mut sample,
                g.iter().take(sample_size).map(|p| i64::from(p.doc)),
            );
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("per_source", DataType::Boolean, false),
            Field::new("key", DataType::Int64, false),
            Field::new("count", DataType::Int64, false),
            int64_list("sample"),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(BooleanArray::from(per_source)),
                Arc::new(Int64Array::from(key)),
                Arc::new(Int64Array::from(count)),
                Arc::new(sample.finish()),
            ],
        )
        .map_err(fail)
    })?;
    Ok(PyArrowType(out))
}

/// Stage 3a: what the keys of one shuffle partition of key blocks (every block of its keys)
/// give ([`retold::stages::key_pair_items`]), cut into `parts` blocks by the pairs' smaller
/// documents ([`retold::stages::doc_part`]; a seed or sentence key's documents go to each
/// partition of one of them). Input: the partition's batches of [`sketch_batch`]'s key blocks;
/// output `part`, `data` (packed items: kind, count, documents, as `u32`s), and the most
/// documents one key of the partition has.
#[pyfunction]
pub fn pair_blocks(
    py: Python<'_>,
    batches: Vec<PyArrowType<RecordBatch>>,
    parts: i64,
) -> PyResult<(PyArrowType<RecordBatch>, usize)> {
    let parts = parts_of(parts)?;
    let batches: Vec<RecordBatch> = batches.into_iter().map(|b| b.0).collect();
    let data = block_data(&batches)?;
    let out = py.detach(|| -> PyResult<(RecordBatch, usize)> {
        let cfg = cfg();
        let mut postings = postings_of(&data)?;
        let (items, largest) = key_pair_items(&mut postings, cfg);
        drop(postings);
        let mut blocks: Vec<Vec<u8>> = vec![Vec::new(); parts as usize];
        let mut to = Vec::new();
        for item in &items {
            to.clear();
            to.extend(item.firsts().iter().map(|&d| doc_part(d, parts)));
            to.sort_unstable();
            to.dedup();
            let (kind, docs): (u32, &[u32]) = match item {
                KeyPairs::Direct(p) => (KEY_EXACT, p),
                KeyPairs::Shared { kind, docs } => (*kind, docs),
            };
            for &q in &to {
                let b = &mut blocks[q as usize];
                push_group_header(b, kind, docs.len());
                for d in docs {
                    b.extend_from_slice(&d.to_le_bytes());
                }
            }
        }
        Ok((block_batch(blocks)?, largest))
    })?;
    Ok((PyArrowType(out.0), out.1))
}

/// Stage 3b: the candidate pairs of one shuffle partition of [`pair_blocks`] rows (every
/// block of its parts; `parts` as there): per part, the pairs whose smaller document belongs
/// to it ([`retold::stages::candidates_of`]). Output `a`, `b` (`a < b`).
#[pyfunction]
pub fn candidate_batch(
    py: Python<'_>,
    batches: Vec<PyArrowType<RecordBatch>>,
    parts: i64,
) -> PyResult<PyArrowType<RecordBatch>> {
    let parts = parts_of(parts)?;
    let batches: Vec<RecordBatch> = batches.into_iter().map(|b| b.0).collect();
    let data = block_data(&batches)?;
    let mut part_of = Vec::new();
    for b in batches.iter().filter(|b| b.num_rows() > 0) {
        part_of.push(i64s(b, "part")?);
    }
    let out = py.detach(|| -> PyResult<RecordBatch> {
        let cfg = cfg();
        let mut by_part: HashMap<u32, Vec<KeyPairs>> = HashMap::new();
        for (arr, part) in data.iter().zip(&part_of) {
            for i in (0..arr.len()).filter(|&i| arr.is_valid(i)) {
                let p = u32::try_from(part.value(i))
                    .map_err(|_| input(format!("part {} out of range", part.value(i))))?;
                let items = by_part.entry(p).or_default();
                for (kind, body) in kind_groups(arr.value(i), 4, "pair")? {
                    let docs: Vec<u32> = body.chunks_exact(4).map(|r| u32_at(r, 0)).collect();
                    let n = docs.len();
                    items.push(match pair_rule(kind, cfg) {
                        PairRule::Shared { .. } => KeyPairs::Shared { kind, docs },
                        _ if n == 2 => KeyPairs::Direct([docs[0], docs[1]]),
                        _ => return Err(input(format!("direct pair of {n} documents"))),
                    });
                }
            }
        }
        let mut pairs = Vec::new();
        for (p, items) in &by_part {
            pairs.extend(candidates_of(items, |d| doc_part(d, parts) == *p, cfg));
        }
        pairs.sort_unstable();
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, false),
            Field::new("b", DataType::Int64, false),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from_iter_values(
                    pairs.iter().map(|p| i64::from(p.0)),
                )),
                Arc::new(Int64Array::from_iter_values(
                    pairs.iter().map(|p| i64::from(p.1)),
                )),
            ],
        )
        .map_err(fail)
    })?;
    Ok(PyArrowType(out))
}

/// The schema of [`sketch_batch`]'s output, as pyarrow.
#[pyfunction]
pub fn sketch_batch_schema() -> PyArrowType<Schema> {
    PyArrowType(sketch_schema().as_ref().clone())
}

fn sig_of(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Stage 2b: decides line keys. Input columns `per_source` (bool), `key`, `count`, `sample`
/// (the smallest document numbers holding the key, ascending) and `sigs` (their `same_sig`, in
/// the same order); output `key`, `per_source` and one bool per learned set (`recurring`,
/// `recurring_wide`, `in_source`).
#[pyfunction]
pub fn learn_batch(
    py: Python<'_>,
    batch: PyArrowType<RecordBatch>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let batch = batch.0;
    let per_source = arrow::compute::cast(col(&batch, "per_source")?, &DataType::Boolean)
        .map_err(fail)?
        .as_boolean()
        .clone();
    let keys = i64s(&batch, "key")?;
    let counts = i64s(&batch, "count")?;
    let samples = list_i64(&batch, "sample")?;
    let sigs = col(&batch, "sigs")?
        .as_list_opt::<i32>()
        .ok_or_else(|| input("column \"sigs\" must be a list of binary values"))?
        .clone();
    let out = py.detach(|| -> PyResult<RecordBatch> {
        let cfg = cfg();
        let n = batch.num_rows();
        let mut flags: Vec<[bool; 3]> = Vec::with_capacity(n);
        for i in 0..n {
            let mut f = [false; 3];
            let sample: Vec<u32> = list_values(&samples, i)
                .into_iter()
                .map(u32_of)
                .collect::<PyResult<_>>()?;
            let s = sigs.value(i);
            let s: &BinaryArray = s
                .as_binary_opt::<i32>()
                .ok_or_else(|| input("column \"sigs\" must be a list of binary values"))?;
            let owned: Vec<Vec<u32>> = (0..s.len()).map(|j| sig_of(s.value(j))).collect();
            let sig = |d: u32| -> &[u32] {
                sample
                    .iter()
                    .position(|&x| x == d)
                    .map_or(&[][..], |p| owned[p].as_slice())
            };
            let count = counts.value(i).max(0) as u64;
            for set in learned_sets(cfg, per_source.value(i), count, &sample, &sig) {
                let k = match set {
                    LearnedSet::Recurring => 0,
                    LearnedSet::RecurringWide => 1,
                    LearnedSet::InSource => 2,
                };
                f[k] = true;
            }
            flags.push(f);
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("key", DataType::Int64, false),
            Field::new("per_source", DataType::Boolean, false),
            Field::new("recurring", DataType::Boolean, false),
            Field::new("recurring_wide", DataType::Boolean, false),
            Field::new("in_source", DataType::Boolean, false),
        ]));
        let set = |k: usize| -> ArrayRef {
            Arc::new(BooleanArray::from(
                flags.iter().map(|f| f[k]).collect::<Vec<bool>>(),
            ))
        };
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(keys.clone()),
                Arc::new(per_source.clone()),
                set(0),
                set(1),
                set(2),
            ],
        )
        .map_err(fail)
    })?;
    Ok(PyArrowType(out))
}

/// Learned boilerplate lines (stage 2's result), for verification.
#[pyclass(module = "retold._retold", frozen)]
pub struct StageModel {
    model: CorpusModel,
}

#[pymethods]
impl StageModel {
    /// The model of the learned keys (each an int64 key's bits).
    #[new]
    fn new(recurring: Vec<i64>, recurring_wide: Vec<i64>, in_source: Vec<i64>) -> Self {
        let cfg = cfg();
        let u = |v: Vec<i64>| v.into_iter().map(|k| k as u64).collect::<Vec<u64>>();
        StageModel {
            model: model_from_keys(cfg, u(recurring), u(recurring_wide), u(in_source)),
        }
    }

    /// Number of learned keys.
    fn __len__(&self) -> usize {
        self.model.len()
    }
}

/// The columns stage 3 adds to the `pairs.jsonl` fields, for grouping.
const VERIFY_EXTRA: [(&str, DataType); 9] = [
    ("a_idx", DataType::Int64),
    ("b_idx", DataType::Int64),
    ("weight", DataType::Float32),
    ("a_in_b", DataType::Float32),
    ("b_in_a", DataType::Float32),
    ("a_head", DataType::Float32),
    ("b_head", DataType::Float32),
    ("evidence_a", DataType::Utf8),
    ("evidence_b", DataType::Utf8),
];

fn verify_schema() -> PyResult<Schema> {
    let base = pair_schema()?;
    let mut fields: Vec<Field> = base.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.extend(
        VERIFY_EXTRA
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone(), true)),
    );
    Ok(Schema::new(fields))
}

/// The schema of [`verify_batch`]'s output, as pyarrow.
#[pyfunction]
pub fn verify_batch_schema() -> PyResult<PyArrowType<Schema>> {
    Ok(PyArrowType(verify_schema()?))
}

/// Stage 4: verifies candidate pairs. Input columns `a`, `b` (document numbers, `a < b`),
/// and per side `id_`, `text_`, `source_`, `lang_`, `date_` + `a`/`b`; output the fields of
/// `pairs.jsonl` (for pairs whose relation is not `unrelated`) plus `a_idx`, `b_idx`, the
/// edge `weight`, the containment shares and each side's provenance evidence (JSON).
#[pyfunction]
pub fn verify_batch(
    py: Python<'_>,
    model: &StageModel,
    batch: PyArrowType<RecordBatch>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let batch = batch.0;
    let (a, b) = (i64s(&batch, "a")?, i64s(&batch, "b")?);
    let side = |s: &str| -> PyResult<[Option<StringArray>; 5]> {
        Ok([
            strs(&batch, &format!("id_{s}"), true)?,
            strs(&batch, &format!("text_{s}"), true)?,
            strs(&batch, &format!("source_{s}"), false)?,
            strs(&batch, &format!("lang_{s}"), false)?,
            strs(&batch, &format!("date_{s}"), false)?,
        ])
    };
    let (sa, sb) = (side("a")?, side("b")?);
    let out = py.detach(|| -> PyResult<RecordBatch> {
        let cfg = cfg();
        let mut docs: Vec<PairDoc<'_>> = Vec::with_capacity(2 * batch.num_rows());
        let mut ids: HashMap<u32, &str> = HashMap::new();
        let mut pairs = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let (x, y) = (u32_of(a.value(i))?, u32_of(b.value(i))?);
            pairs.push((x, y));
            for (n, s) in [(x, &sa), (y, &sb)] {
                if ids.contains_key(&n) {
                    continue;
                }
                ids.insert(n, get(&s[0], i).unwrap_or(""));
                docs.push(PairDoc {
                    idx: n,
                    text: get(&s[1], i).unwrap_or(""),
                    source: get(&s[2], i),
                    lang: get(&s[3], i),
                    date: get(&s[4], i),
                });
            }
        }
        let verified = verify_pairs(cfg, &model.model, &docs, &pairs);
        let lines = verified.iter().map(|v| {
            let p = &v.pair;
            PairLine {
                a: ids[&p.a],
                b: ids[&p.b],
                relation: p.analysis.relation,
                confidence: retold::analyze::round3(p.analysis.confidence),
                exact: p.analysis.exact,
                scores: &p.analysis.features,
                passages: &p.analysis.passages,
            }
        });
        let base = to_batch(pair_schema()?, lines)?;
        let json = |e: &DocEvidence| serde_json::to_string(e).map_err(fail);
        let mut columns: Vec<ArrayRef> = base.columns().to_vec();
        let idx = |f: &dyn Fn(&VerifiedPair) -> u32| -> ArrayRef {
            Arc::new(Int64Array::from_iter_values(
                verified.iter().map(|v| i64::from(f(v))),
            ))
        };
        columns.push(idx(&|v| v.pair.a));
        columns.push(idx(&|v| v.pair.b));
        let float = |f: &dyn Fn(&VerifiedPair) -> f32| -> ArrayRef {
            Arc::new(Float32Array::from_iter_values(verified.iter().map(f)))
        };
        columns.push(float(&|v| GroupPair::of(&v.pair).weight));
        columns.push(float(&|v| v.containment.a_in_b));
        columns.push(float(&|v| v.containment.b_in_a));
        columns.push(float(&|v| v.containment.a_head));
        columns.push(float(&|v| v.containment.b_head));
        for s in 0..2 {
            let mut b = StringBuilder::new();
            for v in &verified {
                b.append_value(json(&v.evidence[s])?);
            }
            columns.push(Arc::new(b.finish()));
        }
        RecordBatch::try_new(Arc::new(verify_schema()?), columns).map_err(fail)
    })?;
    Ok(PyArrowType(out))
}

/// The schema of [`group_batch`]'s output.
fn group_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("comp", DataType::Int64, false),
        Field::new("first", DataType::Int64, false),
        Field::new(
            "doc_ids",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
        Field::new("relation", DataType::Utf8, false),
        Field::new("original_id", DataType::Utf8, true),
        Field::new("original_reason", DataType::Utf8, false),
        Field::new("story", DataType::Utf8, false),
        int64_list("dropped"),
    ]))
}

/// The schema of [`group_batch`]'s output, as pyarrow.
#[pyfunction]
pub fn group_batch_schema() -> PyArrowType<Schema> {
    PyArrowType(group_schema().as_ref().clone())
}

/// Stage 5: groups connected components of verified pairs. Input: batches holding every pair
/// of their components, with columns `comp` (the component), `a_idx`, `b_idx`, `relation`,
/// `exact`, `weight`, `a_in_b`, `b_in_a`, `a_head`, `b_head`, `evidence_a`, `evidence_b`
/// (stage 3's) and per side `id_`, `date_`, `lang_`, `tokens_` + `a`/`b`. Output: one row per
/// cluster (`comp`, `first` member, the members' `doc_ids`, `relation`, `original_id`,
/// `original_reason`, the component's `story` name, and the members `dropped`
/// from the keep-list), components in ascending order.
#[pyfunction]
#[pyo3(signature = (batches, keep = "original"))]
pub fn group_batch(
    py: Python<'_>,
    batches: Vec<PyArrowType<RecordBatch>>,
    keep: &str,
) -> PyResult<PyArrowType<RecordBatch>> {
    let policy: KeepPolicy = keep.parse().map_err(|e| input(format!("{e}")))?;
    let batches: Vec<RecordBatch> = batches.into_iter().map(|b| b.0).collect();
    let Some(first_batch) = batches.first() else {
        return Ok(PyArrowType(RecordBatch::new_empty(group_schema())));
    };
    let batch = arrow::compute::concat_batches(&first_batch.schema(), &batches).map_err(fail)?;
    let comp = i64s(&batch, "comp")?;
    let (a, b) = (i64s(&batch, "a_idx")?, i64s(&batch, "b_idx")?);
    let relation = strs(&batch, "relation", true)?;
    let weight = f32s(&batch, "weight")?;
    let exact = bools(&batch, "exact")?;
    let shares = [
        f32s(&batch, "a_in_b")?,
        f32s(&batch, "b_in_a")?,
        f32s(&batch, "a_head")?,
        f32s(&batch, "b_head")?,
    ];
    let ev = [
        strs(&batch, "evidence_a", true)?,
        strs(&batch, "evidence_b", true)?,
    ];
    let dates = [
        strs(&batch, "date_a", false)?,
        strs(&batch, "date_b", false)?,
    ];
    let langs = [
        strs(&batch, "lang_a", false)?,
        strs(&batch, "lang_b", false)?,
    ];
    let tokens = [i64s(&batch, "tokens_a")?, i64s(&batch, "tokens_b")?];
    let ids = [strs(&batch, "id_a", true)?, strs(&batch, "id_b", true)?];
    let out = py.detach(|| -> PyResult<RecordBatch> {
        let cfg = cfg();
        let mut rows_of: HashMap<i64, Vec<usize>> = HashMap::new();
        for i in 0..batch.num_rows() {
            rows_of.entry(comp.value(i)).or_default().push(i);
        }
        let mut comps: Vec<i64> = rows_of.keys().copied().collect();
        comps.sort_unstable();
        let mut comp_col = Vec::new();
        let mut first = Vec::new();
        let mut member_ids = ListBuilder::new(StringBuilder::new());
        let mut original_id = StringBuilder::new();
        let mut dropped = ListBuilder::new(Int64Builder::new());
        let mut rel = StringBuilder::new();
        let mut reason = StringBuilder::new();
        let mut story = StringBuilder::new();
        for c in comps {
            let mut docs: HashMap<u32, ComponentDoc> = HashMap::new();
            let mut id_of: HashMap<u32, &str> = HashMap::new();
            let mut pairs = Vec::new();
            let mut containment = Vec::new();
            for &i in &rows_of[&c] {
                let (x, y) = (u32_of(a.value(i))?, u32_of(b.value(i))?);
                let rel: Relation = get(&relation, i)
                    .unwrap_or("")
                    .parse()
                    .map_err(|e| input(format!("relation: {e}")))?;
                pairs.push(GroupPair {
                    a: x,
                    b: y,
                    relation: rel,
                    weight: weight.value(i),
                });
                containment.push(Containment {
                    a: x,
                    b: y,
                    a_in_b: shares[0].value(i),
                    b_in_a: shares[1].value(i),
                    a_head: shares[2].value(i),
                    b_head: shares[3].value(i),
                    same_text: exact.is_valid(i) && exact.value(i),
                    duplicate: rel == Relation::Duplicate,
                    reworded: rel == Relation::Rewrite,
                });
                for (s, n) in [x, y].into_iter().enumerate() {
                    if docs.contains_key(&n) {
                        continue;
                    }
                    id_of.insert(n, get(&ids[s], i).unwrap_or(""));
                    let evidence: DocEvidence = serde_json::from_str(get(&ev[s], i).unwrap_or(""))
                        .map_err(|e| input(format!("evidence: {e}")))?;
                    docs.insert(
                        n,
                        ComponentDoc {
                            idx: n,
                            date: get(&dates[s], i).map(str::to_string),
                            lang: get(&langs[s], i)
                                .filter(|l| !l.is_empty())
                                .map(str::to_string),
                            tokens: u32::try_from(tokens[s].value(i)).unwrap_or(0),
                            evidence: Some(evidence),
                        },
                    );
                }
            }
            let docs: Vec<ComponentDoc> = docs.into_values().collect();
            let g = group_component(&docs, &pairs, &containment, cfg, policy);
            for cl in &g.clusters {
                comp_col.push(c);
                first.push(i64::from(cl.docs[0]));
                for d in &cl.docs {
                    member_ids.values().append_option(id_of.get(d).copied());
                }
                member_ids.append(true);
                original_id.append_option(cl.original.and_then(|o| id_of.get(&o).copied()));
                append_list(
                    &mut dropped,
                    cl.docs
                        .iter()
                        .filter(|d| g.dropped.binary_search(d).is_ok())
                        .map(|&d| i64::from(d)),
                );
                rel.append_value(cl.relation.as_str());
                reason.append_value(&cl.original_reason);
                story.append_value(&cl.story);
            }
        }
        RecordBatch::try_new(
            group_schema(),
            vec![
                Arc::new(Int64Array::from(comp_col)),
                Arc::new(Int64Array::from(first)),
                Arc::new(member_ids.finish()),
                Arc::new(rel.finish()),
                Arc::new(original_id.finish()),
                Arc::new(reason.finish()),
                Arc::new(story.finish()),
                Arc::new(dropped.finish()),
            ],
        )
        .map_err(fail)
    })?;
    Ok(PyArrowType(out))
}
