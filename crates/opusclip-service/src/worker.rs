//! Workers: each loops claiming the oldest runnable job, runs it while a heartbeat renews its
//! lease and a recorder writes its progress, then records the outcome — only if it still holds
//! the lease. A worker that loses its lease (it stalled, or the job was canceled) throws its
//! outputs away; transient failures go back to the queue with exponential backoff.

use crate::error::ApiError;
use crate::execute::{execute, remember, Executed};
use crate::jobs::Job;
use crate::progress::JobProgress;
use crate::state::Services;
use crate::util::random_hex;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A name for this process's workers: host, process id and a random part.
pub fn worker_name(index: usize) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    format!("{host}-{}-{}-{index}", std::process::id(), random_hex(3))
}

/// Run `count` workers until `shutdown` turns true; each finishes its current job first.
pub async fn run_workers(services: Arc<Services>, count: usize, shutdown: watch::Receiver<bool>) {
    let mut tasks = Vec::new();
    for index in 0..count.max(1) {
        let services = services.clone();
        let shutdown = shutdown.clone();
        tasks.push(tokio::spawn(async move { worker_loop(services, worker_name(index), shutdown).await }));
    }
    tasks.push(tokio::spawn(reaper_loop(services.clone(), shutdown.clone())));
    tasks.push(tokio::spawn(crate::sweep::work_loop(services.clone(), shutdown.clone())));
    tasks.push(tokio::spawn(crate::webhooks::delivery_loop(services, shutdown)));
    for task in tasks {
        let _ = task.await;
    }
}

async fn worker_loop(services: Arc<Services>, name: String, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(worker = %name, "worker started");
    while !*shutdown.borrow() {
        match services.jobs.claim(&name, services.config.lease).await {
            Ok(Some(job)) => run_claimed(&services, &name, job).await,
            Ok(None) => {
                let _ = tokio::time::timeout(services.config.poll_interval, shutdown.changed()).await;
            }
            Err(error) => {
                tracing::warn!(%error, "could not claim a job");
                let _ = tokio::time::timeout(Duration::from_secs(2), shutdown.changed()).await;
            }
        }
    }
    tracing::info!(worker = %name, "worker stopped");
}

/// Fail jobs whose workers died on their last attempt, every few seconds.
async fn reaper_loop(services: Arc<Services>, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        match services.jobs.fail_abandoned().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(jobs = n, "failed jobs whose workers died on every attempt"),
            Err(error) => tracing::warn!(%error, "could not check for abandoned jobs"),
        }
        let _ = tokio::time::timeout(services.config.lease.max(Duration::from_secs(1)), shutdown.changed()).await;
    }
}

/// Run one claimed job to its recorded outcome.
pub async fn run_claimed(services: &Arc<Services>, worker: &str, job: Job) {
    tracing::info!(job = %job.id, attempt = job.attempts, worker, "job started");
    let progress = JobProgress::new(services.metrics.clone(), services.speeds.clone());
    let lost = Arc::new(AtomicBool::new(false));
    let (stop, stopped) = watch::channel(false);
    let keeper = tokio::spawn(keep_lease(
        services.clone(),
        job.id.clone(),
        worker.to_string(),
        progress.clone(),
        lost.clone(),
        stopped,
    ));
    let work_dir = services.config.work_dir().join(format!("{}-{}-{}", job.id, job.attempts, random_hex(3)));
    let outcome = match tokio::fs::create_dir_all(&work_dir).await {
        Ok(()) => execute(services, &job, &progress, &work_dir).await,
        Err(e) => Err(ApiError::server_io("create the work folder", &work_dir, e)),
    };
    let _ = stop.send(true);
    let _ = keeper.await;
    tokio::fs::remove_dir_all(&work_dir).await.ok();
    let outcome = outcome.map_err(|error| without_server_paths(services, &work_dir, error));
    let lost = lost.load(Ordering::SeqCst);
    match outcome {
        Ok(executed) => record_success(services, worker, &job, executed, &progress, lost).await,
        Err(error) => record_failure(services, worker, &job, error, lost).await,
    }
}

/// A job's error as its owner sees it: names in this machine's folders (the job's work folder,
/// local storage, the data folder) are made relative to them; the original is logged.
fn without_server_paths(services: &Services, work_dir: &Path, error: ApiError) -> ApiError {
    let error = error.hiding_folder(work_dir);
    let error = match services.storage.local_root() {
        Some(root) => error.hiding_folder(root),
        None => error,
    };
    error.hiding_folder(&services.config.data_dir)
}

