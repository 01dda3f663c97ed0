//! The Video-OpusClip service: the engine behind an HTTP API (axum), with durable jobs and
//! workers. Out of the box: an embedded SQLite job store, a local storage folder and in-process
//! workers. Scale-out: `opusclip worker` processes on many machines sharing a PostgreSQL queue
//! (`DATABASE_URL=postgres://…`) and S3-compatible storage (`STORAGE_URL=s3://bucket/prefix`).
//! The same code runs both; only the configuration differs.
//!
//! Jobs are rows with leases (see [`jobs`]): a worker that dies loses its lease and another
//! finishes the job; outputs are published to a fresh prefix and recorded with one conditional
//! update, so each job ends exactly once and no partial output is ever visible.

pub mod api;
pub mod cache;
pub mod config;
pub mod db;
pub mod error;
pub mod eta;
pub mod execute;
pub mod ingest;
pub mod jobs;
pub mod keys;
pub mod kinds;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod metrics;
pub mod progress;
pub mod ratelimit;
pub mod request;
pub mod server;
pub mod ssrf;
pub mod state;
pub mod storage;
pub mod sweep;
pub mod util;
pub mod views;
pub mod webhooks;
pub mod worker;

pub use config::ServiceConfig;
pub use error::{ApiError, ServiceResult};
pub use server::{block_on, run_server_process, run_worker_process, RunningServer};
pub use state::Services;
