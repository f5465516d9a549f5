//! The BERT encoder shared by both models: embedding LayerNorm, N post-LN transformer layers
//! (multi-head self-attention with a padding mask, GELU(erf) feed-forward), masked mean pooling
//! and L2 normalisation. The models supply the summed input embeddings; linear layers are f32
//! or Q4_0-quantized ([`Lin`]).

use candle_core::quantized::QMatMul;
use candle_core::{DType, Device, Module, Result, Tensor, D};
use candle_nn::{LayerNorm, Linear};

/// A linear layer `y = x Wᵀ + b`, with `W` either f32 or quantized.
#[derive(Debug)]
pub(crate) enum Lin {
    /// Plain f32 weights.
    F32(Linear),
    /// Quantized weights (Q4_0) and an f32 bias.
    Quant { w: QMatMul, b: Tensor },
}

impl Lin {
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Lin::F32(l) => l.forward(x),
            Lin::Quant { w, b } => w.forward(&x.contiguous()?)?.broadcast_add(b),
        }
    }
}

/// One transformer layer (BERT naming: attention.self.{query,key,value}, attention.output,
/// intermediate, output).
#[derive(Debug)]
pub(crate) struct Layer {
    pub q: Lin,
    pub k: Lin,
    pub v: Lin,
    /// Attention output projection.
    pub ao: Lin,
    /// LayerNorm after attention + residual.
    pub aln: LayerNorm,
    /// Feed-forward in (H → FF).
    pub fi: Lin,
    /// Feed-forward out (FF → H).
    pub fo: Lin,
    /// LayerNorm after feed-forward + residual.
    pub oln: LayerNorm,
}

/// The encoder stack.
#[derive(Debug)]
pub(crate) struct Encoder {
    pub emb_ln: LayerNorm,
    pub layers: Vec<Layer>,
    pub heads: usize,
    pub hidden: usize,
}

impl Encoder {
    /// Runs the stack on summed input embeddings `emb` `[B, T, H]` with `mask` `[B, T]` (f32,
    /// 1 for real tokens, 0 for padding) and returns L2-normalised mean-pooled embeddings
    /// `[B, H]`.
    pub(crate) fn embed(&self, emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let hidden = self.forward(emb, mask)?;
        mean_pool_normalize(&hidden, mask)
    }

    /// The final hidden states `[B, T, H]`.
    pub(crate) fn forward(&self, emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (b, t, h) = emb.dims3()?;
        if h != self.hidden {
            candle_core::bail!("embedding width {h} != hidden size {}", self.hidden);
        }
        let heads = self.heads;
        let hd = h / heads;
        let scale = 1.0 / (hd as f64).sqrt();
        // Additive key mask [B, 1, 1, T]: 0 for real tokens, -1e9 for padding.
        let key_bias = ((mask.to_dtype(DType::F32)? - 1.0)? * 1e9)?.reshape((b, 1, 1, t))?;

        let mut x = self.emb_ln.forward(emb)?;
        for layer in &self.layers {
            let split = |y: Tensor| -> Result<Tensor> {
                y.reshape((b, t, heads, hd))?.transpose(1, 2)?.contiguous()
            };
            let q = split(layer.q.forward(&x)?)?;
            let k = split(layer.k.forward(&x)?)?;
            let v = split(layer.v.forward(&x)?)?;
            let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(&key_bias)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let ctx = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((b, t, h))?;
            let attn = layer.ao.forward(&ctx)?;
            x = layer.aln.forward(&(attn + &x)?)?;
            let mid = layer.fi.forward(&x)?.gelu_erf()?;
            let out = layer.fo.forward(&mid)?;
            x = layer.oln.forward(&(out + &x)?)?;
        }
        Ok(x)
    }
}

/// Mean of `hidden` `[B, T, H]` over the positions where `mask` `[B, T]` is 1, then L2
/// normalised (norm floored at 1e-12).
pub(crate) fn mean_pool_normalize(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // [B, T, 1]
    let sum = hidden.broadcast_mul(&m)?.sum(1)?; // [B, H]
    let count = m.sum(1)?.clamp(1e-9f32, f32::MAX)?; // [B, 1]
    let mean = sum.broadcast_div(&count)?;
    let norm = mean
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12f32, f32::MAX)?;
    mean.broadcast_div(&norm)
}

/// A `[B, T]` f32 mask from per-row lengths (1 for the first `len` positions).
pub(crate) fn length_mask(lens: &[usize], t: usize, device: &Device) -> Result<Tensor> {
    let mut m = vec![0f32; lens.len() * t];
    for (i, &l) in lens.iter().enumerate() {
        for v in &mut m[i * t..i * t + l.min(t)] {
            *v = 1.0;
        }
    }
    Tensor::from_vec(m, (lens.len(), t), device)
}

