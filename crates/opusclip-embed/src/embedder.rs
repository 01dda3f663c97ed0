//! [`SentenceEmbedder`]: all-MiniLM-L6-v2 on the CPU with candle — tokenize, BERT forward,
//! mean pooling over the attention mask, L2 normalisation — as sentence-transformers does it.

use crate::bert::{Bert, BertConfig};
use crate::files::{
    check_model_dir, file_length, EmbedError, EmbeddingModelSpec, CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE,
};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::{Path, PathBuf};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

/// Sentences per forward pass when no batch size is given (the `BATCH_SIZE` setting's default).
pub const DEFAULT_BATCH_SIZE: usize = 32;
/// Most tokens of a sentence the model sees (sentence-transformers' `max_seq_length` for
/// all-MiniLM-L6-v2); longer sentences are cut. The shipped tokenizer's own 128 is overridden.
pub const MAX_TOKENS: usize = 256;
/// Length of every embedding.
pub const EMBEDDING_DIMENSION: usize = 384;

/// A loaded sentence-embedding model. Embeddings are unit vectors, so a dot product is the cosine.
pub struct SentenceEmbedder {
    model: Bert,
    tokenizer: Tokenizer,
    device: Device,
    batch_size: usize,
    dimension: usize,
    dir: PathBuf,
}

impl std::fmt::Debug for SentenceEmbedder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SentenceEmbedder")
            .field("dir", &self.dir)
            .field("batch_size", &self.batch_size)
            .field("dimension", &self.dimension)
            .finish()
    }
}

impl SentenceEmbedder {
    /// Load all-MiniLM-L6-v2 from `dir` (`model.safetensors`, `tokenizer.json`, `config.json`),
    /// first checking every file against the pinned sizes and SHA-256s. A missing, damaged or
    /// different file is an [`EmbedError`] that says how to fetch the model.
    pub fn load(dir: &Path) -> Result<SentenceEmbedder, EmbedError> {
        check_model_dir(dir, &EmbeddingModelSpec::minilm())?;
        SentenceEmbedder::load_unchecked(dir)
    }

    /// Load a BERT sentence-embedding model from `dir` without comparing checksums (for a model
    /// other than the pinned one). Its files must still be there and parse.
    pub fn load_unchecked(dir: &Path) -> Result<SentenceEmbedder, EmbedError> {
        let path = |name: &str| dir.join(name);
        for name in [MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE] {
            if file_length(&path(name)).is_none() {
                return Err(EmbedError::Missing { path: path(name) });
            }
        }
        let config = read_config(&path(CONFIG_FILE))?;
        let tokenizer = load_tokenizer(&path(TOKENIZER_FILE))?;
        let device = Device::Cpu;
        let weights_path = path(MODEL_FILE);
        let corrupt = |reason: String| EmbedError::Corrupt { path: weights_path.clone(), reason };
        let weights = std::fs::read(&weights_path).map_err(|error| corrupt(format!("cannot read it: {error}")))?;
        let builder = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(|error| corrupt(format!("not a safetensors file: {error}")))?;
        let model = Bert::load(builder, &config)
            .map_err(|error| corrupt(format!("not the BERT weights config.json describes: {error}")))?;
        Ok(SentenceEmbedder {
            model,
            tokenizer,
            device,
            batch_size: DEFAULT_BATCH_SIZE,
            dimension: config.hidden_size,
            dir: dir.to_path_buf(),
        })
    }

    /// The same model with `batch_size` sentences per forward pass (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> SentenceEmbedder {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sentences per forward pass.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Length of every embedding (384 for all-MiniLM-L6-v2).
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The directory the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many tokens the model sees of `text` (special tokens included, at most [`MAX_TOKENS`]).
    pub fn token_count(&self, text: &str) -> Result<usize, EmbedError> {
        let encoding = self.tokenizer.encode(text, true).map_err(|error| EmbedError::Inference(error.to_string()))?;
        Ok(encoding.get_ids().len())
    }

