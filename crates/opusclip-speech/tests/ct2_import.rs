//! `import_ct2_whisper` on small CTranslate2 models written here in CTranslate2's own layout: the
//! output loads in whisper.cpp and transcribes, fused attention weights are split into the right
//! tensors, and every kind of unusable directory is refused with a reason and nothing written.

use opusclip_speech::models::convert::Ct2Model;
use opusclip_speech::models::{import_ct2_whisper, import_ct2_whisper_as, WeightFormat};
use opusclip_speech::{check_whisper_model_file, DecodeLimits, WhisperOptions, WhisperSession};
use std::io::Write;
use std::path::Path;
use support::ct2_model::*;

mod support;

#[test]
fn converted_model_loads_in_whisper_cpp_and_keeps_every_tensor() {
    let temp = tempfile::tempdir().expect("temp dir");
    let source = temp.path().join("faster-whisper-mini");
    write_model_dir(&source, &whisper_variables());
    let output = temp.path().join("ggml-mini.bin");
    let report = import_ct2_whisper(&source, &output).expect("converts");
    assert_eq!(report.tensors, 5 + 15 + 2 + 2 + 24 + 2, "encoder 5 + 15 per layer + ln_post, decoder 2 + 24 + ln");
    assert_eq!(report.tokens, BYTE_TOKENS);
    assert!(report.multilingual);
    assert_eq!(report.dimensions.audio_heads, 2);
    assert_eq!(std::fs::metadata(&output).expect("written").len(), report.bytes);
    assert!(!temp.path().join("ggml-mini.bin.partial").exists(), "the partial file is renamed away");
    let header = check_whisper_model_file(&output).expect("a whisper.cpp header");
    assert_eq!((header.audio_layers, header.text_state, header.mel_bands), (1, 64, 80));

    let mut options = WhisperOptions::new(&output);
    options.language = Some("en".into());
    let limits = DecodeLimits { max_tokens_per_window: 4, ..DecodeLimits::default() };
    let mut session = WhisperSession::load(&options).expect("whisper.cpp loads the converted file");
    let tone: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.05).sin() * 0.1).collect();
    session.transcribe(&tone, limits, &mut |_| {}).expect("whisper.cpp runs the converted model");
}

#[test]
fn a_q8_0_conversion_is_smaller_and_loads_and_runs_in_whisper_cpp() {
    let temp = tempfile::tempdir().expect("temp dir");
    let source = temp.path().join("model");
    write_model_dir(&source, &whisper_variables());
    let f16 = import_ct2_whisper(&source, &temp.path().join("f16.bin")).expect("converts");
    let output = temp.path().join("q8.bin");
    let q8 = import_ct2_whisper_as(&source, &output, WeightFormat::Q8_0).expect("converts to q8_0");
    assert_eq!(q8.tensors, f16.tensors);
    assert!(q8.bytes < f16.bytes * 7 / 10, "q8_0 {} vs f16 {} bytes", q8.bytes, f16.bytes);
    let file = std::fs::read(&output).expect("read");
    assert_eq!(i32::from_le_bytes(file[44..48].try_into().unwrap()), 2007, "ftype q8_0, quantisation version 2");
    let mut options = WhisperOptions::new(&output);
    options.language = Some("en".into());
    let limits = DecodeLimits { max_tokens_per_window: 4, ..DecodeLimits::default() };
    let mut session = WhisperSession::load(&options).expect("whisper.cpp loads the q8_0 file");
    let tone: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.05).sin() * 0.1).collect();
    session.transcribe(&tone, limits, &mut |_| {}).expect("whisper.cpp runs the q8_0 model");
}

