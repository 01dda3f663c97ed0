//! Open routes (no key): `/healthz` (the process answers), `/readyz` (the job store, storage and
//! the result cache — Redis, or its folder — answer) and `/metrics` (Prometheus text).

use crate::state::Services;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// `GET /healthz`.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(), responses((status = 200, description = "The process answers", body = Object)))]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": opusclip_core::TOOL_VERSION }))
}

/// `GET /readyz`: `200` when every dependency answers, `503` naming those that do not.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(),
    responses((status = 200, body = crate::api::openapi::Readiness), (status = 503, description = "A dependency is down", body = crate::api::openapi::ErrorBody)))]
pub async fn readyz(State(services): State<Arc<Services>>) -> Response {
    let database = services.jobs.db().ping().await;
    let storage = services.storage.ready().await;
    let cache = match &services.cache {
        Some(cache) => Some(cache.ping().await),
        None => None,
    };
    let ready = database && storage && cache.unwrap_or(true);
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "checks": { "database": database, "storage": storage, "cache": cache },
    });
    if ready {
        (StatusCode::OK, Json(body)).into_response()
    } else {
        let error = json!({ "error": "a dependency is not answering", "code": "NOT_READY", "details": body });
        (StatusCode::SERVICE_UNAVAILABLE, Json(error)).into_response()
    }
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(),
    responses((status = 200, description = "Prometheus text: jobs by state, queue depth, stage durations, requests", content_type = "text/plain", body = String)))]
pub async fn metrics(State(services): State<Arc<Services>>) -> Response {
    let text = services.metrics.render(&services.jobs).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
