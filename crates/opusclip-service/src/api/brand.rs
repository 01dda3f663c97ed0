//! The brand files a job may bring beside its video — a watermark image (`watermark` part) and a
//! caption font (`font` part) — checked by their content when they arrive and kept in storage
//! beside the upload. A render of an edited spec may name a watermark or a font only as its
//! parent job's own files; a path on the server is never the caller's to name.

use super::upload::{JobForm, SpooledFile};
use crate::error::{ApiError, ServiceResult};
use crate::request::{JobRequest, RequestFiles, StoredFile};
use serde_json::json;
use std::path::Path;

/// The spooled files of `form` as paths on this machine.
pub fn form_files(form: &JobForm) -> RequestFiles {
    let path = |file: &Option<SpooledFile>| file.as_ref().map(|file| file.path.clone());
    RequestFiles { transcript: path(&form.transcript), watermark: path(&form.watermark), font: path(&form.font) }
}

/// Refuses a `watermark` part that is not a PNG or JPEG image, or a `font` part that is not a
/// TrueType/OpenType font whose family can be read; the message names the part, not the path.
pub async fn check_brand_files(form: &JobForm) -> ServiceResult<()> {
    let mut problems = Vec::new();
    if let Some(image) = &form.watermark {
        let head = read_head(&image.path).await?;
        let png = head.starts_with(b"\x89PNG\r\n\x1a\n");
        let jpeg = head.starts_with(&[0xFF, 0xD8, 0xFF]);
        if !png && !jpeg {
            problems.push("the `watermark` part is not a PNG or JPEG image".to_string());
        }
    }
    if let Some(font) = &form.font {
        let style = opusclip_core::CaptionStyle {
            font_file: Some(font.path.display().to_string()),
            ..opusclip_core::CaptionStyle::default()
        };
        let read = tokio::task::spawn_blocking(move || opusclip_pipeline::fonts::style_font(&style))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?;
        if read.is_err() {
            problems.push("the `font` part is not a TrueType or OpenType font file (.ttf, .otf)".to_string());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(problems.join("; ")).with_details(json!({ "problems": problems })))
    }
}

async fn read_head(path: &Path) -> ServiceResult<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await.map_err(|e| ApiError::server_io("open", path, e))?;
    let mut head = vec![0u8; 16];
    let read = file.read(&mut head).await.map_err(|e| ApiError::server_io("read", path, e))?;
    head.truncate(read);
    Ok(head)
}

/// Where job `id` keeps a spooled brand file named `stem` (`watermark`, `font`), with its hash.
pub fn stored_file(id: &str, stem: &str, file: &Option<SpooledFile>) -> Option<StoredFile> {
    let file = file.as_ref()?;
    let extension = file.extension.clone().map(|extension| format!(".{extension}")).unwrap_or_default();
    Some(StoredFile { key: format!("jobs/{id}/input/{stem}{extension}"), sha256: file.sha256.clone() })
}

/// Problems with the brand files an edited spec names, for a render of `parent`'s source: a
/// watermark or a font file is allowed only where the parent job brought one (the worker puts
/// the parent's file in its place).
pub fn spec_brand_problems(spec: &opusclip_core::ClipSpec, parent: &JobRequest) -> Vec<String> {
    let mut problems = Vec::new();
    if spec.watermark.is_some() && parent.watermark.is_none() {
        problems.push(
            "the spec has a watermark but its job was sent without a `watermark` image: remove it from the spec, or \
             send a new job with the image"
                .to_string(),
        );
    }
    if spec.caption_style.font_file.is_some() && parent.font.is_none() {
        problems.push(
            "the spec names a caption font file but its job was sent without a `font` file: remove font_file from \
             the spec, or send a new job with the font"
                .to_string(),
        );
    }
    problems
}