#[test]
fn fused_query_key_value_become_three_tensors_with_the_right_rows() {
    let temp = tempfile::tempdir().expect("temp dir");
    let source = temp.path().join("model");
    let variables = whisper_variables();
    write_model_dir(&source, &variables);
    let output = temp.path().join("out.bin");
    import_ct2_whisper(&source, &output).expect("converts");
    let fused = variables.iter().find(|v| v.name == "encoder/layer_0/self_attention/linear_0/weight").expect("fused");
    let slice = WIDTH * WIDTH * 2;
    let file = std::fs::read(&output).expect("read");
    let find = |name: &str| -> usize {
        let needle = name.as_bytes();
        file.windows(needle.len()).position(|window| window == needle).expect("tensor name in file") + needle.len()
    };
    let value_at = find("encoder.blocks.0.attn.value.weight");
    assert_eq!(&file[value_at..value_at + slice], &fused.bytes[2 * slice..3 * slice], "value is the third slice");
    let key_at = find("encoder.blocks.0.attn.key.weight");
    assert_eq!(&file[key_at..key_at + slice], &fused.bytes[slice..2 * slice], "key is the second slice");
    assert!(!file.windows(32).any(|w| w == b"encoder.blocks.0.attn.key.bias\0\0".as_slice()));
    let model = Ct2Model::open(&source.join("model.bin")).expect("index");
    let alias = model.get("decoder/projection/weight").map(|v| v.shape.clone());
    assert_eq!(alias, Some(vec![VOCABULARY, WIDTH]), "an alias reads as its target");
}

fn refusal(variables: &[Variable], edit: impl FnOnce(&Path)) -> String {
    let temp = tempfile::tempdir().expect("temp dir");
    let source = temp.path().join("model");
    write_model_dir(&source, variables);
    edit(&source);
    let output = temp.path().join("out.bin");
    let error = import_ct2_whisper(&source, &output).expect_err("refused");
    assert!(!output.exists(), "nothing is published for a refused model");
    assert!(!temp.path().join("out.bin.partial").exists(), "no partial file is left");
    assert_eq!(error.code().as_str(), "MODEL_LOADING_ERROR");
    error.to_string()
}

#[test]
fn unusable_directories_are_refused_with_the_reason() {
    let mut missing = whisper_variables();
    missing.retain(|v| v.name != "decoder/layer_0/attention/linear_2/weight");
    assert!(refusal(&missing, |_| {}).contains("decoder/layer_0/attention/linear_2/weight is missing"));

    let mut wrong_shape = whisper_variables();
    let index = wrong_shape.iter().position(|v| v.name == "encoder/layer_0/ffn/linear_1/weight").expect("present");
    wrong_shape[index] = matrix("encoder/layer_0/ffn/linear_1/weight", &[WIDTH, 2 * WIDTH], 9);
    assert!(refusal(&wrong_shape, |_| {}).contains("has shape [64, 128]"));

    let mut quantised = whisper_variables();
    let index = quantised.iter().position(|v| v.name == "encoder/conv2/weight").expect("present");
    quantised[index] = Variable {
        name: "encoder/conv2/weight".into(),
        shape: vec![WIDTH, WIDTH, 3],
        type_id: 1,
        bytes: vec![1; WIDTH * WIDTH * 3],
    };
    assert!(refusal(&quantised, |_| {}).contains("int8: quantised models cannot be converted"));

    let mut key_bias = whisper_variables();
    let index = key_bias.iter().position(|v| v.name == "encoder/layer_0/self_attention/linear_0/bias").expect("bias");
    key_bias[index] = matrix("encoder/layer_0/self_attention/linear_0/bias", &[3 * WIDTH], 99);
    assert!(refusal(&key_bias, |_| {}).contains("non-zero key bias"));

    let truncated = refusal(&whisper_variables(), |dir| {
        let bytes = std::fs::read(dir.join("model.bin")).expect("read");
        std::fs::write(dir.join("model.bin"), &bytes[..bytes.len() / 2]).expect("truncate");
    });
    assert!(truncated.contains("truncated"), "{truncated}");

    let split = refusal(&whisper_variables(), |dir| {
        std::fs::rename(dir.join("model.bin"), dir.join("model.bin.part1")).expect("rename");
    });
    assert!(split.contains("join them in order into model.bin"), "{split}");

    let no_vocabulary = refusal(&whisper_variables(), |dir| {
        std::fs::remove_file(dir.join("vocabulary.txt")).expect("remove");
    });
    assert!(no_vocabulary.contains("vocabulary.txt"), "{no_vocabulary}");

    let foreign = refusal(&whisper_variables(), |dir| {
        let mut file = std::fs::File::create(dir.join("model.bin")).expect("create");
        file.write_all(b"PK\x03\x04 a zip, not a model").expect("write");
    });
    assert!(foreign.contains("binary version"), "{foreign}");
}
