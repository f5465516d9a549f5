//! Parquet, read record batch by record batch through the Arrow reader, projecting
//! only the columns used.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, ArrayRef, AsArray, LargeStringArray, StringArray, StringViewArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::options::IngestOptions;
use crate::reader::{Step, OPTIONAL_FIELDS};

/// Rows per record batch.
pub(crate) const BATCH_SIZE: usize = 1024;

fn is_stringish(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, value) => is_stringish(value),
        _ => false,
    }
}

fn is_id_type(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, value) => is_id_type(value),
        t => is_stringish(t) || t.is_integer(),
    }
}

fn is_optional_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
    ) || is_stringish(t)
}

/// A column of one batch, seen as optional strings.
enum StrCol {
    Utf8(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
}

impl StrCol {
    /// Wraps a string column, or casts another type (integers, dictionaries,
    /// dates) to strings.
    fn new(array: &ArrayRef) -> Result<StrCol, String> {
        if let Some(a) = array.as_string_opt::<i32>() {
            return Ok(StrCol::Utf8(a.clone()));
        }
        if let Some(a) = array.as_string_opt::<i64>() {
            return Ok(StrCol::Large(a.clone()));
        }
        if let Some(a) = array.as_string_view_opt() {
            return Ok(StrCol::View(a.clone()));
        }
        let converted = cast(array, &DataType::Utf8).map_err(|e| e.to_string())?;
        converted
            .as_string_opt::<i32>()
            .map(|a| StrCol::Utf8(a.clone()))
            .ok_or_else(|| format!("cannot read {} as text", array.data_type()))
    }

    fn get(&self, i: usize) -> Option<&str> {
        match self {
            StrCol::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            StrCol::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            StrCol::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// The current batch, its columns converted, and the next row to hand out.
struct Batch {
    id: StrCol,
    text: StrCol,
    optional: [Option<StrCol>; 5],
    len: usize,
    pos: usize,
    /// Row index (in the file) of the batch's first row.
    base: u64,
}

/// A Parquet file being read.
pub(crate) struct ParquetSource {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    id_field: String,
    text_field: String,
    /// Optional columns present (with a usable type) in the file.
    optional: [bool; 5],
    batch: Option<Batch>,
    rows_read: u64,
}

impl ParquetSource {
    /// Opens the file, checks the schema for the id and text columns and their
    /// types, and sets up a reader of only the columns used.
    pub(crate) fn open(path: &Path, opts: &IngestOptions) -> Result<Self, IngestError> {
        let parquet_err = |e: parquet::errors::ParquetError| IngestError::Parquet {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = File::open(path).map_err(|e| IngestError::io(path, None, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err)?;
        let schema = builder.schema().clone();
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let column = |name: &str, ok: fn(&DataType) -> bool, expected: &'static str| {
            let i = find(name).ok_or_else(|| IngestError::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_owned(),
                found: names.clone(),
            })?;
            let t = schema.field(i).data_type();
            if ok(t) {
                Ok(i)
            } else {
                Err(IngestError::ColumnType {
                    path: path.to_path_buf(),
                    column: name.to_owned(),
                    found: t.to_string(),
                    expected,
                })
            }
        };
        let id = column(&opts.id_field, is_id_type, "a string or integer type")?;
        let text = column(opts.text_column(), is_stringish, "a string type")?;
        let optional_idx = OPTIONAL_FIELDS
            .map(|name| find(name).filter(|&i| is_optional_type(schema.field(i).data_type())));
        let mut roots = vec![id, text];
        roots.extend(optional_idx.iter().flatten());
        roots.sort_unstable();
        roots.dedup();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_SIZE)
            .build()
            .map_err(parquet_err)?;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            reader,
            id_field: opts.id_field.clone(),
            text_field: opts.text_column().to_owned(),
            optional: optional_idx.map(|i| i.is_some()),
            batch: None,
            rows_read: 0,
        })
    }

    fn load(&self, rb: &RecordBatch, base: u64) -> Result<Batch, IngestError> {
        let get = |name: &str| -> Result<StrCol, IngestError> {
            let array = rb
                .column_by_name(name)
                .ok_or_else(|| IngestError::Parquet {
                    path: self.path.clone(),
                    message: format!("column \"{name}\" missing from a record batch"),
                })?;
            StrCol::new(array).map_err(|message| IngestError::Parquet {
                path: self.path.clone(),
                message: format!("column \"{name}\": {message}"),
            })
        };
        let mut optional: [Option<StrCol>; 5] = Default::default();
        for ((slot, name), present) in optional.iter_mut().zip(OPTIONAL_FIELDS).zip(self.optional) {
            if present {
                *slot = Some(get(name)?);
            }
        }
        Ok(Batch {
            id: get(&self.id_field)?,
            text: get(&self.text_field)?,
            optional,
            len: rb.num_rows(),
            pos: 0,
            base,
        })
    }

    pub(crate) fn next_step(&mut self) -> Step {
        loop {
            if let Some(batch) = &mut self.batch {
                if batch.pos < batch.len {
                    let i = batch.pos;
                    batch.pos += 1;
                    return row(&self.path, batch, i, &self.id_field, &self.text_field);
                }
            }
            self.batch = None;
            match self.reader.next() {
                None => return Step::End,
                Some(Err(e)) => {
                    return Step::Fatal(IngestError::Parquet {
                        path: self.path.clone(),
                        message: e.to_string(),
                    })
                }
                Some(Ok(rb)) => {
                    let base = self.rows_read;
                    self.rows_read += rb.num_rows() as u64;
                    match self.load(&rb, base) {
                        Ok(batch) => self.batch = Some(batch),
                        Err(e) => return Step::Fatal(e),
                    }
                }
            }
        }
    }
}

/// One row of a batch as a document.
fn row(path: &Path, batch: &Batch, i: usize, id_field: &str, text_field: &str) -> Step {
    let origin = Origin::at_row(path, batch.base + i as u64);
    let missing = |field: &str, origin: Origin| {
        Step::Record(IngestError::MissingField {
            origin,
            field: field.to_owned(),
        })
    };
    let Some(id) = batch.id.get(i) else {
        return missing(id_field, origin);
    };
    let Some(text) = batch.text.get(i) else {
        return missing(text_field, origin);
    };
    let opt = |k: usize| {
        batch.optional[k]
            .as_ref()
            .and_then(|c| c.get(i))
            .map(str::to_owned)
    };
    Step::Doc(Document {
        id: id.to_owned(),
        text: text.to_owned(),
        lang: opt(0),
        date: opt(1),
        source: opt(2),
        url: opt(3),
        title: opt(4),
        origin,
        marked: Vec::new(),
        warnings: Vec::new(),
    })
}
