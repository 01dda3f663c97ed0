//! Everything a service process holds: configuration, the job store, API keys, storage, the
//! result cache, the URL rules, the rate limiter, metrics and the link signer — opened once and shared.

use crate::cache::{ManifestCache, RedisTarget};
use crate::config::ServiceConfig;
use crate::db::Db;
use crate::error::ServiceResult;
use crate::jobs::JobStore;
use crate::keys::KeyStore;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::ssrf::UrlPolicy;
use crate::storage::Storage;
use std::sync::Arc;
use std::time::Duration;

/// The shared parts of a service process.
#[derive(Debug)]
pub struct Services {
    pub config: ServiceConfig,
    pub jobs: JobStore,
    pub keys: KeyStore,
    pub storage: Storage,
    pub cache: Option<ManifestCache>,
    pub url_policy: UrlPolicy,
    pub limiter: RateLimiter,
    pub metrics: Arc<Metrics>,
    /// Signs the download links a `<video>` or a download link uses (no key header there).
    pub links: crate::api::LinkSigner,
    /// How fast each stage runs on this machine, for honest ETAs (`DATA_DIR/stage-speeds.json`).
    pub speeds: Arc<crate::eta::StageSpeeds>,
}

impl Services {
    /// Connect to the database and storage named by `config` and create what is missing.
    pub async fn open(config: ServiceConfig) -> ServiceResult<Arc<Services>> {
        let connections = (config.settings.max_workers * 2 + 8).min(64);
        let db = Db::connect(&config.database_url, connections).await?;
        let storage = Storage::open(&config.storage_url)?;
        if let Storage::S3(s3) = &storage {
            if let Err(error) = s3.ensure_bucket().await {
                tracing::warn!(%error, "could not create the bucket (it may exist under other ownership)");
            }
        }
        for folder in [config.spool_dir(), config.work_dir()] {
            std::fs::create_dir_all(&folder)
                .map_err(|e| crate::error::ApiError::from(opusclip_core::Error::io("create", &folder, e)))?;
        }
        let ttl = Duration::from_secs(config.settings.cache_ttl);
        let cache = match (&config.settings.redis_url, config.settings.cache_enabled) {
            (_, false) => None,
            (Some(url), true) => Some(ManifestCache::redis(RedisTarget::parse(url)?, ttl)),
            (None, true) => Some(ManifestCache::disk(config.manifest_cache_dir(), ttl)?),
        };
        if let Some(cache) = &cache {
            tracing::info!(at = %cache.describe(), ttl_seconds = ttl.as_secs(), "result cache");
        }
        let url_policy = UrlPolicy {
            allowlist: config.url_allowlist.clone(),
            max_bytes: config.url_max_bytes,
            timeout: config.url_timeout,
            max_redirects: 5,
        };
        Ok(Arc::new(Services {
            jobs: JobStore::new(db.clone()),
            keys: KeyStore::new(db),
            storage,
            cache,
            url_policy,
            limiter: RateLimiter::new(config.create_per_minute, config.read_per_minute),
            metrics: Arc::new(Metrics::default()),
            links: crate::api::LinkSigner::new(config.url_signing_secret.as_deref()),
            speeds: Arc::new(crate::eta::StageSpeeds::at(config.data_dir.join("stage-speeds.json"))),
            config,
        }))
    }
}
