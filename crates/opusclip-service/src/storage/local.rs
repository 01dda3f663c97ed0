//! Storage in a local directory: keys are paths under the root; files arrive under a temporary
//! name and are renamed into place, and a job's output folder appears with one rename.

use super::{storage_error, ByteStream};
use crate::error::ServiceResult;
use crate::util::random_hex;
use axum::body::Bytes;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

const CHUNK: usize = 64 * 1024;

/// A storage root directory.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    /// Use (and create) `root`.
    pub fn open(root: &Path) -> ServiceResult<LocalStorage> {
        std::fs::create_dir_all(root).map_err(|e| storage_error(&format!("create {}", root.display()), e))?;
        let root = std::fs::canonicalize(root).map_err(|e| storage_error(&format!("open {}", root.display()), e))?;
        Ok(LocalStorage { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a (checked) key.
    pub fn path_of(&self, key: &str) -> ServiceResult<PathBuf> {
        super::check_key(key)?;
        Ok(self.root.join(key))
    }

    pub async fn put_file(&self, key: &str, source: &Path) -> ServiceResult<()> {
        let target = self.path_of(key)?;
        let parent = target.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&parent).await.map_err(|e| storage_error("create a folder", e))?;
        if tokio::fs::rename(source, &target).await.is_ok() {
            return Ok(());
        }
        // Another file system: copy under a temporary name, then rename.
        let partial = parent.join(format!(".{}.partial", random_hex(6)));
        tokio::fs::copy(source, &partial).await.map_err(|e| storage_error("copy into storage", e))?;
        tokio::fs::rename(&partial, &target).await.map_err(|e| storage_error("rename into place", e))?;
        tokio::fs::remove_file(source).await.ok();
        Ok(())
    }

    pub async fn fetch_to(&self, key: &str, dest: &Path) -> ServiceResult<()> {
        tokio::fs::copy(self.path_of(key)?, dest).await.map_err(|e| storage_error(&format!("read {key}"), e))?;
        Ok(())
    }

    pub async fn size(&self, key: &str) -> ServiceResult<Option<u64>> {
        match tokio::fs::metadata(self.path_of(key)?).await {
            Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage_error(&format!("read {key}"), e)),
        }
    }

    pub async fn read_range(&self, key: &str, start: u64, end: u64) -> ServiceResult<ByteStream> {
        let mut file =
            tokio::fs::File::open(self.path_of(key)?).await.map_err(|e| storage_error(&format!("open {key}"), e))?;
        file.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| storage_error("seek", e))?;
        let remaining = end + 1 - start;
        let stream = futures_util::stream::unfold((file, remaining), |(mut file, remaining)| async move {
            if remaining == 0 {
                return None;
            }
            let mut buffer = vec![0u8; CHUNK.min(remaining as usize)];
            match file.read(&mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok(Bytes::from(buffer)), (file, remaining - n as u64)))
                }
                Err(e) => Some((Err(e), (file, 0))),
            }
        });
        Ok(stream.boxed())
    }

    pub async fn read_bytes(&self, key: &str) -> ServiceResult<Option<Vec<u8>>> {
        match tokio::fs::read(self.path_of(key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage_error(&format!("read {key}"), e)),
        }
    }

    pub async fn publish_dir(&self, dir: &Path, prefix: &str) -> ServiceResult<()> {
        let target = self.path_of(prefix)?;
        let parent = target.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&parent).await.map_err(|e| storage_error("create a folder", e))?;
        if tokio::fs::rename(dir, &target).await.is_ok() {
            return Ok(());
        }
        // Another file system: fill a hidden sibling, then rename it into place.
        let staging = parent.join(format!(".{}.partial", random_hex(6)));
        tokio::fs::create_dir_all(&staging).await.map_err(|e| storage_error("create a folder", e))?;
        for file in super::publish_order(dir)? {
            let name = file.file_name().unwrap_or_default();
            tokio::fs::copy(&file, staging.join(name)).await.map_err(|e| storage_error("copy an output", e))?;
        }
        tokio::fs::rename(&staging, &target).await.map_err(|e| storage_error("publish the outputs", e))?;
        tokio::fs::remove_dir_all(dir).await.ok();
        Ok(())
    }

    pub async fn copy_prefix(&self, from: &str, to: &str) -> ServiceResult<()> {
        let source = self.path_of(from)?;
        let target = self.path_of(to)?;
        let parent = target.parent().unwrap_or(&self.root).to_path_buf();
        let staging = parent.join(format!(".{}.partial", random_hex(6)));
        tokio::fs::create_dir_all(&staging).await.map_err(|e| storage_error("create a folder", e))?;
        for file in super::publish_order(&source)? {
            let name = file.file_name().unwrap_or_default();
            // A hard link shares the bytes yet survives the other job's deletion.
            if tokio::fs::hard_link(&file, staging.join(name)).await.is_err() {
                tokio::fs::copy(&file, staging.join(name)).await.map_err(|e| storage_error("copy an output", e))?;
            }
        }
        tokio::fs::rename(&staging, &target).await.map_err(|e| storage_error("publish the copy", e))?;
        Ok(())
    }

    pub async fn delete_prefix(&self, prefix: &str) -> ServiceResult<()> {
        let path = self.path_of(prefix)?;
        let outcome =
            if path.is_dir() { tokio::fs::remove_dir_all(&path).await } else { tokio::fs::remove_file(&path).await };
        match outcome {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(storage_error(&format!("delete {prefix}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_go_in_read_back_in_ranges_and_folders_publish_whole() {
        let root = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(root.path()).unwrap();
        let source = root.path().join("upload.tmp");
        std::fs::write(&source, b"0123456789").unwrap();
        storage.put_file("jobs/a/input/source.mp4", &source).await.unwrap();
        assert!(!source.exists());
        assert_eq!(storage.size("jobs/a/input/source.mp4").await.unwrap(), Some(10));
        let chunks: Vec<_> = storage.read_range("jobs/a/input/source.mp4", 2, 5).await.unwrap().collect().await;
        let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.unwrap().to_vec()).collect();
        assert_eq!(bytes, b"2345");

        let out = root.path().join("work-out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("manifest.json"), b"{}").unwrap();
        storage.publish_dir(&out, "jobs/a/out-1").await.unwrap();
        assert_eq!(storage.read_bytes("jobs/a/out-1/manifest.json").await.unwrap().unwrap(), b"{}");
        storage.copy_prefix("jobs/a/out-1", "jobs/b/out-1").await.unwrap();
        storage.delete_prefix("jobs/a").await.unwrap();
        assert_eq!(storage.read_bytes("jobs/a/out-1/manifest.json").await.unwrap(), None);
        assert_eq!(storage.read_bytes("jobs/b/out-1/manifest.json").await.unwrap().unwrap(), b"{}");
        assert!(storage.path_of("../x").is_err());
    }
}
