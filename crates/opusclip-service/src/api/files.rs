//! `GET /api/jobs/{id}/files/{name}`: a published file of a finished job (with the key, or through
//! a signed link from the manifest), and `GET /api/jobs/{id}/source`: the uploaded source, which
//! the editor's preview plays; both streamed, with HTTP Range support (one range: `bytes=A-B`, `bytes=A-`, `bytes=-N`; `206` with `Content-Range`,
//! `416` when it cannot be satisfied; several ranges get the whole file, as RFC 9110 allows).

use super::jobs::finished_job;
use super::Caller;
use crate::error::ApiError;
use crate::state::Services;
use crate::util::is_plain_file_name;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::sync::Arc;

/// The byte range asked for, resolved against the file size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAsk {
    Whole,
    Part { start: u64, end: u64 },
    Unsatisfiable,
}

/// Read a `Range` header against a file of `size` bytes.
pub fn parse_range(header: Option<&str>, size: u64) -> RangeAsk {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return RangeAsk::Whole };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else { return RangeAsk::Whole };
    let (first, last) = (first.trim(), last.trim());
    let part = match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => Some((start, end.min(size.saturating_sub(1)))),
        (Ok(_), Ok(_)) => return RangeAsk::Whole,
        (Ok(start), Err(_)) if last.is_empty() => Some((start, size.saturating_sub(1))),
        (Err(_), Ok(suffix)) if first.is_empty() => {
            if suffix == 0 {
                return RangeAsk::Unsatisfiable;
            }
            Some((size.saturating_sub(suffix), size.saturating_sub(1)))
        }
        _ => return RangeAsk::Whole,
    };
    match part {
        Some((start, end)) if size > 0 && start < size && start <= end => RangeAsk::Part { start, end },
        _ => RangeAsk::Unsatisfiable,
    }
}

/// What a browser should take a file for, by its extension (outputs, and uploaded sources).
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase().as_str() {
        "mp4" | "mov" => "video/mp4",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "jpg" | "jpeg" => "image/jpeg",
        "json" => "application/json",
        "srt" => "application/x-subrip; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /api/jobs/{id}/files/{name}`.
#[utoipa::path(get, path = "/api/jobs/{id}/files/{name}", tag = "jobs",
    params(("id" = String, Path, description = "Job id"), ("name" = String, Path, description = "A file named in the manifest, e.g. clip-01.mp4"),
           ("Range" = Option<String>, Header, description = "bytes=A-B, bytes=A- or bytes=-N"),
           ("key" = Option<String>, Query, description = "Signed link (from the manifest's file_urls): the key id, instead of the key header"),
           ("expires" = Option<i64>, Query, description = "Signed link: Unix seconds it works until"),
           ("sig" = Option<String>, Query, description = "Signed link: HMAC-SHA256 of GET, the path, the key id and expires")),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The range asked for (Content-Range)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = crate::api::openapi::ErrorBody),
        (status = 409, description = "The job has not succeeded", body = crate::api::openapi::ErrorBody),
        (status = 416, description = "Range outside the file", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn download(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !is_plain_file_name(&name) {
        return Err(ApiError::not_found(format!("no file {name:?} in job {id}")));
    }
    let job = finished_job(&services, &caller, &id).await?;
    let key = format!("{}/{name}", job.output_prefix.unwrap_or_default());
    let size = services
        .storage
        .size(&key)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no file {name:?} in job {id}")))?;
    serve_stored(&services, &key, size, &headers, content_type(&name)).await
}

/// `GET /api/jobs/{id}/source`.
#[utoipa::path(get, path = "/api/jobs/{id}/source", tag = "jobs",
    params(("id" = String, Path, description = "Job id"),
           ("Range" = Option<String>, Header, description = "bytes=A-B, bytes=A- or bytes=-N"),
           ("key" = Option<String>, Query, description = "Signed link (the manifest's source_url): the key id"),
           ("expires" = Option<i64>, Query, description = "Signed link: Unix seconds it works until"),
           ("sig" = Option<String>, Query, description = "Signed link: its HMAC-SHA256")),
    responses(
        (status = 200, description = "The uploaded source, for the editor's preview", content_type = "video/mp4", body = Vec<u8>),
        (status = 206, description = "The range asked for (Content-Range)", content_type = "video/mp4", body = Vec<u8>),
        (status = 404, description = "A URL job (its source is not kept) or no such job", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "The job has not succeeded", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn source(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let job = finished_job(&services, &caller, &id).await?;
    let (key, filename) = match &job.request.source {
        crate::request::JobSource::Upload { key, filename } => (key.clone(), filename.clone().unwrap_or_default()),
        crate::request::JobSource::Url { .. } => {
            return Err(ApiError::not_found(format!("job {id} was made from a URL; its source is not kept")))
        }
    };
    let size = services
        .storage
        .size(&key)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("the source of job {id} is gone")))?;
    // An upload named oddly is still most likely a video a browser can play.
    let kind = match content_type(&filename) {
        "application/octet-stream" => "video/mp4",
        kind => kind,
    };
    serve_stored(&services, &key, size, &headers, kind).await
}

/// Stream the stored object `key` of `size` bytes, whole or the one range `headers` asks for.
async fn serve_stored(
    services: &Services,
    key: &str,
    size: u64,
    headers: &HeaderMap,
    content_type: &'static str,
) -> Result<Response, ApiError> {
    let asked = parse_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), size);
    let (status, start, end) = match asked {
        RangeAsk::Whole => (StatusCode::OK, 0, size.saturating_sub(1)),
        RangeAsk::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        RangeAsk::Unsatisfiable => {
            let mut response = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "RANGE_NOT_SATISFIABLE",
                format!("the range asked for is outside the file ({size} bytes)"),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
    };
    let body =
        if size == 0 { Body::empty() } else { Body::from_stream(services.storage.read_range(key, start, end).await?) };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let length = if size == 0 { 0 } else { end - start + 1 };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_against_the_size() {
        assert_eq!(parse_range(None, 100), RangeAsk::Whole);
        assert_eq!(parse_range(Some("bytes=0-9"), 100), RangeAsk::Part { start: 0, end: 9 });
        assert_eq!(parse_range(Some("bytes=90-"), 100), RangeAsk::Part { start: 90, end: 99 });
        assert_eq!(parse_range(Some("bytes=-10"), 100), RangeAsk::Part { start: 90, end: 99 });
        assert_eq!(parse_range(Some("bytes=-500"), 100), RangeAsk::Part { start: 0, end: 99 });
        assert_eq!(parse_range(Some("bytes=50-5000"), 100), RangeAsk::Part { start: 50, end: 99 });
        assert_eq!(parse_range(Some("bytes=100-"), 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), RangeAsk::Whole);
        assert_eq!(parse_range(Some("items=0-1"), 100), RangeAsk::Whole);
        assert_eq!(parse_range(Some("bytes=9-2"), 100), RangeAsk::Whole);
    }
}
