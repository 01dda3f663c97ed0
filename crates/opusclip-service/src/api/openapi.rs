//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations and the
//! types below (which mirror the JSON the handlers build), served at `/openapi.json`, and
//! `/docs`: a self-contained page that renders it (no assets fetched from elsewhere).

use axum::response::Html;
use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every failure: `{error, code, details}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do.
    pub error: String,
    /// Stable code, e.g. `INVALID_INPUT_ERROR`, `URL_NOT_ALLOWED`, `RATE_LIMITED`, `UNAUTHORIZED`.
    pub code: String,
    /// Structured details (the refused address, the problems, the retry delay, …).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Links to a job's resources.
#[derive(Serialize, ToSchema)]
pub struct JobLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub events: String,
    pub manifest: String,
    pub files: String,
}

/// One clip of a result.
#[derive(Serialize, ToSchema)]
pub struct ClipSummary {
    pub id: String,
    pub rank: u32,
    pub start: f64,
    pub end: f64,
    pub duration: f64,
    pub title: String,
    /// Total score, 0–100.
    pub score: f64,
    /// The first output (9:16 unless asked otherwise).
    pub url: String,
    #[schema(value_type = Vec<Object>)]
    pub outputs: Vec<serde_json::Value>,
    #[schema(value_type = Object)]
    pub captions: serde_json::Value,
    pub thumbnail: Option<String>,
}

/// What a job made, in the specification's terms plus the clips.
#[derive(Serialize, ToSchema)]
pub struct ProcessResult {
    /// `clips`, `captions`, `reframe` or `transcript`.
    pub kind: String,
    /// URL of the processed video (the top clip, or the whole captioned/reframed video).
    pub processed_video: Option<String>,
    /// The captions as SRT text.
    pub captions: Option<String>,
    /// Seconds the job's run took.
    pub processing_time: f64,
    /// 0–1: the top clip's score, or the transcript's mean word confidence.
    pub confidence_score: Option<f64>,
    pub clips: Vec<ClipSummary>,
    /// URL of the manifest.
    pub manifest: String,
    /// Present with `inline: true` when the video is under `INLINE_MAX_BYTES`.
    pub processed_video_base64: Option<String>,
}

/// A job's status.
#[derive(Serialize, ToSchema)]
pub struct JobStatus {
    pub id: String,
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed` or `canceled`.
    pub state: String,
    /// The running stage: fetch, probe, transcript, survey, select, look, reframe, render, done.
    pub stage: Option<String>,
    /// 0–100.
    pub percent: f64,
    pub eta_seconds: Option<f64>,
    /// Runs so far (more than one after a worker died or a transient failure).
    pub attempts: i64,
    /// Answered from the result cache (Redis, or files without `REDIS_URL`).
    pub from_cache: bool,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
    #[schema(value_type = Option<Object>)]
    pub stage_seconds: Option<serde_json::Value>,
    /// Why it failed (state `failed`).
    pub error: Option<ErrorBody>,
    /// The previous attempt's transient failure, while it is retried.
    pub last_error: Option<ErrorBody>,
    pub result: Option<ProcessResult>,
    pub links: JobLinks,
}

/// `202` of `POST /api/video/process`.
#[derive(Serialize, ToSchema)]
pub struct ProcessAccepted {
    pub job_id: String,
    pub state: String,
    pub status_url: String,
    pub events_url: String,
    pub manifest_url: String,
    pub links: JobLinks,
}

