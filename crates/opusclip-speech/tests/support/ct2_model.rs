//! Small Whisper models written in CTranslate2's own `model.bin` layout (binary version 6, the
//! variable names of its WhisperSpec, fused attention weights, zero key biases, one alias), with
//! a `vocabulary.txt`, for the converter's tests.

use std::path::Path;

pub const WIDTH: usize = 64;
pub const HEADS: i16 = 2;
pub const VOCABULARY: usize = 51_865;
pub const BYTE_TOKENS: usize = 50_257;

/// A variable to write: name, shape, type id (0 f32, 1 i8, 2 i16, 4 f16) and raw bytes.
pub struct Variable {
    pub name: String,
    pub shape: Vec<usize>,
    pub type_id: u8,
    pub bytes: Vec<u8>,
}

fn f16_values(count: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut bytes = Vec::with_capacity(count * 2);
    for _ in 0..count {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let value = (state as f32 / u32::MAX as f32 - 0.5) * 0.04;
        bytes.extend_from_slice(&half::f16::from_f32(value).to_le_bytes());
    }
    bytes
}

pub fn matrix(name: &str, shape: &[usize], seed: u32) -> Variable {
    let count = shape.iter().product();
    Variable { name: name.to_string(), shape: shape.to_vec(), type_id: 4, bytes: f16_values(count, seed) }
}

/// A bias whose key slice (`zero_part` of `parts`) is zero, as CTranslate2 writes it.
fn fused_bias(name: &str, parts: usize, zero_part: usize, seed: u32) -> Variable {
    let mut variable = matrix(name, &[WIDTH * parts], seed);
    let slice = WIDTH * 2;
    variable.bytes[zero_part * slice..(zero_part + 1) * slice].fill(0);
    variable
}

fn scalar_i16(name: &str, value: i16) -> Variable {
    Variable { name: name.to_string(), shape: vec![], type_id: 2, bytes: value.to_le_bytes().to_vec() }
}

fn layer_norm(prefix: &str, seed: u32) -> Vec<Variable> {
    vec![matrix(&format!("{prefix}/gamma"), &[WIDTH], seed), matrix(&format!("{prefix}/beta"), &[WIDTH], seed + 1)]
}

fn linear(prefix: &str, rows: usize, columns: usize, seed: u32) -> Vec<Variable> {
    vec![
        matrix(&format!("{prefix}/weight"), &[rows, columns], seed),
        matrix(&format!("{prefix}/bias"), &[rows], seed + 1),
    ]
}

/// The variables of a one-layer Whisper, 64 wide, as CTranslate2's WhisperSpec names them.
pub fn whisper_variables() -> Vec<Variable> {
    let mut variables = vec![
        matrix("encoder/conv1/weight", &[WIDTH, 80, 3], 1),
        matrix("encoder/conv1/bias", &[WIDTH], 2),
        matrix("encoder/conv2/weight", &[WIDTH, WIDTH, 3], 3),
        matrix("encoder/conv2/bias", &[WIDTH], 4),
        matrix("encoder/position_encodings/encodings", &[1500, WIDTH], 5),
        scalar_i16("encoder/num_heads", HEADS),
        matrix("decoder/embeddings/weight", &[VOCABULARY, WIDTH], 6),
        matrix("decoder/position_encodings/encodings", &[448, WIDTH], 7),
        scalar_i16("decoder/num_heads", HEADS),
    ];
    variables.extend(layer_norm("encoder/layer_norm", 8));
    variables.extend(layer_norm("decoder/layer_norm", 10));
    for side in ["encoder", "decoder"] {
        let layer = format!("{side}/layer_0");
        variables.push(matrix(&format!("{layer}/self_attention/linear_0/weight"), &[3 * WIDTH, WIDTH], 20));
        variables.push(fused_bias(&format!("{layer}/self_attention/linear_0/bias"), 3, 1, 21));
        variables.extend(linear(&format!("{layer}/self_attention/linear_1"), WIDTH, WIDTH, 22));
        variables.extend(layer_norm(&format!("{layer}/self_attention/layer_norm"), 24));
        variables.extend(linear(&format!("{layer}/ffn/linear_0"), 4 * WIDTH, WIDTH, 26));
        variables.extend(linear(&format!("{layer}/ffn/linear_1"), WIDTH, 4 * WIDTH, 28));
        variables.extend(layer_norm(&format!("{layer}/ffn/layer_norm"), 30));
    }
    let cross = "decoder/layer_0/attention";
    variables.extend(linear(&format!("{cross}/linear_0"), WIDTH, WIDTH, 40));
    variables.push(matrix(&format!("{cross}/linear_1/weight"), &[2 * WIDTH, WIDTH], 42));
    variables.push(fused_bias(&format!("{cross}/linear_1/bias"), 2, 0, 43));
    variables.extend(linear(&format!("{cross}/linear_2"), WIDTH, WIDTH, 44));
    variables.extend(layer_norm(&format!("{cross}/layer_norm"), 46));
    variables
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&((text.len() + 1) as u16).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out.push(0);
}

/// `model.bin` in CTranslate2's binary version 6, with one alias as the converter writes it.
pub fn model_bin(variables: &[Variable]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&6u32.to_le_bytes());
    write_string(&mut out, "WhisperSpec");
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(variables.len() as u32).to_le_bytes());
    for variable in variables {
        write_string(&mut out, &variable.name);
        out.push(variable.shape.len() as u8);
        for dimension in &variable.shape {
            out.extend_from_slice(&(*dimension as u32).to_le_bytes());
        }
        out.push(variable.type_id);
        out.extend_from_slice(&(variable.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&variable.bytes);
    }
    out.extend_from_slice(&1u32.to_le_bytes());
    write_string(&mut out, "decoder/projection/weight");
    write_string(&mut out, "decoder/embeddings/weight");
    out
}

/// A vocabulary.txt: byte tokens (token 220 is the space whisper.cpp looks up), then specials.
pub fn vocabulary_txt() -> String {
    let mut lines: Vec<String> = (0..BYTE_TOKENS).map(|id| format!("t{id}")).collect();
    lines[220] = "Ġ".to_string();
    lines.push("<|endoftext|>".to_string());
    lines.extend((BYTE_TOKENS + 1..VOCABULARY).map(|id| format!("<|s{id}|>")));
    lines.join("\n") + "\n"
}

pub fn write_model_dir(dir: &Path, variables: &[Variable]) {
    std::fs::create_dir_all(dir).expect("model dir");
    std::fs::write(dir.join("model.bin"), model_bin(variables)).expect("model.bin");
    std::fs::write(dir.join("vocabulary.txt"), vocabulary_txt()).expect("vocabulary.txt");
    std::fs::write(dir.join("config.json"), "{}").expect("config.json");
}
