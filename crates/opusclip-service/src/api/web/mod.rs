//! The web page at `/` and its assets under `/assets/`, embedded in the binary and served without
//! a key: every data call the page makes goes through the keyed `/api/` routes.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const PAGE: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("app.css");

/// Assets change with the binary; a short cache keeps a fresh build visible after a reload.
const CACHE: &str = "public, max-age=300";

/// `/`, `/assets/app.js` and `/assets/app.css`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/", get(page)).route("/assets/app.js", get(script)).route("/assets/app.css", get(style))
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], SCRIPT).into_response()
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], STYLE).into_response()
}
