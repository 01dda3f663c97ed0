//! Shape-correct whisper.cpp models filled with seeded pseudo-random weights, so tests and
//! benchmarks can run the real inference path (load, encoder, decoder, timestamps, our words)
//! where no real model may be downloaded.
//!
//! The file has the layout whisper.cpp's loader reads: the ggml magic, eleven hyper-parameters,
//! the mel filter bank, the vocabulary (whisper.cpp adds the special tokens after it), then every
//! encoder and decoder tensor as `n_dims, name length, type, dims (innermost first), name, data`,
//! with 2-D weights and convolution kernels in f16 and everything else in f32. Its words are
//! meaningless, but the compute per encoder window and per decoded token is that of the real
//! model of the same shape.
//!
//! ```no_run
//! use opusclip_speech::synthetic_model::{write_synthetic_model, ModelShape};
//! let path = std::env::temp_dir().join("ggml-synthetic-tiny.bin");
//! write_synthetic_model(&path, ModelShape::Tiny, 7)?;
//! assert_eq!(std::fs::metadata(&path)?.len(), ModelShape::Tiny.file_bytes());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::GGML_MAGIC;
use opusclip_core::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Vocabulary size of the multilingual whisper models (language detection and translation on).
pub const VOCABULARY_SIZE: u32 = 51_865;
/// Tokens written to the file: the text tokens before end-of-text; whisper.cpp fills in the
/// special, language and timestamp tokens after them.
pub const WRITTEN_TOKENS: u32 = 50_257;
/// Encoder positions: 1500 frames of 20 ms, one 30-second window.
pub const AUDIO_CONTEXT: u32 = 1_500;
/// Decoder positions.
pub const TEXT_CONTEXT: u32 = 448;
/// Mel bands of the input.
pub const MEL_BANDS: u32 = 80;
/// Frequency bins of the 400-sample FFT the mel filters apply to.
pub const FFT_BINS: u32 = 201;

/// Weight type of the file: 1 means f16 for the big tensors.
const FILE_WEIGHT_TYPE: u32 = 1;
/// Amplitude of the uniform noise most values are drawn from.
const WEIGHT_AMPLITUDE: f32 = 0.02;
/// The id of the single-space token: whisper.cpp looks it up by text to suppress blanks.
const SPACE_TOKEN_ID: u32 = 220;
/// Bytes of f16 values generated before each write.
const CHUNK_VALUES: usize = 1 << 16;

/// The sizes of the standard whisper models a synthetic model copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelShape {
    /// 384 wide, 6 heads, 4 encoder and 4 decoder layers (≈75 MB in f16).
    Tiny,
    /// 512 wide, 8 heads, 6 + 6 layers (≈145 MB).
    Base,
    /// 768 wide, 12 heads, 12 + 12 layers (≈485 MB).
    Small,
}

impl ModelShape {
    /// Every shape, smallest first.
    pub const ALL: [ModelShape; 3] = [ModelShape::Tiny, ModelShape::Base, ModelShape::Small];

    /// The model's usual name (`tiny`, `base`, `small`).
    pub fn name(self) -> &'static str {
        match self {
            ModelShape::Tiny => "tiny",
            ModelShape::Base => "base",
            ModelShape::Small => "small",
        }
    }

    /// Width of the encoder and the decoder.
    pub fn width(self) -> u32 {
        match self {
            ModelShape::Tiny => 384,
            ModelShape::Base => 512,
            ModelShape::Small => 768,
        }
    }

    /// Attention heads in each encoder and decoder layer.
    pub fn heads(self) -> u32 {
        match self {
            ModelShape::Tiny => 6,
            ModelShape::Base => 8,
            ModelShape::Small => 12,
        }
    }

    /// Layers of the encoder, and of the decoder.
    pub fn layers(self) -> u32 {
        match self {
            ModelShape::Tiny => 4,
            ModelShape::Base => 6,
            ModelShape::Small => 12,
        }
    }

    /// The eleven header fields in file order: vocabulary, audio context, width, heads, layers,
    /// text context, width, heads, layers, mel bands, weight type.
    pub fn header_fields(self) -> [u32; 11] {
        let (width, heads, layers) = (self.width(), self.heads(), self.layers());
        [
            VOCABULARY_SIZE,
            AUDIO_CONTEXT,
            width,
            heads,
            layers,
            TEXT_CONTEXT,
            width,
            heads,
            layers,
            MEL_BANDS,
            FILE_WEIGHT_TYPE,
        ]
    }

    /// The exact size of the file [`write_synthetic_model`] writes for this shape.
    pub fn file_bytes(self) -> u64 {
        let header = 4 + 11 * 4;
        let filters = 8 + 4 * u64::from(MEL_BANDS) * u64::from(FFT_BINS);
        let vocabulary: u64 = 4 + (0..WRITTEN_TOKENS).map(|id| 4 + token_text(id).len() as u64).sum::<u64>();
        let tensors: u64 = tensor_specs(self).iter().map(TensorSpec::file_bytes).sum();
        header + filters + vocabulary + tensors
    }
}

