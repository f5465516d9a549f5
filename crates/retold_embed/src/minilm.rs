//! all-MiniLM-L6-v2: a 6-layer BERT with a WordPiece tokenizer, loaded from the
//! sentence-transformers files `config.json`, `tokenizer.json` and `model.safetensors`.
//! Output equals sentence-transformers' (mean pooling over the attention mask, normalised).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, VarBuilder};
use serde::Deserialize;
use tokenizers::{Tokenizer, TruncationParams};

use crate::bert::{embed_batched, length_mask, Encoder, Layer, Lin};
use crate::{EmbedError, Embedder};

/// Word pieces kept per text, `[CLS]` and `[SEP]` included (sentence-transformers'
/// `max_seq_length` for this model).
pub(crate) const MAX_TOKENS: usize = 256;

#[derive(Debug, Deserialize)]
struct Config {
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    max_position_embeddings: usize,
    vocab_size: usize,
    #[serde(default)]
    hidden_act: Option<String>,
    #[serde(default)]
    pad_token_id: Option<u32>,
}

fn default_eps() -> f64 {
    1e-12
}

/// The loaded model.
pub(crate) struct MiniLm {
    name: String,
    tokenizer: Tokenizer,
    word: Embedding,
    /// Position embeddings `[max_pos, H]`.
    pos: Tensor,
    /// Token-type 0 embedding `[H]`.
    ttype: Tensor,
    enc: Encoder,
    device: Device,
    batch: usize,
    pad_id: u32,
    vocab: usize,
}

fn bad(path: &Path, reason: impl std::fmt::Display) -> EmbedError {
    EmbedError::BadModel {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl MiniLm {
    /// Loads the model from `dir` (holding `config.json`, `tokenizer.json`,
    /// `model.safetensors`).
    pub(crate) fn load(dir: &Path, device: Device, batch: usize) -> Result<Self, EmbedError> {
        let cfg_path = dir.join("config.json");
        let text = std::fs::read_to_string(&cfg_path).map_err(|source| EmbedError::Io {
            path: cfg_path.clone(),
            source,
        })?;
        let cfg: Config = serde_json::from_str(&text).map_err(|e| bad(&cfg_path, e))?;
        if let Some(act) = &cfg.hidden_act {
            if act != "gelu" {
                return Err(bad(&cfg_path, format!("unsupported hidden_act {act:?}")));
            }
        }
        if cfg.hidden_size == 0
            || cfg.num_attention_heads == 0
            || cfg.hidden_size % cfg.num_attention_heads != 0
            || cfg.max_position_embeddings < 2
        {
            return Err(bad(&cfg_path, "inconsistent sizes"));
        }

        let tok_path = dir.join("tokenizer.json");
        if !tok_path.is_file() {
            return Err(EmbedError::Io {
                path: tok_path,
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let mut tokenizer = Tokenizer::from_file(&tok_path).map_err(|e| bad(&tok_path, e))?;
        let max_len = MAX_TOKENS.min(cfg.max_position_embeddings);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..Default::default()
            }))
            .map_err(|e| bad(&tok_path, e))?;
        // Padding is done per batch here, after sorting by length.
        tokenizer.with_padding(None);

        let st_path = dir.join("model.safetensors");
        let vb = load_safetensors(&st_path, &device)?;
        let vb = if vb.contains_tensor("embeddings.word_embeddings.weight") {
            vb
        } else {
            vb.pp("bert")
        };
        let (enc, word, pos, ttype) = build(&cfg, vb).map_err(|e| bad(&st_path, e))?;
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| n.to_ascii_lowercase().contains("minilm"))
            .unwrap_or("all-MiniLM-L6-v2")
            .to_string();
        Ok(MiniLm {
            name,
            tokenizer,
            word,
            pos,
            ttype,
            enc,
            device,
            batch: batch.max(1),
            pad_id: cfg.pad_token_id.unwrap_or(0),
            vocab: cfg.vocab_size,
        })
    }

    fn embed_batch(&self, ids: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let t = ids.iter().map(|x| x.len()).max().unwrap_or(0).max(1);
        let b = ids.len();
        let mut flat = vec![self.pad_id; b * t];
        for (i, row) in ids.iter().enumerate() {
            flat[i * t..i * t + row.len()].copy_from_slice(row);
        }
        let lens: Vec<usize> = ids.iter().map(|x| x.len()).collect();
        let input = Tensor::from_vec(flat, (b, t), &self.device)?;
        let emb = self
            .word
            .forward(&input)?
            .broadcast_add(&self.pos.narrow(0, 0, t)?)?
            .broadcast_add(&self.ttype)?;
        let mask = length_mask(&lens, t, &self.device)?;
        self.enc.embed(&emb, &mask)?.to_vec2::<f32>()
    }
}

/// Memory-maps the safetensors file.
fn load_safetensors(path: &Path, device: &Device) -> Result<VarBuilder<'static>, EmbedError> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(EmbedError::Io {
            path: path.to_path_buf(),
            source,
        });
    }
    // SAFETY: the file is mapped read-only; as with every mmap, it must not be modified while
    // the model is loaded (model files are written once by the setup script).
    unsafe { VarBuilder::from_mmaped_safetensors(&[PathBuf::from(path)], DType::F32, device) }
        .map_err(|e| bad(path, e))
}

