//! The camera path as points in time: easing its corners (a moving average that leaves holds
//! exactly still and never speeds the camera up), and turning the dense path into the few
//! keyframes a renderer needs: the points where the path bends, so that moving linearly
//! between them stays within a pixel of the dense path. A still camera keeps only its ends.

/// The camera centre at one moment, source time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PathPoint {
    pub t: f64,
    pub x: f64,
    pub y: f64,
}

/// `values` (positions at equally spaced nodes) averaged twice over a centred window of
/// `2 × half_width + 1` nodes (a triangular kernel), the ends repeated outward. A window
/// whose values are all equal keeps that value exactly, so a hold stays perfectly still;
/// the average of in-bounds, speed-capped positions is in bounds and speed-capped too.
pub(crate) fn ease(values: &[f64], half_width: usize) -> Vec<f64> {
    let once = box_average(values, half_width);
    box_average(&once, half_width)
}

fn box_average(values: &[f64], half_width: usize) -> Vec<f64> {
    if half_width == 0 || values.len() < 2 {
        return values.to_vec();
    }
    let last = values.len() - 1;
    (0..values.len())
        .map(|index| {
            let window =
                (0..=2 * half_width).map(|offset| values[(index + offset).saturating_sub(half_width).min(last)]);
            let (low, high) =
                window.clone().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
            if low == high {
                low
            } else {
                window.sum::<f64>() / (2 * half_width + 1) as f64
            }
        })
        .collect()
}

/// How far, in pixels, the keyframed path may stray from the dense one.
pub(crate) const PATH_TOLERANCE: f64 = 1.0;

/// The points of `path` (in time order) that keep linear interpolation between them within
/// `tolerance` pixels of every dropped point, on both axes. The ends are always kept
/// (Douglas–Peucker, measured at equal times rather than perpendicular distance).
pub(crate) fn simplify(path: &[PathPoint], tolerance: f64) -> Vec<PathPoint> {
    if path.len() <= 2 {
        return path.to_vec();
    }
    let mut keep = vec![false; path.len()];
    keep[0] = true;
    keep[path.len() - 1] = true;
    let mut pending = vec![(0, path.len() - 1)];
    while let Some((first, last)) = pending.pop() {
        if let Some((index, deviation)) = farthest_point(path, first, last) {
            if deviation > tolerance {
                keep[index] = true;
                pending.push((first, index));
                pending.push((index, last));
            }
        }
    }
    path.iter().zip(keep).filter_map(|(point, kept)| kept.then_some(*point)).collect()
}

/// The point strictly between `first` and `last` farthest from the straight line between
/// them, with its distance; `None` when there is no point between.
fn farthest_point(path: &[PathPoint], first: usize, last: usize) -> Option<(usize, f64)> {
    let (start, end) = (path[first], path[last]);
    let mut farthest: Option<(usize, f64)> = None;
    for (index, point) in path.iter().enumerate().take(last).skip(first + 1) {
        let (x, y) = interpolate(&start, &end, point.t);
        let deviation = (point.x - x).abs().max((point.y - y).abs());
        if farthest.is_none_or(|(_, worst)| deviation > worst) {
            farthest = Some((index, deviation));
        }
    }
    farthest
}

/// The position at `t` on the straight line from `start` to `end`.
fn interpolate(start: &PathPoint, end: &PathPoint, t: f64) -> (f64, f64) {
    let span = end.t - start.t;
    if span <= 0.0 {
        return (start.x, start.y);
    }
    let along = (t - start.t) / span;
    (start.x + (end.x - start.x) * along, start.y + (end.y - start.y) * along)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: f64, x: f64) -> PathPoint {
        PathPoint { t, x, y: 0.0 }
    }

    fn times(path: &[PathPoint]) -> Vec<f64> {
        path.iter().map(|p| p.t).collect()
    }

    #[test]
    fn easing_keeps_holds_exact_and_softens_corners() {
        let values: Vec<f64> = (0..40).map(|i| if i < 20 { 700.3 } else { 700.3 + 10.0 * (i - 19) as f64 }).collect();
        let eased = ease(&values, 2);
        assert!(eased[..16].iter().all(|v| *v == 700.3), "{eased:?}");
        let steps: Vec<f64> = eased.windows(2).map(|pair| pair[1] - pair[0]).collect();
        assert!(steps.iter().all(|step| *step >= 0.0 && *step <= 10.0 + 1e-9), "{steps:?}");
        assert!(steps[17] > 0.0 && steps[17] < 5.0, "no ease-in: {steps:?}");
        assert_eq!(ease(&values, 0), values);
        assert_eq!(ease(&[3.0], 4), [3.0]);
    }

    #[test]
    fn a_still_path_keeps_its_ends() {
        let path: Vec<PathPoint> = (0..100).map(|i| point(i as f64, 5.0)).collect();
        assert_eq!(times(&simplify(&path, PATH_TOLERANCE)), [0.0, 99.0]);
    }

    #[test]
    fn a_straight_pan_keeps_its_ends() {
        let path: Vec<PathPoint> = (0..100).map(|i| point(i as f64, 3.0 * i as f64)).collect();
        assert_eq!(times(&simplify(&path, PATH_TOLERANCE)), [0.0, 99.0]);
    }

    #[test]
    fn hold_then_pan_then_hold_keeps_the_corners() {
        let x_at = |i: usize| match i {
            0..=20 => 0.0,
            21..=40 => (i - 20) as f64 * 10.0,
            _ => 200.0,
        };
        let path: Vec<PathPoint> = (0..60).map(|i| point(i as f64, x_at(i))).collect();
        assert_eq!(times(&simplify(&path, PATH_TOLERANCE)), [0.0, 20.0, 40.0, 59.0]);
    }

    #[test]
    fn curves_stay_within_tolerance() {
        let path: Vec<PathPoint> = (0..200)
            .map(|i| {
                let t = i as f64 * 0.05;
                PathPoint { t, x: 300.0 * (t * 0.7).sin(), y: 40.0 * t }
            })
            .collect();
        let kept = simplify(&path, PATH_TOLERANCE);
        assert!(kept.len() > 2 && kept.len() < path.len() / 2);
        for point in &path {
            let segment = kept
                .windows(2)
                .find(|pair| pair[0].t <= point.t && point.t <= pair[1].t)
                .expect("kept points cover the path");
            let (x, y) = interpolate(&segment[0], &segment[1], point.t);
            assert!((x - point.x).abs() <= PATH_TOLERANCE + 1e-9);
            assert!((y - point.y).abs() <= PATH_TOLERANCE + 1e-9);
        }
    }
}
