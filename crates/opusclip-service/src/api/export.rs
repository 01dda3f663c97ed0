//! `GET /api/jobs/{id}/export/{file}`: a finished job's clips as a timeline for editing
//! software — `timeline.fcpxml|xml|otio|edl` (every clip, best first, or `?order=source`,
//! `?top=N`), `clip-01.fcpxml` … (one clip), or `.srt` (the same timeline's captions). The
//! source is named by the file name that was uploaded; the editor relinks it to the original.

use super::jobs::{finished_job, stored_manifest};
use super::Caller;
use crate::error::ApiError;
use crate::request::JobSource;
use crate::state::Services;
use crate::util::is_plain_file_name;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Extension;
use opusclip_core::{Aspect, ClipSpec, Score};
use opusclip_pipeline::export::{export, timeline_order, ExportClip, Format};
use serde_json::Value;
use std::sync::Arc;

/// The query of an export.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// Only the N best-ranked clips (a whole-job timeline).
    pub top: Option<usize>,
    /// `rank` (best first, the default) or `source` (in the order they were said).
    pub order: Option<String>,
    /// Which output's frame and crop: 9:16, 1:1, 4:5, 16:9 (default the first).
    pub aspect: Option<String>,
}

/// What a file name asks for: whose clips (`None` for the whole job) and in which format
/// (`None` for the captions SRT).
fn parse_file(file: &str) -> Option<(Option<&str>, Option<Format>)> {
    let (stem, extension) = file.rsplit_once('.')?;
    let format = match extension {
        "srt" => None,
        other => Some(Format::ALL.into_iter().find(|format| format.extension() == other)?),
    };
    let clip = (stem != "timeline").then_some(stem);
    Some((clip, format))
}

