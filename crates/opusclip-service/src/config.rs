//! The service's configuration: the specification's `Settings` (host, port, `MAX_WORKERS`,
//! `REDIS_URL`, `CACHE_TTL`, …) plus the service's own knobs read from the environment
//! (database, storage, limits, rate budgets, leases, webhooks). Every bad value is reported at
//! once, like `Settings::validate`.

use crate::error::ApiError;
use opusclip_core::Settings;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The environment variables read by [`ServiceConfig::from_env`], with what each sets.
pub const SERVICE_VARIABLES: [(&str, &str); 18] = [
    ("DATABASE_URL", "job store: sqlite://PATH (default DATA_DIR/jobs.db) or postgres://…"),
    ("STORAGE_URL", "where inputs and clips live: a directory (default DATA_DIR/storage) or s3://bucket/prefix"),
    ("OPUSCLIP_DATA_DIR", "the service's working folder (default ./opusclip-data)"),
    ("RATE_LIMIT_CREATE_PER_MIN", "requests that create work, per key and per IP (default 60)"),
    (
        "RATE_LIMIT_READ_PER_MIN",
        "requests that read, per key and per IP (default 600000: 10000 a second, for polling pages and load tests)",
    ),
    ("MAX_UPLOAD_BYTES", "largest upload (default 4 GiB)"),
    ("URL_MAX_BYTES", "largest download from a video URL (default 4 GiB)"),
    ("URL_TIMEOUT_SECONDS", "whole-download time limit for a video URL (default 600)"),
    ("URL_ALLOWLIST", "host:port pairs exempt from the address rules (trusted internal sources, tests)"),
    ("ALLOWED_CONTAINERS", "container formats accepted after probing (comma list of ffmpeg names)"),
    ("LEASE_SECONDS", "how long a worker holds a job between heartbeats before another may take it (default 30)"),
    ("JOB_MAX_ATTEMPTS", "runs of a job before it fails for good (default 3)"),
    ("WEBHOOK_SECRET", "HMAC-SHA256 key that signs webhook deliveries (needed to accept webhook_url)"),
    ("WEBHOOK_MAX_ATTEMPTS", "delivery attempts before a webhook is given up (default 6)"),
    ("WEBHOOK_RETRY_SECONDS", "first retry delay, doubled each time (default 2)"),
    ("WAIT_TIMEOUT_SECONDS", "longest ?wait=true wait before answering 202 (default 300)"),
    ("INLINE_MAX_BYTES", "largest processed video returned inline as base64 (default 8 MiB)"),
    ("URL_SIGNING_SECRET", "key of signed download links (default: random per process; share it across API processes)"),
];

/// Container names (as ffmpeg reports them) accepted by default.
pub const DEFAULT_CONTAINERS: &str = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv,ogg,mxf,mp3,wav,flac";

/// Everything `opusclip serve` and `opusclip worker` need.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub settings: Settings,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub storage_url: String,
    pub create_per_minute: u32,
    pub read_per_minute: u32,
    pub max_upload_bytes: u64,
    pub url_max_bytes: u64,
    pub url_timeout: Duration,
    pub url_allowlist: Vec<String>,
    pub allowed_containers: Vec<String>,
    pub lease: Duration,
    pub max_attempts: u32,
    pub webhook_secret: Option<String>,
    pub webhook_max_attempts: u32,
    pub webhook_retry: Duration,
    pub wait_timeout: Duration,
    pub inline_max_bytes: u64,
    /// Key of the signed download links the web page plays and downloads through.
    pub url_signing_secret: Option<String>,
    /// `opusclip serve --no-auth`: `/api/` answers without a key, to this machine only (the
    /// server refuses to start with it on an address other than loopback).
    pub no_auth: bool,
    /// How often an idle worker looks for work.
    pub poll_interval: Duration,
}

impl ServiceConfig {
    /// Defaults for `data_dir`, with `settings` as given.
    pub fn new(settings: Settings, data_dir: PathBuf) -> ServiceConfig {
        ServiceConfig {
            database_url: sqlite_url(&data_dir),
            storage_url: data_dir.join("storage").display().to_string(),
            data_dir,
            settings,
            create_per_minute: 60,
            read_per_minute: 600_000,
            max_upload_bytes: 4 << 30,
            url_max_bytes: 4 << 30,
            url_timeout: Duration::from_secs(600),
            url_allowlist: Vec::new(),
            allowed_containers: DEFAULT_CONTAINERS.split(',').map(str::to_string).collect(),
            lease: Duration::from_secs(30),
            max_attempts: 3,
            webhook_secret: None,
            webhook_max_attempts: 6,
            webhook_retry: Duration::from_secs(2),
            wait_timeout: Duration::from_secs(300),
            inline_max_bytes: 8 << 20,
            url_signing_secret: None,
            no_auth: false,
            poll_interval: Duration::from_millis(250),
        }
    }

    /// The process environment over the defaults.
    pub fn from_env(settings: Settings) -> Result<ServiceConfig, ApiError> {
        let values: BTreeMap<String, String> = SERVICE_VARIABLES
            .iter()
            .filter_map(|(name, _)| std::env::var(name).ok().map(|value| (name.to_string(), value)))
            .collect();
        ServiceConfig::from_values(settings, &values)
    }

