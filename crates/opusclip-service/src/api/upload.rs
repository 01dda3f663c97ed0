//! Reading the multipart form of `POST /api/jobs`: the `file` part is streamed to a spool file
//! chunk by chunk (never held in memory) under a size cap, the `transcript`, `watermark` (an
//! image) and `font` parts likewise with small caps, each at most once, and every other part is an
//! option of `opusclip clip` by the same name, capped in size, count and total. Client file names never reach the file system; only a
//! sanitised extension is kept.

use super::TRANSCRIPT_LIMIT;
use crate::error::ApiError;
use crate::request::ClipRequest;
use crate::util::{random_hex, safe_extension};
use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::http::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// A file part written to the spool.
#[derive(Debug)]
pub struct SpooledFile {
    pub path: PathBuf,
    pub filename: Option<String>,
    pub extension: Option<String>,
    pub sha256: String,
}

/// Everything the form said.
#[derive(Debug, Default)]
pub struct JobForm {
    pub file: Option<SpooledFile>,
    pub transcript: Option<SpooledFile>,
    /// A watermark image (a brand template's `[watermark]`, or alone).
    pub watermark: Option<SpooledFile>,
    /// A caption font (a brand template's `font_file`, or alone).
    pub font: Option<SpooledFile>,
    pub url: Option<String>,
    pub webhook_url: Option<String>,
    pub fields: ClipRequest,
}

impl JobForm {
    /// Remove spooled files (the request was refused).
    pub async fn discard(&self) {
        for file in [&self.file, &self.transcript, &self.watermark, &self.font].into_iter().flatten() {
            tokio::fs::remove_file(&file.path).await.ok();
        }
    }
}

/// Largest watermark image, bytes.
pub const WATERMARK_LIMIT: u64 = 5 * 1024 * 1024;
/// Largest caption font file, bytes.
pub const FONT_LIMIT: u64 = 20 * 1024 * 1024;

/// Largest text field (any part but the files), bytes.
pub const TEXT_FIELD_LIMIT: usize = 64 * 1024;
/// Most text fields in one form.
pub const TEXT_FIELD_COUNT_LIMIT: usize = 64;
/// Largest sum of a form's text fields, bytes.
pub const TEXT_TOTAL_LIMIT: usize = 256 * 1024;

/// Read the whole form; on any refusal the spooled files are removed.
pub async fn read_form(mut multipart: Multipart, spool: &Path, max_upload: u64) -> Result<JobForm, ApiError> {
    let mut form = JobForm::default();
    let mut problems = Vec::new();
    if let Err(error) = read_parts(&mut multipart, &mut form, &mut problems, spool, max_upload).await {
        form.discard().await;
        return Err(error);
    }
    if !problems.is_empty() {
        form.discard().await;
        return Err(ApiError::invalid(problems.join("; ")).with_details(json!({ "problems": problems })));
    }
    Ok(form)
}

/// Each part in turn: files to the spool (one of each), text fields under the [`TextBudget`];
/// unknown or bad fields are collected in `problems`.
async fn read_parts(
    multipart: &mut Multipart,
    form: &mut JobForm,
    problems: &mut Vec<String>,
    spool: &Path,
    max_upload: u64,
) -> Result<(), ApiError> {
    let mut budget = TextBudget::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        let (slot, cap, what) = match name.as_str() {
            "file" => (&mut form.file, max_upload, "the uploaded file"),
            "transcript" => (&mut form.transcript, TRANSCRIPT_LIMIT, "the transcript"),
            "watermark" => (&mut form.watermark, WATERMARK_LIMIT, "the watermark image"),
            "font" => (&mut form.font, FONT_LIMIT, "the font file"),
            _ => {
                budget.start_field()?;
                let value = text_of(field, &name, &mut budget).await?;
                if let Err(problem) = set_field(form, &name, value.trim()) {
                    problems.push(problem);
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(ApiError::bad_request(format!("the form has more than one `{name}` part: send one"))
                .with_details(json!({ "field": name })));
        }
        *slot = Some(spool_field(field, spool, cap, what).await?);
    }
    Ok(())
}

/// What a form's text fields have used: each field, their count and their sum are capped, and
/// every chunk is checked before it is kept, so an over-limit form is refused as soon as the
/// limit is passed rather than after it is read.
#[derive(Debug, Default)]
struct TextBudget {
    fields: usize,
    bytes: usize,
}

impl TextBudget {
    /// Count one more text field.
    fn start_field(&mut self) -> Result<(), ApiError> {
        self.fields += 1;
        if self.fields > TEXT_FIELD_COUNT_LIMIT {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the form has more than {TEXT_FIELD_COUNT_LIMIT} text fields"),
            )
            .with_details(json!({ "limit_fields": TEXT_FIELD_COUNT_LIMIT })));
        }
        Ok(())
    }

    /// Count `chunk` more bytes of the field `name`, which holds `held` bytes so far.
    fn take(&mut self, name: &str, held: usize, chunk: usize) -> Result<(), ApiError> {
        if held + chunk > TEXT_FIELD_LIMIT {
            let mut error = ApiError::too_large(TEXT_FIELD_LIMIT as u64, &format!("the field {name:?}"));
            error.details["field"] = json!(name);
            return Err(error);
        }
        self.bytes += chunk;
        if self.bytes > TEXT_TOTAL_LIMIT {
            return Err(ApiError::too_large(TEXT_TOTAL_LIMIT as u64, "the form's text fields together"));
        }
        Ok(())
    }
}

