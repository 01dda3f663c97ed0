//! The model manager: the whisper.cpp ggml models (tiny … large-v3-turbo, and the `.en`
//! variants) fetched from their publisher into the user cache dir and checked against a pinned
//! table of sizes and SHA-1s — what `opusclip models list | fetch | path | verify` runs on.
//!
//! - [`ModelCatalog`] is the table ([`ModelCatalog::builtin`] for the pinned whisper.cpp models,
//!   [`ModelCatalog::with_entries`] for any other set, e.g. a test's).
//! - [`ModelStore`] is a models directory with a catalog: [`ModelStore::list`],
//!   [`ModelStore::fetch`] (resumable download to `<file>.partial`, SHA-1 over the whole file,
//!   atomic rename), [`ModelStore::installed_path`], [`ModelStore::verify`].
//!
//! Downloads go through a small blocking HTTP client (ureq with rustls). The library never
//! prints: progress is a callback of `(bytes so far, total)`. Every failure is an
//! [`opusclip_core::Error::ModelLoading`] (or `Io` for a local file problem) that names the URL
//! or path and says what to do — offline, it says how to place the file by hand.
//!
//! ```no_run
//! use opusclip_speech::models::{FetchOptions, ModelStore};
//! let store = ModelStore::in_cache_dir(None)?;
//! let fetched = store.fetch("base.en", FetchOptions::default(), &mut |done, total| {
//!     let _ = (done, total); // drive a progress bar here
//! })?;
//! println!("{}", fetched.path.display());
//! # Ok::<(), opusclip_core::Error>(())
//! ```

mod catalog;
mod download;
mod store;

pub use catalog::{ModelCatalog, ModelEntry, ModelKind, MODEL_BASE_URL_VARIABLE, WHISPER_MODEL_BASE_URL};
pub use download::{download, tls_config, DownloadProgress, DownloadRequest, Downloaded};
pub use store::{
    models_dir, partial_path, user_cache_dir, FetchOptions, FetchOutcome, ModelStatus, ModelStore, Verification,
};
