//! Which whisper.cpp tensor comes from which CTranslate2 variable: the model's dimensions read
//! off the variables' shapes, and the list of the 15 + 24 per-layer tensors (plus the
//! convolutions, embeddings and final norms) with the slice of the source each one takes.
//!
//! CTranslate2 fuses the self-attention query, key and value into one `linear_0` (`3d × d`) and
//! the cross-attention key and value into `linear_1` (`2d × d`); whisper.cpp wants them apart,
//! with no key bias (CTranslate2 stores zeros there). Names follow OpenAI's checkpoint, which is
//! what whisper.cpp's loader looks up.

use super::ct2::{Ct2Model, Ct2Type};

/// The hyper-parameters of a Whisper model, as the ggml header lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WhisperDimensions {
    /// Tokens, special ones included (51865 multilingual, 51864 `.en`, 51866 large-v3).
    pub vocabulary: usize,
    /// Encoder positions (1500).
    pub audio_context: usize,
    /// Encoder width.
    pub audio_state: usize,
    /// Encoder attention heads.
    pub audio_heads: usize,
    /// Encoder layers.
    pub audio_layers: usize,
    /// Decoder positions (448).
    pub text_context: usize,
    /// Decoder width.
    pub text_state: usize,
    /// Decoder attention heads.
    pub text_heads: usize,
    /// Decoder layers.
    pub text_layers: usize,
    /// Mel bands of the input (80, or 128 for large-v3).
    pub mel_bands: usize,
}

impl WhisperDimensions {
    /// The common name of a model this size (`base`), as whisper.cpp reports it.
    pub fn size_name(&self) -> &'static str {
        match self.audio_layers {
            4 => "tiny",
            6 => "base",
            12 => "small",
            24 => "medium",
            32 => "large",
            _ => "unknown",
        }
    }
}

/// One tensor of the ggml file and where its values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTensor {
    /// The whisper.cpp name (`encoder.blocks.0.attn.query.weight`).
    pub name: String,
    /// The CTranslate2 variable it is cut from.
    pub source: String,
    /// Which of `parts` equal slices of the source's first dimension it takes.
    pub part: usize,
    /// Into how many slices the source's first dimension is cut (1: all of it).
    pub parts: usize,
    /// The shape written, outermost first, after OpenAI's converter's squeeze.
    pub shape: Vec<usize>,
    /// Stored as f16 (the matrices) or f32 (vectors, biases, positional embeddings).
    pub half: bool,
}

/// A plan that could not be made: the first variable that is missing or the wrong shape.
pub type LayoutProblem = String;

/// Read the dimensions off `model`'s variables.
pub fn dimensions(model: &Ct2Model) -> Result<WhisperDimensions, LayoutProblem> {
    if model.spec_name != "WhisperSpec" {
        return Err(format!("the model is a {}, not a WhisperSpec", model.spec_name));
    }
    let shape = |name: &str| -> Result<Vec<usize>, LayoutProblem> {
        model.get(name).map(|variable| variable.shape.clone()).ok_or_else(|| format!("{name} is missing"))
    };
    let heads = |name: &str| -> Result<usize, LayoutProblem> {
        match model.scalar(name).map_err(|problem| problem.to_string())? {
            Some(value) if value > 0 => Ok(value as usize),
            Some(value) => Err(format!("{name} is {value}")),
            None => Err(format!("{name} is missing")),
        }
    };
    let count_layers = |prefix: &str| {
        (0..).take_while(|index| model.get(&format!("{prefix}/layer_{index}/ffn/linear_0/weight")).is_some()).count()
    };
    let embeddings = shape("decoder/embeddings/weight")?;
    let audio_positions = shape("encoder/position_encodings/encodings")?;
    let text_positions = shape("decoder/position_encodings/encodings")?;
    let conv1 = shape("encoder/conv1/weight")?;
    let (&[vocabulary, text_state], &[audio_context, audio_state], &[text_context, _], &[_, mel_bands, _]) =
        (embeddings.as_slice(), audio_positions.as_slice(), text_positions.as_slice(), conv1.as_slice())
    else {
        return Err(format!(
            "unexpected ranks: embeddings {embeddings:?}, encoder positions {audio_positions:?}, decoder positions \
             {text_positions:?}, conv1 {conv1:?}"
        ));
    };
    Ok(WhisperDimensions {
        vocabulary,
        audio_context,
        audio_state,
        audio_heads: heads("encoder/num_heads")?,
        audio_layers: count_layers("encoder"),
        text_context,
        text_state,
        text_heads: heads("decoder/num_heads")?,
        text_layers: count_layers("decoder"),
        mel_bands,
    })
}

