//! `POST /api/jobs` (upload or URL, with the options of `opusclip clip`), `GET /api/jobs` (this
//! key's jobs), `GET /api/jobs/{id}`, `DELETE /api/jobs/{id}`, `GET /api/jobs/{id}/manifest`
//! (with signed download links) and `POST /api/jobs/{id}/render`.

use super::upload::{read_form, JobForm};
use super::Caller;
use crate::error::{ApiError, ServiceResult};
use crate::jobs::{Inserted, Job, JobState, NewJob};
use crate::request::{JobKind, JobRequest, JobSource, RequestFiles};
use crate::state::Services;
use crate::views::job_view;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

/// The `Idempotency-Key` header: 1–200 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> ServiceResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let text = value.to_str().unwrap_or_default().trim();
    if text.is_empty() || text.len() > 200 || !text.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::invalid("Idempotency-Key must be 1-200 visible ASCII characters"));
    }
    Ok(Some(text.to_string()))
}

/// Check the options, URLs and webhook of a request before it is accepted; `url_field` is the
/// name the client gave the video URL (`url` in the form, `video_url` in JSON).
pub async fn check_request(
    services: &Services,
    request: &JobRequest,
    files: RequestFiles,
    url_field: &str,
) -> ServiceResult<()> {
    crate::request::clip_options(&request.clip, &services.config.settings, files)?;
    if let JobSource::Url { url } = &request.source {
        crate::ssrf::check_url(url, url_field, &services.url_policy).await?;
    }
    if let Some(webhook) = &request.webhook_url {
        if services.config.webhook_secret.is_none() {
            return Err(ApiError::invalid(
                "webhook_url needs the server to have WEBHOOK_SECRET set (deliveries are signed with it)",
            ));
        }
        crate::ssrf::check_url(webhook, "webhook_url", &services.url_policy).await?;
    }
    Ok(())
}

/// Queue a checked request; `202` with the job, or `200` with the earlier job of the same
/// idempotency key.
pub async fn submit(
    services: &Services,
    caller: &Caller,
    id: String,
    request: JobRequest,
    idempotency_key: Option<String>,
    request_hash: String,
) -> ServiceResult<(StatusCode, Job)> {
    let new_job = NewJob {
        id,
        request,
        owner_key: caller.key_id.clone(),
        idempotency_key,
        request_hash,
        max_attempts: services.config.max_attempts,
    };
    match services.jobs.insert(new_job).await? {
        Inserted::Created(job) => Ok((StatusCode::ACCEPTED, *job)),
        Inserted::Existing(job) => Ok((StatusCode::OK, *job)),
    }
}