/// The multipart form of `POST /api/jobs`: the options of `opusclip clip` by the same names.
#[derive(Serialize, ToSchema)]
pub struct JobForm {
    /// The video (checked by content, not by name). Either this or `url`.
    #[schema(value_type = Option<String>, format = Binary)]
    pub file: Option<String>,
    /// A video URL (http/https, public addresses only). Either this or `file`.
    pub url: Option<String>,
    /// Subtitles with the words: SRT, WebVTT, ASS/SSA or whisper JSON.
    #[schema(value_type = Option<String>, format = Binary)]
    pub transcript: Option<String>,
    /// How many clips (default 5).
    pub clips: Option<u32>,
    /// Shortest clip, seconds (default 20).
    pub min: Option<f64>,
    /// Longest clip, seconds (default 60).
    pub max: Option<f64>,
    /// Allowed lengths `MIN-MAX` (repeatable).
    pub length: Option<Vec<String>>,
    /// Output aspect ratios: 9:16, 1:1, 4:5, 16:9 (repeatable).
    pub aspect: Option<Vec<String>>,
    /// Only choose inside `START-END`.
    pub range: Option<String>,
    /// Steer toward these keywords.
    pub prompt: Option<String>,
    /// Spoken language for speech recognition.
    pub language: Option<String>,
    /// The burned-in captions' look: `bold` (default), `clean`, `punch`, `single`, or `none`
    /// (no burned-in captions; SRT/VTT are still written). Another name is a 422 listing these.
    #[schema(example = "clean")]
    pub caption_style: Option<String>,
    /// Where the captions sit: `auto` (default), `top`, `middle`, `bottom`, or `NN%` (the bottom
    /// of the block at NN % of the height, 10–90). Another value is a 422.
    #[schema(example = "top")]
    pub caption_position: Option<String>,
    /// How loud the clips are: a preset (`tiktok`, `reels`, `instagram`, `shorts`, `youtube`:
    /// −14 LUFS; `podcast`: −16; `broadcast`: −23), LUFS from −40 to −5, or `off`. Default −14.
    #[schema(example = "podcast")]
    pub loudness: Option<String>,
    /// A brand template's text (TOML or JSON, as `opusclip clip --template`): the caption look
    /// built on a preset, with `shadow`, `animation` (`none`, `pop`, `karaoke`) and
    /// `keyword_color`, `outro`, `font_file` and a `[watermark]`. Not with `caption_style`. The
    /// files it names are sent as the `font` and `watermark` parts (a template naming one that
    /// is not sent is a 422).
    #[schema(example = "base = \"bold\"\nanimation = \"pop\"\nkeyword_color = \"00E5FF\"")]
    pub template: Option<String>,
    /// A logo, PNG or JPEG (at most 5 MiB): the template's `[watermark]` image, or without one a
    /// logo in the top-right corner at 15 % of the width. Kept with the job; a re-render of its
    /// clips draws it again.
    #[schema(value_type = Option<String>, format = Binary)]
    pub watermark: Option<String>,
    /// A caption font, TrueType or OpenType (at most 20 MiB): the template's `font_file`, or
    /// without a template the font the chosen look is drawn in.
    #[schema(value_type = Option<String>, format = Binary)]
    pub font: Option<String>,
    /// The layout of every output: `auto` (default: chosen per clip and aspect, with a reason in
    /// the manifest), `track`, `split`, `three`, `four`, `screen`, `blur-fit` or `audiogram`.
    #[schema(example = "split")]
    pub layout: Option<String>,
    /// `true`: an emoji after one strong word per caption page.
    pub emoji: Option<bool>,
    /// Cut quiet pauses longer than this many seconds (`on`: 0.5) out of each clip.
    pub cut_pauses: Option<String>,
    /// `true`: cut filler words and repeated starts.
    pub cut_fillers: Option<bool>,
    /// `true`: both cuts at their defaults.
    pub tight: Option<bool>,
    /// The server's LLM (`LLM_URL`) for titles and reranking: `true` requires it, `false` turns
    /// it off; absent: used when the server has one.
    pub llm: Option<bool>,
    /// `true`: no burned-in captions (the same as `caption_style=none`).
    pub no_captions: Option<bool>,
    /// Signed POST when the job ends (needs `WEBHOOK_SECRET` on the server).
    pub webhook_url: Option<String>,
}

/// `GET /api/jobs`: a page of the key's jobs, newest first.
#[derive(Serialize, ToSchema)]
pub struct JobList {
    /// Each job's status plus `name` (the uploaded file name or the URL; an edit's clip title).
    pub jobs: Vec<JobStatus>,
    /// Pass as `before` for the next page; null on the last.
    pub next: Option<String>,
}

/// `GET /readyz`.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub status: String,
    #[schema(value_type = Object)]
    pub checks: serde_json::Value,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Video-OpusClip",
        description = "Long video in, ranked, reframed, captioned short clips out. Every /api/ route needs an API \
                       key (`opusclip keys create`) as `Authorization: Bearer KEY` or `X-API-Key: KEY`. Rate \
                       limits per key and per address: creating work 60/min by default, reading much higher. \
                       Every failure is `{error, code, details}`. Downloads (a job's files, captions, \
                       archive and editing timelines) also open through the signed links the manifest lists (`?key=&expires=&sig=`, \
                       HMAC-SHA256, one path each, for an hour): what a `<video src>` or a download link \
                       uses, as neither can send a header."
    ),
    paths(
        super::jobs::create,
        super::jobs::list,
        super::jobs::status,
        super::jobs::remove,
        super::jobs::cancel,
        super::jobs::manifest,
        super::jobs::render,
        super::events::stream,
        super::files::download,
        super::files::source,
        super::downloads::captions,
        super::downloads::archive,
        super::export::timeline,
        super::process::create,
        super::health::healthz,
        super::health::readyz,
        super::health::metrics,
    ),
    components(schemas(ErrorBody, JobStatus, JobList, JobLinks, ProcessResult, ClipSummary, ProcessAccepted, JobForm, Readiness)),
    modifiers(&Security),
    security(("bearer" = []), ("api_key" = [])),
)]
pub struct ApiDoc;

/// `GET /openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// `GET /docs`.
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route_with_its_errors() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let paths = document["paths"].as_object().unwrap();
        for path in [
            "/api/jobs",
            "/api/jobs/{id}",
            "/api/jobs/{id}/events",
            "/api/jobs/{id}/manifest",
            "/api/jobs/{id}/files/{name}",
            "/api/jobs/{id}/source",
            "/api/jobs/{id}/captions/{file}",
            "/api/jobs/{id}/archive.zip",
            "/api/jobs/{id}/export/{file}",
            "/api/jobs/{id}/render",
            "/api/jobs/{id}/cancel",
            "/api/video/process",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(paths.contains_key(path), "{path} missing");
        }
        let process = &paths["/api/video/process"]["post"];
        for status in ["200", "202", "401", "422", "429"] {
            assert!(process["responses"].get(status).is_some(), "process documents {status}");
        }
        assert!(document["components"]["securitySchemes"].get("api_key").is_some());
        assert!(document["components"]["schemas"].get("ErrorBody").is_some());
    }
}
