//! Finding the caption font on disk, so line breaks are measured with the glyphs libass draws.

use opusclip_captions::{ApproxMetrics, FontMetrics, TextMeasure};
use opusclip_core::{CaptionStyle, Error, Result};
use std::path::{Path, PathBuf};

const FONT_FILES: [&str; 2] = ["DejaVuSans-Bold.ttf", "DejaVuSans.ttf"];
const SYSTEM_DIRS: [&str; 3] =
    ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts"];

/// The font file captions are measured with: the user's font dir first, then the system's.
pub fn find_caption_font(font_dir: Option<&Path>) -> Option<PathBuf> {
    let dirs = font_dir.into_iter().map(Path::to_path_buf).chain(SYSTEM_DIRS.iter().map(PathBuf::from));
    for dir in dirs {
        for name in FONT_FILES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A caption style's own font file (a brand template's `font_file`): its family, the file, and
/// its metrics for line breaking.
pub struct StyleFont {
    pub family: String,
    pub file: PathBuf,
    pub metrics: FontMetrics,
}

impl StyleFont {
    /// Copies the font alone into `dir/fonts` and returns that folder, for the renderer to look
    /// in: libass loads every file of its fonts folder, and the font's own folder may hold
    /// anything (a template's folder, a job's video).
    pub fn folder_of_its_own(&self, dir: &Path) -> Result<PathBuf> {
        let fonts = dir.join("fonts");
        std::fs::create_dir_all(&fonts).map_err(|e| Error::io("create", &fonts, e))?;
        let name = self.file.file_name().map_or_else(|| "font.ttf".into(), |name| name.to_os_string());
        let copy = fonts.join(name);
        std::fs::copy(&self.file, &copy).map_err(|e| Error::io("copy the caption font to", &copy, e))?;
        Ok(fonts)
    }
}

/// The font file `style` names, read; `None` when it names none. A file that is gone or is not a
/// font is refused naming it.
pub fn style_font(style: &CaptionStyle) -> Result<Option<StyleFont>> {
    let Some(file) = style.font_file.as_deref() else { return Ok(None) };
    let path = Path::new(file);
    let refuse = |problem: String| {
        Error::invalid_input(format!(
            "caption_style.font_file {file}: {problem}; put the font back or remove font_file from the spec"
        ))
    };
    let bytes = std::fs::read(path).map_err(|e| refuse(format!("cannot be read ({e})")))?;
    let family = FontMetrics::family_name(&bytes).map_err(|e| refuse(e.to_string()))?;
    let metrics = FontMetrics::from_ttf_bytes(&bytes).map_err(|e| refuse(e.to_string()))?;
    Ok(Some(StyleFont { family, file: path.to_path_buf(), metrics }))
}

/// Metrics of the caption font, or a built-in approximation when no font file is found.
pub fn caption_measure(font_dir: Option<&Path>) -> Box<dyn TextMeasure> {
    if let Some(path) = find_caption_font(font_dir) {
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok(metrics) = FontMetrics::from_ttf_bytes(&bytes) {
                return Box::new(metrics);
            }
        }
        tracing::warn!(font = %path.display(), "caption font unreadable; measuring with an approximation");
    }
    Box::new(ApproxMetrics)
}
