//! The camera of one span (a shot, or the part of a shot between two speaker switches),
//! decided per axis like AutoFlip: **stationary** when the subject stays within a band (one
//! crop for the whole span, snapped to the centre when close: exactly zero motion), **pan**
//! when it crosses the frame in a straight line (a constant-speed move), **track** otherwise
//! (the L1-optimal path of [`crate::l1path`]: holds and straight moves, a dead zone and a
//! speed cap). Corners are eased afterwards.

use crate::geometry::Frame;
use crate::l1path::{optimal_axis_path, AxisLimits};
use crate::params::ReframeParams;
use crate::path::{ease, PathPoint};
use crate::target::{FramingPoint, TargetTimeline};

/// Longest spacing of the nodes the camera path is planned on, seconds.
const NODE_STEP: f64 = 0.1;
/// A pan needs a span at least this long, seconds (AutoFlip's `minimum_scene_span_sec_for_sweeping`).
const MIN_PAN_SECONDS: f64 = 1.0;
/// Share of the framing points a pan line must pass within the dead zone.
const PAN_FIT_QUANTILE: f64 = 0.9;
/// The stationary band is measured between these quantiles of the framing points, so a few
/// stray ones do not spoil a still shot.
const BAND_QUANTILES: (f64, f64) = (0.05, 0.95);

/// How the camera moves along one axis during a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CameraMode {
    /// One position for the whole span.
    Stationary,
    /// A constant-speed move from one side to the other.
    Pan,
    /// Holds and moves that follow the subject.
    Track,
}

/// The planned camera of one span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpanPath {
    /// Window centres at equally spaced times from the span's start to its end.
    pub points: Vec<PathPoint>,
    pub horizontal: CameraMode,
    pub vertical: CameraMode,
}

/// One axis of the frame as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Axis {
    /// Crop width (or height): distances in the parameters are fractions of it.
    extent: f64,
    /// The range the window centre may take.
    bounds: (f64, f64),
    /// The frame's centre on this axis.
    centre: f64,
}

/// Plan the camera over `[start, end]` (source seconds) for the framing points of its
/// subject (in time order; none seen: the centred window).
pub(crate) fn plan_span(
    start: f64,
    end: f64,
    points: &[FramingPoint],
    frame: &Frame,
    params: &ReframeParams,
) -> SpanPath {
    let times = node_times(start, end);
    let mut timeline = TargetTimeline::new(points, frame, params.hold_after_loss);
    let targets: Vec<Option<(f64, f64)>> = times.iter().map(|t| timeline.at(*t)).collect();
    let (centre_x, centre_y) = frame.centre();
    let horizontal = Axis { extent: frame.crop_width, bounds: frame.centre_range_x(), centre: centre_x };
    let vertical = Axis { extent: frame.crop_height, bounds: frame.centre_range_y(), centre: centre_y };
    let (xs, horizontal_mode) =
        plan_axis(&times, &targets.iter().map(|t| t.map(|c| c.0)).collect::<Vec<_>>(), &horizontal, params);
    let (ys, vertical_mode) =
        plan_axis(&times, &targets.iter().map(|t| t.map(|c| c.1)).collect::<Vec<_>>(), &vertical, params);
    let step = if times.len() > 1 { times[1] - times[0] } else { NODE_STEP };
    let half_width = (params.smoothing / (4.0 * step)).round() as usize;
    let (xs, ys) = (ease(&xs, half_width), ease(&ys, half_width));
    let points = times.iter().zip(xs.iter().zip(&ys)).map(|(&t, (&x, &y))| PathPoint { t, x, y }).collect();
    SpanPath { points, horizontal: horizontal_mode, vertical: vertical_mode }
}

/// Equally spaced times from `start` to `end`, both included, at most [`NODE_STEP`] apart
/// (a single time for an empty span).
fn node_times(start: f64, end: f64) -> Vec<f64> {
    let duration = end - start;
    if duration.is_nan() || duration <= 0.0 {
        return vec![start];
    }
    let steps = (duration / NODE_STEP - 1e-9).ceil().max(1.0) as usize;
    (0..=steps).map(|i| if i == steps { end } else { start + duration * i as f64 / steps as f64 }).collect()
}

