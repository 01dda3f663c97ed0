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

/// The largest watermark image, pixels a side: the renderer decodes it once per frame.
pub const MAX_WATERMARK_SIDE: u32 = 4096;

/// What the brand parts of a form turned out to be: the file extension each is kept under.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BrandKinds {
    pub watermark: Option<&'static str>,
    pub font: Option<&'static str>,
}

/// Refuses a `watermark` part that is not a PNG or JPEG image of at most
/// [`MAX_WATERMARK_SIDE`] pixels a side, or a `font` part that is not a TrueType/OpenType font
/// whose family can be read; the message names the part, not the path. Says what each is.
pub async fn check_brand_files(form: &JobForm) -> ServiceResult<BrandKinds> {
    let mut problems = Vec::new();
    let mut kinds = BrandKinds::default();
    if let Some(image) = &form.watermark {
        let bytes = tokio::fs::read(&image.path).await.map_err(|e| ApiError::server_io("read", &image.path, e))?;
        match picture_kind_and_size(&bytes) {
            None => problems.push("the `watermark` part is not a PNG or JPEG image".to_string()),
            Some((_, (width, height))) if width.max(height) > MAX_WATERMARK_SIDE || width == 0 || height == 0 => {
                problems.push(format!(
                    "the `watermark` image is {width}x{height} pixels: send one at most {MAX_WATERMARK_SIDE} a side \
                     (a logo a few hundred pixels wide is plenty)"
                ))
            }
            Some((kind, _)) => kinds.watermark = Some(kind),
        }
    }
    if let Some(font) = &form.font {
        let head = read_head(&font.path).await?;
        let style = opusclip_core::CaptionStyle {
            font_file: Some(font.path.display().to_string()),
            ..opusclip_core::CaptionStyle::default()
        };
        let read = tokio::task::spawn_blocking(move || opusclip_pipeline::fonts::style_font(&style))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?;
        match (read, head.get(..4)) {
            (Ok(_), Some(b"OTTO")) => kinds.font = Some("otf"),
            (Ok(_), Some([0, 1, 0, 0] | b"true")) => kinds.font = Some("ttf"),
            _ => problems.push("the `font` part is not a TrueType or OpenType font file (.ttf, .otf)".to_string()),
        }
    }
    if problems.is_empty() {
        Ok(kinds)
    } else {
        Err(ApiError::invalid(problems.join("; ")).with_details(json!({ "problems": problems })))
    }
}

/// `png` or `jpg` and the picture's (width, height), from the file's own header.
fn picture_kind_and_size(bytes: &[u8]) -> Option<(&'static str, (u32, u32))> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR") {
        let number = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
        return Some(("png", (number(16)?, number(20)?)));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    // JPEG: walk the marker segments to the first start-of-frame, which holds the size.
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let start_of_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if start_of_frame {
            let size = |from: usize| Some(u32::from(u16::from_be_bytes(bytes.get(from..from + 2)?.try_into().ok()?)));
            return Some(("jpg", (size(at + 7)?, size(at + 5)?)));
        }
        at += 2 + length;
    }
    None
}

async fn read_head(path: &Path) -> ServiceResult<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await.map_err(|e| ApiError::server_io("open", path, e))?;
    let mut head = vec![0u8; 16];
    let read = file.read(&mut head).await.map_err(|e| ApiError::server_io("read", path, e))?;
    head.truncate(read);
    Ok(head)
}

/// Where job `id` keeps a spooled brand file named `stem` (`watermark`, `font`) of `kind` (the
/// extension its content showed, never the client's file name), with its hash.
pub fn stored_file(id: &str, stem: &str, file: &Option<SpooledFile>, kind: Option<&str>) -> Option<StoredFile> {
    let (file, kind) = (file.as_ref()?, kind?);
    Some(StoredFile { key: format!("jobs/{id}/input/{stem}.{kind}"), sha256: file.sha256.clone() })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pictures_kind_and_size_come_from_its_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&200u32.to_be_bytes());
        png.extend_from_slice(&100u32.to_be_bytes());
        assert_eq!(picture_kind_and_size(&png), Some(("png", (200, 100))));
        // SOI, an APP0 segment of 16 bytes, then SOF0: length 17, precision 8, height 480, width 640.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend_from_slice(&[0u8; 14]);
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80]);
        assert_eq!(picture_kind_and_size(&jpeg), Some(("jpg", (640, 480))));
        assert_eq!(picture_kind_and_size(b"GIF89a...."), None);
        assert_eq!(picture_kind_and_size(&[0xFF, 0xD8, 0x00]), None, "a broken JPEG");
    }
}
