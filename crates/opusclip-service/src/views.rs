//! The JSON a job is shown as (status answers, events, webhooks): state, stage, percent, ETA,
//! the error body when it failed, the result when it succeeded, and links.

use crate::error::ApiError;
use crate::jobs::{Job, JobState};
use serde_json::{json, Value};

/// Links to a job's resources.
pub fn links(id: &str) -> Value {
    json!({
        "self": format!("/api/jobs/{id}"),
        "events": format!("/api/jobs/{id}/events"),
        "manifest": format!("/api/jobs/{id}/manifest"),
        "files": format!("/api/jobs/{id}/files/"),
    })
}

/// The status document of a job.
pub fn job_view(job: &Job) -> Value {
    let stored_error = job.error.as_ref().map(|stored| ApiError::from_stored(stored).body());
    let (error, last_error) = match job.state {
        JobState::Failed => (stored_error, None),
        _ => (None, stored_error),
    };
    json!({
        "id": job.id,
        "kind": job.request.kind,
        "state": job.state,
        "stage": job.stage,
        "percent": job.percent,
        "eta_seconds": job.eta_seconds.map(|eta| (eta * 10.0).round() / 10.0),
        "attempts": job.attempts,
        "from_cache": job.from_cache,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "updated_at": job.updated_at,
        "stage_seconds": job.stage_seconds,
        "error": error,
        "last_error": last_error,
        "result": job.result,
        "links": links(&job.id),
    })
}
