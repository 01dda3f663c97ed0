//! The web page at `/` and its assets under `/assets/`, embedded in the binary and served without
//! a key: every data call the page makes goes through the keyed `/api/` routes (media and
//! downloads through the signed links the manifest lists).

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const PAGE: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("app.js");
const EDITOR: &str = include_str!("editor.js");
const EDITOR_PREVIEW: &str = include_str!("editor-preview.js");
const EDITOR_CUTS: &str = include_str!("editor-cuts.js");
const STYLE: &str = include_str!("app.css");

/// Assets change with the binary; a short cache keeps a fresh build visible after a reload.
const CACHE: &str = "public, max-age=300";

/// `/`, `/assets/app.js`, `/assets/editor.js`, `/assets/editor-preview.js`,
/// `/assets/editor-cuts.js` and `/assets/app.css`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(page))
        .route("/assets/app.js", get(|| asset("text/javascript; charset=utf-8", SCRIPT)))
        .route("/assets/editor.js", get(|| asset("text/javascript; charset=utf-8", EDITOR)))
        .route("/assets/editor-preview.js", get(|| asset("text/javascript; charset=utf-8", EDITOR_PREVIEW)))
        .route("/assets/editor-cuts.js", get(|| asset("text/javascript; charset=utf-8", EDITOR_CUTS)))
        .route("/assets/app.css", get(|| asset("text/css; charset=utf-8", STYLE)))
}

/// The page with the caption looks filled in from `opusclip_core::CAPTION_PRESETS` (the table
/// `--caption-style` reads): the New job form's options, and the editor's looks as a JSON data
/// block (`#caption-styles`, not a script, so the content security policy allows it).
fn rendered_page() -> &'static str {
    static RENDERED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RENDERED.get_or_init(|| {
        let table = opusclip_core::caption_presets::caption_presets_json();
        let mut options = String::new();
        for preset in table.as_array().into_iter().flatten() {
            let name = escape(preset["name"].as_str().unwrap_or_default());
            let label = escape(preset["label"].as_str().unwrap_or_default());
            let selected = if name == opusclip_core::DEFAULT_CAPTION_STYLE { " selected" } else { "" };
            options.push_str(&format!("<option value=\"{name}\"{selected}>{label}</option>"));
        }
        let data = table.to_string().replace("</", "<\\/");
        PAGE.replacen("<!-- caption-style-options -->", &options, 1).replacen(
            "<!-- caption-styles-data -->",
            &format!("<script type=\"application/json\" id=\"caption-styles\">{data}</script>"),
            1,
        )
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

async fn page() -> Response {
    // The page holds no secrets and loads only its own assets; framing by other sites is refused.
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; media-src 'self' blob:; img-src 'self' data:; frame-ancestors 'none'",
            ),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(rendered_page()),
    )
        .into_response()
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, CACHE)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_offers_every_caption_style_of_the_table() {
        let page = rendered_page();
        assert!(!page.contains("<!-- caption-style"), "both placeholders are filled");
        for name in opusclip_core::caption_style_names() {
            assert!(page.contains(&format!("<option value=\"{name}\"")), "the New job form offers {name}");
        }
        let start = page.find("id=\"caption-styles\">").expect("the data block") + "id=\"caption-styles\">".len();
        let data = &page[start..start + page[start..].find("</script>").expect("closed")];
        let table: serde_json::Value = serde_json::from_str(data).expect("JSON");
        assert_eq!(table, opusclip_core::caption_presets::caption_presets_json());
        assert!(EDITOR.contains("caption-styles"), "the editor reads its looks from the data block");
    }
}
