//! The specification's endpoint, kept: `POST /api/video/process` with `{video_url,
//! processing_type, max_length}`. The URL is checked (scheme, first DNS answer) before the job is
//! accepted; the answer is `202` with the job id and links, or with `?wait=true` the specified
//! `{processed_video, captions, processing_time, confidence_score}` plus the clips once the job
//! ends (still `202` if it outlasts the wait).

use super::jobs::{check_request, idempotency_key, job_response, submit};
use super::{json_body, Caller};
use crate::error::{ApiError, ServiceResult};
use crate::jobs::{Job, JobState};
use crate::request::{ClipRequest, JobKind, JobRequest, JobSource};
use crate::state::Services;
use crate::views::links;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The body of `POST /api/video/process`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessRequest {
    /// The video to fetch (http/https, public address).
    pub video_url: String,
    /// `clips` (default), `captions`, `reframe` or `transcript`.
    #[serde(default)]
    pub processing_type: Option<String>,
    /// 1–500: the longest clip in seconds (`clips`) or the most characters per caption line
    /// (`captions`).
    #[serde(default)]
    pub max_length: Option<i64>,
    /// How many clips (`clips` only; default 3).
    #[serde(default)]
    pub clips: Option<usize>,
    /// POSTed (signed) when the job ends.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Also return the processed video as base64 when it is under the inline cap.
    #[serde(default)]
    pub inline: bool,
}

/// Query of `POST /api/video/process`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ProcessQuery {
    /// Wait for the job to end before answering.
    #[serde(default)]
    pub wait: bool,
    /// Longest wait in seconds (capped by `WAIT_TIMEOUT_SECONDS`).
    #[serde(default)]
    pub timeout: Option<u64>,
}

/// The job a `POST /api/video/process` body asks for, or the typed refusal of a bad field.
pub fn to_job_request(body: &ProcessRequest) -> ServiceResult<JobRequest> {
    let kind = JobKind::parse(body.processing_type.as_deref().unwrap_or("clips"))?;
    let max_length = match body.max_length {
        None => None,
        Some(value) if (1..=500).contains(&value) => Some(value as u32),
        Some(value) => {
            return Err(ApiError::invalid(format!("max_length must be 1 to 500, got {value}"))
                .with_details(json!({ "field": "max_length", "min": 1, "max": 500 })))
        }
    };
    let clip = ClipRequest { clips: body.clips.unwrap_or(3), ..ClipRequest::default() };
    Ok(JobRequest {
        kind,
        source: JobSource::Url { url: body.video_url.trim().to_string() },
        transcript_key: None,
        clip,
        max_length,
        webhook_url: body.webhook_url.clone().filter(|u| !u.trim().is_empty()),
        inline: body.inline,
        spec: None,
        watermark: None,
        font: None,
    })
}

/// `POST /api/video/process`.
#[utoipa::path(post, path = "/api/video/process", tag = "specification", request_body = ProcessRequest, params(ProcessQuery),
    responses(
        (status = 200, description = "With ?wait=true: the job ended", body = crate::api::openapi::ProcessResult),
        (status = 202, description = "Accepted (or still running when the wait ended)", body = crate::api::openapi::ProcessAccepted),
        (status = 401, body = crate::api::openapi::ErrorBody),
        (status = 409, description = "Idempotency-Key used for another request", body = crate::api::openapi::ErrorBody),
        (status = 413, body = crate::api::openapi::ErrorBody),
        (status = 422, description = "Bad field, or the URL is refused (URL_NOT_ALLOWED, with the reason)", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "Rate limited (Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn create(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<ProcessQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let body: ProcessRequest = json_body(&headers, body).await?;
    let idempotency = idempotency_key(&headers)?;
    let request = to_job_request(&body)?;
    check_request(&services, &request, crate::request::RequestFiles::default(), "video_url").await?;
    let request_hash = crate::util::sha256_hex(serde_json::to_string(&body).unwrap_or_default().as_bytes());
    let (status, job) =
        submit(&services, &caller, crate::jobs::new_job_id(), request, idempotency, request_hash).await?;
    if !query.wait {
        return Ok(job_response(status, accepted_body(&job), &job.id));
    }
    let limit = services.config.wait_timeout.min(Duration::from_secs(query.timeout.unwrap_or(u64::MAX).max(1)));
    let job = wait_for_end(&services, &job.id, limit).await?;
    match job.state {
        JobState::Succeeded => Ok(job_response(StatusCode::OK, specified_body(&services, &job).await, &job.id)),
        JobState::Failed | JobState::Canceled => {
            let stored = job
                .error
                .clone()
                .unwrap_or_else(|| json!({ "error": "the job was canceled", "code": "CANCELED", "status": 409 }));
            let mut error = ApiError::from_stored(&stored);
            error.details = json!({ "job_id": job.id, "details": error.details });
            Err(error)
        }
        _ => Ok(job_response(StatusCode::ACCEPTED, accepted_body(&job), &job.id)),
    }
}

fn accepted_body(job: &Job) -> Value {
    json!({
        "job_id": job.id,
        "state": job.state,
        "status_url": format!("/api/jobs/{}", job.id),
        "events_url": format!("/api/jobs/{}/events", job.id),
        "manifest_url": format!("/api/jobs/{}/manifest", job.id),
        "links": links(&job.id),
    })
}

async fn wait_for_end(services: &Services, id: &str, limit: Duration) -> ServiceResult<Job> {
    let started = Instant::now();
    loop {
        let job = services.jobs.get(id).await?.ok_or_else(|| ApiError::not_found(format!("job {id} was deleted")))?;
        if job.state.is_terminal() || started.elapsed() >= limit {
            return Ok(job);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The specified answer: `processed_video`, `captions`, `processing_time`, `confidence_score`,
/// plus the clips, the job id and links (and `processed_video_base64` when asked and small).
async fn specified_body(services: &Services, job: &Job) -> Value {
    let mut body = job.result.clone().unwrap_or_else(|| json!({}));
    body["job_id"] = json!(job.id);
    body["from_cache"] = json!(job.from_cache);
    body["links"] = links(&job.id);
    if job.request.inline {
        body["processed_video_base64"] = inline_video(services, job, &body).await.into();
    }
    body
}

async fn inline_video(services: &Services, job: &Job, body: &Value) -> Option<String> {
    let name = body["processed_video"].as_str()?.rsplit('/').next()?.to_string();
    let key = format!("{}/{name}", job.output_prefix.as_deref()?);
    let size = services.storage.size(&key).await.ok()??;
    if size > services.config.inline_max_bytes {
        return None;
    }
    let bytes = services.storage.read_bytes(&key).await.ok()??;
    Some(base64(&bytes))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for (index, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if index <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(kind: Option<&str>, max_length: Option<i64>) -> ProcessRequest {
        ProcessRequest {
            video_url: "https://example.com/talk.mp4".into(),
            processing_type: kind.map(str::to_string),
            max_length,
            clips: None,
            webhook_url: None,
            inline: false,
        }
    }

    #[test]
    fn max_length_is_1_to_500_and_types_are_checked() {
        assert_eq!(to_job_request(&body(None, Some(45))).unwrap().max_length, Some(45));
        assert_eq!(to_job_request(&body(None, None)).unwrap().kind, JobKind::Clips);
        for bad in [0, 501, -3] {
            let error = to_job_request(&body(None, Some(bad))).unwrap_err();
            assert_eq!((error.status.as_u16(), error.details["field"].as_str()), (422, Some("max_length")));
        }
        assert!(to_job_request(&body(Some("dub"), None)).is_err());
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
