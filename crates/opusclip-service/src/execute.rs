//! One run of one job: bring the source (and transcript) to this machine, check it by content,
//! answer from the result cache when the same source and options were done before, otherwise run
//! the engine into a private folder, then publish that folder to storage under a fresh prefix and
//! describe the result. Nothing here is visible to users until the worker records the prefix.

use crate::cache::ManifestCache;
use crate::error::{ApiError, ServiceResult};
use crate::jobs::Job;
use crate::kinds::{run_transcript, run_whole_video};
use crate::progress::JobProgress;
use crate::request::{JobKind, JobSource, RequestFiles};
use crate::state::Services;
use crate::util::safe_extension;
use opusclip_pipeline::{run_clip, Progress};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A finished run, published but not yet recorded.
#[derive(Debug, Clone)]
pub struct Executed {
    pub output_prefix: String,
    pub result: Value,
    pub from_cache: bool,
    /// The cache key to record the outputs under (after the job is recorded).
    pub cache_key: Option<String>,
}

/// Run `job` in `work_dir` (created by the caller, removed after).
pub async fn execute(
    services: &Services,
    job: &Job,
    progress: &JobProgress,
    work_dir: &Path,
) -> ServiceResult<Executed> {
    let started = Instant::now();
    let input = source_on_disk(services, job, progress, work_dir).await?;
    check_content(services, &input).await?;
    let request = &job.request;
    let transcript = stored_on_disk(services, request.transcript_key.as_deref(), work_dir, "transcript").await?;
    let brand_key = |file: &Option<crate::request::StoredFile>| file.as_ref().map(|stored| stored.key.clone());
    let watermark = stored_on_disk(services, brand_key(&request.watermark).as_deref(), work_dir, "watermark").await?;
    let font = stored_on_disk(services, brand_key(&request.font).as_deref(), work_dir, "font").await?;
    let prefix = output_prefix(&job.id, job.attempts);
    let cache_key = cache_key_for(services, job, &input, transcript.as_deref()).await;
    if let (Some(cache), Some(key)) = (&services.cache, &cache_key) {
        if let Some(hit) = reuse_cached(services, cache, key, &prefix).await {
            // The copy names the job that made it: name this one's source and id instead.
            restamp_manifest(services, job, &prefix, work_dir).await?;
            let result = describe_result(services, job, &prefix, started.elapsed().as_secs_f64()).await?;
            tracing::info!(job = %job.id, from = %hit, "answered from the result cache");
            return Ok(Executed { output_prefix: prefix, result, from_cache: true, cache_key: None });
        }
    }
    let out = work_dir.join("out");
    let files = RequestFiles { transcript, watermark, font };
    run_engine(services, job, input, files, out.clone(), progress.clone()).await?;
    rewrite_manifest_source(&out, job)?;
    rewrite_spec_paths(&out)?;
    services.storage.publish_dir(&out, &prefix).await?;
    let result = describe_result(services, job, &prefix, started.elapsed().as_secs_f64()).await?;
    Ok(Executed { output_prefix: prefix, result, from_cache: false, cache_key })
}

/// Where attempt `attempt` of job `id` publishes its outputs. One name per attempt (each claim
/// is a new attempt), so the attempt that succeeds can remove what killed attempts published
/// but never recorded.
pub fn output_prefix(id: &str, attempt: i64) -> String {
    format!("jobs/{id}/out-{attempt}")
}

/// The source video as a local file: the stored upload, or a download from its URL.
async fn source_on_disk(
    services: &Services,
    job: &Job,
    progress: &JobProgress,
    work_dir: &Path,
) -> ServiceResult<PathBuf> {
    match &job.request.source {
        JobSource::Upload { key, .. } => file_on_disk(services, key, work_dir, "source").await,
        JobSource::Url { url } => {
            progress.stage("fetch");
            let started = Instant::now();
            let dest = work_dir.join("source");
            let policy = services.url_policy.clone();
            let url = url.clone();
            let fetched = {
                let dest = dest.clone();
                tokio::task::spawn_blocking(move || crate::ingest::download(&url, &dest, &policy))
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))?
            };
            progress.stage_done("fetch", started.elapsed().as_secs_f64());
            fetched?;
            Ok(dest)
        }
    }
}