fn multipart_error(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "the request body is too large");
    }
    ApiError::bad_request(format!("the multipart form could not be read: {}", error.body_text()))
}

async fn text_of(mut field: Field<'_>, name: &str, budget: &mut TextBudget) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if let Err(error) = budget.take(name, bytes.len(), chunk.len()) {
            drain(&mut field, (bytes.len() + chunk.len()) as u64).await;
            return Err(error);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::invalid(format!("the field {name:?} is not UTF-8 text")))
}

/// Write a file part to a fresh spool file, hashing as it goes.
async fn spool_field(mut field: Field<'_>, spool: &Path, cap: u64, what: &str) -> Result<SpooledFile, ApiError> {
    let filename = field.file_name().map(str::to_string);
    let extension = filename.as_deref().and_then(safe_extension);
    let path = spool.join(format!("upload-{}", random_hex(12)));
    let mut file = tokio::fs::File::create(&path).await.map_err(|e| ApiError::server_io("create", &path, e))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let written = async {
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            size += chunk.len() as u64;
            if size > cap {
                drain(&mut field, size).await;
                return Err(ApiError::too_large(cap, what));
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(|e| ApiError::server_io("write", &path, e))?;
        }
        file.flush().await.map_err(|e| ApiError::server_io("write", &path, e))?;
        Ok(())
    }
    .await;
    if let Err(error) = written {
        drop(file);
        tokio::fs::remove_file(&path).await.ok();
        return Err(error);
    }
    if size == 0 {
        tokio::fs::remove_file(&path).await.ok();
        return Err(ApiError::invalid(format!("{what} is empty")));
    }
    Ok(SpooledFile { path, filename, extension, sha256: crate::util::hex(&hasher.finalize()) })
}

/// Read and drop the rest of an over-limit part (up to [`super::DRAIN_LIMIT`]), so the client
/// gets the 413 rather than a connection reset mid-send.
async fn drain(field: &mut Field<'_>, mut read: u64) {
    while read <= super::DRAIN_LIMIT {
        match field.chunk().await {
            Ok(Some(chunk)) => read += chunk.len() as u64,
            _ => return,
        }
    }
}

/// A yes/no field: `1`, `true`, `yes` or `on` is yes.
fn on(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("{name} must be a number, got {value:?}"))
}

