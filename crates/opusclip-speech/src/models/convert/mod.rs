//! `opusclip models import DIR`: a faster-whisper / CTranslate2 Whisper directory (`model.bin`,
//! `config.json`, and `vocabulary.txt`, `vocabulary.json` or `tokenizer.json`) converted into the
//! ggml file whisper.cpp loads — the same file OpenAI's checkpoint converts to: the header of
//! eleven `i32` dimensions, the mel filterbank, the byte tokens, then each tensor with its rank,
//! name length, type, dimensions innermost first, name and values (f16 matrices, f32 vectors).
//!
//! Every source variable is checked by name, shape and type before a byte is written; the output
//! is written under a `.partial` name, its header checked, and renamed into place, so a file at
//! the destination is always whole. Weights are read one tensor at a time: memory stays at the
//! size of the largest tensor (the token embedding, 53 MB for base).

mod ct2;
mod layout;
mod mel;
mod silero;
mod vocabulary;

pub use ct2::{Ct2Model, Ct2Problem, Ct2Type, Ct2Variable};
pub use layout::{PlannedTensor, WhisperDimensions};
pub use mel::mel_filterbank;
pub use silero::convert_silero_vad;
pub use vocabulary::read_byte_tokens;

use crate::whisper::{check_whisper_model_file, GGML_MAGIC};
use opusclip_core::{Error, Result};
use serde::Serialize;
use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What [`import_ct2_whisper`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The directory converted.
    pub source: PathBuf,
    /// The ggml file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Tensors written (245 for base).
    pub tensors: usize,
    /// Byte tokens written (50,257 multilingual).
    pub tokens: usize,
    /// The model's dimensions.
    pub dimensions: WhisperDimensions,
    /// `tiny`, `base`, `small`, `medium`, `large` (from the layer count).
    pub size_name: &'static str,
    /// Whether the model is multilingual (language detection, translation).
    pub multilingual: bool,
}

/// How the weight matrices of a converted model are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightFormat {
    /// 16-bit floats, as the source stores them (148 MB for base).
    #[default]
    F16,
    /// ggml's 8-bit blocks (32 weights share one f16 scale; 82 MB for base): the matrices of
    /// the attention and MLP layers and the token embedding. whisper.cpp reads them as
    /// `ftype` 7; vectors, convolutions and positional embeddings stay as they are.
    Q8_0,
}

impl WeightFormat {
    /// The `ftype` of the ggml header (quantisation version 2 × 1000 added for q8_0, as
    /// whisper.cpp's own quantiser writes it).
    fn header_ftype(self) -> usize {
        match self {
            WeightFormat::F16 => 1,
            WeightFormat::Q8_0 => 2 * 1000 + 7,
        }
    }

    /// Parses `f16` / `q8_0` (any case).
    pub fn parse(text: &str) -> Option<WeightFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "f16" => Some(WeightFormat::F16),
            "q8_0" | "q8" => Some(WeightFormat::Q8_0),
            _ => None,
        }
    }
}

/// Convert the CTranslate2 Whisper model in `dir` into a whisper.cpp ggml file at `output`,
/// with f16 weights.
pub fn import_ct2_whisper(dir: &Path, output: &Path) -> Result<ImportReport> {
    import_ct2_whisper_as(dir, output, WeightFormat::F16)
}

/// [`import_ct2_whisper`] with the weight matrices stored as `format`.
pub fn import_ct2_whisper_as(dir: &Path, output: &Path, format: WeightFormat) -> Result<ImportReport> {
    let refuse = |problem: String| {
        Error::model(format!("{} is not a convertible CTranslate2 Whisper model: {problem}", dir.display()))
            .with_details(json!({ "dir": dir.display().to_string(), "problem": problem }))
    };
    if !dir.is_dir() {
        return Err(refuse("it is not a directory (pass the folder that holds model.bin)".to_string()));
    }
    let model_bin = dir.join("model.bin");
    if !model_bin.is_file() {
        return Err(refuse(missing_model_bin_hint(dir)));
    }
    let model = Ct2Model::open(&model_bin).map_err(|problem| refuse(format!("model.bin: {problem}")))?;
    let dims = layout::dimensions(&model).map_err(refuse)?;
    let tensors = layout::plan(&model, &dims).map_err(refuse)?;
    check_dropped_key_biases(&model, &dims).map_err(refuse)?;
    let tokens = read_byte_tokens(dir).map_err(refuse)?;
    if tokens.len() >= dims.vocabulary {
        return Err(refuse(format!(
            "the vocabulary has {} byte tokens, but the embedding only {} rows",
            tokens.len(),
            dims.vocabulary
        )));
    }
    let partial = partial_output(output);
    let written = write_ggml(&model, &dims, &tokens, &tensors, format, &partial);
    let bytes = match written {
        Ok(bytes) => bytes,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    if let Err(error) = check_whisper_model_file(&partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, output).map_err(|error| Error::io("rename into place", output, error))?;
    Ok(ImportReport {
        source: dir.to_path_buf(),
        path: output.to_path_buf(),
        bytes,
        tensors: tensors.len(),
        tokens: tokens.len(),
        size_name: dims.size_name(),
        multilingual: dims.vocabulary >= 51865,
        dimensions: dims,
    })
}

/// `<output>.partial` beside `output`.
pub(super) fn partial_output(output: &Path) -> PathBuf {
    let mut name = output.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".partial");
    output.with_file_name(name)
}