/// Builds the plan in whisper.cpp's (OpenAI's state-dict) order.
struct Planner<'a> {
    model: &'a Ct2Model,
    tensors: Vec<PlannedTensor>,
}

impl Planner<'_> {
    /// Take `source` whole (`parts == 1`) or one slice of it, checking its shape first.
    fn take(
        &mut self,
        name: &str,
        source: &str,
        part: usize,
        parts: usize,
        expected: &[usize],
    ) -> Result<(), LayoutProblem> {
        let variable = self.model.get(source).ok_or_else(|| format!("{source} is missing"))?;
        if variable.shape != expected {
            return Err(format!(
                "{source} has shape {:?}; a model of these dimensions needs {expected:?}",
                variable.shape
            ));
        }
        if !matches!(variable.element, Ct2Type::Float16 | Ct2Type::Float32 | Ct2Type::BFloat16) {
            return Err(format!(
                "{source} is {}: quantised models cannot be converted; convert the model again with \
                 `--quantization float16` (or float32)",
                variable.element.name()
            ));
        }
        let mut shape: Vec<usize> = expected.to_vec();
        shape[0] /= parts;
        let conv_bias = name.starts_with("encoder.conv") && name.ends_with(".bias");
        if conv_bias {
            shape.push(1);
        }
        let positional = name.ends_with("positional_embedding");
        let half = shape.len() >= 2 && !conv_bias && !positional;
        self.tensors.push(PlannedTensor {
            name: name.to_string(),
            source: source.to_string(),
            part,
            parts,
            shape,
            half,
        });
        Ok(())
    }

    fn linear(
        &mut self,
        name: &str,
        source: &str,
        part: usize,
        parts: usize,
        width: usize,
        bias: bool,
    ) -> Result<(), LayoutProblem> {
        self.take(&format!("{name}.weight"), &format!("{source}/weight"), part, parts, &[width * parts, width])?;
        if bias {
            self.take(&format!("{name}.bias"), &format!("{source}/bias"), part, parts, &[width * parts])?;
        }
        Ok(())
    }

    fn norm(&mut self, name: &str, source: &str, width: usize) -> Result<(), LayoutProblem> {
        self.take(&format!("{name}.weight"), &format!("{source}/gamma"), 0, 1, &[width])?;
        self.take(&format!("{name}.bias"), &format!("{source}/beta"), 0, 1, &[width])
    }

    fn self_attention(&mut self, name: &str, source: &str, width: usize) -> Result<(), LayoutProblem> {
        let fused = format!("{source}/linear_0");
        self.linear(&format!("{name}.query"), &fused, 0, 3, width, true)?;
        self.linear(&format!("{name}.key"), &fused, 1, 3, width, false)?;
        self.linear(&format!("{name}.value"), &fused, 2, 3, width, true)?;
        self.linear(&format!("{name}.out"), &format!("{source}/linear_1"), 0, 1, width, true)
    }

    fn feed_forward(&mut self, block: &str, source: &str, width: usize) -> Result<(), LayoutProblem> {
        let hidden = self.model.get(&format!("{source}/linear_0/weight")).map(|v| v.shape[0]).unwrap_or(4 * width);
        self.take(&format!("{block}.mlp.0.weight"), &format!("{source}/linear_0/weight"), 0, 1, &[hidden, width])?;
        self.take(&format!("{block}.mlp.0.bias"), &format!("{source}/linear_0/bias"), 0, 1, &[hidden])?;
        self.take(&format!("{block}.mlp.2.weight"), &format!("{source}/linear_1/weight"), 0, 1, &[width, hidden])?;
        self.take(&format!("{block}.mlp.2.bias"), &format!("{source}/linear_1/bias"), 0, 1, &[width])?;
        self.norm(&format!("{block}.mlp_ln"), &format!("{source}/layer_norm"), width)
    }
}