    /// Upper-case names to raw values over the defaults; every bad value is reported.
    pub fn from_values(settings: Settings, values: &BTreeMap<String, String>) -> Result<ServiceConfig, ApiError> {
        let data_dir = values.get("OPUSCLIP_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| "opusclip-data".into());
        let mut config = ServiceConfig::new(settings, data_dir);
        let mut problems = Vec::new();
        for (name, raw) in values {
            if let Err(problem) = config.assign(name, raw.trim()) {
                problems.push(format!("{name}={raw:?}: {problem}"));
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ApiError::from(opusclip_core::Error::Configuration { problems }))
        }
    }

    fn assign(&mut self, name: &str, raw: &str) -> Result<(), String> {
        match name {
            "OPUSCLIP_DATA_DIR" => {}
            "DATABASE_URL" => {
                crate::db::backend_of(raw).map_err(|e| e.message)?;
                self.database_url = raw.to_string();
            }
            "STORAGE_URL" => self.storage_url = raw.to_string(),
            "RATE_LIMIT_CREATE_PER_MIN" => self.create_per_minute = positive(raw)?,
            "RATE_LIMIT_READ_PER_MIN" => self.read_per_minute = positive(raw)?,
            "MAX_UPLOAD_BYTES" => self.max_upload_bytes = positive(raw)?,
            "URL_MAX_BYTES" => self.url_max_bytes = positive(raw)?,
            "URL_TIMEOUT_SECONDS" => self.url_timeout = Duration::from_secs(positive(raw)?),
            "URL_ALLOWLIST" => self.url_allowlist = list(raw),
            "ALLOWED_CONTAINERS" => self.allowed_containers = list(raw),
            "LEASE_SECONDS" => self.lease = Duration::from_secs(positive(raw)?),
            "JOB_MAX_ATTEMPTS" => self.max_attempts = positive(raw)?,
            "WEBHOOK_SECRET" => self.webhook_secret = Some(raw.to_string()).filter(|s| !s.is_empty()),
            "WEBHOOK_MAX_ATTEMPTS" => self.webhook_max_attempts = positive(raw)?,
            "WEBHOOK_RETRY_SECONDS" => self.webhook_retry = Duration::from_secs(positive(raw)?),
            "WAIT_TIMEOUT_SECONDS" => self.wait_timeout = Duration::from_secs(positive(raw)?),
            "INLINE_MAX_BYTES" => self.inline_max_bytes = positive(raw)?,
            "URL_SIGNING_SECRET" => self.url_signing_secret = Some(raw.to_string()).filter(|s| !s.is_empty()),
            _ => return Err("unknown service setting".into()),
        }
        Ok(())
    }

    /// The SQLite URL of a job store file.
    pub fn sqlite_url_for(path: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", path.display())
    }

    /// Folder for uploads being received.
    pub fn spool_dir(&self) -> PathBuf {
        self.data_dir.join("spool")
    }

    /// Lock file that API processes sharing the spool hold (see [`crate::sweep`]).
    pub fn spool_lock_path(&self) -> PathBuf {
        self.data_dir.join("spool.lock")
    }

    /// Folder where workers run jobs.
    pub fn work_dir(&self) -> PathBuf {
        self.data_dir.join("work")
    }

    /// Folder of the result cache when there is no Redis (`REDIS_URL` unset).
    pub fn manifest_cache_dir(&self) -> PathBuf {
        self.data_dir.join("manifest-cache")
    }
}

fn sqlite_url(data_dir: &std::path::Path) -> String {
    ServiceConfig::sqlite_url_for(&data_dir.join("jobs.db"))
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(raw: &str) -> Result<T, String> {
    match raw.parse::<T>() {
        Ok(value) if value > T::default() => Ok(value),
        _ => Err("expected a whole number above 0".into()),
    }
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_follow_the_data_dir() {
        let config = ServiceConfig::from_values(Settings::default(), &values(&[("OPUSCLIP_DATA_DIR", "/srv/oc")]))
            .expect("valid");
        assert_eq!(config.database_url, "sqlite:///srv/oc/jobs.db?mode=rwc");
        assert_eq!(config.storage_url, "/srv/oc/storage");
        assert_eq!(config.create_per_minute, 60);
    }

    #[test]
    fn every_bad_value_is_reported() {
        let error = ServiceConfig::from_values(
            Settings::default(),
            &values(&[("LEASE_SECONDS", "0"), ("DATABASE_URL", "mysql://x"), ("RATE_LIMIT_READ_PER_MIN", "lots")]),
        )
        .unwrap_err();
        let problems = error.details["problems"].as_array().expect("a list").len();
        assert_eq!(problems, 3, "{error}");
    }

    #[test]
    fn lists_are_split_and_trimmed() {
        let config = ServiceConfig::from_values(
            Settings::default(),
            &values(&[("URL_ALLOWLIST", "127.0.0.1:8000, localhost:9"), ("ALLOWED_CONTAINERS", "mp4")]),
        )
        .expect("valid");
        assert_eq!(config.url_allowlist, ["127.0.0.1:8000", "localhost:9"]);
        assert_eq!(config.allowed_containers, ["mp4"]);
    }
}