/// Why there is no `model.bin`: the split parts of a wheel, or some other kind of model.
fn missing_model_bin_hint(dir: &Path) -> String {
    let parts: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("model.bin.part"))
                .collect()
        })
        .unwrap_or_default();
    if parts.is_empty() {
        "there is no model.bin (a faster-whisper directory has model.bin, config.json and vocabulary.*)".to_string()
    } else {
        format!("there is no model.bin, only its parts ({}): join them in order into model.bin", parts.join(", "))
    }
}

/// CTranslate2 stores a zero key bias that whisper.cpp has no place for; anything else there
/// would be lost, so it is refused.
fn check_dropped_key_biases(model: &Ct2Model, dims: &WhisperDimensions) -> std::result::Result<(), String> {
    for (source, part, parts) in layout::dropped_key_biases(dims) {
        let variable = model.get(&source).ok_or_else(|| format!("{source} is missing"))?;
        let values = to_f32(model, variable)?;
        let slice = values.len() / parts;
        if values[part * slice..(part + 1) * slice].iter().any(|value| *value != 0.0) {
            return Err(format!("{source} has a non-zero key bias, which whisper.cpp cannot hold"));
        }
    }
    Ok(())
}

/// The values of `variable` as f32.
fn to_f32(model: &Ct2Model, variable: &Ct2Variable) -> std::result::Result<Vec<f32>, String> {
    let bytes = model.read(variable).map_err(|problem| problem.to_string())?;
    let values = match variable.element {
        Ct2Type::Float32 => bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        Ct2Type::Float16 => bytes.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        Ct2Type::BFloat16 => bytes.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        other => return Err(format!("a {} variable cannot be read as floats", other.name())),
    };
    Ok(values)
}