/// How a tensor's values are made, which also fixes its stored type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Uniform noise of ±[`WEIGHT_AMPLITUDE`], stored as f16 (matrices, convolution kernels).
    HalfNoise,
    /// Uniform noise of ±[`WEIGHT_AMPLITUDE`], stored as f32 (biases, positional embeddings).
    FloatNoise,
    /// 1 ± [`WEIGHT_AMPLITUDE`], stored as f32 (layer-norm scales).
    NormScale,
}

impl Fill {
    /// The ggml type id written before the dims: 1 is f16, 0 is f32.
    fn ggml_type(self) -> u32 {
        match self {
            Fill::HalfNoise => 1,
            Fill::FloatNoise | Fill::NormScale => 0,
        }
    }

    fn bytes_per_value(self) -> u64 {
        match self {
            Fill::HalfNoise => 2,
            Fill::FloatNoise | Fill::NormScale => 4,
        }
    }
}

/// One tensor of the file: its name, its dims in ggml order (innermost first) and its fill.
#[derive(Debug, Clone, PartialEq)]
struct TensorSpec {
    name: String,
    dims: Vec<u32>,
    fill: Fill,
}

impl TensorSpec {
    fn new(name: impl Into<String>, dims: &[u32], fill: Fill) -> Self {
        TensorSpec { name: name.into(), dims: dims.to_vec(), fill }
    }

    fn values(&self) -> u64 {
        self.dims.iter().map(|&dim| u64::from(dim)).product()
    }

    fn file_bytes(&self) -> u64 {
        12 + 4 * self.dims.len() as u64 + self.name.len() as u64 + self.values() * self.fill.bytes_per_value()
    }
}

/// Writes a synthetic whisper model of `shape` to `path`, its weights drawn from a generator
/// seeded with `seed` (the same seed gives the same file).
///
/// The file is streamed to a temporary name beside `path` and renamed into place, so `path`
/// never holds a partial model. Failing to write is [`Error::Io`] naming the file.
pub fn write_synthetic_model(path: &Path, shape: ModelShape, seed: u64) -> Result<()> {
    let partial = partial_path(path);
    let written = write_model_file(&partial, shape, seed).and_then(|()| {
        std::fs::rename(&partial, path)
            .map_err(|error| Error::io("move the synthetic model into place at", path, error))
    });
    if written.is_err() {
        // Best effort: the write error is the one worth reporting.
        let _ = std::fs::remove_file(&partial);
    }
    written
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|name| name.to_os_string()).unwrap_or_else(|| "model".into());
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

fn write_model_file(path: &Path, shape: ModelShape, seed: u64) -> Result<()> {
    let io_error = |error| Error::io("write the synthetic whisper model", path, error);
    let file = std::fs::File::create(path).map_err(io_error)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    write_header(&mut out, shape).map_err(io_error)?;
    write_mel_filters(&mut out).map_err(io_error)?;
    write_vocabulary(&mut out).map_err(io_error)?;
    let mut generator = SplitMix64::new(seed);
    let half_noise = half_noise_table(WEIGHT_AMPLITUDE);
    for spec in tensor_specs(shape) {
        write_tensor(&mut out, &spec, &mut generator, &half_noise).map_err(io_error)?;
    }
    out.into_inner().map_err(|error| io_error(error.into_error()))?.sync_all().map_err(io_error)
}

fn write_u32(out: &mut impl Write, value: u32) -> std::io::Result<()> {
    out.write_all(&value.to_le_bytes())
}

