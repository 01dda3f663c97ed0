//! Signals computed from what `opusclip-media` decodes: audio levels and silences
//! ([`audio`]), loudness and energy peaks ([`loudness`]), shot cuts from consecutive frames
//! ([`shots`], [`adaptive`], [`detector`], with the [`flash`] filter), fades to and from black
//! ([`fades`]), scene-list export ([`scene_list`]), cut evaluation ([`evaluation`]), visual
//! change between key frames ([`keyframes`]), and frontal faces ([`faces`]). Each is a small
//! streaming consumer, so memory does not grow with the length of the video.

pub mod adaptive;
pub mod audio;
pub mod detector;
pub mod evaluation;
pub mod faces;
pub mod fades;
pub mod flash;
pub mod keyframes;
pub mod loudness;
pub mod scene_list;
pub mod shots;

/// A gray picture borrowed from the decoder: `width * height` bytes, row by row.
#[derive(Debug, Clone, Copy)]
pub struct GrayView<'a> {
    pub width: u32,
    pub height: u32,
    pub data: &'a [u8],
}

/// A small picture borrowed from the decoder in planar YUV 4:2:0: the luma plane
/// (`width * height` bytes, row by row) and the two chroma planes at half size each way
/// (`(width / 2) * (height / 2)` bytes each, rounded as the decoder rounds them).
#[derive(Debug, Clone, Copy)]
pub struct YuvView<'a> {
    pub width: u32,
    pub height: u32,
    /// Luma plane (Y).
    pub y: &'a [u8],
    /// Blue-difference chroma plane (Cb).
    pub u: &'a [u8],
    /// Red-difference chroma plane (Cr).
    pub v: &'a [u8],
}

impl<'a> YuvView<'a> {
    /// The luma plane alone, as a gray picture.
    pub fn luma(&self) -> GrayView<'a> {
        GrayView { width: self.width, height: self.height, data: self.y }
    }
}

/// A luma change larger than this (0–255) is the picture changing, not coding noise between two
/// decodes of the same image (on downscaled pictures, where the scaling averages the noise away).
pub const CHANGED_PIXEL: u8 = 12;

/// Share of the pixels of two same-sized pictures that differ by more than [`CHANGED_PIXEL`]
/// (0 when the sizes differ).
pub fn changed_share(a: &[u8], b: &[u8]) -> f32 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let changed = a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > CHANGED_PIXEL).count();
    changed as f32 / a.len() as f32
}

/// Mean absolute difference of two equally sized gray pictures, 0..255.
pub fn mean_abs_diff(a: &[u8], b: &[u8]) -> f32 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let total: u64 = a.iter().zip(b).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    total as f32 / a.len() as f32
}

#[cfg(test)]
mod tests {
    #[test]
    fn mean_abs_diff_of_constant_pictures() {
        assert_eq!(super::mean_abs_diff(&[10, 10], &[30, 0]), 15.0);
        assert_eq!(super::mean_abs_diff(&[1, 2], &[1]), 0.0);
    }

    #[test]
    fn changed_share_counts_only_changes_past_coding_noise() {
        // A small tile moving over a still slide: 2 of 20 pixels change a lot, 3 by noise.
        let slide = [230u8; 20];
        let mut tile = slide;
        tile[..2].fill(90);
        tile[2..5].fill(222);
        assert_eq!(super::changed_share(&slide, &tile), 0.1);
        assert_eq!(super::changed_share(&slide, &slide), 0.0);
        assert_eq!(super::changed_share(&[1], &[]), 0.0);
    }
}
