//! Finding the caption font on disk, so line breaks are measured with the glyphs libass draws.

use opusclip_captions::{ApproxMetrics, FontMetrics, TextMeasure};
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