/// A stored file on this machine: its own path for local storage, else a copy in `work_dir`.
async fn file_on_disk(services: &Services, key: &str, work_dir: &Path, stem: &str) -> ServiceResult<PathBuf> {
    if let Some(path) = services.storage.local_path(key) {
        if path.is_file() {
            return Ok(path);
        }
        return Err(ApiError::invalid(format!("the job's stored file {key} is missing (deleted?)")));
    }
    let name = match safe_extension(key) {
        Some(extension) => format!("{stem}.{extension}"),
        None => stem.to_string(),
    };
    let dest = work_dir.join(name);
    services.storage.fetch_to(key, &dest).await?;
    Ok(dest)
}

/// [`file_on_disk`] for a file the job may have brought (`None` when it brought none).
async fn stored_on_disk(
    services: &Services,
    key: Option<&str>,
    work_dir: &Path,
    stem: &str,
) -> ServiceResult<Option<PathBuf>> {
    match key {
        Some(key) => file_on_disk(services, key, work_dir, stem).await.map(Some),
        None => Ok(None),
    }
}

/// Probe the file: it must be media with a video stream in an allowed container.
pub async fn check_content(services: &Services, input: &Path) -> ServiceResult<()> {
    let path = input.to_path_buf();
    // Sound without a picture (a podcast) is welcome: its clips are audiograms.
    let format = tokio::task::spawn_blocking(move || match opusclip_media::probe(&path) {
        Ok(facts) => Ok(facts.format),
        Err(error) if opusclip_pipeline::audiogram::is_audio_only(&error) => {
            opusclip_media::container(&path).map(|container| container.format)
        }
        Err(error) => Err(error),
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let formats: Vec<&str> = format.split(',').map(str::trim).collect();
    let allowed = &services.config.allowed_containers;
    if !formats.iter().any(|format| allowed.iter().any(|a| a == format)) {
        return Err(ApiError::invalid(format!(
            "the file is a {} container, which is not accepted here (allowed: {})",
            format,
            allowed.join(", ")
        ))
        .with_details(json!({ "format": format, "allowed": allowed })));
    }
    Ok(())
}

/// Source content hash + options (+ the transcript's content): equal keys give equal outputs.
async fn cache_key_for(services: &Services, job: &Job, input: &Path, transcript: Option<&Path>) -> Option<String> {
    services.cache.as_ref()?;
    if !services.config.settings.cache_enabled || job.request.kind == JobKind::Render {
        return None;
    }
    let path = input.to_path_buf();
    let hash = tokio::task::spawn_blocking(move || opusclip_media::content_hash(&path)).await.ok()?.ok()?;
    let transcript_hash = match transcript {
        Some(path) => crate::util::sha256_hex(&tokio::fs::read(path).await.ok()?),
        None => String::new(),
    };
    let engine = crate::request::engine_fingerprint(&services.config.settings);
    let options =
        crate::util::sha256_hex(format!("{}:{transcript_hash}:{engine}", job.request.output_fingerprint()).as_bytes());
    Some(ManifestCache::key(&hash, &options[..32]))
}

/// Copy the outputs recorded under `key` to `prefix`; the source prefix, or `None` on a miss
/// (or when those outputs were deleted since).
async fn reuse_cached(services: &Services, cache: &ManifestCache, key: &str, prefix: &str) -> Option<String> {
    let value: Value = serde_json::from_str(&cache.get(key).await?).ok()?;
    let source = value["prefix"].as_str()?.to_string();
    services.storage.size(&format!("{source}/manifest.json")).await.ok()??;
    services.storage.copy_prefix(&source, prefix).await.ok()?;
    Some(source)
}

/// Record finished outputs in the cache.
pub async fn remember(services: &Services, cache_key: &str, prefix: &str, job_id: &str) {
    if let Some(cache) = &services.cache {
        cache.set(cache_key, &json!({ "prefix": prefix, "job_id": job_id }).to_string()).await;
    }
}

/// Run the engine for the job's kind on the blocking pool.
async fn run_engine(
    services: &Services,
    job: &Job,
    input: PathBuf,
    files: RequestFiles,
    out: PathBuf,
    progress: JobProgress,
) -> ServiceResult<()> {
    let request = job.request.clone();
    let mut options = crate::request::clip_options(&request.clip, &services.config.settings, files.clone())?;
    if request.kind == JobKind::Clips {
        if let Some(max_length) = request.max_length {
            options.max_seconds = f64::from(max_length);
            options.min_seconds =
                options.min_seconds.min(f64::from(max_length) / 2.0).max(1.0).min(options.max_seconds);
        }
    }
    let outcome = tokio::task::spawn_blocking(move || -> opusclip_core::Result<()> {
        // A cancel (or a lost lease) stops the stages, the decode passes and ffmpeg.
        let _cancel = opusclip_core::cancel::CancelScope::install(progress.cancel_flag());
        match request.kind {
            JobKind::Clips => run_clip(&input, &out, &options, &progress).map(|_| ()),
            JobKind::Transcript => run_transcript(&input, &out, &options, &progress).map(|_| ()),
            JobKind::Captions => {
                run_whole_video(&input, &out, false, &options, request.max_length, &progress).map(|_| ())
            }
            JobKind::Reframe => run_whole_video(&input, &out, true, &options, None, &progress).map(|_| ()),
            JobKind::Render => {
                let mut spec =
                    request.spec.ok_or_else(|| opusclip_core::Error::invalid_input("a render job needs a spec"))?;
                with_job_files(&mut spec, &files);
                crate::kinds::run_render(&input, &out, spec, &options, &progress).map(|_| ())
            }
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("the engine stopped: {e}")))?;
    outcome.map_err(ApiError::from)
}

/// The manifest names the source as the user gave it, not a path on the worker.
fn rewrite_manifest_source(out: &Path, job: &Job) -> ServiceResult<()> {
    let path = out.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| ApiError::server_io("read", &path, e))?;
    let mut manifest: Value = serde_json::from_str(&text).map_err(|e| ApiError::internal(e.to_string()))?;
    stamp(&mut manifest, job);
    opusclip_pipeline::atomic::write_json(&path, &manifest).map_err(ApiError::from)
}

/// The job's own source name and id in a manifest.
fn stamp(manifest: &mut Value, job: &Job) {
    if let Some(source) = manifest.get_mut("source").and_then(Value::as_object_mut) {
        source.insert("path".into(), json!(shown_source(job)));
    }
    manifest["job_id"] = json!(job.id);
}

/// A manifest copied from the result cache (made by another job, perhaps another key's) is
/// stamped with this job's source name and id before anyone reads it.
async fn restamp_manifest(services: &Services, job: &Job, prefix: &str, work_dir: &Path) -> ServiceResult<()> {
    let key = format!("{prefix}/manifest.json");
    let bytes = services
        .storage
        .read_bytes(&key)
        .await?
        .ok_or_else(|| ApiError::unavailable("STORAGE_ERROR", "the cached manifest could not be read back"))?;
    let mut manifest: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    stamp(&mut manifest, job);
    let local = work_dir.join("manifest.json");
    opusclip_pipeline::atomic::write_json(&local, &manifest).map_err(ApiError::from)?;
    services.storage.put_file(&key, &local).await
}

/// An edited spec's watermark image and caption font file are the job's own files, whatever
/// the spec says (`check_spec` let it name them only where the job has them).
fn with_job_files(spec: &mut opusclip_core::ClipSpec, files: &RequestFiles) {
    if let (Some(watermark), Some(image)) = (spec.watermark.as_mut(), &files.watermark) {
        watermark.image = image.display().to_string();
    }
    if let (Some(font_file), Some(font)) = (spec.caption_style.font_file.as_mut(), &files.font) {
        *font_file = font.display().to_string();
    }
}

/// The published clip specs name the source, the watermark image and the font file by role
/// (`source`, `watermark`, `font`), not as paths on the worker nor by the user's file name (a
/// cached result is shared by every job of the same content); a render of an edited spec puts
/// the job's own files back in their place.
fn rewrite_spec_paths(out: &Path) -> ServiceResult<()> {
    let entries = std::fs::read_dir(out).map_err(|e| ApiError::server_io("read", out, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_spec = path.extension().is_some_and(|extension| extension == "json")
            && path.file_name().is_some_and(|name| name != "manifest.json");
        let Some(mut spec) = is_spec
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten()
            .and_then(|text| serde_json::from_str::<opusclip_core::ClipSpec>(&text).ok())
        else {
            continue;
        };
        spec.source.path = "source".into();
        if let Some(watermark) = spec.watermark.as_mut() {
            watermark.image = "watermark".into();
        }
        if let Some(font_file) = spec.caption_style.font_file.as_mut() {
            *font_file = "font".into();
        }
        opusclip_pipeline::atomic::write_json(&path, &spec).map_err(ApiError::from)?;
    }
    Ok(())
}

/// The source as the user gave it: the uploaded file's name, or the URL.
fn shown_source(job: &Job) -> String {
    match &job.request.source {
        JobSource::Upload { filename, .. } => filename.clone().unwrap_or_else(|| "upload".into()),
        JobSource::Url { url } => url.clone(),
    }
}

/// The API path of a published file of job `id`.
pub fn file_url(id: &str, name: &str) -> String {
    format!("/api/jobs/{id}/files/{name}")
}

/// What the job made, in the specification's terms (`processed_video`, `captions`,
/// `processing_time`, `confidence_score`) plus the clips, read back from the published manifest.
async fn describe_result(services: &Services, job: &Job, prefix: &str, seconds: f64) -> ServiceResult<Value> {
    let read = |name: String| async move {
        services
            .storage
            .read_bytes(&format!("{prefix}/{name}"))
            .await
            .ok()
            .flatten()
            .and_then(|b| String::from_utf8(b).ok())
    };
    let manifest: Value = read("manifest.json".into())
        .await
        .and_then(|text| serde_json::from_str(&text).ok())
        .ok_or_else(|| ApiError::unavailable("STORAGE_ERROR", "the published manifest could not be read back"))?;
    let id = &job.id;
    let mut result = json!({
        "kind": job.request.kind,
        "processing_time": (seconds * 1000.0).round() / 1000.0,
        "manifest": format!("/api/jobs/{id}/manifest"),
        "processed_video": null,
        "captions": null,
        "confidence_score": null,
        "clips": [],
    });
    match job.request.kind {
        JobKind::Clips => {
            let clips: Vec<Value> = manifest["clips"].as_array().cloned().unwrap_or_default();
            if let Some(top) = clips.first() {
                result["processed_video"] = top["outputs"][0]["path"].as_str().map(|p| file_url(id, p)).into();
                if let Some(srt) = top["captions"]["srt"].as_str() {
                    result["captions"] = read(srt.to_string()).await.into();
                }
                result["confidence_score"] =
                    top["score"]["total"].as_f64().map(|t| (t / 100.0 * 1000.0).round() / 1000.0).into();
            }
            result["clips"] = clips.iter().map(|clip| clip_summary(id, clip)).collect::<Vec<_>>().into();
        }
        JobKind::Captions | JobKind::Reframe | JobKind::Transcript | JobKind::Render => {
            if let Some(video) = manifest["video"].as_str() {
                result["processed_video"] = file_url(id, video).into();
            }
            if let Some(srt) = manifest["captions"]["srt"].as_str() {
                result["captions"] = read(srt.to_string()).await.into();
            }
            result["confidence_score"] = manifest["confidence"].clone();
        }
    }
    Ok(result)
}

fn clip_summary(id: &str, clip: &Value) -> Value {
    let url = |value: &Value| value.as_str().map(|name| file_url(id, name));
    let outputs: Vec<Value> = clip["outputs"]
        .as_array()
        .map(|outputs| {
            outputs
                .iter()
                .map(|o| json!({ "aspect": o["aspect"], "url": url(&o["path"]), "width": o["width"], "height": o["height"] }))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "id": clip["id"],
        "rank": clip["rank"],
        "start": clip["start"],
        "end": clip["end"],
        "duration": clip["duration"],
        "title": clip["title"],
        "score": clip["score"]["total"],
        "url": outputs.first().map(|o| o["url"].clone()),
        "outputs": outputs,
        "captions": { "srt": url(&clip["captions"]["srt"]), "vtt": url(&clip["captions"]["vtt"]) },
        "thumbnail": url(&clip["thumbnail"]),
    })
}