/// Indices of `lens` sorted by length (stable), so batches hold texts of similar length and
/// padding is small; results are put back in input order by the caller.
pub(crate) fn order_by_length(lens: &[usize]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..lens.len()).collect();
    idx.sort_by_key(|&i| lens[i]);
    idx
}

/// Embeds texts of token lengths `lens` in batches of at most `batch` texts of similar length
/// (`embed` gets the indices of one batch and returns its vectors in that order) and returns
/// the vectors in input order. With `parallel` (the CPU) the batches run in parallel on the
/// current rayon pool, at least one batch per thread when there are enough texts: a batch on
/// each core embeds about 1.3× faster than one batch at a time with the matrix products
/// split over the cores (measured with `examples/embed_speed` on 2 cores: 2 × 49.7 against
/// 76 sentences/s), as layer norms, softmax and GELU do not split. For that, candle's matrix
/// products must run on one thread each (`RAYON_NUM_THREADS=1` for candle, set by the CLI;
/// see `retold_cli`). Each batch's vectors are the same whichever thread computes them.
pub(crate) fn embed_batched<E>(
    lens: &[usize],
    batch: usize,
    parallel: bool,
    embed: E,
) -> std::result::Result<Vec<Vec<f32>>, crate::EmbedError>
where
    E: Fn(&[usize]) -> std::result::Result<Vec<Vec<f32>>, crate::EmbedError> + Sync,
{
    use rayon::prelude::*;
    let order = order_by_length(lens);
    let threads = if parallel {
        rayon::current_num_threads().max(1)
    } else {
        1
    };
    let batch = batch.min(lens.len().div_ceil(threads)).max(1);
    let chunks: Vec<&[usize]> = order.chunks(batch).collect();
    let done: Vec<std::result::Result<Vec<Vec<f32>>, crate::EmbedError>> = if parallel {
        chunks.par_iter().map(|c| embed(c)).collect()
    } else {
        chunks.iter().map(|c| embed(c)).collect()
    };
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); lens.len()];
    for (chunk, vecs) in chunks.iter().zip(done) {
        for (&i, v) in chunk.iter().zip(vecs?) {
            out[i] = v;
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Deterministic pseudo-random numbers for tests (no `rand` dependency).

    /// xorshift64* generator.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        pub(crate) fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// Uniform in [-a, a).
        pub(crate) fn f32(&mut self, a: f32) -> f32 {
            let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
            (u * 2.0 - 1.0) * a
        }
        pub(crate) fn vec(&mut self, n: usize, a: f32) -> Vec<f32> {
            (0..n).map(|_| self.f32(a)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::Rng;
    use super::*;
    use candle_core::quantized::{GgmlDType, QTensor};

    #[test]
    fn pooling_ignores_padding_and_normalises() {
        let dev = Device::Cpu;
        let h = Tensor::from_vec(vec![1f32, 0., 3., 0., 100., 100.], (1, 3, 2), &dev).unwrap();
        let mask = length_mask(&[2], 3, &dev).unwrap();
        let out = mean_pool_normalize(&h, &mask)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        assert!((out[0][0] - 1.0).abs() < 1e-6 && out[0][1].abs() < 1e-6);
    }

    #[test]
    fn quantized_linear_matches_dequantized_f32() {
        let dev = Device::Cpu;
        let mut rng = Rng::new(7);
        let (out_f, in_f) = (16, 64);
        let w = Tensor::from_vec(rng.vec(out_f * in_f, 0.5), (out_f, in_f), &dev).unwrap();
        let b = Tensor::from_vec(rng.vec(out_f, 0.1), out_f, &dev).unwrap();
        let qt = QTensor::quantize(&w, GgmlDType::Q4_0).unwrap();
        let wd = qt.dequantize(&dev).unwrap();
        let q = Lin::Quant {
            w: QMatMul::from_qtensor(qt).unwrap(),
            b: b.clone(),
        };
        let f = Lin::F32(Linear::new(wd, Some(b)));
        let x = Tensor::from_vec(rng.vec(2 * 3 * in_f, 1.0), (2, 3, in_f), &dev).unwrap();
        let yq = q.forward(&x).unwrap().flatten_all().unwrap();
        let yf = f.forward(&x).unwrap().flatten_all().unwrap();
        let yq = yq.to_vec1::<f32>().unwrap();
        let yf = yf.to_vec1::<f32>().unwrap();
        let scale = yf.iter().map(|v| v.abs()).fold(0f32, f32::max);
        for (a, b) in yq.iter().zip(&yf) {
            // Activations go through Q8_0 inside the quantized matmul: small relative error.
            assert!((a - b).abs() < 0.02 * scale, "{a} vs {b}");
        }
    }
}