fn write_header(out: &mut impl Write, shape: ModelShape) -> std::io::Result<()> {
    write_u32(out, GGML_MAGIC)?;
    shape.header_fields().iter().try_for_each(|&field| write_u32(out, field))
}

fn write_mel_filters(out: &mut impl Write) -> std::io::Result<()> {
    write_u32(out, MEL_BANDS)?;
    write_u32(out, FFT_BINS)?;
    for value in mel_filter_bank(MEL_BANDS as usize, FFT_BINS as usize) {
        out.write_all(&value.to_le_bytes())?;
    }
    Ok(())
}

/// Triangular filters evenly spaced on the mel scale from 0 to 8 kHz, each normalised to unit
/// area in Hz (the shape of whisper's own bank), `bands` rows of `bins` values.
fn mel_filter_bank(bands: usize, bins: usize) -> Vec<f32> {
    let nyquist_hz = 8_000.0_f64;
    let to_mel = |hz: f64| 2595.0 * (1.0 + hz / 700.0).log10();
    let to_hz = |mel: f64| 700.0 * (10f64.powf(mel / 2595.0) - 1.0);
    let top_mel = to_mel(nyquist_hz);
    let edges: Vec<f64> = (0..bands + 2).map(|index| to_hz(top_mel * index as f64 / (bands + 1) as f64)).collect();
    let bin_hz = nyquist_hz / (bins - 1) as f64;
    let mut bank = Vec::with_capacity(bands * bins);
    for band in 0..bands {
        let (low, centre, high) = (edges[band], edges[band + 1], edges[band + 2]);
        let area_norm = 2.0 / (high - low);
        for bin in 0..bins {
            let hz = bin as f64 * bin_hz;
            let rising = (hz - low) / (centre - low);
            let falling = (high - hz) / (high - centre);
            bank.push((rising.min(falling).max(0.0) * area_norm) as f32);
        }
    }
    bank
}

