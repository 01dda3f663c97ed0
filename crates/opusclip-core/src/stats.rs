//! Small statistics shared by the evaluations: percentiles of sorted samples.

/// The `fraction` (0..=1) percentile of non-empty, ascending `sorted`, interpolated linearly
/// between the two nearest ranks (numpy's default).
///
/// ```
/// assert_eq!(opusclip_core::stats::interpolated_percentile(&[0.0, 10.0], 0.25), 2.5);
/// ```
pub fn interpolated_percentile(sorted: &[f64], fraction: f64) -> f64 {
    let rank = fraction * (sorted.len() - 1) as f64;
    let (lower, upper) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower as f64)
}
