//! Turning named inputs into an ordered list of files, and opening byte streams.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::IngestError;
use crate::options::{is_gzip, Format, IngestOptions};

/// Buffer size for file and decompressor readers.
pub(crate) const BUF_SIZE: usize = 64 * 1024;

/// A boxed buffered byte stream (plain file or gzip-decompressed).
pub(crate) type ByteStream = Box<dyn BufRead + Send>;

/// One file to read.
#[derive(Debug)]
pub(crate) struct PlannedFile {
    pub path: PathBuf,
    /// The id a text file gets: relative path under a named directory (with `/`
    /// separators), or the path as given.
    pub text_id: String,
    pub format: Format,
    pub gzip: bool,
}

/// A step of the plan: a file to read, or an error met while listing a directory
/// (reported in order, when the reader gets there).
#[derive(Debug)]
pub(crate) enum Planned {
    File(PlannedFile),
    Error(IngestError),
}

/// Expands the named inputs into files, in input order; directories recursively,
/// entries sorted by name. Fails only if a named input does not exist or cannot be
/// examined.
pub(crate) fn plan(inputs: &[PathBuf], opts: &IngestOptions) -> Result<Vec<Planned>, IngestError> {
    // Check every named input first, so that a typo in the last one is reported
    // before any work is done.
    let mut kinds = Vec::with_capacity(inputs.len());
    for path in inputs {
        let meta = fs::metadata(path).map_err(|e| IngestError::io(path, None, e))?;
        kinds.push(meta.is_dir());
    }
    let mut out = Vec::new();
    for (path, is_dir) in inputs.iter().zip(kinds) {
        if is_dir {
            walk(path, path, opts, &mut out);
        } else {
            let format = opts
                .format
                .or_else(|| Format::from_path(path))
                .unwrap_or(Format::Text);
            out.push(Planned::File(PlannedFile {
                path: path.clone(),
                text_id: path.to_string_lossy().into_owned(),
                format,
                gzip: is_gzip(path) && format != Format::Parquet,
            }));
        }
    }
    Ok(out)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Lists `dir` (under the named directory `root`) into `out`, depth first, entries
/// sorted by file name. Hidden entries are skipped; so are symbolic links to
/// directories (to stay clear of loops); symbolic links to files are followed.
fn walk(root: &Path, dir: &Path, opts: &IngestOptions, out: &mut Vec<Planned>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(Planned::Error(IngestError::io(dir, None, e)));
            return;
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => names.push(entry),
            Err(e) => out.push(Planned::Error(IngestError::io(dir, None, e))),
        }
    }
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let name = entry.file_name();
        if is_hidden(&name) {
            continue;
        }
        let path = entry.path();
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                out.push(Planned::Error(IngestError::io(&path, None, e)));
                continue;
            }
        };
        let is_file = if file_type.is_symlink() {
            // Follow links to files; skip links to directories and dangling links.
            match fs::metadata(&path) {
                Ok(meta) => meta.is_file(),
                Err(_) => false,
            }
        } else if file_type.is_dir() {
            walk(root, &path, opts, out);
            continue;
        } else {
            file_type.is_file()
        };
        if !is_file {
            continue;
        }
        let Some(format) = opts.format.or_else(|| Format::from_path(&path)) else {
            continue;
        };
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let text_id = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push(Planned::File(PlannedFile {
            gzip: is_gzip(&path) && format != Format::Parquet,
            path,
            text_id,
            format,
        }));
    }
}

/// Opens a file as a buffered byte stream, decompressing gzip (including
/// multi-member files) when `gzip` is set.
pub(crate) fn open_stream(path: &Path, gzip: bool) -> Result<ByteStream, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, None, e))?;
    if gzip {
        let decoder =
            flate2::bufread::MultiGzDecoder::new(BufReader::with_capacity(BUF_SIZE, file));
        Ok(Box::new(BufReader::with_capacity(BUF_SIZE, decoder)))
    } else {
        Ok(Box::new(BufReader::with_capacity(BUF_SIZE, file)))
    }
}