fn write_vocabulary(out: &mut impl Write) -> std::io::Result<()> {
    write_u32(out, WRITTEN_TOKENS)?;
    for id in 0..WRITTEN_TOKENS {
        let text = token_text(id);
        write_u32(out, text.len() as u32)?;
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// The text of token `id`: mostly word starts (` w123`), every fifth a word continuation
/// (`s124`, glued to the word before), and the single space whisper.cpp requires.
pub fn token_text(id: u32) -> String {
    if id == SPACE_TOKEN_ID {
        " ".to_string()
    } else if id % 5 == 4 {
        format!("s{id}")
    } else {
        format!(" w{id}")
    }
}

/// Every tensor whisper.cpp's loader expects for `shape`, with its ggml dims.
fn tensor_specs(shape: ModelShape) -> Vec<TensorSpec> {
    let width = shape.width();
    let mut specs = vec![
        TensorSpec::new("encoder.positional_embedding", &[width, AUDIO_CONTEXT], Fill::FloatNoise),
        TensorSpec::new("encoder.conv1.weight", &[3, MEL_BANDS, width], Fill::HalfNoise),
        TensorSpec::new("encoder.conv1.bias", &[1, width], Fill::FloatNoise),
        TensorSpec::new("encoder.conv2.weight", &[3, width, width], Fill::HalfNoise),
        TensorSpec::new("encoder.conv2.bias", &[1, width], Fill::FloatNoise),
    ];
    push_norm(&mut specs, "encoder.ln_post", width);
    for layer in 0..shape.layers() {
        push_block(&mut specs, &format!("encoder.blocks.{layer}"), width, false);
    }
    specs.push(TensorSpec::new("decoder.positional_embedding", &[width, TEXT_CONTEXT], Fill::FloatNoise));
    specs.push(TensorSpec::new("decoder.token_embedding.weight", &[width, VOCABULARY_SIZE], Fill::HalfNoise));
    push_norm(&mut specs, "decoder.ln", width);
    for layer in 0..shape.layers() {
        push_block(&mut specs, &format!("decoder.blocks.{layer}"), width, true);
    }
    specs
}

/// One transformer block: self-attention, cross-attention (decoder only) and the MLP.
fn push_block(specs: &mut Vec<TensorSpec>, prefix: &str, width: u32, with_cross_attention: bool) {
    push_norm(specs, &format!("{prefix}.attn_ln"), width);
    push_attention(specs, &format!("{prefix}.attn"), width);
    if with_cross_attention {
        push_norm(specs, &format!("{prefix}.cross_attn_ln"), width);
        push_attention(specs, &format!("{prefix}.cross_attn"), width);
    }
    push_norm(specs, &format!("{prefix}.mlp_ln"), width);
    push_linear(specs, &format!("{prefix}.mlp.0"), width, 4 * width, true);
    push_linear(specs, &format!("{prefix}.mlp.2"), 4 * width, width, true);
}

/// Query, key (without a bias, as in whisper), value and output projections.
fn push_attention(specs: &mut Vec<TensorSpec>, prefix: &str, width: u32) {
    push_linear(specs, &format!("{prefix}.query"), width, width, true);
    push_linear(specs, &format!("{prefix}.key"), width, width, false);
    push_linear(specs, &format!("{prefix}.value"), width, width, true);
    push_linear(specs, &format!("{prefix}.out"), width, width, true);
}

fn push_linear(specs: &mut Vec<TensorSpec>, prefix: &str, inputs: u32, outputs: u32, with_bias: bool) {
    specs.push(TensorSpec::new(format!("{prefix}.weight"), &[inputs, outputs], Fill::HalfNoise));
    if with_bias {
        specs.push(TensorSpec::new(format!("{prefix}.bias"), &[outputs], Fill::FloatNoise));
    }
}

fn push_norm(specs: &mut Vec<TensorSpec>, prefix: &str, width: u32) {
    specs.push(TensorSpec::new(format!("{prefix}.weight"), &[width], Fill::NormScale));
    specs.push(TensorSpec::new(format!("{prefix}.bias"), &[width], Fill::FloatNoise));
}

fn write_tensor(
    out: &mut impl Write,
    spec: &TensorSpec,
    generator: &mut SplitMix64,
    half_noise: &[u16],
) -> std::io::Result<()> {
    write_u32(out, spec.dims.len() as u32)?;
    write_u32(out, spec.name.len() as u32)?;
    write_u32(out, spec.fill.ggml_type())?;
    spec.dims.iter().try_for_each(|&dim| write_u32(out, dim))?;
    out.write_all(spec.name.as_bytes())?;
    match spec.fill {
        Fill::HalfNoise => write_half_noise(out, spec.values(), generator, half_noise),
        Fill::FloatNoise => write_float_values(out, spec.values(), || generator.next_signed() * WEIGHT_AMPLITUDE),
        Fill::NormScale => write_float_values(out, spec.values(), || 1.0 + generator.next_signed() * WEIGHT_AMPLITUDE),
    }
}

/// Writes `count` f16 values, four per generator draw (each 16 bits index the noise table).
fn write_half_noise(
    out: &mut impl Write,
    count: u64,
    generator: &mut SplitMix64,
    half_noise: &[u16],
) -> std::io::Result<()> {
    let mut chunk = Vec::with_capacity(CHUNK_VALUES * 2);
    let mut left = count;
    while left > 0 {
        let in_chunk = left.min(CHUNK_VALUES as u64) as usize;
        chunk.clear();
        while chunk.len() < in_chunk * 2 {
            let draw = generator.next_u64();
            for lane in 0..4 {
                if chunk.len() < in_chunk * 2 {
                    let index = ((draw >> (16 * lane)) & 0xffff) as usize;
                    chunk.extend_from_slice(&half_noise[index].to_le_bytes());
                }
            }
        }
        out.write_all(&chunk)?;
        left -= in_chunk as u64;
    }
    Ok(())
}

fn write_float_values(out: &mut impl Write, count: u64, mut next: impl FnMut() -> f32) -> std::io::Result<()> {
    for _ in 0..count {
        out.write_all(&next().to_le_bytes())?;
    }
    Ok(())
}

/// 65 536 f16 values spread evenly over ±`amplitude`, indexed by 16 random bits.
fn half_noise_table(amplitude: f32) -> Vec<u16> {
    (0..=u16::MAX).map(|index| f32_to_f16_bits(((f32::from(index) + 0.5) / 32_768.0 - 1.0) * amplitude)).collect()
}

/// IEEE 754 half-precision bits of `value`, rounded to nearest, ties to even (subnormals,
/// infinities and NaN included).
fn f32_to_f16_bits(value: f32) -> u16 {
    let bits = value.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = ((bits >> 23) & 0xff) as i32;
    let mantissa = bits & 0x007f_ffff;
    if exponent == 0xff {
        let nan_payload = if mantissa != 0 { 0x0200 } else { 0 };
        return sign | 0x7c00 | nan_payload;
    }
    let half_exponent = exponent - 127 + 15;
    if half_exponent >= 0x1f {
        return sign | 0x7c00;
    }
    if half_exponent <= 0 {
        return sign | subnormal_half_mantissa(mantissa | 0x0080_0000, half_exponent);
    }
    let kept = ((half_exponent as u32) << 10) | (mantissa >> 13);
    // A carry out of the mantissa correctly bumps the exponent (up to infinity).
    (sign as u32 | round_to_nearest_even(kept, mantissa & 0x1fff, 0x1000)) as u16
}

/// The mantissa of a half subnormal (or zero) for the 24-bit significand `full` whose half
/// exponent would be `half_exponent` (≤ 0).
fn subnormal_half_mantissa(full: u32, half_exponent: i32) -> u16 {
    if half_exponent < -10 {
        return 0;
    }
    let shift = (14 - half_exponent) as u32;
    let kept = full >> shift;
    let half_point = 1u32 << (shift - 1);
    round_to_nearest_even(kept, full & ((1 << shift) - 1), half_point) as u16
}

fn round_to_nearest_even(kept: u32, dropped: u32, half_point: u32) -> u32 {
    if dropped > half_point || (dropped == half_point && kept & 1 == 1) {
        kept + 1
    } else {
        kept
    }
}

/// SplitMix64: a tiny, well-mixed 64-bit generator; plenty for test weights.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^ (mixed >> 31)
    }

    /// Uniform in [-1, 1).
    fn next_signed(&mut self) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        unit * 2.0 - 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f16_bits_to_f32(bits: u16) -> f32 {
        let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
        let exponent = i32::from((bits >> 10) & 0x1f);
        let mantissa = f32::from(bits & 0x3ff);
        match exponent {
            0 => sign * mantissa * 2f32.powi(-24),
            0x1f if mantissa == 0.0 => sign * f32::INFINITY,
            0x1f => f32::NAN,
            _ => sign * (1.0 + mantissa / 1024.0) * 2f32.powi(exponent - 15),
        }
    }

    #[test]
    fn half_conversion_matches_known_values() {
        let cases: [(f32, u16); 9] = [
            (0.0, 0x0000),
            (-0.0, 0x8000),
            (1.0, 0x3c00),
            (-2.0, 0xc000),
            (0.5, 0x3800),
            (65_504.0, 0x7bff),
            (1e6, 0x7c00),
            (2f32.powi(-24), 0x0001),
            (2f32.powi(-14), 0x0400),
        ];
        for (value, bits) in cases {
            assert_eq!(f32_to_f16_bits(value), bits, "{value}");
        }
        assert_eq!(f32_to_f16_bits(f32::NAN) & 0x7c00, 0x7c00);
        assert_ne!(f32_to_f16_bits(f32::NAN) & 0x03ff, 0);
        // Ties go to even: 1 + 2^-11 lies halfway between 1 and the next half.
        assert_eq!(f32_to_f16_bits(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16_bits(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
    }

    #[test]
    fn half_conversion_round_trips_within_half_an_ulp() {
        let mut generator = SplitMix64::new(3);
        for _ in 0..10_000 {
            let value = generator.next_signed() * 0.05;
            let back = f16_bits_to_f32(f32_to_f16_bits(value));
            let ulp = if value.abs() < 2f32.powi(-14) { 2f32.powi(-24) } else { value.abs() * 2f32.powi(-10) };
            assert!((back - value).abs() <= ulp * 0.5 + f32::EPSILON * value.abs(), "{value} -> {back}");
        }
    }

    #[test]
    fn noise_table_spans_the_amplitude_evenly() {
        let table: Vec<f32> = half_noise_table(0.02).into_iter().map(f16_bits_to_f32).collect();
        // 0.02 itself is not a half; the nearest one is within half an ulp (2^-17) of it.
        assert!(table.iter().all(|value| value.abs() <= 0.02 + 2f32.powi(-17)));
        assert!(table[0] < -0.0199 && table[65_535] > 0.0199);
        let mean = table.iter().sum::<f32>() / table.len() as f32;
        assert!(mean.abs() < 1e-6, "{mean}");
    }

    #[test]
    fn generator_is_seeded_and_uniform() {
        let draws: Vec<u64> = {
            let mut generator = SplitMix64::new(42);
            (0..4).map(|_| generator.next_u64()).collect()
        };
        let mut again = SplitMix64::new(42);
        assert!(draws.iter().all(|&draw| draw == again.next_u64()));
        assert_ne!(draws[0], SplitMix64::new(43).next_u64());
        let mut generator = SplitMix64::new(1);
        let values: Vec<f32> = (0..20_000).map(|_| generator.next_signed()).collect();
        assert!(values.iter().all(|value| (-1.0..1.0).contains(value)));
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        assert!(mean.abs() < 0.02, "{mean}");
    }

    #[test]
    fn tensors_are_those_the_loader_expects() {
        for shape in ModelShape::ALL {
            let specs = tensor_specs(shape);
            let layers = shape.layers() as usize;
            // 7 encoder globals, 15 per encoder block, 4 decoder globals, 24 per decoder block.
            assert_eq!(specs.len(), 7 + 15 * layers + 4 + 24 * layers, "{shape:?}");
            let mut names: Vec<&str> = specs.iter().map(|spec| spec.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), specs.len(), "names are unique");
        }
        let specs = tensor_specs(ModelShape::Tiny);
        let find = |name: &str| specs.iter().find(|spec| spec.name == name).expect(name);
        assert_eq!(find("encoder.conv1.weight").dims, [3, 80, 384]);
        assert_eq!(find("encoder.conv2.bias").dims, [1, 384]);
        assert_eq!(find("encoder.conv2.bias").fill, Fill::FloatNoise);
        assert_eq!(find("decoder.token_embedding.weight").dims, [384, 51_865]);
        assert_eq!(find("decoder.blocks.3.cross_attn.key.weight").fill, Fill::HalfNoise);
        assert_eq!(find("encoder.blocks.0.mlp.0.weight").dims, [384, 1536]);
        assert_eq!(find("encoder.blocks.0.mlp.2.weight").dims, [1536, 384]);
        assert_eq!(find("decoder.ln.weight").fill, Fill::NormScale);
        assert!(specs.iter().all(|spec| spec.name != "encoder.blocks.0.attn.key.bias"));
    }

    #[test]
    fn header_fields_follow_the_shape() {
        assert_eq!(ModelShape::Tiny.header_fields(), [51_865, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]);
        assert_eq!(ModelShape::Base.header_fields()[2..5], [512, 8, 6]);
        assert_eq!(ModelShape::Small.header_fields()[6..9], [768, 12, 12]);
        let megabytes = ModelShape::ALL.map(|shape| shape.file_bytes() / 1_000_000);
        assert!(megabytes[0] > 60 && megabytes[0] < 90, "{megabytes:?}");
        assert!(megabytes[0] < megabytes[1] && megabytes[1] < megabytes[2], "{megabytes:?}");
    }

    #[test]
    fn mel_filters_are_triangles_covering_the_spectrum() {
        let bank = mel_filter_bank(80, 201);
        assert_eq!(bank.len(), 80 * 201);
        assert!(bank.iter().all(|value| value.is_finite() && *value >= 0.0));
        let band_sums: Vec<f32> = bank.chunks(201).map(|band| band.iter().sum()).collect();
        assert!(band_sums.iter().filter(|&&sum| sum > 0.0).count() >= 70, "most bands see a bin");
        assert!(bank[79 * 201 + 199] > 0.0, "the top band reaches near 8 kHz");
    }

    #[test]
    fn vocabulary_is_printable_and_has_the_space_token() {
        assert_eq!(token_text(SPACE_TOKEN_ID), " ");
        assert_eq!(token_text(0), " w0");
        assert_eq!(token_text(4), "s4");
        assert!((0..WRITTEN_TOKENS).all(|id| token_text(id).chars().all(|c| c == ' ' || c.is_ascii_alphanumeric())));
    }

    #[test]
    fn an_unwritable_path_is_an_io_error_and_leaves_nothing_behind() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("missing-dir").join("model.bin");
        let error = write_synthetic_model(&path, ModelShape::Tiny, 1).expect_err("no such directory");
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(error.to_string().contains("missing-dir"), "{error}");
        assert_eq!(std::fs::read_dir(directory.path()).expect("list").count(), 0);
    }
}