/// The bytes of one planned tensor in the type it is stored as.
fn tensor_bytes(model: &Ct2Model, tensor: &PlannedTensor) -> std::result::Result<Vec<u8>, String> {
    let variable = model.get(&tensor.source).ok_or_else(|| format!("{} is missing", tensor.source))?;
    let slice_bytes = (variable.bytes as usize) / tensor.parts;
    let element = variable.element.size();
    if tensor.half && variable.element == Ct2Type::Float16 {
        let bytes = model.read(variable).map_err(|problem| problem.to_string())?;
        return Ok(bytes[tensor.part * slice_bytes..(tensor.part + 1) * slice_bytes].to_vec());
    }
    let values = to_f32(model, variable)?;
    let count = slice_bytes / element;
    let slice = &values[tensor.part * count..(tensor.part + 1) * count];
    let mut out = Vec::with_capacity(count * if tensor.half { 2 } else { 4 });
    for &value in slice {
        if tensor.half {
            out.extend_from_slice(&half::f16::from_f32(value).to_le_bytes());
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    Ok(out)
}

fn write_ggml(
    model: &Ct2Model,
    dims: &WhisperDimensions,
    tokens: &[Vec<u8>],
    tensors: &[PlannedTensor],
    format: WeightFormat,
    path: &Path,
) -> Result<u64> {
    let io = |error: std::io::Error| Error::io("write", path, error);
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut written = 0u64;
    let mut put = |out: &mut BufWriter<std::fs::File>, bytes: &[u8]| -> Result<()> {
        written += bytes.len() as u64;
        out.write_all(bytes).map_err(io)
    };
    let int = |value: usize| (value as i32).to_le_bytes();
    put(&mut out, &GGML_MAGIC.to_le_bytes())?;
    let header = [
        dims.vocabulary,
        dims.audio_context,
        dims.audio_state,
        dims.audio_heads,
        dims.audio_layers,
        dims.text_context,
        dims.text_state,
        dims.text_heads,
        dims.text_layers,
        dims.mel_bands,
        format.header_ftype(),
    ];
    for value in header {
        put(&mut out, &int(value))?;
    }
    let filters = mel_filterbank(dims.mel_bands);
    put(&mut out, &int(dims.mel_bands))?;
    put(&mut out, &int(mel::FFT_SIZE / 2 + 1))?;
    for weight in filters {
        put(&mut out, &weight.to_le_bytes())?;
    }
    put(&mut out, &int(tokens.len()))?;
    for token in tokens {
        put(&mut out, &int(token.len()))?;
        put(&mut out, token)?;
    }
    for tensor in tensors {
        let values = tensor_bytes(model, tensor).map_err(|problem| {
            Error::model(format!("cannot convert {}: {problem}", tensor.name))
                .with_details(json!({ "tensor": tensor.name }))
        })?;
        let (ggml_type, values) = if format == WeightFormat::Q8_0 && quantisable(tensor) {
            (GGML_TYPE_Q8_0, q8_0_blocks(&values))
        } else {
            (usize::from(tensor.half), values) // 0 f32, 1 f16
        };
        put(&mut out, &int(tensor.shape.len()))?;
        put(&mut out, &int(tensor.name.len()))?;
        put(&mut out, &int(ggml_type))?;
        for &dimension in tensor.shape.iter().rev() {
            put(&mut out, &int(dimension))?;
        }
        put(&mut out, tensor.name.as_bytes())?;
        put(&mut out, &values)?;
    }
    let file = out.into_inner().map_err(|error| io(error.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(written)
}

/// ggml's type number of 8-bit blocks.
const GGML_TYPE_Q8_0: usize = 8;
/// Weights per q8_0 block.
const Q8_0_BLOCK: usize = 32;

/// Whether whisper.cpp stores `tensor` in the model's weight type: the f16 matrices named
/// `*.weight` (attention, MLP, token embedding) whose rows split into whole blocks — not the
/// convolutions (3-D), the positional embeddings or the vectors.
fn quantisable(tensor: &PlannedTensor) -> bool {
    tensor.half
        && tensor.shape.len() == 2
        && tensor.name.ends_with(".weight")
        && !tensor.name.contains("positional_embedding")
        && tensor.shape[1].is_multiple_of(Q8_0_BLOCK)
}

/// Little-endian f16 values as q8_0 blocks: per 32 values, the f16 scale `max|x| / 127`, then
/// the 32 values divided by it and rounded to `i8`.
fn q8_0_blocks(f16_bytes: &[u8]) -> Vec<u8> {
    let values: Vec<f32> = f16_bytes.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect();
    let mut out = Vec::with_capacity(values.len() / Q8_0_BLOCK * (2 + Q8_0_BLOCK));
    for block in values.chunks(Q8_0_BLOCK) {
        let largest = block.iter().fold(0.0f32, |most, value| most.max(value.abs()));
        let scale = largest / 127.0;
        let inverse = if scale > 0.0 { 1.0 / scale } else { 0.0 };
        out.extend_from_slice(&half::f16::from_f32(scale).to_le_bytes());
        out.extend(block.iter().map(|value| ((value * inverse).round().clamp(-127.0, 127.0) as i8) as u8));
    }
    out
}

#[cfg(test)]
mod quantisation_tests {
    use super::*;

    #[test]
    fn q8_0_blocks_keep_each_value_within_half_a_step() {
        let values: Vec<f32> = (0..64).map(|i| ((i as f32) - 20.0) * 0.013).collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| half::f16::from_f32(*v).to_le_bytes()).collect();
        let blocks = q8_0_blocks(&bytes);
        assert_eq!(blocks.len(), 2 * (2 + 32));
        for (block, originals) in blocks.chunks(34).zip(values.chunks(32)) {
            let scale = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
            for (&quantised, &original) in block[2..].iter().zip(originals) {
                let restored = f32::from(quantised as i8) * scale;
                assert!((restored - original).abs() <= scale * 0.5 + 1e-3, "{restored} vs {original}");
            }
        }
        assert_eq!(q8_0_blocks(&[0, 0, 0, 0])[..2], half::f16::from_f32(0.0).to_le_bytes());
    }

    #[test]
    fn only_whole_block_matrices_are_quantised() {
        let tensor = |name: &str, shape: Vec<usize>, half: bool| PlannedTensor {
            name: name.into(),
            source: String::new(),
            part: 0,
            parts: 1,
            shape,
            half,
        };
        assert!(quantisable(&tensor("encoder.blocks.0.attn.query.weight", vec![512, 512], true)));
        assert!(quantisable(&tensor("decoder.token_embedding.weight", vec![51865, 512], true)));
        assert!(!quantisable(&tensor("encoder.conv1.weight", vec![512, 80, 3], true)));
        assert!(!quantisable(&tensor("decoder.positional_embedding", vec![448, 512], false)));
        assert!(!quantisable(&tensor("encoder.blocks.0.attn.query.bias", vec![512], false)));
        assert!(!quantisable(&tensor("odd.weight", vec![4, 30], true)));
    }
}