/// One text field of the form, by the option names of `opusclip clip`.
fn set_field(form: &mut JobForm, name: &str, value: &str) -> Result<(), String> {
    let fields = &mut form.fields;
    match name {
        "url" => form.url = Some(value.to_string()),
        "webhook_url" => form.webhook_url = Some(value.to_string()).filter(|v| !v.is_empty()),
        "clips" => fields.clips = parse(name, value)?,
        "min" => fields.min = parse(name, value)?,
        "max" => fields.max = parse(name, value)?,
        "length" => fields.length.push(value.to_string()),
        "aspect" => fields.aspect.push(value.to_string()),
        "range" => fields.range = Some(value.to_string()).filter(|v| !v.is_empty()),
        "prompt" => fields.prompt = Some(value.to_string()).filter(|v| !v.is_empty()),
        "language" => fields.language = Some(value.to_string()).filter(|v| !v.is_empty()),
        "vocabulary" => fields.vocabulary = Some(value.to_string()).filter(|v| !v.trim().is_empty()),
        "censor" => {
            fields.censor = Some(value.to_string()).filter(|v| !matches!(v.trim(), "0" | "false" | "no" | "off"))
        }
        "no_captions" => fields.no_captions = on(value),
        "caption_style" => fields.caption_style = Some(value.to_ascii_lowercase()).filter(|v| !v.is_empty()),
        "caption_position" => fields.caption_position = Some(value.to_ascii_lowercase()).filter(|v| !v.is_empty()),
        "loudness" => fields.loudness = Some(value.to_ascii_lowercase()).filter(|v| !v.is_empty()),
        "template" => fields.template = Some(value.to_string()).filter(|v| !v.trim().is_empty()),
        "cut_pauses" => {
            let seconds = value.trim();
            fields.cut_pauses = match seconds {
                "" | "0" | "false" | "no" | "off" => None,
                "1" | "true" | "yes" | "on" => Some(opusclip_pipeline::request::DEFAULT_PAUSE_SECONDS),
                number => Some(parse(name, number)?),
            }
        }
        "cut_fillers" => fields.cut_fillers = on(value),
        "tight" => fields.tight = on(value),
        "emoji" => fields.emoji = on(value),
        "layout" => fields.layout = Some(value.to_ascii_lowercase()).filter(|v| !v.is_empty()),
        "llm" => {
            fields.llm = match value.to_ascii_lowercase().as_str() {
                "" | "auto" => None,
                "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => return Err(format!("llm must be true, false or auto, got {value:?}")),
            }
        }
        other => {
            return Err(format!(
                "unknown field {other:?}: the form takes file, url, transcript, watermark, font, clips, min, max, \
                 length, aspect, range, prompt, language, vocabulary, censor, caption_style, caption_position, \
                 loudness, template, layout, emoji, cut_pauses, cut_fillers, tight, llm, no_captions, webhook_url"
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_like_the_cli_options() {
        let mut form = JobForm::default();
        set_field(&mut form, "clips", "3").unwrap();
        set_field(&mut form, "aspect", "1:1").unwrap();
        set_field(&mut form, "aspect", "9:16").unwrap();
        set_field(&mut form, "length", "15-30").unwrap();
        assert_eq!(form.fields.clips, 3);
        assert_eq!(form.fields.aspect, ["1:1", "9:16"]);
        assert!(set_field(&mut form, "clips", "many").unwrap_err().contains("clips must be a number"));
        assert!(set_field(&mut form, "whisper_model", "/etc/passwd").unwrap_err().contains("unknown field"));
        set_field(&mut form, "cut_pauses", "on").unwrap();
        set_field(&mut form, "cut_fillers", "on").unwrap();
        assert_eq!((form.fields.cut_pauses, form.fields.cut_fillers), (Some(0.5), true));
        for (name, value) in [("layout", "Three"), ("emoji", "on"), ("tight", "yes"), ("llm", "off")] {
            set_field(&mut form, name, value).unwrap();
        }
        let fields = &form.fields;
        assert_eq!(
            (fields.layout.as_deref(), fields.emoji, fields.tight, fields.llm),
            (Some("three"), true, true, Some(false))
        );
        set_field(&mut form, "cut_pauses", "0.8").unwrap();
        assert_eq!(form.fields.cut_pauses, Some(0.8));
        assert!(set_field(&mut form, "cut_pauses", "long").unwrap_err().contains("cut_pauses must be a number"));
    }

    #[test]
    fn text_fields_are_capped_before_a_chunk_is_kept() {
        let mut budget = TextBudget::default();
        budget.start_field().unwrap();
        let one = budget.take("prompt", 0, TEXT_FIELD_LIMIT + 1).unwrap_err();
        assert_eq!((one.status.as_u16(), one.details["field"].as_str()), (413, Some("prompt")));
        assert_eq!(budget.bytes, 0, "the refused chunk is not counted as kept");

        let mut budget = TextBudget::default();
        for _ in 0..4 {
            budget.start_field().unwrap();
            budget.take("prompt", 0, TEXT_TOTAL_LIMIT / 4).unwrap();
        }
        budget.start_field().unwrap();
        let total = budget.take("prompt", 0, 1).unwrap_err();
        assert_eq!(
            (total.status.as_u16(), total.details["limit_bytes"].as_u64()),
            (413, Some(TEXT_TOTAL_LIMIT as u64))
        );

        let mut budget = TextBudget::default();
        for _ in 0..TEXT_FIELD_COUNT_LIMIT {
            budget.start_field().unwrap();
        }
        let count = budget.start_field().unwrap_err();
        assert_eq!((count.code, count.details["limit_fields"].as_u64()), ("PAYLOAD_TOO_LARGE", Some(64)));
    }
}
