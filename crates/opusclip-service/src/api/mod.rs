//! The HTTP API (axum): routes, the API-key and rate-limit layer on `/api/`, body limits, and
//! JSON `{error, code, details}` answers for every refusal, unknown route and wrong method.

mod auth;
mod brand;
mod downloads;
mod events;
mod export;
mod files;
mod health;
mod jobs;
pub mod openapi;
/// Public for the fuzz targets, which parse bodies exactly as the handlers do.
pub mod process;
pub mod signed;
/// Public for the fuzz targets, which read forms exactly as the handlers do.
pub mod upload;
mod web;

use crate::error::ApiError;
use crate::state::Services;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

pub use auth::Caller;
pub use process::base64;
pub use signed::LinkSigner;

/// Largest JSON body accepted.
pub const JSON_BODY_LIMIT: usize = 1 << 20;
/// Largest transcript file part.
pub const TRANSCRIPT_LIMIT: u64 = 16 << 20;

/// The whole router for `services`.
pub fn router(services: Arc<Services>) -> Router {
    let upload_limit =
        usize::try_from(services.config.max_upload_bytes + TRANSCRIPT_LIMIT + (1 << 20)).unwrap_or(usize::MAX);
    let api = Router::new()
        .route("/api/jobs", post(jobs::create).layer(DefaultBodyLimit::max(upload_limit)).get(jobs::list))
        .route("/api/jobs/{id}", get(jobs::status).delete(jobs::remove))
        .route("/api/jobs/{id}/events", get(events::stream))
        .route("/api/jobs/{id}/manifest", get(jobs::manifest))
        .route("/api/jobs/{id}/files/{name}", get(files::download))
        .route("/api/jobs/{id}/source", get(files::source))
        .route("/api/jobs/{id}/captions/{file}", get(downloads::captions))
        .route("/api/jobs/{id}/archive.zip", get(downloads::archive))
        .route("/api/jobs/{id}/export/{file}", get(export::timeline))
        .route("/api/jobs/{id}/render", post(jobs::render))
        .route("/api/jobs/{id}/cancel", post(jobs::cancel))
        .route("/api/video/process", post(process::create))
        .layer(middleware::from_fn_with_state(services.clone(), auth::require_key));
    Router::new()
        .merge(api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(web::routes())
        .route("/openapi.json", get(openapi::document))
        .route("/docs", get(openapi::docs_page))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(services.clone(), count_requests))
        .with_state(services)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route: see /docs for the API")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this route does not take that method",
    )
}

/// Count answers by route template and status for `/metrics`.
async fn count_requests(State(services): State<Arc<Services>>, request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "other".into());
    let response = next.run(request).await;
    services.metrics.record_request(&route, response.status().as_u16());
    response
}

/// Bytes of an over-limit body still read (and dropped) before answering 413, so the client is
/// not cut off mid-send and gets the answer instead of a reset connection.
pub const DRAIN_LIMIT: u64 = 32 << 20;

/// A JSON body of at most [`JSON_BODY_LIMIT`] bytes, or the refusal as our error body (413 too
/// large, 415 not JSON, 422 not valid).
pub async fn json_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<T, ApiError> {
    use futures_util::StreamExt;
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_REQUEST",
            "send Content-Type: application/json",
        ));
    }
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("the request body could not be read: {e}")))?;
        total += chunk.len() as u64;
        if total > JSON_BODY_LIMIT as u64 {
            if total > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        bytes.extend_from_slice(&chunk);
    }
    if total > JSON_BODY_LIMIT as u64 {
        return Err(ApiError::too_large(JSON_BODY_LIMIT as u64, "the request body"));
    }
    serde_json::from_slice(&bytes).map_err(|e| ApiError::invalid(format!("the JSON body is not valid: {e}")))
}
