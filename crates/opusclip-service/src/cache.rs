//! The result cache: a finished job's output location, keyed by the source's content hash and the
//! options that shape the output, so a repeated request reuses the outputs instead of running the
//! pipeline again. In Redis when `REDIS_URL` is set, otherwise in files under the data folder;
//! either way an entry lives `CACHE_TTL` seconds and the cache is only an optimisation (a failing
//! cache is a miss, logged).

mod disk;
mod redis;

pub use disk::DiskCache;
pub use redis::{RedisCache, RedisTarget};

use crate::error::ServiceResult;
use std::path::PathBuf;
use std::time::Duration;

/// The manifest cache, wherever it lives.
#[derive(Debug, Clone)]
pub enum ManifestCache {
    /// Shared by every process using the same Redis (boxed: the client is large).
    Redis(Box<RedisCache>),
    /// One folder of entry files (shared by the processes using the same data folder).
    Disk(DiskCache),
}

impl ManifestCache {
    /// The cache in the Redis at `target`.
    pub fn redis(target: RedisTarget, ttl: Duration) -> ManifestCache {
        ManifestCache::Redis(Box::new(RedisCache::new(target, ttl)))
    }

    /// The cache in the folder `dir` (created when missing).
    pub fn disk(dir: PathBuf, ttl: Duration) -> ServiceResult<ManifestCache> {
        Ok(ManifestCache::Disk(DiskCache::open(dir, ttl)?))
    }

    /// The key for a source hash and the output options' fingerprint.
    pub fn key(source_hash: &str, options_fingerprint: &str) -> String {
        format!("opusclip:manifest:v1:{source_hash}:{options_fingerprint}")
    }

    /// Where it is, for logs.
    pub fn describe(&self) -> String {
        match self {
            ManifestCache::Redis(redis) => format!("redis://{}:{}", redis.target().host, redis.target().port),
            ManifestCache::Disk(disk) => disk.dir().display().to_string(),
        }
    }

    /// The cached value; `None` on a miss, an expired entry or an unusable cache (logged).
    pub async fn get(&self, key: &str) -> Option<String> {
        match self {
            ManifestCache::Redis(redis) => redis.get(key).await,
            ManifestCache::Disk(disk) => disk.get(key).await,
        }
    }

    /// Store `value` under `key` for the cache's TTL; `false` when that failed (logged).
    pub async fn set(&self, key: &str, value: &str) -> bool {
        match self {
            ManifestCache::Redis(redis) => redis.set(key, value).await,
            ManifestCache::Disk(disk) => disk.set(key, value).await,
        }
    }

    /// Is the cache usable (Redis answers; the folder is there)?
    pub async fn ping(&self) -> bool {
        match self {
            ManifestCache::Redis(redis) => redis.ping().await,
            ManifestCache::Disk(disk) => disk.ping().await,
        }
    }
}
