//! A BERT encoder (the architecture of all-MiniLM-L6-v2) in candle: embeddings, then layers of
//! self-attention and feed-forward with post-layer-norm residuals, as Hugging Face's `BertModel`
//! computes them at inference. Written here rather than taken from `candle-transformers`, whose
//! ~80,000 lines of other models would be compiled for this one.

use candle_core::{DType, Device, Module, Result, Tensor, D};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

/// The parts of a Hugging Face BERT `config.json` the encoder needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    /// Only `gelu` (the exact, erf-based GELU) is supported.
    pub hidden_act: String,
}

/// The BERT encoder's weights.
pub struct Bert {
    word_embeddings: Embedding,
    position_embeddings: Embedding,
    token_type_embeddings: Embedding,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    device: Device,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Bert {
    /// The encoder from weights named as in Hugging Face's `BertModel` (`embeddings.*`,
    /// `encoder.layer.N.*`, optionally under `bert.`).
    pub fn load(builder: VarBuilder, config: &BertConfig) -> Result<Bert> {
        if config.hidden_act != "gelu" {
            candle_core::bail!("hidden_act {:?} is not supported (only gelu)", config.hidden_act);
        }
        if config.num_attention_heads == 0 || !config.hidden_size.is_multiple_of(config.num_attention_heads) {
            candle_core::bail!("hidden_size must be a multiple of num_attention_heads");
        }
        let builder = if builder.contains_tensor("bert.embeddings.word_embeddings.weight") {
            builder.pp("bert")
        } else {
            builder
        };
        let hidden = config.hidden_size;
        let eps = config.layer_norm_eps;
        let embeddings = builder.pp("embeddings");
        let layers = (0..config.num_hidden_layers)
            .map(|index| {
                let layer = builder.pp(format!("encoder.layer.{index}"));
                let attention = layer.pp("attention");
                Ok(Layer {
                    query: linear(hidden, hidden, attention.pp("self.query"))?,
                    key: linear(hidden, hidden, attention.pp("self.key"))?,
                    value: linear(hidden, hidden, attention.pp("self.value"))?,
                    attention_output: linear(hidden, hidden, attention.pp("output.dense"))?,
                    attention_norm: layer_norm(hidden, eps, attention.pp("output.LayerNorm"))?,
                    intermediate: linear(hidden, config.intermediate_size, layer.pp("intermediate.dense"))?,
                    output: linear(config.intermediate_size, hidden, layer.pp("output.dense"))?,
                    output_norm: layer_norm(hidden, eps, layer.pp("output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<Layer>>>()?;
        Ok(Bert {
            word_embeddings: embedding(config.vocab_size, hidden, embeddings.pp("word_embeddings"))?,
            position_embeddings: embedding(
                config.max_position_embeddings,
                hidden,
                embeddings.pp("position_embeddings"),
            )?,
            token_type_embeddings: embedding(config.type_vocab_size, hidden, embeddings.pp("token_type_embeddings"))?,
            embeddings_norm: layer_norm(hidden, eps, embeddings.pp("LayerNorm"))?,
            layers,
            heads: config.num_attention_heads,
            device: builder.device().clone(),
        })
    }

    /// The last hidden states `(batch, tokens, hidden)` for token ids and type ids
    /// `(batch, tokens)`; `mask` (1 for real tokens, 0 for padding) keeps padding out of
    /// attention.
    pub fn forward(&self, ids: &Tensor, type_ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, tokens) = ids.dims2()?;
        let positions = Tensor::arange(0u32, tokens as u32, &self.device)?;
        let mut hidden = self
            .word_embeddings
            .forward(ids)?
            .add(&self.token_type_embeddings.forward(type_ids)?)?
            .broadcast_add(&self.position_embeddings.forward(&positions)?)?;
        hidden = self.embeddings_norm.forward(&hidden)?;
        // 0 where attention may look, the most negative f32 at padding: (batch, 1, 1, tokens).
        let blocked = mask.to_dtype(DType::F32)?.affine(-1.0, 1.0)?;
        let additive = (blocked * f64::from(f32::MIN))?.unsqueeze(1)?.unsqueeze(1)?;
        for layer in &self.layers {
            hidden = layer.forward(&hidden, &additive, self.heads)?;
        }
        Ok(hidden)
    }
}

impl Layer {
    fn forward(&self, hidden: &Tensor, additive_mask: &Tensor, heads: usize) -> Result<Tensor> {
        let (batch, tokens, width) = hidden.dims3()?;
        let head_size = width / heads;
        let split = |projected: Tensor| -> Result<Tensor> {
            projected.reshape((batch, tokens, heads, head_size))?.transpose(1, 2)?.contiguous()
        };
        let query = split(self.query.forward(hidden)?)?;
        let key = split(self.key.forward(hidden)?)?;
        let value = split(self.value.forward(hidden)?)?;
        let scores = (query.matmul(&key.t()?)? / (head_size as f64).sqrt())?.broadcast_add(additive_mask)?;
        let probabilities = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probabilities.matmul(&value)?.transpose(1, 2)?.contiguous()?.flatten_from(D::Minus2)?;
        let attended = self.attention_norm.forward(&self.attention_output.forward(&context)?.add(hidden)?)?;
        let expanded = self.intermediate.forward(&attended)?.gelu_erf()?;
        self.output_norm.forward(&self.output.forward(&expanded)?.add(&attended)?)
    }
}