type Parts = (Encoder, Embedding, Tensor, Tensor);

fn build(cfg: &Config, vb: VarBuilder) -> candle_core::Result<Parts> {
    let h = cfg.hidden_size;
    let ln = |size: usize, vb: VarBuilder| -> candle_core::Result<candle_nn::LayerNorm> {
        Ok(candle_nn::LayerNorm::new(
            vb.get(size, "weight")?,
            vb.get(size, "bias")?,
            cfg.layer_norm_eps,
        ))
    };
    let lin = |i: usize, o: usize, vb: VarBuilder| -> candle_core::Result<Lin> {
        Ok(Lin::F32(candle_nn::linear(i, o, vb)?))
    };
    let e = vb.pp("embeddings");
    let word = candle_nn::embedding(cfg.vocab_size, h, e.pp("word_embeddings"))?;
    let pos = e
        .pp("position_embeddings")
        .get((cfg.max_position_embeddings, h), "weight")?;
    let ttype = e
        .pp("token_type_embeddings")
        .get_unchecked("weight")?
        .get(0)?;
    if ttype.dims() != [h] {
        candle_core::bail!("token_type_embeddings has shape {:?}", ttype.dims());
    }
    let emb_ln = ln(h, e.pp("LayerNorm"))?;
    let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
    for l in 0..cfg.num_hidden_layers {
        let v = vb.pp(format!("encoder.layer.{l}"));
        let a = v.pp("attention");
        layers.push(Layer {
            q: lin(h, h, a.pp("self.query"))?,
            k: lin(h, h, a.pp("self.key"))?,
            v: lin(h, h, a.pp("self.value"))?,
            ao: lin(h, h, a.pp("output.dense"))?,
            aln: ln(h, a.pp("output.LayerNorm"))?,
            fi: lin(h, cfg.intermediate_size, v.pp("intermediate.dense"))?,
            fo: lin(cfg.intermediate_size, h, v.pp("output.dense"))?,
            oln: ln(h, v.pp("output.LayerNorm"))?,
        });
    }
    let enc = Encoder {
        emb_ln,
        layers,
        heads: cfg.num_attention_heads,
        hidden: h,
    };
    Ok((enc, word, pos, ttype))
}