/// `GET /api/jobs/{id}/export/{file}`.
#[utoipa::path(get, path = "/api/jobs/{id}/export/{file}", tag = "jobs",
    params(("id" = String, Path, description = "Job id"),
           ("file" = String, Path, description = "timeline.fcpxml (Final Cut Pro), timeline.xml (Premiere Pro, DaVinci Resolve), timeline.otio, timeline.edl or timeline.srt for every clip; clip-01.fcpxml … for one"),
           ExportQuery,
           ("key" = Option<String>, Query, description = "Signed link: the key id (instead of the key header)"),
           ("expires" = Option<i64>, Query, description = "Signed link: Unix seconds it works until"),
           ("sig" = Option<String>, Query, description = "Signed link: its HMAC-SHA256")),
    responses(
        (status = 200, description = "The timeline: edits on the original source, the crop path as keyframed transforms (not in an EDL), captions as titles, the score's hook as a marker", content_type = "application/xml", body = String),
        (status = 404, description = "No such clip or format", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "The job has not succeeded", body = crate::api::openapi::ErrorBody),
        (status = 422, description = "A bad top, order or aspect", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn timeline(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path((id, file)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let not_found = || {
        ApiError::not_found(format!(
            "no export {file:?} in job {id}: use timeline.fcpxml, timeline.xml, timeline.otio, timeline.edl or timeline.srt (or a clip id instead of timeline)"
        ))
    };
    let (clip, format) = parse_file(&file).ok_or_else(not_found)?;
    let aspect = query.aspect.as_deref().map(|text| text.parse::<Aspect>().map_err(ApiError::invalid)).transpose()?;
    let by_source = match query.order.as_deref() {
        None | Some("rank") => false,
        Some("source") => true,
        Some(other) => return Err(ApiError::invalid(format!("order {other:?}: use rank or source"))),
    };
    if query.top == Some(0) {
        return Err(ApiError::invalid("top must be at least 1"));
    }
    let job = finished_job(&services, &caller, &id).await?;
    let manifest = stored_manifest(&services, &job).await?;
    let mut entries: Vec<&Value> = manifest["clips"].as_array().into_iter().flatten().collect();
    if let Some(clip) = clip {
        entries.retain(|entry| entry["id"] == clip);
        if entries.is_empty() {
            return Err(not_found());
        }
    }
    let entries = timeline_order(
        entries,
        |entry| entry["rank"].as_u64().unwrap_or(u64::MAX),
        |entry| entry["start"].as_f64().unwrap_or(0.0),
        query.top,
        by_source,
    );
    let source_name = uploaded_name(&job.request.source);
    let source_duration = manifest["source"]["probe"]["duration"].as_f64();
    let prefix = job.output_prefix.clone().unwrap_or_default();
    let mut clips = Vec::with_capacity(entries.len());
    for entry in entries {
        let name = entry["spec"].as_str().filter(|name| is_plain_file_name(name)).ok_or_else(not_found)?;
        let bytes = services.storage.read_bytes(&format!("{prefix}/{name}")).await?.ok_or_else(not_found)?;
        let spec: ClipSpec = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::internal(format!("the stored spec {name} is not valid: {e}")))?;
        let score: Option<Score> = serde_json::from_value(entry["score"].clone()).ok();
        clips.push(ExportClip { spec, score, source_path: source_name.clone(), source_duration });
    }
    if clips.is_empty() {
        return Err(ApiError::not_found(format!("job {id} has no clips to export")));
    }
    let project_name = match clip {
        Some(clip) => format!("{clip} — {source_name}"),
        None => format!("{source_name} highlights"),
    };
    let font_dir = services.config.settings.font_dir.clone();
    let chosen = format.unwrap_or(Format::Otio);
    let made = tokio::task::spawn_blocking(move || {
        let measure = opusclip_pipeline::fonts::caption_measure(font_dir.as_deref());
        export(&project_name, &clips, aspect, chosen, measure.as_ref())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let (body, content_type) = match format {
        None => (made.srt, "application/x-subrip; charset=utf-8"),
        Some(Format::Otio) => (made.timeline, "application/json"),
        Some(Format::Edl) => (made.timeline, "text/plain; charset=utf-8"),
        Some(Format::Fcpxml | Format::Xmeml) => (made.timeline, "application/xml"),
    };
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) =
        HeaderValue::from_str(&made.notes.join(" | ").replace(|c: char| !c.is_ascii() || c.is_control(), " "))
    {
        if !made.notes.is_empty() {
            headers.insert("x-export-notes", value);
        }
    }
    Ok(response)
}

/// The name the user knows the source by: the uploaded file's name, or the URL's last part.
fn uploaded_name(source: &JobSource) -> String {
    let name = match source {
        JobSource::Upload { filename, .. } => filename.clone(),
        JobSource::Url { url } => url.split(['?', '#']).next().and_then(|u| u.rsplit('/').next()).map(str::to_string),
    };
    name.filter(|name| !name.trim().is_empty()).unwrap_or_else(|| "source.mp4".into())
}

/// The signed links of a job's whole-timeline exports, by format label (and `srt`).
pub fn export_links(id: &str, sign: impl Fn(String) -> String) -> serde_json::Map<String, Value> {
    let mut links: serde_json::Map<String, Value> = Format::ALL
        .into_iter()
        .map(|format| {
            (
                format.label().to_string(),
                Value::String(sign(format!("/api/jobs/{id}/export/timeline.{}", format.extension()))),
            )
        })
        .collect();
    links.insert("srt".into(), Value::String(sign(format!("/api/jobs/{id}/export/timeline.srt"))));
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_name_the_clips_and_the_format() {
        assert_eq!(parse_file("timeline.fcpxml"), Some((None, Some(Format::Fcpxml))));
        assert_eq!(parse_file("clip-02.xml"), Some((Some("clip-02"), Some(Format::Xmeml))));
        assert_eq!(parse_file("timeline.srt"), Some((None, None)));
        assert_eq!(parse_file("timeline.aaf"), None);
        assert_eq!(parse_file("timeline"), None);
    }

    #[test]
    fn the_source_is_named_as_the_user_knows_it() {
        let url = JobSource::Url { url: "https://example.com/talks/keynote.mp4?token=1".into() };
        assert_eq!(uploaded_name(&url), "keynote.mp4");
        let upload = JobSource::Upload { key: "k".into(), filename: Some("My Talk.mov".into()) };
        assert_eq!(uploaded_name(&upload), "My Talk.mov");
        assert_eq!(uploaded_name(&JobSource::Upload { key: "k".into(), filename: None }), "source.mp4");
    }
}