/// A job answer with a `Location` header.
pub fn job_response(status: StatusCode, body: Value, id: &str) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/jobs/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `POST /api/jobs`: a clip job from an upload (`file`) or a URL (`url`).
#[utoipa::path(post, path = "/api/jobs", tag = "jobs",
    request_body(content = crate::api::openapi::JobForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe submission: the same key and request answer the first job")),
    responses(
        (status = 202, description = "Accepted and queued", body = crate::api::openapi::JobStatus),
        (status = 200, description = "The job an earlier request with this Idempotency-Key made", body = crate::api::openapi::JobStatus),
        (status = 400, description = "Not a multipart form", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "No valid API key", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "Idempotency-Key used for another request", body = crate::api::openapi::ErrorBody),
        (status = 413, description = "Upload over MAX_UPLOAD_BYTES", body = crate::api::openapi::ErrorBody),
        (status = 422, description = "Not a video, bad options, or a refused URL", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "Rate limited (Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn create(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_key(&headers)?;
    let multipart = multipart.map_err(|rejection| {
        ApiError::bad_request(format!("send a multipart/form-data body: {}", rejection.body_text()))
    })?;
    let spool = services.config.spool_dir();
    let form = read_form(multipart, &spool, services.config.max_upload_bytes)
        .await
        .map_err(|error| error.hiding_folder(&spool))?;
    let outcome = accept_form(&services, &caller, &form, idempotency).await;
    if outcome.is_err() {
        form.discard().await;
    }
    let (status, job) = outcome.map_err(|error| error.hiding_folder(&spool))?;
    Ok(job_response(status, job_view(&job), &job.id))
}

async fn accept_form(
    services: &Services,
    caller: &Caller,
    form: &JobForm,
    idempotency: Option<String>,
) -> ServiceResult<(StatusCode, Job)> {
    let id = crate::jobs::new_job_id();
    let (source, source_hash) = match (&form.file, &form.url) {
        (Some(_), Some(_)) => return Err(ApiError::invalid("send either a `file` part or a `url` field, not both")),
        (None, None) => return Err(ApiError::invalid("send the video as a `file` part or a `url` field")),
        (Some(file), None) => {
            let extension = file.extension.clone().map(|e| format!(".{e}")).unwrap_or_default();
            let key = format!("jobs/{id}/input/source{extension}");
            (JobSource::Upload { key, filename: file.filename.clone() }, file.sha256.clone())
        }
        (None, Some(url)) => (JobSource::Url { url: url.clone() }, url.clone()),
    };
    let brand = super::brand::check_brand_files(form).await?;
    let transcript_key = form.transcript.as_ref().map(|t| {
        let extension = t.extension.clone().unwrap_or_else(|| "srt".into());
        format!("jobs/{id}/input/transcript.{extension}")
    });
    let request = JobRequest {
        kind: JobKind::Clips,
        source,
        transcript_key,
        clip: form.fields.clone(),
        max_length: None,
        webhook_url: form.webhook_url.clone(),
        inline: false,
        spec: None,
        watermark: super::brand::stored_file(&id, "watermark", &form.watermark, brand.watermark),
        font: super::brand::stored_file(&id, "font", &form.font, brand.font),
    };
    let transcript = form.transcript.as_ref().map(|t| t.path.clone());
    check_request(services, &request, super::brand::form_files(form), "url").await.map_err(
        |error| match &transcript {
            Some(path) => error.hiding_file(path, "the transcript"),
            None => error,
        },
    )?;
    if let Some(file) = &form.file {
        crate::execute::check_content(services, &file.path)
            .await
            .map_err(|error| error.hiding_file(&file.path, "the uploaded file"))?;
    }
    let mut asked = json!({
        "source": source_hash,
        "transcript": form.transcript.as_ref().map(|t| t.sha256.clone()),
        "clip": request.clip,
        "webhook_url": request.webhook_url,
    });
    request.add_brand_hashes(&mut asked);
    let request_hash = crate::util::sha256_hex(asked.to_string().as_bytes());
    if let Err(error) = store_inputs(services, form, &request).await {
        let _ = services.storage.delete_prefix(&format!("jobs/{id}")).await;
        return Err(error);
    }
    let submitted = submit(services, caller, id.clone(), request, idempotency, request_hash).await;
    if !matches!(&submitted, Ok((StatusCode::ACCEPTED, _))) {
        // Refused, or an earlier job answers for this idempotency key: drop the stored inputs.
        let _ = services.storage.delete_prefix(&format!("jobs/{id}")).await;
    }
    submitted
}

/// Put the form's files where the request says they are kept.
async fn store_inputs(services: &Services, form: &JobForm, request: &JobRequest) -> ServiceResult<()> {
    if let (Some(file), JobSource::Upload { key, .. }) = (&form.file, &request.source) {
        services.storage.put_file(key, &file.path).await?;
    }
    let kept = [
        (&form.transcript, request.transcript_key.as_deref()),
        (&form.watermark, request.watermark.as_ref().map(|stored| stored.key.as_str())),
        (&form.font, request.font.as_ref().map(|stored| stored.key.as_str())),
    ];
    for (spooled, key) in kept {
        if let (Some(spooled), Some(key)) = (spooled, key) {
            services.storage.put_file(key, &spooled.path).await?;
        }
    }
    Ok(())
}

/// `GET /api/jobs/{id}`: state, stage, percent, ETA, error or result.
#[utoipa::path(get, path = "/api/jobs/{id}", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = crate::api::openapi::JobStatus), (status = 404, body = crate::api::openapi::ErrorBody), (status = 401, body = crate::api::openapi::ErrorBody)))]
pub async fn status(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = services.jobs.get_owned(&id, &caller.key_id).await?;
    Ok(Json(job_view(&job)))
}

/// `DELETE /api/jobs/{id}`: cancel it if it is still going, remove its files and record.
#[utoipa::path(delete, path = "/api/jobs/{id}", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = crate::api::openapi::ErrorBody)))]
pub async fn remove(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let job = services.jobs.get_owned(&id, &caller.key_id).await?;
    services.jobs.cancel(&job.id).await?;
    services.storage.delete_prefix(&format!("jobs/{}", job.id)).await?;
    services.jobs.delete(&job.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/jobs/{id}/cancel`: stop a queued or running job; its record stays, `canceled`.
#[utoipa::path(post, path = "/api/jobs/{id}/cancel", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "Canceled: the worker stops within about a second in any stage (the job's status)", body = crate::api::openapi::JobStatus),
        (status = 409, description = "The job has already ended (details.state)", body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody)))]
pub async fn cancel(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = services.jobs.get_owned(&id, &caller.key_id).await?;
    if !services.jobs.cancel(&job.id).await? {
        let state = job.state.as_str();
        return Err(ApiError::conflict(format!("job {id} is {state}; only a queued or running job can be canceled"))
            .with_details(json!({ "state": state })));
    }
    let job = services.jobs.get_owned(&id, &caller.key_id).await?;
    Ok(Json(job_view(&job)))
}

/// The job when it has succeeded; `409` naming its state otherwise.
pub async fn finished_job(services: &Services, caller: &Caller, id: &str) -> ServiceResult<Job> {
    let job = services.jobs.get_owned(id, &caller.key_id).await?;
    match job.state {
        JobState::Succeeded if job.output_prefix.is_some() => Ok(job),
        JobState::Failed => Err(ApiError::conflict(format!("job {id} failed; it has no outputs")).with_details(
            json!({ "state": "failed", "error": job.error.as_ref().map(|e| ApiError::from_stored(e).body()) }),
        )),
        state => {
            Err(ApiError::conflict(format!("job {id} is {}; outputs appear when it has succeeded", state.as_str()))
                .with_details(json!({ "state": state, "percent": job.percent })))
        }
    }
}

/// The published `manifest.json` of a finished job.
pub async fn stored_manifest(services: &Services, job: &Job) -> ServiceResult<Value> {
    let prefix = job.output_prefix.clone().unwrap_or_default();
    let bytes = services
        .storage
        .read_bytes(&format!("{prefix}/manifest.json"))
        .await?
        .ok_or_else(|| ApiError::unavailable("STORAGE_ERROR", "the job's manifest is missing from storage"))?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::internal(format!("stored manifest is not JSON: {e}")))
}

/// `GET /api/jobs/{id}/manifest`: the published manifest, with `files_url` to fetch its files
/// and signed links to each of them (`file_urls`, `caption_urls`, `archive_url`, `export_urls`).
#[utoipa::path(get, path = "/api/jobs/{id}/manifest", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "manifest.json of the run (clips, scores, files, stage timings), plus `files_url`; \
            `file_urls` (file name → signed link), `caption_urls` (clip id → {srt, vtt} signed links), `archive_url`, \
            `export_urls` (fcpxml, xmeml, otio, edl, srt → signed links to the whole job as one editing timeline), \
            `source_url` (the uploaded source, for the editor's preview) \
            and `links_expire_at` (Unix seconds): signed links open that one download without the key header, \
            for a `<video src>` or a download link, for an hour", body = Object),
        (status = 409, description = "The job has not succeeded (details.state)", body = crate::api::openapi::ErrorBody),
        (status = 404, body = crate::api::openapi::ErrorBody),
    ))]
pub async fn manifest(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = finished_job(&services, &caller, &id).await?;
    let mut manifest = stored_manifest(&services, &job).await?;
    let sign = |path: String| services.links.sign(&path, &caller.key_id);
    let file_urls: serde_json::Map<String, Value> = super::downloads::manifest_files(&manifest)
        .into_iter()
        .map(|name| {
            let link = sign(crate::execute::file_url(&id, &name));
            (name, json!(link))
        })
        .collect();
    let mut clip_ids: Vec<String> = manifest["clips"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect();
    if manifest["spec"].is_string() {
        clip_ids.push(manifest["id"].as_str().unwrap_or(crate::kinds::WHOLE_VIDEO_ID).to_string());
    }
    let caption_urls: serde_json::Map<String, Value> = clip_ids
        .into_iter()
        .filter(|clip| crate::util::is_plain_file_name(clip))
        .map(|clip| {
            let srt = sign(format!("/api/jobs/{id}/captions/{clip}.srt"));
            let vtt = sign(format!("/api/jobs/{id}/captions/{clip}.vtt"));
            (clip, json!({ "srt": srt, "vtt": vtt }))
        })
        .collect();
    manifest["files_url"] = json!(format!("/api/jobs/{id}/files/"));
    manifest["from_cache"] = json!(job.from_cache);
    manifest["file_urls"] = Value::Object(file_urls);
    manifest["caption_urls"] = Value::Object(caption_urls);
    manifest["archive_url"] = json!(sign(format!("/api/jobs/{id}/archive.zip")));
    if matches!(job.request.source, JobSource::Upload { .. }) {
        manifest["source_url"] = json!(sign(format!("/api/jobs/{id}/source")));
    }
    if manifest["clips"].as_array().is_some_and(|clips| !clips.is_empty()) {
        manifest["export_urls"] = Value::Object(super::export::export_links(&id, sign));
    }
    manifest["links_expire_at"] = json!(crate::util::now_ms() / 1000 + super::signed::LINK_TTL.as_secs() as i64);
    Ok(Json(manifest))
}

/// The query of `GET /api/jobs`.
#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    /// At most this many jobs (1–100, default 20).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub before: Option<String>,
}

/// What a person calls a job in a list: the uploaded file name or the URL, and for a render the
/// title of the edited clip.
fn job_name(job: &Job) -> String {
    let source = match &job.request.source {
        JobSource::Upload { filename, .. } => filename.clone().unwrap_or_else(|| "upload".into()),
        JobSource::Url { url } => url.clone(),
    };
    match (&job.request.kind, &job.request.spec) {
        (JobKind::Render, Some(spec)) if !spec.title.is_empty() => format!("{} (edited) — {source}", spec.title),
        (JobKind::Render, _) => format!("edited clip — {source}"),
        _ => source,
    }
}

/// `GET /api/jobs`: this key's jobs, newest first, a page at a time.
#[utoipa::path(get, path = "/api/jobs", tag = "jobs",
    params(("limit" = Option<u32>, Query, description = "Jobs per page, 1-100 (default 20)"),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page")),
    responses(
        (status = 200, description = "`{jobs: [job status + name], next}`; `next` is null on the last page", body = crate::api::openapi::JobList),
        (status = 401, body = crate::api::openapi::ErrorBody),
        (status = 422, description = "A bad limit or cursor", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn list(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    query: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let axum::extract::Query(query) = query.map_err(|e| ApiError::invalid(format!("bad query: {}", e.body_text())))?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit must be 1-100"));
    }
    let before = match query.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(cursor) => {
            let parsed = cursor.split_once('.').and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_string())));
            Some(parsed.ok_or_else(|| ApiError::invalid("before must be the `next` cursor of a previous page"))?)
        }
    };
    let mut jobs = services.jobs.list_owned(&caller.key_id, limit as usize + 1, before).await?;
    let next = if jobs.len() > limit as usize {
        jobs.truncate(limit as usize);
        jobs.last().map(|job| format!("{}.{}", job.created_at, job.id))
    } else {
        None
    };
    let views: Vec<Value> = jobs
        .iter()
        .map(|job| {
            let mut view = job_view(job);
            view["name"] = json!(job_name(job));
            view
        })
        .collect();
    Ok(Json(json!({ "jobs": views, "next": next })))
}

/// Upper bounds for an edited spec: output size per side, clip length, words.
const MAX_RENDER_SIDE: u32 = 4096;
const MAX_RENDER_SECONDS: f64 = 3600.0;
const MAX_RENDER_WORDS: usize = 100_000;

fn check_spec(spec: &opusclip_core::ClipSpec, parent: &JobRequest) -> ServiceResult<()> {
    let mut problems = Vec::new();
    if spec.outputs.is_empty() {
        problems.push("the spec has no outputs".to_string());
    }
    for output in &spec.outputs {
        if !(16..=MAX_RENDER_SIDE).contains(&output.width) || !(16..=MAX_RENDER_SIDE).contains(&output.height) {
            problems
                .push(format!("output {}x{} must be 16-{MAX_RENDER_SIDE} pixels a side", output.width, output.height));
        }
    }
    if !(spec.start >= 0.0 && spec.end > spec.start && spec.end - spec.start <= MAX_RENDER_SECONDS) {
        problems
            .push(format!("start {} and end {} must give 0 < length <= {MAX_RENDER_SECONDS} s", spec.start, spec.end));
    }
    if spec.words.len() > MAX_RENDER_WORDS {
        problems.push(format!("at most {MAX_RENDER_WORDS} words"));
    }
    if let Err(error) = opusclip_core::check_kept_ranges(spec) {
        problems.push(error.to_string());
    }
    // Paths on this server are not the caller's to name: only the parent job's own files.
    problems.extend(super::brand::spec_brand_problems(spec, parent));
    if let Some(Err(error)) = spec.watermark.as_ref().map(opusclip_core::Watermark::check) {
        problems.push(error.to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(problems.join("; ")).with_details(json!({ "problems": problems })))
    }
}

/// `POST /api/jobs/{id}/render`: render an edited `ClipSpec` (a `clip-NN.json` of the job, edited)
/// again from the job's source, as a new job.
#[utoipa::path(post, path = "/api/jobs/{id}/render", tag = "jobs", params(("id" = String, Path, description = "The job whose source to use")),
    request_body(content = Object, description = "An edited clip-NN.json (ClipSpec); its source.path is ignored"),
    responses(
        (status = 202, description = "The render job", body = crate::api::openapi::JobStatus),
        (status = 409, description = "The job has not succeeded", body = crate::api::openapi::ErrorBody),
        (status = 422, description = "The spec is not valid", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn render(
    State(services): State<Arc<Services>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let spec: opusclip_core::ClipSpec = super::json_body(&headers, body).await?;
    let idempotency = idempotency_key(&headers)?;
    let parent = finished_job(&services, &caller, &id).await?;
    check_spec(&spec, &parent.request)?;
    let request_hash =
        crate::util::sha256_hex(format!("{id}:{}", serde_json::to_string(&spec).unwrap_or_default()).as_bytes());
    let request = JobRequest {
        kind: JobKind::Render,
        source: parent.request.source.clone(),
        transcript_key: None,
        clip: parent.request.clip.clone(),
        max_length: None,
        webhook_url: None,
        inline: false,
        spec: Some(spec),
        watermark: parent.request.watermark.clone(),
        font: parent.request.font.clone(),
    };
    let (status, job) =
        submit(&services, &caller, crate::jobs::new_job_id(), request, idempotency, request_hash).await?;
    Ok(job_response(status, job_view(&job), &job.id))
}
