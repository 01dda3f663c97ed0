//! `opusclip serve --lambda` (feature `lambda`): the service's own router and services, unchanged,
//! answering AWS Lambda invocations — API Gateway REST and HTTP APIs, function URLs, ALB — through
//! `lambda_http` instead of listening on a port. The client address the rate limits use comes
//! from the event's request context (ALB: the address it appended to `X-Forwarded-For`).

use crate::config::ServiceConfig;
use crate::error::{ApiError, ServiceResult};
use crate::state::Services;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use lambda_http::request::RequestContext;
use lambda_http::RequestExt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::watch;

/// Set by the Lambda runtime; without it there is nothing to answer.
pub const RUNTIME_API_VARIABLE: &str = "AWS_LAMBDA_RUNTIME_API";

/// Open the services named by `config`, start `workers` in-process workers (0: API only, the
/// jobs run on `opusclip worker` machines sharing the PostgreSQL queue and S3 storage) and answer
/// invocations until the runtime stops.
pub async fn run_lambda(config: ServiceConfig, workers: usize) -> ServiceResult<()> {
    if std::env::var_os(RUNTIME_API_VARIABLE).is_none() {
        return Err(ApiError::configuration(format!(
            "--lambda answers AWS Lambda invocations, but {RUNTIME_API_VARIABLE} is not set: deploy it as a \
             Lambda function, or run `opusclip serve` to listen on a port"
        )));
    }
    let services = Services::open(config).await?;
    // Kept until the end: a dropped sender would read as "stop" to the workers.
    let (_shutdown, stopping) = watch::channel(false);
    if workers > 0 {
        tokio::spawn(crate::worker::run_workers(services.clone(), workers, stopping));
    }
    lambda_http::run(router(services))
        .await
        .map_err(|error| ApiError::internal(format!("the Lambda runtime stopped: {error}")))
}

/// The server's router with the client address taken from each event.
pub fn router(services: Arc<Services>) -> Router {
    crate::api::router(services).layer(middleware::from_fn(client_address))
}

/// Give the request the `ConnectInfo` a TCP listener would have given it.
async fn client_address(mut request: Request, next: Next) -> Response {
    if let Some(address) = source_ip(&request) {
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(address, 0)));
    }
    next.run(request).await
}

/// The caller's address as API Gateway saw it, or the last `X-Forwarded-For` hop behind an ALB
/// (the one it added; earlier ones are the client's word).
fn source_ip(request: &Request) -> Option<IpAddr> {
    let reported = match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.clone(),
        RequestContext::ApiGatewayV1(context) => context.identity.source_ip.clone(),
        RequestContext::Alb(_) => request
            .headers()
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|hops| hops.rsplit(',').next())
            .map(|hop| hop.trim().to_string()),
        _ => None,
    };
    reported?.parse().ok()
}