    /// One unit-length embedding per text, in order. Texts are batched by similar token length
    /// (`batch_size` at a time), so padding costs little; each text's embedding does not depend
    /// on what else is in its batch. An empty text embeds as the model's empty-sentence vector.
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let inference = |error: String| EmbedError::Inference(error);
        let strings: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
        let encodings =
            self.tokenizer.encode_batch(strings, true).map_err(|error| inference(format!("tokenizing: {error}")))?;
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&index| (encodings[index].get_attention_mask().iter().sum::<u32>(), index));
        let mut embeddings: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
        for batch in order.chunks(self.batch_size) {
            let rows: Vec<&tokenizers::Encoding> = batch.iter().map(|&index| &encodings[index]).collect();
            let vectors = self.forward(&rows).map_err(|error| inference(error.to_string()))?;
            for (&index, vector) in batch.iter().zip(vectors) {
                embeddings[index] = vector;
            }
        }
        Ok(embeddings)
    }

    /// The embedding of one text.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        self.embed(&[text])?.pop().ok_or_else(|| EmbedError::Inference("no embedding came back".into()))
    }

    /// BERT over one batch of encodings (padded here to the batch's longest), mean-pooled over
    /// real tokens and L2-normalised.
    fn forward(&self, rows: &[&tokenizers::Encoding]) -> candle_core::Result<Vec<Vec<f32>>> {
        let length = rows.iter().map(|row| token_length(row)).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(rows.len() * length);
        let mut types = Vec::with_capacity(rows.len() * length);
        let mut mask = Vec::with_capacity(rows.len() * length);
        for row in rows {
            let used = token_length(row);
            for position in 0..length {
                let real = position < used;
                ids.push(if real { row.get_ids()[position] } else { 0 });
                types.push(if real { row.get_type_ids()[position] } else { 0 });
                mask.push(u32::from(real));
            }
        }
        let shape = (rows.len(), length);
        let ids = Tensor::from_vec(ids, shape, &self.device)?;
        let types = Tensor::from_vec(types, shape, &self.device)?;
        let mask = Tensor::from_vec(mask, shape, &self.device)?;
        let hidden = self.model.forward(&ids, &types, &mask)?;
        let weights = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&weights)?.sum(1)?;
        let counts = weights.sum(1)?.clamp(1e-9, f64::MAX)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        mean.broadcast_div(&norms)?.to_vec2::<f32>()
    }
}

/// Real tokens of an encoding (its attention mask's ones; the tokenizer pads nothing here).
fn token_length(encoding: &tokenizers::Encoding) -> usize {
    encoding.get_attention_mask().iter().filter(|&&bit| bit == 1).count()
}

fn read_config(path: &Path) -> Result<BertConfig, EmbedError> {
    let corrupt = |reason: String| EmbedError::Corrupt { path: path.to_path_buf(), reason };
    let text = std::fs::read_to_string(path).map_err(|error| corrupt(format!("cannot read it: {error}")))?;
    serde_json::from_str(&text).map_err(|error| corrupt(format!("not a BERT config: {error}")))
}

/// The tokenizer with its fixed padding to 128 tokens replaced: no padding at encoding (each
/// batch is padded to its longest sentence when it is run) and truncation at [`MAX_TOKENS`].
fn load_tokenizer(path: &Path) -> Result<Tokenizer, EmbedError> {
    let corrupt = |reason: String| EmbedError::Corrupt { path: path.to_path_buf(), reason };
    let mut tokenizer = Tokenizer::from_file(path).map_err(|error| corrupt(format!("not a tokenizer: {error}")))?;
    tokenizer.with_padding(None::<PaddingParams>);
    let truncation = TruncationParams { max_length: MAX_TOKENS, ..TruncationParams::default() };
    tokenizer.with_truncation(Some(truncation)).map_err(|error| corrupt(format!("truncation: {error}")))?;
    Ok(tokenizer)
}

/// Cosine similarity of two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}
