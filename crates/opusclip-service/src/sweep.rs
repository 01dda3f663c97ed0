//! Sweeping what killed processes leave behind: partial uploads in the spool folder
//! (`DATA_DIR/spool/upload-…`) and the work folders of jobs that no longer run
//! (`DATA_DIR/work/JOB-ATTEMPT-RANDOM`), at start-up and every [`SWEEP_INTERVAL`].
//!
//! The rules, safe when several processes share the data folder:
//! - Every API process holds a shared lock on `DATA_DIR/spool.lock` while it runs. One that
//!   starts and gets the lock exclusively is alone: no upload can be in flight, so every spool
//!   file goes. Otherwise (and in the periodic sweep) only spool files not written to for
//!   [`SPOOL_IDLE_LIMIT`] go: an upload in flight writes its file as data arrives.
//! - A work folder goes when its job is not running that attempt (gone, ended, queued again or
//!   on a later attempt): a worker creates its folder after claiming the job and removes it
//!   before recording the outcome. The job store decides, so a data folder serves one store.

use crate::error::{ApiError, ServiceResult};
use crate::jobs::JobState;
use crate::state::Services;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// A spool file not written to for this long belongs to no upload in flight.
pub const SPOOL_IDLE_LIMIT: Duration = Duration::from_secs(3600);
/// How often a running process sweeps.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(600);

/// An API process's share of the spool folder: the shared lock on `spool.lock`, held while the
/// value lives.
#[derive(Debug)]
pub struct SpoolClaim {
    _lock: File,
}

/// Take this process's share of the spool, sweeping it first: every upload when no other
/// process holds a share, else those idle over [`SPOOL_IDLE_LIMIT`]. Blocking.
pub fn claim_spool(lock_path: &Path, spool: &Path) -> ServiceResult<SpoolClaim> {
    let open_error = |e| ApiError::from(opusclip_core::Error::io("open the spool lock", lock_path, e));
    let lock =
        File::options().create(true).truncate(false).read(true).write(true).open(lock_path).map_err(open_error)?;
    let alone = lock.try_lock().is_ok();
    let removed = sweep_spool(spool, if alone { None } else { Some(SPOOL_IDLE_LIMIT) });
    if removed > 0 {
        tracing::info!(removed, alone, "removed partial uploads left by stopped processes");
    }
    // From exclusive to shared (or waiting while another process starting up sweeps).
    lock.lock_shared().map_err(|e| ApiError::from(opusclip_core::Error::io("lock", lock_path, e)))?;
    Ok(SpoolClaim { _lock: lock })
}

/// Remove the spool's upload files: all (`idle_limit` `None`), or those not modified for longer
/// than `idle_limit`. Returns how many went.
pub fn sweep_spool(spool: &Path, idle_limit: Option<Duration>) -> usize {
    let Ok(entries) = std::fs::read_dir(spool) else { return 0 };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with("upload-") {
            continue;
        }
        let stale = match idle_limit {
            None => true,
            Some(limit) => entry
                .metadata()
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| now.duration_since(modified).is_ok_and(|idle| idle > limit)),
        };
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Sweep the spool for idle uploads every [`SWEEP_INTERVAL`] until `shutdown` turns true.
pub async fn spool_loop(spool: std::path::PathBuf, mut shutdown: watch::Receiver<bool>) {
    while tokio::time::timeout(SWEEP_INTERVAL, shutdown.wait_for(|stop| *stop)).await.is_err() {
        let spool = spool.clone();
        let removed = tokio::task::spawn_blocking(move || sweep_spool(&spool, Some(SPOOL_IDLE_LIMIT))).await;
        if let Ok(removed @ 1..) = removed {
            tracing::info!(removed, "removed uploads idle for over an hour");
        }
    }
}

/// Remove the work folders of jobs not running that attempt. Returns how many went.
pub async fn sweep_work(services: &Services) -> usize {
    let Ok(mut entries) = tokio::fs::read_dir(services.config.work_dir()).await else { return 0 };
    let mut removed = 0;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((id, attempt)) = work_folder_job(&name) else { continue };
        let Ok(job) = services.jobs.get(id).await else { continue };
        let running = job.is_some_and(|job| job.state == JobState::Running && job.attempts == attempt);
        if !running && tokio::fs::remove_dir_all(entry.path()).await.is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Sweep the work folders at once, then every [`SWEEP_INTERVAL`], until `shutdown` turns true.
pub async fn work_loop(services: Arc<Services>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let removed = sweep_work(&services).await;
        if removed > 0 {
            tracing::info!(removed, "removed work folders of jobs no longer running");
        }
        if tokio::time::timeout(SWEEP_INTERVAL, shutdown.wait_for(|stop| *stop)).await.is_ok() {
            return;
        }
    }
}

/// The job id and attempt of a work folder named `JOB-ATTEMPT-RANDOM`.
fn work_folder_job(name: &str) -> Option<(&str, i64)> {
    let mut parts = name.rsplitn(3, '-');
    let _random = parts.next()?;
    let attempt = parts.next()?.parse().ok()?;
    let id = parts.next().filter(|id| !id.is_empty())?;
    Some((id, attempt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_folders_name_their_job_and_attempt() {
        assert_eq!(work_folder_job("0123abcd-2-ff00aa"), Some(("0123abcd", 2)));
        assert_eq!(work_folder_job("stray"), None);
        assert_eq!(work_folder_job("-1-aa"), None);
        assert_eq!(work_folder_job("job-x-aa"), None);
    }

    #[test]
    fn only_idle_uploads_go_unless_the_process_is_alone() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("upload-fresh");
        let idle = dir.path().join("upload-idle");
        let other = dir.path().join("notes.txt");
        for path in [&fresh, &idle, &other] {
            std::fs::write(path, b"x").unwrap();
        }
        let old = SystemTime::now() - Duration::from_secs(7200);
        File::options().write(true).open(&idle).unwrap().set_modified(old).unwrap();
        assert_eq!(sweep_spool(dir.path(), Some(SPOOL_IDLE_LIMIT)), 1);
        assert!(fresh.exists() && !idle.exists());
        assert_eq!(sweep_spool(dir.path(), None), 1);
        assert!(!fresh.exists() && other.exists(), "only upload files are touched");
    }

    #[test]
    fn a_second_claim_sweeps_only_idle_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let (lock, spool) = (dir.path().join("spool.lock"), dir.path().join("spool"));
        std::fs::create_dir(&spool).unwrap();
        std::fs::write(spool.join("upload-left"), b"x").unwrap();
        let first = claim_spool(&lock, &spool).unwrap();
        assert!(!spool.join("upload-left").exists(), "alone: every leftover goes");
        std::fs::write(spool.join("upload-in-flight"), b"x").unwrap();
        let second = claim_spool(&lock, &spool).unwrap();
        assert!(spool.join("upload-in-flight").exists(), "shared: a live upload stays");
        drop((first, second));
    }
}
