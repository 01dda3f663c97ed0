//! Signals computed from what `opusclip-media` decodes: audio levels and silences
//! ([`audio`]), shot cuts from consecutive frames ([`shots`]), visual change between key
//! frames ([`keyframes`]), and frontal faces ([`faces`]). Each is a small streaming consumer,
//! so memory does not grow with the length of the video.

pub mod audio;
pub mod faces;
pub mod keyframes;
pub mod shots;

/// A gray picture borrowed from the decoder: `width * height` bytes, row by row.
#[derive(Debug, Clone, Copy)]
pub struct GrayView<'a> {
    pub width: u32,
    pub height: u32,
    pub data: &'a [u8],
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
}
