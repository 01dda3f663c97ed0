//! Fetching a video from a URL into a local file, under the address rules of [`crate::ssrf`]
//! (checked on every connection and redirect), with a time limit and a size cap. Blocking: run
//! it on the blocking pool.

use crate::error::ApiError;
use crate::ssrf::{guarded_agent, parse_fetch_url, refusal_in, UrlPolicy};
use axum::http::StatusCode;
use serde_json::json;
use std::io::{Read, Write};
use std::path::Path;

/// Download `url` to `dest` (written under a temporary name, then renamed). Returns the size.
/// Refused addresses and 4xx answers are permanent errors; timeouts, connection failures and
/// 5xx answers are transient (`FETCH_ERROR`, retried).
pub fn download(url: &str, dest: &Path, policy: &UrlPolicy) -> Result<u64, ApiError> {
    parse_fetch_url(url, "url")?;
    let agent = guarded_agent(policy, policy.max_redirects);
    let mut response = agent.get(url).call().map_err(|error| fetch_error(url, &error))?;
    let status = response.status();
    if !status.is_success() {
        let message = format!("fetching {url} answered HTTP {status}");
        return Err(if status.is_server_error() {
            ApiError::unavailable("FETCH_ERROR", message)
        } else {
            ApiError::invalid(message).with_details(json!({ "url": url, "status": status.as_u16() }))
        });
    }
    let declared = response.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    if declared.is_some_and(|length: u64| length > policy.max_bytes) {
        return Err(ApiError::too_large(policy.max_bytes, "the video at the URL"));
    }
    let partial = dest.with_extension("download");
    let written = copy_capped(&mut response.body_mut().as_reader(), &partial, policy.max_bytes, url);
    match written {
        Ok(size) => {
            std::fs::rename(&partial, dest).map_err(|e| ApiError::server_io("rename", dest, e))?;
            Ok(size)
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

fn copy_capped(reader: &mut impl Read, path: &Path, cap: u64, url: &str) -> Result<u64, ApiError> {
    let mut file = std::fs::File::create(path).map_err(|e| ApiError::server_io("create", path, e))?;
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(|e| {
            ApiError::unavailable("FETCH_ERROR", format!("reading {url} failed after {total} bytes: {e}"))
        })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > cap {
            return Err(ApiError::too_large(cap, "the video at the URL"));
        }
        file.write_all(&buffer[..n]).map_err(|e| ApiError::server_io("write", path, e))?;
    }
    file.sync_all().map_err(|e| ApiError::server_io("sync", path, e))?;
    Ok(total)
}

/// A client error as an API error: refusals keep their reason; the rest are transient.
pub fn fetch_error(url: &str, error: &ureq::Error) -> ApiError {
    if let Some(refusal) = refusal_in(error) {
        return refusal;
    }
    match error {
        ureq::Error::TooManyRedirects => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "URL_NOT_ALLOWED",
            format!("{url} redirects too many times"),
        ),
        ureq::Error::BadUri(problem) => ApiError::url_refused(
            format!("{url} (or a redirect from it) is not an http(s) URL: {problem}"),
            json!({ "url": url }),
        ),
        ureq::Error::BodyExceedsLimit(limit) => ApiError::too_large(*limit, "the answer"),
        other => ApiError::unavailable("FETCH_ERROR", format!("fetching {url} failed: {other}")),
    }
}