/// The positions along one axis at `times`, and the mode that produced them.
fn plan_axis(times: &[f64], targets: &[Option<f64>], axis: &Axis, params: &ReframeParams) -> (Vec<f64>, CameraMode) {
    let (low, high) = axis.bounds;
    let known: Vec<f64> = targets.iter().flatten().copied().filter(|t| t.is_finite()).collect();
    if known.is_empty() || high - low <= f64::EPSILON {
        return (vec![axis.centre.clamp(low, high); times.len()], CameraMode::Stationary);
    }
    if let Some(hold) = stationary_position(&known, axis, params) {
        return (vec![hold; times.len()], CameraMode::Stationary);
    }
    if let Some(line) = pan_line(times, targets, axis, params) {
        return (line, CameraMode::Pan);
    }
    let limits = AxisLimits {
        dead_zone: params.dead_zone * axis.extent,
        centring_tolerance: params.centring_tolerance * axis.extent,
        max_speed: params.max_speed * axis.extent,
        bounds: axis.bounds,
    };
    (optimal_axis_path(times, targets, &limits), CameraMode::Track)
}

/// The one position of a still camera, when the framing points stay within the stationary
/// band: the middle of the band, snapped to the frame's centre when close.
fn stationary_position(known: &[f64], axis: &Axis, params: &ReframeParams) -> Option<f64> {
    let (first, last) = (quantile(known, BAND_QUANTILES.0), quantile(known, BAND_QUANTILES.1));
    if last - first > params.stationary_band * axis.extent {
        return None;
    }
    let (low, high) = axis.bounds;
    let hold = ((first + last) / 2.0).clamp(low, high);
    let centre = axis.centre.clamp(low, high);
    Some(if (hold - centre).abs() <= params.snap_to_centre * axis.extent { centre } else { hold })
}

/// A constant-speed move along the least-squares line through the framing points, when the
/// subject crosses at least `pan_min_travel`, no faster than the speed cap, and the line
/// passes within the dead zone of most points.
fn pan_line(times: &[f64], targets: &[Option<f64>], axis: &Axis, params: &ReframeParams) -> Option<Vec<f64>> {
    let (start, end) = (times[0], times[times.len() - 1]);
    if end - start < MIN_PAN_SECONDS {
        return None;
    }
    let samples: Vec<(f64, f64)> =
        times.iter().zip(targets).filter_map(|(t, target)| target.filter(|x| x.is_finite()).map(|x| (*t, x))).collect();
    let (slope, intercept) = least_squares_line(&samples)?;
    let travels_far = slope.abs() * (end - start) >= params.pan_min_travel * axis.extent;
    let slow_enough = slope.abs() <= params.max_speed * axis.extent;
    let residuals: Vec<f64> = samples.iter().map(|(t, x)| (x - (intercept + slope * t)).abs()).collect();
    let fits = quantile(&residuals, PAN_FIT_QUANTILE) <= params.dead_zone * axis.extent;
    (travels_far && slow_enough && fits)
        .then(|| times.iter().map(|t| (intercept + slope * t).clamp(axis.bounds.0, axis.bounds.1)).collect())
}

/// Slope and intercept of the least-squares line through `(t, x)`, or `None` for fewer than
/// two distinct times.
fn least_squares_line(samples: &[(f64, f64)]) -> Option<(f64, f64)> {
    let count = samples.len() as f64;
    if samples.len() < 2 {
        return None;
    }
    let mean_t = samples.iter().map(|s| s.0).sum::<f64>() / count;
    let mean_x = samples.iter().map(|s| s.1).sum::<f64>() / count;
    let spread: f64 = samples.iter().map(|(t, _)| (t - mean_t).powi(2)).sum();
    if spread <= f64::EPSILON {
        return None;
    }
    let slope = samples.iter().map(|(t, x)| (t - mean_t) * (x - mean_x)).sum::<f64>() / spread;
    Some((slope, mean_x - slope * mean_t))
}

