//! A job's downloads beyond single files: `GET /api/jobs/{id}/captions/{clip}.srt|.vtt` (the
//! captions of one clip, made from its `ClipSpec` words as the renderer lays them out, with or
//! without burned-in captions) and `GET /api/jobs/{id}/archive.zip` (every file of the job,
//! streamed as one zip while it is read from storage).

use super::jobs::{finished_job, stored_manifest};
use super::Caller;
use crate::error::{ApiError, ServiceResult};
use crate::state::Services;
use crate::util::is_plain_file_name;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Extension;
use futures_util::StreamExt;
use opusclip_core::ClipSpec;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;

/// Every file a published manifest names (outputs, captions, thumbnails, specs, transcript),
/// the manifest first, each once.
pub fn manifest_files(manifest: &Value) -> Vec<String> {
    fn add_from(entry: &Value, names: &mut Vec<String>) {
        let mut found: Vec<&Value> = vec![&entry["video"], &entry["thumbnail"], &entry["spec"], &entry["transcript"]];
        found.push(&entry["captions"]["srt"]);
        found.push(&entry["captions"]["vtt"]);
        if let Some(outputs) = entry["outputs"].as_array() {
            found.extend(outputs.iter().map(|output| &output["path"]));
        }
        for name in found.into_iter().filter_map(Value::as_str) {
            if is_plain_file_name(name) && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    let mut names = vec!["manifest.json".to_string()];
    for clip in manifest["clips"].as_array().into_iter().flatten() {
        add_from(clip, &mut names);
    }
    add_from(manifest, &mut names);
    names
}

/// The spec file of clip `clip` in a manifest: a clip job's `clips[].spec`, or a render job's
/// `spec` (its clip is the manifest's `id`, e.g. `clip-01`, or `video`).
fn spec_file(manifest: &Value, clip: &str) -> Option<String> {
    let from_clips = manifest["clips"].as_array().into_iter().flatten().find(|c| c["id"] == clip);
    let name = match from_clips {
        Some(entry) => entry["spec"].as_str(),
        None if clip == crate::kinds::WHOLE_VIDEO_ID || manifest["id"].as_str() == Some(clip) => {
            manifest["spec"].as_str()
        }
        None => None,
    }?;
    is_plain_file_name(name).then(|| name.to_string())
}

/// `GET /api/jobs/{id}/captions/{file}`: `clip-01.srt`, `clip-01.vtt`, `video.srt`, …
#[utoipa::path(get, path = "/api/jobs/{id}/captions/{file}", tag = "jobs",
    params(("id" = String, Path, description = "Job id"),
           ("file" = String, Path, description = "A clip id and `.srt` or `.vtt`, e.g. clip-01.srt (a render job's too; `video.srt` for a whole-video job)"),
           ("key" = Option<String>, Query, description = "Signed link: the key id (instead of the key header)"),
           ("expires" = Option<i64>, Query, description = "Signed link: Unix seconds it works until"),
           ("sig" = Option<String>, Query, description = "Signed link: its HMAC-SHA256")),
    responses(
        (status = 200, description = "SubRip or WebVTT captions of the clip, laid out as the renderer burns them in (timed from the clip's start)", content_type = "text/vtt", body = String),
        (status = 404, description = "No such clip or format", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "The job has not succeeded", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn captions(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("no captions {file:?} in job {id}: use CLIP_ID.srt or CLIP_ID.vtt"));
    let (clip, format) = file.rsplit_once('.').ok_or_else(not_found)?;
    let (vtt, content_type) = match format {
        "srt" => (false, "application/x-subrip; charset=utf-8"),
        "vtt" => (true, "text/vtt; charset=utf-8"),
        _ => return Err(not_found()),
    };
    let job = finished_job(&services, &caller, &id).await?;
    let manifest = stored_manifest(&services, &job).await?;
    let name = spec_file(&manifest, clip).ok_or_else(not_found)?;
    let prefix = job.output_prefix.unwrap_or_default();
    let bytes = services.storage.read_bytes(&format!("{prefix}/{name}")).await?.ok_or_else(not_found)?;
    let spec: ClipSpec = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::internal(format!("the stored spec {name} is not valid: {e}")))?;
    let font_dir = services.config.settings.font_dir.clone();
    let text = tokio::task::spawn_blocking(move || captions_text(&spec, font_dir.as_deref(), vtt))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut response = Response::new(Body::from(text));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{clip}.{format}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The captions of `spec` as SRT or WebVTT: the pages the renderer lays out for its first output,
/// on the clip's clock after its jump cuts.
pub fn captions_text(spec: &ClipSpec, font_dir: Option<&std::path::Path>, vtt: bool) -> String {
    let spec = &spec.as_cut();
    let frame = spec.outputs.first().map(|o| (o.width, o.height)).unwrap_or((1080, 1920));
    let measure = opusclip_pipeline::fonts::caption_measure(font_dir);
    let pages =
        opusclip_captions::plan_pages(&spec.words, spec.start, spec.end, &spec.caption_style, frame, measure.as_ref());
    if vtt {
        opusclip_captions::write_vtt(&pages)
    } else {
        opusclip_captions::write_srt(&pages)
    }
}

/// `GET /api/jobs/{id}/archive.zip`.
#[utoipa::path(get, path = "/api/jobs/{id}/archive.zip", tag = "jobs",
    params(("id" = String, Path, description = "Job id"),
           ("key" = Option<String>, Query, description = "Signed link: the key id (instead of the key header)"),
           ("expires" = Option<i64>, Query, description = "Signed link: Unix seconds it works until"),
           ("sig" = Option<String>, Query, description = "Signed link: its HMAC-SHA256")),
    responses(
        (status = 200, description = "Every file of the job (manifest, clips, captions, thumbnails, specs) as a zip, streamed (stored, not recompressed)", content_type = "application/zip", body = Vec<u8>),
        (status = 404, body = crate::api::openapi::ErrorBody),
        (status = 409, description = "The job has not succeeded", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn archive(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let job = finished_job(&services, &caller, &id).await?;
    let manifest = stored_manifest(&services, &job).await?;
    let prefix = job.output_prefix.clone().unwrap_or_default();
    let mut entries = Vec::new();
    for name in manifest_files(&manifest) {
        let key = format!("{prefix}/{name}");
        if let Some(size) = services.storage.size(&key).await? {
            entries.push((name, key, size));
        }
    }
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    let runtime = tokio::runtime::Handle::current();
    let writer_services = services.clone();
    tokio::task::spawn_blocking(move || {
        let failed = sender.clone();
        if let Err(error) = write_zip(&writer_services, &runtime, entries, ChannelWriter::new(sender)) {
            tracing::warn!(%error, "the archive stopped");
            let _ = failed.blocking_send(Err(std::io::Error::other(error.message)));
        }
    });
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"opusclip-{id}.zip\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Write `entries` (name, storage key, size) as a stored zip to `out`, reading each from storage.
fn write_zip(
    services: &Services,
    runtime: &tokio::runtime::Handle,
    entries: Vec<(String, String, u64)>,
    out: ChannelWriter,
) -> ServiceResult<()> {
    let zip_error = |e: zip::result::ZipError| ApiError::internal(format!("writing the zip: {e}"));
    let io_error = |e: std::io::Error| ApiError::internal(format!("writing the zip: {e}"));
    let mut zip = zip::ZipWriter::new_stream(out).set_auto_large_file();
    for (name, key, size) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(size >= u64::from(u32::MAX));
        zip.start_file(name, options).map_err(zip_error)?;
        if size == 0 {
            continue;
        }
        let mut stream = runtime.block_on(services.storage.read_range(&key, 0, size - 1))?;
        while let Some(chunk) = runtime.block_on(stream.next()) {
            zip.write_all(&chunk.map_err(io_error)?).map_err(io_error)?;
        }
    }
    zip.finish().map_err(zip_error)?.into_inner().flush().map_err(io_error)
}

/// A `Write` that sends what it is given to the response body in 256 KiB chunks.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    buffer: Vec<u8>,
}

const CHUNK: usize = 256 << 10;

impl ChannelWriter {
    fn new(sender: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>) -> ChannelWriter {
        ChannelWriter { sender, buffer: Vec::with_capacity(CHUNK) }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_named_file_is_listed_once() {
        let manifest = json!({
            "source": { "path": "talk.mp4" },
            "clips": [
                { "id": "clip-01", "spec": "clip-01.json", "thumbnail": "clip-01.jpg",
                  "outputs": [{ "path": "clip-01.mp4" }, { "path": "clip-01-1x1.mp4" }],
                  "captions": { "srt": "clip-01.srt", "vtt": "clip-01.vtt" } },
                { "id": "clip-02", "spec": "clip-02.json", "thumbnail": null, "outputs": [{ "path": "../x.mp4" }],
                  "captions": { "srt": null, "vtt": null } },
            ],
        });
        assert_eq!(
            manifest_files(&manifest),
            [
                "manifest.json",
                "clip-01.jpg",
                "clip-01.json",
                "clip-01.srt",
                "clip-01.vtt",
                "clip-01.mp4",
                "clip-01-1x1.mp4",
                "clip-02.json"
            ]
        );
        let render = json!({ "video": "video.mp4", "outputs": [{ "path": "video.mp4" }], "spec": "spec.json" });
        assert_eq!(manifest_files(&render), ["manifest.json", "video.mp4", "spec.json"]);
        assert_eq!(spec_file(&manifest, "clip-02").as_deref(), Some("clip-02.json"));
        assert_eq!(spec_file(&manifest, "clip-03"), None);
        assert_eq!(spec_file(&render, "video").as_deref(), Some("spec.json"));
    }

    #[test]
    fn captions_come_from_the_spec_words_as_edited() {
        let word = |text: &str, start: f64| opusclip_core::Word {
            text: text.into(),
            start,
            end: start + 0.4,
            confidence: 1.0,
            speaker: None,
        };
        let spec = ClipSpec {
            schema_version: opusclip_core::SCHEMA_VERSION,
            id: "clip-01".into(),
            source: opusclip_core::SourceRef {
                path: "x".into(),
                hash: "h".into(),
                display_width: 1920,
                display_height: 1080,
                fps: 25.0,
                has_audio: true,
            },
            start: 10.0,
            end: 12.0,
            words: vec![word("before", 9.0), word("hello", 10.1), word("ZEBRA", 10.6), word("after", 12.5)],
            outputs: Vec::new(),
            caption_style: Default::default(),
            title: String::new(),
            faces: Vec::new(),
            loudness: None,
            keywords: Vec::new(),
            watermark: None,
            kept_ranges: Vec::new(),
        };
        let srt = captions_text(&spec, None, false);
        assert!(srt.contains("hello ZEBRA"), "{srt}");
        assert!(!srt.contains("before") && !srt.contains("after"), "only the clip's words: {srt}");
        assert!(srt.contains("00:00:00,100 -->"), "timed from the clip's start: {srt}");
        assert!(captions_text(&spec, None, true).starts_with("WEBVTT"));
        // Cut "hello" out (10.0–10.5): ZEBRA plays from 0.1 s.
        let cut = ClipSpec { kept_ranges: vec![opusclip_core::KeptRange { start: 10.52, end: 12.0 }], ..spec };
        let srt = captions_text(&cut, None, false);
        assert!(!srt.contains("hello") && srt.contains("ZEBRA"), "{srt}");
        assert!(srt.contains("00:00:00,080 -->"), "on the cut clock: {srt}");
    }
}
