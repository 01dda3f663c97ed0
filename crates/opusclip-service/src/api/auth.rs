//! The gate of every `/api/` route: an API key (`Authorization: Bearer KEY` or `X-API-Key: KEY`)
//! that exists and is not revoked (or, for a job's downloads only, a signed link of such a key:
//! see [`super::signed`]; or nothing, from this machine, when started with `--no-auth`), then a
//! token from the request's rate budget (POST creates work; everything else reads) for both the
//! key and the client address.

use crate::error::ApiError;
use crate::ratelimit::Budget;
use crate::state::Services;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// Who is calling: the id of their API key (jobs belong to it).
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
}

/// The key from the request headers.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(value.trim()).filter(|v| !v.is_empty());
    }
    let authorization = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// The caller of a server started with `--no-auth` (jobs made without a key belong to it).
pub const LOCAL_CALLER: &str = "local";

/// Who a request speaks for: its API key, or a signed link (GET of a job's download only), or
/// with `--no-auth` and a loopback peer, [`LOCAL_CALLER`].
async fn authenticate(
    services: &Services,
    key: Option<String>,
    method: Method,
    uri: Uri,
    peer: IpAddr,
) -> Result<String, ApiError> {
    if let Some(key) = key {
        return services.keys.verify(&key).await;
    }
    let query = uri.query().unwrap_or_default();
    let is_read = method == Method::GET || method == Method::HEAD;
    if is_read && query.split('&').any(|pair| pair.starts_with("sig=")) {
        let key_id = services.links.verify(uri.path(), query)?;
        if !(services.config.no_auth && key_id == LOCAL_CALLER) {
            services.keys.check_active_id(&key_id).await?;
        }
        return Ok(key_id);
    }
    if services.config.no_auth && peer.is_loopback() {
        return Ok(LOCAL_CALLER.to_string());
    }
    Err(ApiError::unauthorized(
        "an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY` (create one with \
         `opusclip keys create`)",
    ))
}

/// Middleware: authenticate, rate-limit, and attach the [`Caller`].
pub async fn require_key(State(services): State<Arc<Services>>, mut request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let key = presented_key(request.headers()).map(str::to_string);
    let key_id = match authenticate(&services, key, request.method().clone(), request.uri().clone(), address).await {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let budget = if request.method() == Method::POST { Budget::Create } else { Budget::Read };
    if let Err(error) = services.limiter.check(budget, &key_id, address) {
        return error.into_response();
    }
    request.extensions_mut().insert(Caller { key_id });
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_key(&headers), None);
        headers.insert("authorization", "Bearer ock_abc".parse().unwrap());
        assert_eq!(presented_key(&headers), Some("ock_abc"));
        headers.insert("authorization", "Basic dXNlcjpwdw==".parse().unwrap());
        assert_eq!(presented_key(&headers), None);
        headers.insert("x-api-key", "ock_def".parse().unwrap());
        assert_eq!(presented_key(&headers), Some("ock_def"));
    }
}