/// The `q` quantile of `values` (nearest rank, linear between ranks); 0 when empty.
pub(crate) fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (below, above) = (position.floor() as usize, position.ceil() as usize);
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::Aspect;

    fn frame() -> Frame {
        Frame::new((1920, 1080), Aspect::Vertical)
    }

    /// Framing points at 5 fps over `[0, seconds)` at `x(t)` (y at the frame's middle).
    fn points(seconds: f64, x: impl Fn(f64) -> f64) -> Vec<FramingPoint> {
        (0..(seconds * 5.0) as usize)
            .map(|i| {
                let t = i as f64 / 5.0;
                FramingPoint { t, centre: Some((x(t), 540.0)) }
            })
            .collect()
    }

    fn xs(path: &SpanPath) -> Vec<f64> {
        path.points.iter().map(|p| p.x).collect()
    }

    #[test]
    fn a_still_subject_with_jitter_gets_a_stationary_camera() {
        let jitter = [0.0, 8.0, -8.0, 5.0, -3.0, 7.0, -6.0];
        let path = plan_span(
            0.0,
            10.0,
            &points(10.0, |t| 700.0 + jitter[(t * 5.0) as usize % 7]),
            &frame(),
            &ReframeParams::default(),
        );
        assert_eq!(path.horizontal, CameraMode::Stationary);
        assert!(xs(&path).iter().all(|x| *x == 700.0), "{:?}", xs(&path));
    }

    #[test]
    fn a_stationary_camera_near_the_centre_snaps_to_it() {
        let path = plan_span(0.0, 5.0, &points(5.0, |_| 985.0), &frame(), &ReframeParams::default());
        assert!(xs(&path).iter().all(|x| *x == 960.0));
    }

    #[test]
    fn a_subject_walking_across_gets_a_constant_speed_pan() {
        let path = plan_span(0.0, 8.0, &points(8.0, |t| 500.0 + 100.0 * t), &frame(), &ReframeParams::default());
        assert_eq!(path.horizontal, CameraMode::Pan);
        let x = xs(&path);
        let middle: Vec<f64> = x[10..70].windows(2).map(|pair| (pair[1] - pair[0]) / NODE_STEP).collect();
        assert!(middle.iter().all(|v| (v - middle[0]).abs() < 1e-6 && (v - 100.0).abs() < 1.0), "{middle:?}");
    }

    #[test]
    fn a_subject_that_moves_and_stops_is_tracked() {
        let path = plan_span(
            0.0,
            10.0,
            &points(10.0, |t| if t < 3.0 { 500.0 } else { 1300.0 }),
            &frame(),
            &ReframeParams::default(),
        );
        assert_eq!(path.horizontal, CameraMode::Track);
        let x = xs(&path);
        assert!(x[..20].iter().all(|v| *v == 500.0), "{x:?}");
        assert!((x[x.len() - 1] - 1300.0).abs() <= 0.03 * 608.0 + 1e-6, "{x:?}");
    }

    #[test]
    fn no_subject_and_no_room_mean_a_centred_still_camera() {
        let path = plan_span(0.0, 3.0, &[], &frame(), &ReframeParams::default());
        assert!(xs(&path).iter().all(|x| *x == 960.0));
        assert_eq!(path.vertical, CameraMode::Stationary);
        assert!(path.points.iter().all(|p| p.y == 540.0));
    }

    #[test]
    fn nodes_are_equally_spaced_and_cover_the_span() {
        let times = node_times(2.0, 3.05);
        assert_eq!((times[0], times[times.len() - 1]), (2.0, 3.05));
        let steps: Vec<f64> = times.windows(2).map(|pair| pair[1] - pair[0]).collect();
        assert!(steps.iter().all(|s| (s - steps[0]).abs() < 1e-9 && *s <= NODE_STEP));
        assert_eq!(node_times(4.0, 4.0), [4.0]);
    }

    #[test]
    fn quantiles_and_lines() {
        assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
        assert_eq!(quantile(&[], 0.5), 0.0);
        let (slope, intercept) = least_squares_line(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert!((slope - 2.0).abs() < 1e-12 && (intercept - 1.0).abs() < 1e-12);
        assert!(least_squares_line(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
    }
}
