//! The result cache in files, for a service without Redis: one small JSON file per key (named by
//! the key's SHA-256) holding the key, the value and when it expires. Written under a temporary
//! name and renamed, so a reader sees a whole entry or none. Expired and unreadable entries are
//! misses and are removed when met, and by a sweep of the folder at most every ten minutes.

use crate::error::{ApiError, ServiceResult};
use crate::util::{now_ms, random_hex, sha256_hex};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a write also sweeps expired entries out of the folder.
const SWEEP_EVERY_MS: i64 = 10 * 60 * 1000;
/// Temporary files older than this were left by a writer that died; the sweep removes them.
const STALE_TEMP: Duration = Duration::from_secs(3600);
const TEMP_PREFIX: &str = ".tmp-";

/// One entry file.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    key: String,
    value: String,
    /// Milliseconds since the Unix epoch after which the entry is gone.
    expires_at_ms: i64,
}

/// The manifest cache in a folder.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    ttl: Duration,
    /// When this process last swept the folder (ms since the epoch; 0: never).
    last_sweep_ms: Arc<AtomicI64>,
}

impl DiskCache {
    /// The cache in `dir`, created when missing.
    pub fn open(dir: PathBuf, ttl: Duration) -> ServiceResult<DiskCache> {
        std::fs::create_dir_all(&dir).map_err(|e| ApiError::from(opusclip_core::Error::io("create", &dir, e)))?;
        Ok(DiskCache { dir, ttl, last_sweep_ms: Arc::new(AtomicI64::new(0)) })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key`.
    pub fn path_of(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.json", &sha256_hex(key.as_bytes())[..40]))
    }

    /// The value stored under `key`, unless missing, expired or unreadable (the latter two are
    /// removed).
    pub async fn get(&self, key: &str) -> Option<String> {
        let path = self.path_of(key);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "disk cache entry unreadable");
                return None;
            }
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.key != key => None,
            Ok(entry) if entry.expires_at_ms > now_ms() => Some(entry.value),
            Ok(_) => {
                remove_quietly(&path).await;
                None
            }
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "corrupt disk cache entry removed");
                remove_quietly(&path).await;
                None
            }
        }
    }

    /// Store `value` under `key` for the TTL, replacing any entry at once (temp file + rename).
    pub async fn set(&self, key: &str, value: &str) -> bool {
        let ttl_ms = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        let entry =
            Entry { key: key.to_string(), value: value.to_string(), expires_at_ms: now_ms().saturating_add(ttl_ms) };
        let path = self.path_of(key);
        let written = match serde_json::to_vec(&entry) {
            Ok(bytes) => write_atomically(&self.dir, &path, &bytes).await,
            Err(error) => Err(std::io::Error::other(error)),
        };
        self.sweep_now_and_then();
        match written {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "disk cache write failed");
                false
            }
        }
    }

    /// Is the folder there?
    pub async fn ping(&self) -> bool {
        tokio::fs::metadata(&self.dir).await.is_ok_and(|m| m.is_dir())
    }

    /// Remove expired and unreadable entries and stale temporary files; how many were removed.
    pub fn sweep(&self) -> usize {
        let Ok(listing) = std::fs::read_dir(&self.dir) else { return 0 };
        let now = now_ms();
        let mut removed = 0;
        for item in listing.flatten() {
            let path = item.path();
            let name = item.file_name().to_string_lossy().into_owned();
            let gone = if name.starts_with(TEMP_PREFIX) {
                item.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().unwrap_or_default() > STALE_TEMP)
            } else if name.ends_with(".json") {
                std::fs::read(&path)
                    .ok()
                    .map(|bytes| serde_json::from_slice::<Entry>(&bytes).map_or(true, |e| e.expires_at_ms <= now))
                    .unwrap_or(false)
            } else {
                false
            };
            if gone && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Sweep in the background when the last sweep was long enough ago.
    fn sweep_now_and_then(&self) {
        let now = now_ms();
        let last = self.last_sweep_ms.load(Ordering::Relaxed);
        if now - last < SWEEP_EVERY_MS
            || self.last_sweep_ms.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let cache = self.clone();
        tokio::task::spawn_blocking(move || {
            let removed = cache.sweep();
            if removed > 0 {
                tracing::debug!(removed, "swept the disk cache");
            }
        });
    }
}

async fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = dir.join(format!("{TEMP_PREFIX}{}", random_hex(8)));
    let written = async {
        tokio::fs::write(&temp, bytes).await?;
        tokio::fs::rename(&temp, path).await
    }
    .await;
    if written.is_err() {
        remove_quietly(&temp).await;
    }
    written
}

async fn remove_quietly(path: &Path) {
    if let Err(error) = tokio::fs::remove_file(path).await {
        if error.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(%error, path = %path.display(), "could not remove a disk cache file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_stored_value_comes_back_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path().join("cache"), Duration::from_secs(1)).unwrap();
        runtime().block_on(async {
            assert_eq!(cache.get("k").await, None);
            assert!(cache.set("k", "{\"prefix\":\"jobs/a/out\"}").await);
            assert_eq!(cache.get("k").await.as_deref(), Some("{\"prefix\":\"jobs/a/out\"}"));
            assert_eq!(cache.get("other").await, None);
            assert!(cache.set("k", "second").await, "a write replaces the entry");
            assert_eq!(cache.get("k").await.as_deref(), Some("second"));
            assert_eq!(files_in(cache.dir()).len(), 1, "one file, no temporary left: {:?}", files_in(cache.dir()));
            tokio::time::sleep(Duration::from_millis(1200)).await;
            assert_eq!(cache.get("k").await, None, "expired");
            assert!(!cache.path_of("k").exists(), "the expired entry was removed when met");
        });
    }

    #[test]
    fn corrupt_and_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path().to_path_buf(), Duration::from_secs(60)).unwrap();
        runtime().block_on(async {
            std::fs::write(cache.path_of("k"), b"{\"key\":\"k\",\"val").unwrap();
            assert_eq!(cache.get("k").await, None);
            assert!(!cache.path_of("k").exists(), "the corrupt entry was removed");
            let foreign = Entry { key: "not-k".into(), value: "v".into(), expires_at_ms: i64::MAX };
            std::fs::write(cache.path_of("k"), serde_json::to_vec(&foreign).unwrap()).unwrap();
            assert_eq!(cache.get("k").await, None, "an entry for another key is not an answer");
            assert!(cache.set("k", "v").await);
            assert_eq!(cache.get("k").await.as_deref(), Some("v"), "a good write replaces a bad entry");
        });
    }

    #[test]
    fn the_sweep_removes_expired_corrupt_and_stale_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path().to_path_buf(), Duration::from_secs(60)).unwrap();
        runtime().block_on(async {
            assert!(cache.set("fresh", "v").await);
        });
        let expired = Entry { key: "old".into(), value: "v".into(), expires_at_ms: now_ms() - 1 };
        std::fs::write(cache.path_of("old"), serde_json::to_vec(&expired).unwrap()).unwrap();
        std::fs::write(cache.path_of("bad"), b"not json").unwrap();
        std::fs::write(dir.path().join(".tmp-young"), b"being written").unwrap();
        std::fs::write(dir.path().join("README"), b"not ours").unwrap();
        assert_eq!(cache.sweep(), 2);
        assert!(cache.path_of("fresh").exists());
        assert!(dir.path().join(".tmp-young").exists(), "a temp file being written is left alone");
        assert!(dir.path().join("README").exists());
    }
}
