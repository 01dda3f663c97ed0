//! Where uploads and outputs live: a local directory (the default) or an S3-compatible bucket
//! (`s3://bucket/prefix`). Keys are `/`-separated names we make ourselves (`jobs/ID/…`), checked
//! before use. Outputs are published as a whole: a job's folder becomes visible only complete.

mod local;
pub mod s3;
pub mod sigv4;

use crate::error::{ApiError, ServiceResult};
use axum::body::Bytes;
use futures_util::stream::BoxStream;
use std::path::{Path, PathBuf};

pub use local::LocalStorage;
pub use s3::{S3Location, S3Storage};

/// A body read from storage, chunk by chunk.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// The storage backends.
#[derive(Debug, Clone)]
pub enum Storage {
    Local(LocalStorage),
    S3(S3Storage),
}

impl Storage {
    /// A directory path, or `s3://bucket/prefix` (credentials and endpoint from the AWS
    /// environment variables).
    pub fn open(url: &str) -> ServiceResult<Storage> {
        if url.starts_with("s3://") {
            Ok(Storage::S3(S3Storage::from_env(S3Location::parse(url)?)?))
        } else {
            Ok(Storage::Local(LocalStorage::open(Path::new(url.strip_prefix("file://").unwrap_or(url)))?))
        }
    }

    /// Where it is, for logs.
    pub fn describe(&self) -> String {
        match self {
            Storage::Local(local) => local.root().display().to_string(),
            Storage::S3(s3) => s3.location().to_string(),
        }
    }

    /// The storage folder, when storage is a local directory.
    pub fn local_root(&self) -> Option<&Path> {
        match self {
            Storage::Local(local) => Some(local.root()),
            Storage::S3(_) => None,
        }
    }

    /// The file of `key` on this machine, when storage is a local directory.
    pub fn local_path(&self, key: &str) -> Option<PathBuf> {
        match self {
            Storage::Local(local) => local.path_of(key).ok(),
            Storage::S3(_) => None,
        }
    }

    /// Store the file at `source` under `key`; the source is moved or removed.
    pub async fn put_file(&self, key: &str, source: &Path) -> ServiceResult<()> {
        check_key(key)?;
        match self {
            Storage::Local(local) => local.put_file(key, source).await,
            Storage::S3(s3) => {
                s3.put_file(key, source).await?;
                tokio::fs::remove_file(source).await.ok();
                Ok(())
            }
        }
    }

    /// Copy `key` to the local file `dest`.
    pub async fn fetch_to(&self, key: &str, dest: &Path) -> ServiceResult<()> {
        check_key(key)?;
        match self {
            Storage::Local(local) => local.fetch_to(key, dest).await,
            Storage::S3(s3) => s3.fetch_to(key, dest).await,
        }
    }

    /// Size of `key` in bytes, `None` when absent.
    pub async fn size(&self, key: &str) -> ServiceResult<Option<u64>> {
        check_key(key)?;
        match self {
            Storage::Local(local) => local.size(key).await,
            Storage::S3(s3) => s3.size(key).await,
        }
    }

    /// Bytes `start..=end` of `key`.
    pub async fn read_range(&self, key: &str, start: u64, end: u64) -> ServiceResult<ByteStream> {
        check_key(key)?;
        match self {
            Storage::Local(local) => local.read_range(key, start, end).await,
            Storage::S3(s3) => s3.read_range(key, start, end).await,
        }
    }

    /// The whole of a small object (a manifest); `None` when absent.
    pub async fn read_bytes(&self, key: &str) -> ServiceResult<Option<Vec<u8>>> {
        check_key(key)?;
        match self {
            Storage::Local(local) => local.read_bytes(key).await,
            Storage::S3(s3) => s3.read_bytes(key).await,
        }
    }

    /// Publish every file of the local folder `dir` under `prefix`; the folder is consumed.
    /// Local: one rename makes the whole folder visible. S3: `manifest.json` goes last.
    pub async fn publish_dir(&self, dir: &Path, prefix: &str) -> ServiceResult<()> {
        check_key(prefix)?;
        match self {
            Storage::Local(local) => local.publish_dir(dir, prefix).await,
            Storage::S3(s3) => s3.publish_dir(dir, prefix).await,
        }
    }

    /// Copy every object under `from` to `to` (a cache hit reuses another job's outputs).
    pub async fn copy_prefix(&self, from: &str, to: &str) -> ServiceResult<()> {
        check_key(from)?;
        check_key(to)?;
        match self {
            Storage::Local(local) => local.copy_prefix(from, to).await,
            Storage::S3(s3) => s3.copy_prefix(from, to).await,
        }
    }

    /// Remove every object under `prefix`.
    pub async fn delete_prefix(&self, prefix: &str) -> ServiceResult<()> {
        check_key(prefix)?;
        match self {
            Storage::Local(local) => local.delete_prefix(prefix).await,
            Storage::S3(s3) => s3.delete_prefix(prefix).await,
        }
    }

    /// Can we write and read back? (`/readyz`)
    pub async fn ready(&self) -> bool {
        match self {
            Storage::Local(local) => local.root().is_dir(),
            Storage::S3(s3) => s3.ready().await,
        }
    }
}

/// A key is 1–512 characters of letters, digits, `-`, `_`, `.`, `/`, with no empty, `.` or
/// `..` segment and no leading `/`.
pub fn check_key(key: &str) -> ServiceResult<()> {
    let segments_ok = key.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    let chars_ok = key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if key.is_empty() || key.len() > 512 || !segments_ok || !chars_ok {
        return Err(ApiError::internal(format!("refused storage key {key:?}")));
    }
    Ok(())
}

/// A storage failure (transient: the job is retried).
pub fn storage_error(action: &str, what: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable("STORAGE_ERROR", format!("storage: could not {action}: {what}"))
}

/// The files (not folders) directly inside `dir`, sorted, with `manifest.json` last.
pub fn publish_order(dir: &Path) -> ServiceResult<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| storage_error("list the outputs", e))?;
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort_by_key(|path| (path.file_name().is_some_and(|n| n == "manifest.json"), path.clone()));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        for good in ["jobs/ab12/input/source.mp4", "jobs/x/out-1-ff/clip-01.1x1.mp4"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in ["", "/etc/passwd", "jobs/../x", "jobs//x", "jobs/a b", "jobs/./x", "jobs/x\\y"] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn manifest_is_published_last() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["manifest.json", "clip-01.mp4", "a.json"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let order = publish_order(dir.path()).unwrap();
        let names: Vec<_> = order.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.json", "clip-01.mp4", "manifest.json"]);
    }
}