/// Every tensor of the ggml file, in order, or the first variable that does not fit.
pub fn plan(model: &Ct2Model, dims: &WhisperDimensions) -> Result<Vec<PlannedTensor>, LayoutProblem> {
    let mut planner = Planner { model, tensors: Vec::new() };
    let (audio, text) = (dims.audio_state, dims.text_state);
    planner.take(
        "encoder.positional_embedding",
        "encoder/position_encodings/encodings",
        0,
        1,
        &[dims.audio_context, audio],
    )?;
    planner.take("encoder.conv1.weight", "encoder/conv1/weight", 0, 1, &[audio, dims.mel_bands, 3])?;
    planner.take("encoder.conv1.bias", "encoder/conv1/bias", 0, 1, &[audio])?;
    planner.take("encoder.conv2.weight", "encoder/conv2/weight", 0, 1, &[audio, audio, 3])?;
    planner.take("encoder.conv2.bias", "encoder/conv2/bias", 0, 1, &[audio])?;
    for layer in 0..dims.audio_layers {
        let (block, source) = (format!("encoder.blocks.{layer}"), format!("encoder/layer_{layer}"));
        planner.self_attention(&format!("{block}.attn"), &format!("{source}/self_attention"), audio)?;
        planner.norm(&format!("{block}.attn_ln"), &format!("{source}/self_attention/layer_norm"), audio)?;
        planner.feed_forward(&block, &format!("{source}/ffn"), audio)?;
    }
    planner.norm("encoder.ln_post", "encoder/layer_norm", audio)?;
    planner.take(
        "decoder.positional_embedding",
        "decoder/position_encodings/encodings",
        0,
        1,
        &[dims.text_context, text],
    )?;
    planner.take("decoder.token_embedding.weight", "decoder/embeddings/weight", 0, 1, &[dims.vocabulary, text])?;
    for layer in 0..dims.text_layers {
        let (block, source) = (format!("decoder.blocks.{layer}"), format!("decoder/layer_{layer}"));
        planner.self_attention(&format!("{block}.attn"), &format!("{source}/self_attention"), text)?;
        planner.norm(&format!("{block}.attn_ln"), &format!("{source}/self_attention/layer_norm"), text)?;
        let cross = format!("{source}/attention");
        planner.linear(&format!("{block}.cross_attn.query"), &format!("{cross}/linear_0"), 0, 1, text, true)?;
        planner.linear(&format!("{block}.cross_attn.key"), &format!("{cross}/linear_1"), 0, 2, text, false)?;
        planner.linear(&format!("{block}.cross_attn.value"), &format!("{cross}/linear_1"), 1, 2, text, true)?;
        planner.linear(&format!("{block}.cross_attn.out"), &format!("{cross}/linear_2"), 0, 1, text, true)?;
        planner.norm(&format!("{block}.cross_attn_ln"), &format!("{cross}/layer_norm"), text)?;
        planner.feed_forward(&block, &format!("{source}/ffn"), text)?;
    }
    planner.norm("decoder.ln", "decoder/layer_norm", text)?;
    Ok(planner.tensors)
}

/// The key-bias slices CTranslate2 fills with zeros, which the plan drops: `(variable, part, parts)`.
pub fn dropped_key_biases(dims: &WhisperDimensions) -> Vec<(String, usize, usize)> {
    let encoder =
        (0..dims.audio_layers).map(|layer| (format!("encoder/layer_{layer}/self_attention/linear_0/bias"), 1, 3));
    let decoder_self =
        (0..dims.text_layers).map(|layer| (format!("decoder/layer_{layer}/self_attention/linear_0/bias"), 1, 3));
    let decoder_cross =
        (0..dims.text_layers).map(|layer| (format!("decoder/layer_{layer}/attention/linear_1/bias"), 0, 2));
    encoder.chain(decoder_self).chain(decoder_cross).collect()
}
