//! The gate of every `/api/` route: an API key (`Authorization: Bearer KEY` or `X-API-Key: KEY`)
//! that exists and is not revoked, then a token from the request's rate budget (POST creates
//! work; everything else reads) for both the key and the client address.

use crate::error::ApiError;
use crate::ratelimit::Budget;
use crate::state::Services;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
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

/// Middleware: authenticate, rate-limit, and attach the [`Caller`].
pub async fn require_key(State(services): State<Arc<Services>>, mut request: Request, next: Next) -> Response {
    let Some(key) = presented_key(request.headers()) else {
        return ApiError::unauthorized("an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY` (create one with `opusclip keys create`)")
            .into_response();
    };
    let key_id = match services.keys.verify(key).await {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
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
