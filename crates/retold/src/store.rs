//! Where document texts wait between the first pass and alignment: in memory up to a budget,
//! then in an unnamed temporary file read back by offset, so the raw corpus is never held in
//! memory twice. Texts in the file are compressed one by one (zstd, level 1: about 400 MB/s,
//! and half the disk space on news text), so that a corpus larger than memory does not need
//! its own size again on disk.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

/// zstd level of the texts in the temporary file.
const LEVEL: i32 = 1;

/// Texts by document index.
pub struct TextStore {
    budget: usize,
    mem: Vec<String>,
    mem_bytes: usize,
    spill: Option<Spill>,
}

struct Spill {
    writer: BufWriter<File>,
    file: File,
    /// (offset, compressed length, text length) per document.
    index: Vec<(u64, u32, u32)>,
    end: u64,
    zstd: zstd::bulk::Compressor<'static>,
}

impl TextStore {
    /// A store that keeps up to `budget` bytes in memory.
    pub fn new(budget: usize) -> Self {
        TextStore {
            budget,
            mem: Vec::new(),
            mem_bytes: 0,
            spill: None,
        }
    }

    /// Appends the next document's text.
    pub fn push(&mut self, text: String) -> io::Result<()> {
        if self.spill.is_none() && self.mem_bytes + text.len() > self.budget {
            let file = tempfile::tempfile()?;
            let writer = BufWriter::with_capacity(1 << 20, file.try_clone()?);
            let mut sp = Spill {
                writer,
                file,
                index: Vec::new(),
                end: 0,
                zstd: zstd::bulk::Compressor::new(LEVEL)?,
            };
            for t in std::mem::take(&mut self.mem) {
                sp.append(&t)?;
            }
            self.mem_bytes = 0;
            self.spill = Some(sp);
        }
        match &mut self.spill {
            Some(sp) => sp.append(&text),
            None => {
                self.mem_bytes += text.len();
                self.mem.push(text);
                Ok(())
            }
        }
    }

    /// `text` compressed as the temporary file stores it, for [`TextStore::push_packed`]
    /// (many can be compressed in parallel).
    pub fn pack(text: &str) -> io::Result<Vec<u8>> {
        zstd::bulk::compress(text.as_bytes(), LEVEL)
    }

    /// Appends the next document's text, given also as `packed` by [`TextStore::pack`]: once
    /// texts go to the temporary file that is what is written; before, `text` is kept.
    pub fn push_packed(&mut self, text: String, packed: Vec<u8>) -> io::Result<()> {
        match &mut self.spill {
            Some(sp) => sp.append_packed(text.len(), &packed),
            None => self.push(text),
        }
    }

    /// Makes every pushed text readable.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(sp) = &mut self.spill {
            sp.writer.flush()?;
        }
        Ok(())
    }

    /// The text of document `i`.
    pub fn get(&self, i: u32) -> io::Result<std::borrow::Cow<'_, str>> {
        match &self.spill {
            None => Ok(std::borrow::Cow::Borrowed(&self.mem[i as usize])),
            Some(sp) => {
                let (off, len, raw) = sp.index[i as usize];
                let mut buf = vec![0u8; len as usize];
                sp.file.read_exact_at(&mut buf, off)?;
                let text = zstd::bulk::decompress(&buf, raw as usize)?;
                String::from_utf8(text)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
            }
        }
    }

    /// True when texts went to disk.
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Bytes written to the temporary file (compressed).
    pub fn spilled_bytes(&self) -> u64 {
        self.spill.as_ref().map_or(0, |s| s.end)
    }
}

impl Spill {
    fn append(&mut self, t: &str) -> io::Result<()> {
        let z = self.zstd.compress(t.as_bytes())?;
        self.append_packed(t.len(), &z)
    }

    fn append_packed(&mut self, raw: usize, z: &[u8]) -> io::Result<()> {
        let raw = u32::try_from(raw)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a text of 4 GiB or more"))?;
        self.writer.write_all(z)?;
        self.index.push((self.end, z.len() as u32, raw));
        self.end += z.len() as u64;
        Ok(())
    }
}

/// Rows of `W` values `u32` in an unnamed temporary file, read back by position (the
/// signature values that boilerplate learning compares, once they outgrow their budget).
pub(crate) struct RowFile<const W: usize> {
    file: File,
    writer: BufWriter<File>,
}

impl<const W: usize> RowFile<W> {
    /// An empty file.
    pub(crate) fn new() -> io::Result<Self> {
        let file = tempfile::tempfile()?;
        let writer = BufWriter::with_capacity(1 << 20, file.try_clone()?);
        Ok(RowFile { file, writer })
    }

    /// Appends rows (a multiple of `W` values).
    pub(crate) fn push(&mut self, rows: &[u32]) -> io::Result<()> {
        for v in rows {
            self.writer.write_all(&v.to_le_bytes())?;
        }
        Ok(())
    }

    /// Makes every pushed row readable.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Reads row `i` into `out` (no allocation: learning reads two rows per comparison).
    pub(crate) fn get(&self, i: u32, out: &mut [u32; W]) -> io::Result<()> {
        let mut buf = [[0u8; 4]; W];
        self.file
            .read_exact_at(buf.as_flattened_mut(), i as u64 * (W * 4) as u64)?;
        for (o, c) in out.iter_mut().zip(buf) {
            *o = u32::from_le_bytes(c);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_and_reads_back() {
        let mut s = TextStore::new(10);
        s.push("hello".into()).unwrap();
        s.push("wörld!".into()).unwrap();
        s.push("third text".into()).unwrap();
        s.finish().unwrap();
        assert!(s.spilled());
        assert_eq!(s.get(1).unwrap(), "wörld!");
        assert_eq!(s.get(2).unwrap(), "third text");
        assert_eq!(s.get(0).unwrap(), "hello");
        s.push_packed("packed".into(), TextStore::pack("packed").unwrap())
            .unwrap();
        s.finish().unwrap();
        assert_eq!(s.get(3).unwrap(), "packed");
        assert!(s.spilled_bytes() > 0);
        let mut rows = RowFile::<3>::new().unwrap();
        rows.push(&[1, 2, 3, u32::MAX, 0, 7]).unwrap();
        rows.finish().unwrap();
        let mut out = [0u32; 3];
        rows.get(1, &mut out).unwrap();
        assert_eq!(out, [u32::MAX, 0, 7]);
        let mut m = TextStore::new(1 << 20);
        m.push("a".into()).unwrap();
        m.finish().unwrap();
        assert!(!m.spilled());
        assert_eq!(m.get(0).unwrap(), "a");
    }
}