impl Embedder for MiniLm {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.enc.hidden
    }

    fn multilingual(&self) -> bool {
        false
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Backend(format!("tokenizer: {e}")))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        if let Some(&bad_id) = ids
            .iter()
            .flat_map(|r| r.iter())
            .find(|&&i| i as usize >= self.vocab)
        {
            return Err(EmbedError::Backend(format!(
                "tokenizer produced id {bad_id} outside the vocabulary ({})",
                self.vocab
            )));
        }
        let lens: Vec<usize> = ids.iter().map(|r| r.len()).collect();
        embed_batched(&lens, self.batch, self.device.is_cpu(), |chunk| {
            let batch_ids: Vec<&[u32]> = chunk.iter().map(|&i| ids[i]).collect();
            self.embed_batch(&batch_ids)
                .map_err(|e| EmbedError::Backend(e.to_string()))
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::bert::testutil::Rng;
    use crate::cosine;

    const WORDS: &[&str] = &[
        "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "fast", "in", "park", "##s", "##ing",
        "big", "red", "house", "is", "was", "and", "of", ".", ",",
    ];

    /// Writes a tiny random BERT (vocab 4 specials + WORDS, H 16, 2 layers, 2 heads) in the
    /// sentence-transformers layout into `dir`.
    pub(crate) fn write_tiny_model(dir: &Path, seed: u64) {
        let (h, ff, layers, maxp) = (16usize, 32usize, 2usize, 64usize);
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
        let vocab: Vec<&str> = specials.iter().chain(WORDS).copied().collect();
        let voc = vocab.len();
        let dev = Device::Cpu;
        let mut rng = Rng::new(seed);
        let mut ts: HashMap<String, Tensor> = HashMap::new();
        let mut put = |name: String, shape: &[usize], a: f32, base: f32| {
            let n: usize = shape.iter().product();
            let v: Vec<f32> = rng.vec(n, a).into_iter().map(|x| x + base).collect();
            ts.insert(name, Tensor::from_vec(v, shape, &dev).unwrap());
        };
        put(
            "embeddings.word_embeddings.weight".into(),
            &[voc, h],
            1.0,
            0.0,
        );
        put(
            "embeddings.position_embeddings.weight".into(),
            &[maxp, h],
            0.3,
            0.0,
        );
        put(
            "embeddings.token_type_embeddings.weight".into(),
            &[2, h],
            0.1,
            0.0,
        );
        put("embeddings.LayerNorm.weight".into(), &[h], 0.1, 1.0);
        put("embeddings.LayerNorm.bias".into(), &[h], 0.1, 0.0);
        for l in 0..layers {
            let p = format!("encoder.layer.{l}.");
            for n in [
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
            ] {
                put(format!("{p}{n}.weight"), &[h, h], 0.4, 0.0);
                put(format!("{p}{n}.bias"), &[h], 0.1, 0.0);
            }
            put(
                format!("{p}attention.output.dense.weight"),
                &[h, h],
                0.4,
                0.0,
            );
            put(format!("{p}attention.output.dense.bias"), &[h], 0.1, 0.0);
            put(format!("{p}intermediate.dense.weight"), &[ff, h], 0.4, 0.0);
            put(format!("{p}intermediate.dense.bias"), &[ff], 0.1, 0.0);
            put(format!("{p}output.dense.weight"), &[h, ff], 0.3, 0.0);
            put(format!("{p}output.dense.bias"), &[h], 0.1, 0.0);
            for n in ["attention.output.LayerNorm", "output.LayerNorm"] {
                put(format!("{p}{n}.weight"), &[h], 0.1, 1.0);
                put(format!("{p}{n}.bias"), &[h], 0.1, 0.0);
            }
        }
        candle_core::safetensors::save(&ts, dir.join("model.safetensors")).unwrap();
        let config = serde_json::json!({
            "hidden_size": h, "num_hidden_layers": layers, "num_attention_heads": 2,
            "intermediate_size": ff, "layer_norm_eps": 1e-12, "max_position_embeddings": maxp,
            "vocab_size": voc, "hidden_act": "gelu", "type_vocab_size": 2, "pad_token_id": 0
        });
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
        let vocab_map: serde_json::Map<String, serde_json::Value> = vocab
            .iter()
            .enumerate()
            .map(|(i, w)| (w.to_string(), serde_json::json!(i)))
            .collect();
        let added: Vec<serde_json::Value> = specials
            .iter()
            .enumerate()
            .map(|(i, s)| {
                serde_json::json!({"id": i, "content": s, "single_word": false, "lstrip": false,
                    "rstrip": false, "normalized": false, "special": true})
            })
            .collect();
        let tok = serde_json::json!({
            "version": "1.0",
            "truncation": {"max_length": 8, "strategy": "LongestFirst", "stride": 0},
            "padding": {"strategy": {"Fixed": 8}, "direction": "Right", "pad_to_multiple_of": null,
                "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
            "added_tokens": added,
            "normalizer": {"type": "BertNormalizer", "clean_text": true,
                "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                           {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                         {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {
                    "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                    "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100, "vocab": vocab_map}
        });
        std::fs::write(dir.join("tokenizer.json"), tok.to_string()).unwrap();
    }

    fn tiny(batch: usize) -> (tempfile::TempDir, MiniLm) {
        let tmp = tempfile::tempdir().unwrap();
        write_tiny_model(tmp.path(), 1);
        let m = MiniLm::load(tmp.path(), Device::Cpu, batch).unwrap();
        (tmp, m)
    }

    #[test]
    fn tiny_model_dim_norm_determinism() {
        let (_tmp, m) = tiny(4);
        assert_eq!(m.dim(), 16);
        assert!(!m.multilingual());
        let texts = [
            "The cat sat on the mat.",
            "A dog ran",
            "",
            "zebra unknown words",
        ];
        let a = m.embed(&texts).unwrap();
        assert_eq!(a.len(), 4);
        for v in &a {
            assert_eq!(v.len(), 16);
            let n: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((n - 1.0).abs() < 1e-4, "norm {n}");
            assert!(v.iter().all(|x| x.is_finite()));
        }
        let b = m.embed(&texts).unwrap();
        assert_eq!(a, b);
        assert!(m.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn tiny_model_padding_invariance() {
        let (_tmp, m) = tiny(8);
        let short = "the cat";
        let long = "the big red house is in the park and the dog was running fast";
        let alone = m.embed(&[short]).unwrap().remove(0);
        let batched = m.embed(&[long, short, "a dog"]).unwrap();
        for (x, y) in alone.iter().zip(&batched[1]) {
            assert!((x - y).abs() < 1e-4, "{x} vs {y}");
        }
        // Batch size 1 vs 8 gives the same vectors.
        let (_tmp2, m1) = tiny(1);
        let one = m1.embed(&[long, short, "a dog"]).unwrap();
        for (u, v) in one.iter().zip(&batched) {
            assert!(cosine(u, v) > 0.9999);
        }
    }

    #[test]
    fn tiny_model_truncates_long_text() {
        let (_tmp, m) = tiny(4);
        // Far beyond 64 positions: must be truncated, not fail.
        let long = "the cat ".repeat(500);
        let v = m.embed(&[&long]).unwrap();
        assert_eq!(v[0].len(), 16);
    }

    #[test]
    fn bad_files_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        write_tiny_model(tmp.path(), 2);
        std::fs::write(
            tmp.path().join("model.safetensors"),
            b"not a safetensors file",
        )
        .unwrap();
        assert!(matches!(
            MiniLm::load(tmp.path(), Device::Cpu, 4),
            Err(EmbedError::BadModel { .. })
        ));
        std::fs::write(tmp.path().join("config.json"), b"{").unwrap();
        assert!(matches!(
            MiniLm::load(tmp.path(), Device::Cpu, 4),
            Err(EmbedError::BadModel { .. })
        ));
    }
}
