//! Where document texts wait between the first pass and alignment: in memory up to a budget,
//! then in an unnamed temporary file read back by offset, so the raw corpus is never held in
//! memory twice.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

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
    /// (offset, len) per document.
    index: Vec<(u64, u32)>,
    end: u64,
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
                let (off, len) = sp.index[i as usize];
                let mut buf = vec![0u8; len as usize];
                sp.file.read_exact_at(&mut buf, off)?;
                String::from_utf8(buf)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
            }
        }
    }

    /// True when texts went to disk.
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }
}

impl Spill {
    fn append(&mut self, t: &str) -> io::Result<()> {
        self.writer.write_all(t.as_bytes())?;
        self.index.push((self.end, t.len() as u32));
        self.end += t.len() as u64;
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
        let mut m = TextStore::new(1 << 20);
        m.push("a".into()).unwrap();
        m.finish().unwrap();
        assert!(!m.spilled());
        assert_eq!(m.get(0).unwrap(), "a");
    }
}