async fn record_success(
    services: &Arc<Services>,
    worker: &str,
    job: &Job,
    executed: Executed,
    progress: &JobProgress,
    lost: bool,
) {
    let succeeded = crate::jobs::Succeeded {
        output_prefix: executed.output_prefix.clone(),
        result: executed.result.clone(),
        stage_seconds: progress.stage_seconds(),
        from_cache: executed.from_cache,
    };
    let recorded = !lost && matches!(services.jobs.succeed(&job.id, worker, succeeded).await, Ok(true));
    if !recorded {
        tracing::warn!(job = %job.id, worker, "lease lost before publishing: outputs discarded");
        services.metrics.record_outcome("lost");
        let _ = services.storage.delete_prefix(&executed.output_prefix).await;
        return;
    }
    services.metrics.record_outcome(if executed.from_cache { "cached" } else { "succeeded" });
    tracing::info!(job = %job.id, worker, cached = executed.from_cache, "job succeeded");
    remove_unrecorded_outputs(services, job).await;
    if let Some(key) = &executed.cache_key {
        remember(services, key, &executed.output_prefix, &job.id).await;
    }
    crate::webhooks::notify(services, &job.id).await;
}

/// Earlier attempts of `job` killed between publishing and recording left their outputs in
/// storage; the recorded attempt removes them, so a job's outputs exist exactly once.
async fn remove_unrecorded_outputs(services: &Services, job: &Job) {
    for attempt in 1..job.attempts {
        let prefix = crate::execute::output_prefix(&job.id, attempt);
        if let Err(error) = services.storage.delete_prefix(&prefix).await {
            tracing::warn!(job = %job.id, %prefix, %error, "could not remove an earlier attempt's outputs");
        }
    }
}

async fn record_failure(services: &Arc<Services>, worker: &str, job: &Job, error: ApiError, lost: bool) {
    if lost {
        tracing::warn!(job = %job.id, worker, %error, "lease lost while failing: left to the new holder");
        services.metrics.record_outcome("lost");
        return;
    }
    if error.is_transient() && job.attempts < job.max_attempts {
        let delay = Duration::from_secs(1u64 << job.attempts.clamp(0, 8));
        tracing::warn!(job = %job.id, %error, ?delay, "transient failure: retrying later");
        services.metrics.record_outcome("retried");
        let _ = services.jobs.retry_later(&job.id, worker, &error, delay).await;
        return;
    }
    tracing::warn!(job = %job.id, %error, "job failed");
    services.metrics.record_outcome("failed");
    if matches!(services.jobs.fail(&job.id, worker, &error).await, Ok(true)) {
        crate::webhooks::notify(services, &job.id).await;
    }
}

/// Renew the lease every third of its length and record progress twice a second, until told to
/// stop; flags `lost` when the job is no longer ours.
async fn keep_lease(
    services: Arc<Services>,
    job_id: String,
    worker: String,
    progress: JobProgress,
    lost: Arc<AtomicBool>,
    mut stop: watch::Receiver<bool>,
) {
    let lease = services.config.lease;
    let renew_every = (lease / 3).max(Duration::from_millis(200));
    let mut last_renewal = tokio::time::Instant::now();
    let mut last_snapshot = None;
    loop {
        if tokio::time::timeout(Duration::from_millis(500), stop.changed()).await.is_ok() {
            return;
        }
        let snapshot = progress.snapshot();
        if last_snapshot.as_ref() != Some(&snapshot) {
            let recorded =
                services.jobs.progress(&job_id, &worker, &snapshot.stage, snapshot.percent, snapshot.eta_seconds).await;
            if matches!(recorded, Ok(false)) {
                lost.store(true, Ordering::SeqCst);
                progress.cancel();
                return;
            }
            last_snapshot = Some(snapshot);
        }
        if last_renewal.elapsed() >= renew_every {
            match services.jobs.heartbeat(&job_id, &worker, lease).await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => {
                    tracing::warn!(job = %job_id, %worker, "lease lost (taken over, canceled or deleted)");
                    lost.store(true, Ordering::SeqCst);
                    progress.cancel();
                    return;
                }
                Err(error) => tracing::warn!(%error, "heartbeat failed; retrying"),
            }
        }
    }
}
