//! The parts of a creator's brand a clip carries beside its caption look: how the spoken word
//! is animated, and a watermark (a logo image in a corner). Written into each `ClipSpec`, so a
//! re-render keeps them.

use serde::{Deserialize, Serialize};

/// How the spoken word is marked in burned-in captions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptionAnimation {
    /// Coloured and enlarged at once.
    #[default]
    None,
    /// Coloured at once, growing to its enlarged size over the first 80 ms.
    Pop,
    /// Coloured, and the page's words already spoken keep the colour: the line fills as it is
    /// read.
    Karaoke,
}

impl CaptionAnimation {
    pub const ALL: [CaptionAnimation; 3] = [CaptionAnimation::None, CaptionAnimation::Pop, CaptionAnimation::Karaoke];

    /// As written in templates and JSON.
    pub fn label(self) -> &'static str {
        match self {
            CaptionAnimation::None => "none",
            CaptionAnimation::Pop => "pop",
            CaptionAnimation::Karaoke => "karaoke",
        }
    }
}

/// A corner of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    TopLeft,
    #[default]
    TopRight,
    BottomLeft,
    BottomRight,
}

/// The shares of an output's width (each side) and height (top and bottom) that the platforms
/// draw over: a full-screen vertical frame (at least 3:2 tall) loses 20 % at the top and bottom
/// to tabs, buttons and descriptions; feeds and players (1:1, 4:5, 16:9) only a thin 8 % strip.
/// Captions and watermarks stay inside.
pub fn platform_margins(width: u32, height: u32) -> (f64, f64) {
    let vertical = if f64::from(height) >= 1.5 * f64::from(width) { 0.20 } else { 0.08 };
    (0.10, vertical)
}

/// A logo laid over every output of a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watermark {
    /// The image (PNG with transparency, or JPEG), as a path.
    pub image: String,
    #[serde(default)]
    pub corner: Corner,
    /// Its width as a share of the output's width (0.03–0.5).
    #[serde(default = "default_watermark_width")]
    pub width: f64,
    /// 0 (invisible) to 1 (opaque).
    #[serde(default = "default_watermark_opacity")]
    pub opacity: f64,
}

/// Share of the output width a watermark takes when the template does not say.
pub const DEFAULT_WATERMARK_WIDTH: f64 = 0.15;
/// A watermark's opacity when the template does not say.
pub const DEFAULT_WATERMARK_OPACITY: f64 = 0.85;
/// The margin between a watermark and the output's edges, as a share of the output width.
pub const WATERMARK_MARGIN: f64 = 0.04;

fn default_watermark_width() -> f64 {
    DEFAULT_WATERMARK_WIDTH
}

fn default_watermark_opacity() -> f64 {
    DEFAULT_WATERMARK_OPACITY
}

impl Watermark {
    /// The box (x, y, width, height in output pixels) the watermark may take on a `width` x
    /// `height` output: its width share, inside the platform margins, in its corner; its
    /// height taken as at most its width (a logo taller than wide is drawn taller).
    pub fn area(&self, width: u32, height: u32) -> (f64, f64, f64, f64) {
        let (side, vertical) = platform_margins(width, height);
        let (width, height) = (f64::from(width), f64::from(height));
        let size = (width * self.width).round();
        let (x_margin, y_margin) = ((width * side).round(), (height * vertical).round());
        let x = match self.corner {
            Corner::TopLeft | Corner::BottomLeft => x_margin,
            Corner::TopRight | Corner::BottomRight => width - x_margin - size,
        };
        let y = match self.corner {
            Corner::TopLeft | Corner::TopRight => y_margin,
            Corner::BottomLeft | Corner::BottomRight => height - y_margin - size,
        };
        (x, y, size, size)
    }

    /// Refuses a width or opacity out of range, naming the field.
    pub fn check(&self) -> crate::Result<()> {
        if !(self.width.is_finite() && (0.03..=0.5).contains(&self.width)) {
            return Err(crate::Error::invalid_input(format!(
                "watermark width {}: give a share of the output width from 0.03 to 0.5",
                self.width
            )));
        }
        if !(self.opacity.is_finite() && (0.0..=1.0).contains(&self.opacity)) {
            return Err(crate::Error::invalid_input(format!(
                "watermark opacity {}: give 0 (invisible) to 1 (opaque)",
                self.opacity
            )));
        }
        if self.image.trim().is_empty() {
            return Err(crate::Error::invalid_input("watermark: name its image file"));
        }
        Ok(())
    }
}
