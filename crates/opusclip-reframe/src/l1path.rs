//! The L1-optimal camera path of one axis (in the spirit of Grundmann et al. 2011): among all
//! paths that never move faster than the speed cap and stay inside the frame, the one that
//! minimizes
//!
//! ```text
//!   Σ |p[i] − p[i−1]|                                   (travel: every pixel moved costs 1)
//! + Σ dt · OUTSIDE_WEIGHT · max(0, |p[i] − x[i]| − dead_zone)      (subject off the dead zone)
//! + Σ dt · CENTRING_WEIGHT · max(0, |p[i] − x[i]| − centring_tolerance)   (subject off centre)
//! + ARRIVAL_WEIGHT · |p[0] − x[first]|                  (start on the subject)
//! ```
//!
//! where `x[i]` is where the camera would frame the subject, and the outside weight is far
//! higher wherever the dead zone could have been kept so far (no anticipation of a jump). Because every term is an absolute
//! value, the optimum is made of exact holds and straight moves (at most at the speed cap):
//! the camera stays put while the subject stays in the dead zone, moves as soon and as far as
//! needed, and re-centres a small offset only when it would last longer than
//! `1 / CENTRING_WEIGHT` seconds. It is solved exactly by dynamic programming over convex
//! piecewise-linear cost functions (kept as their slopes), in time linear in the number of
//! nodes times the number of breakpoints.

/// Cost per pixel per second of the subject outside the dead zone where the camera cannot
/// have kept it inside (just after a jump faster than the speed cap): the camera catches up
/// at full speed.
const OUTSIDE_WEIGHT: f64 = 20.0;
/// The same where a camera obeying the speed cap could have kept the subject inside the dead
/// zone so far: so high that it does. This is what keeps the camera from leaving a subject
/// that has not moved yet to meet it where it will jump (no anticipation beyond the dead
/// zone): before a jump the dead zone can be kept, so it is.
const KEEP_INSIDE_WEIGHT: f64 = 1000.0;
/// Cost per pixel per second of the subject off centre beyond the centring tolerance: an
/// offset is corrected when it would last longer than 1 / 0.4 = 2.5 s.
const CENTRING_WEIGHT: f64 = 0.4;
/// Cost of moving the camera one pixel.
const TRAVEL_WEIGHT: f64 = 1.0;
/// Cost per pixel of starting the shot away from the first framing target: more than a
/// pixel of travel, so that the camera starts on its subject instead of starting where a
/// later move would take it.
const ARRIVAL_WEIGHT: f64 = 2.0;
/// Breakpoints closer than this (pixels) are merged.
const POSITION_EPSILON: f64 = 1e-9;
/// Steps smaller than this (pixels) are rounding in the breakpoints, not motion: the camera
/// stays exactly where it was.
const SAME_POSITION: f64 = 1e-6;

/// What one axis of the camera may do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AxisLimits {
    /// Half-width of the dead zone around the framing target, pixels.
    pub dead_zone: f64,
    /// Offsets from the framing target up to this many pixels are never corrected.
    pub centring_tolerance: f64,
    /// Speed cap, pixels per second.
    pub max_speed: f64,
    /// The range the camera centre may take (inside the frame).
    pub bounds: (f64, f64),
}

/// One piece of the derivative of a convex piecewise-linear function: on `[start, end]` the
/// function rises by `slope` per pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    start: f64,
    end: f64,
    slope: f64,
}

/// The camera position at each node `times[i]` (increasing) given the framing target at each
/// node (`None`: nothing to frame there). The result is inside `limits.bounds`, moves at most
/// `max_speed × Δt` between nodes, and is the same for the same input.
///
/// The costs are accumulated from the last node back to the first, and the path is then
/// read forward, keeping each position as long as the optimum allows: where several paths
/// cost the same, the camera moves as late as it can.
pub(crate) fn optimal_axis_path(times: &[f64], targets: &[Option<f64>], limits: &AxisLimits) -> Vec<f64> {
    let (low, high) = (limits.bounds.0, limits.bounds.1.max(limits.bounds.0));
    if times.is_empty() {
        return Vec::new();
    }
    if high - low <= POSITION_EPSILON {
        return vec![low; times.len()];
    }
    let dead_zone = limits.dead_zone.max(0.0);
    let tolerance = limits.centring_tolerance.clamp(0.0, dead_zone);
    let target_at = |index: usize| targets.get(index).copied().flatten().filter(|t| t.is_finite());
    let reach_before = |index: usize| limits.max_speed.max(0.0) * (times[index] - times[index - 1]).max(0.0);
    let last = times.len() - 1;
    let keepable = keepable_nodes(times, targets, dead_zone, limits.max_speed.max(0.0), (low, high));
    // crossings[i]: where the slope of the cost of nodes i.. crosses ±TRAVEL_WEIGHT.
    let mut crossings = vec![(low, high); times.len()];
    let mut cost = vec![Piece { start: low, end: high, slope: 0.0 }];
    for index in (0..=last).rev() {
        if index < last {
            cost = clip(&inf_convolve(&cost, TRAVEL_WEIGHT, reach_before(index + 1)), low, high);
        }
        if let Some(target) = target_at(index) {
            let outside = if keepable[index] { KEEP_INSIDE_WEIGHT } else { OUTSIDE_WEIGHT };
            let weights = Weights { outside, centring: CENTRING_WEIGHT, seconds: node_duration(times, index) };
            cost = add_target_cost(&cost, target, dead_zone, tolerance, weights);
        }
        if index > 0 {
            crossings[index] = slope_crossings(&cost, TRAVEL_WEIGHT);
        }
    }
    let first_target = (0..times.len()).find_map(target_at);
    if let Some(first_target) = first_target {
        cost = add_arrival_cost(&cost, first_target);
    }
    let (best_low, best_high) = minimizers(&cost);
    let mut path = vec![0.0; times.len()];
    path[0] = first_target.unwrap_or((low + high) / 2.0).clamp(best_low, best_high);
    for index in 1..=last {
        let previous = path[index - 1];
        let reach = reach_before(index);
        let (left, right) = crossings[index];
        let next = previous.clamp(left, right.max(left)).clamp(previous - reach, previous + reach).clamp(low, high);
        path[index] = if (next - previous).abs() <= SAME_POSITION { previous } else { next };
    }
    path
}

/// The seconds node `index` stands for: half the gaps to its neighbours.
fn node_duration(times: &[f64], index: usize) -> f64 {
    let before = if index > 0 { times[index] - times[index - 1] } else { 0.0 };
    let after = if index + 1 < times.len() { times[index + 1] - times[index] } else { 0.0 };
    let duration = (before + after) / 2.0;
    if duration > 0.0 {
        duration
    } else {
        1e-3
    }
}

/// How much a node's framing costs per pixel per second: outside the dead zone, off centre,
/// and the seconds the node stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Weights {
    outside: f64,
    centring: f64,
    seconds: f64,
}

/// Whether, at each node, some path obeying the speed cap could have kept the subject within
/// the dead zone at every node so far where that was possible: the reachable set is carried
/// forward, narrowed to the dead zone wherever it meets it.
fn keepable_nodes(
    times: &[f64],
    targets: &[Option<f64>],
    dead_zone: f64,
    max_speed: f64,
    bounds: (f64, f64),
) -> Vec<bool> {
    let mut keepable = Vec::with_capacity(times.len());
    let mut reachable = bounds;
    for (index, target) in targets.iter().enumerate().take(times.len()) {
        if index > 0 {
            let reach = max_speed * (times[index] - times[index - 1]).max(0.0);
            reachable = ((reachable.0 - reach).max(bounds.0), (reachable.1 + reach).min(bounds.1));
        }
        let tube = target.filter(|t| t.is_finite()).map(|t| (t - dead_zone, t + dead_zone));
        match tube {
            Some((low, high)) if low.max(reachable.0) <= high.min(reachable.1) => {
                reachable = (low.max(reachable.0), high.min(reachable.1));
                keepable.push(true);
            }
            _ => keepable.push(false),
        }
    }
    keepable
}

/// Add the cost of framing `target` with a dead zone and a centring tolerance: slopes change
/// at target ± tolerance and target ± dead zone.
fn add_target_cost(cost: &[Piece], target: f64, dead_zone: f64, tolerance: f64, weights: Weights) -> Vec<Piece> {
    let outside = weights.outside * weights.seconds;
    let centring = weights.centring * weights.seconds;
    let knots = [
        (target - dead_zone, outside),
        (target - tolerance, centring),
        (target + tolerance, centring),
        (target + dead_zone, outside),
    ];
    add_convex(cost, -(outside + centring), &knots)
}

/// Add the cost of starting away from `target` (a cut puts the camera on its subject) at
/// [`ARRIVAL_WEIGHT`] per pixel: the camera starts on its subject rather than where a later
/// move would take it.
fn add_arrival_cost(cost: &[Piece], target: f64) -> Vec<Piece> {
    add_convex(cost, -ARRIVAL_WEIGHT, &[(target, 2.0 * ARRIVAL_WEIGHT)])
}

/// Add a convex piecewise-linear function given by its slope left of every knot (`base`) and
/// the slope increase at each knot (`knots`, in position order).
fn add_convex(cost: &[Piece], base: f64, knots: &[(f64, f64)]) -> Vec<Piece> {
    let added_slope =
        |position: f64| base + knots.iter().filter(|(at, _)| *at <= position).map(|(_, step)| step).sum::<f64>();
    let mut result = Vec::with_capacity(cost.len() + knots.len());
    // Each part's added slope is read at its middle, so a knot within rounding of a piece's
    // end still counts on the correct side.
    for piece in cost {
        let mut start = piece.start;
        for &(at, _) in knots {
            if at > start + POSITION_EPSILON && at < piece.end - POSITION_EPSILON {
                push_piece(&mut result, Piece { start, end: at, slope: piece.slope + added_slope((start + at) / 2.0) });
                start = at;
            }
        }
        let slope = piece.slope + added_slope((start + piece.end) / 2.0);
        push_piece(&mut result, Piece { start, end: piece.end, slope });
    }
    result
}

/// `h(p) = min over |d| ≤ reach of f(p − d) + weight·|d|`: the epigraphs' Minkowski sum, i.e.
/// the pieces of `f` in slope order with a piece of slope −weight and one of +weight, each
/// `reach` long, inserted where the slope crosses them.
fn inf_convolve(cost: &[Piece], weight: f64, reach: f64) -> Vec<Piece> {
    let mut result = Vec::with_capacity(cost.len() + 2);
    let mut position = cost.first().map_or(0.0, |piece| piece.start) - reach;
    let mut push = |result: &mut Vec<Piece>, length: f64, slope: f64| {
        push_piece(result, Piece { start: position, end: position + length, slope });
        position += length;
    };
    let steep_down = cost.iter().filter(|piece| piece.slope < -weight);
    let middle = cost.iter().filter(|piece| (-weight..=weight).contains(&piece.slope));
    let steep_up = cost.iter().filter(|piece| piece.slope > weight);
    for piece in steep_down {
        push(&mut result, piece.end - piece.start, piece.slope);
    }
    push(&mut result, reach, -weight);
    for piece in middle {
        push(&mut result, piece.end - piece.start, piece.slope);
    }
    push(&mut result, reach, weight);
    for piece in steep_up {
        push(&mut result, piece.end - piece.start, piece.slope);
    }
    result
}

/// The pieces restricted to `[low, high]` (extended flat at the ends should they not reach,
/// which rounding alone can cause).
fn clip(cost: &[Piece], low: f64, high: f64) -> Vec<Piece> {
    let mut result: Vec<Piece> = cost
        .iter()
        .filter(|piece| piece.end > low && piece.start < high)
        .map(|piece| Piece { start: piece.start.max(low), end: piece.end.min(high), slope: piece.slope })
        .collect();
    if let Some(first) = result.first_mut() {
        first.start = low;
    }
    if let Some(last) = result.last_mut() {
        last.end = high;
    }
    if result.is_empty() {
        result.push(Piece { start: low, end: high, slope: 0.0 });
    }
    result
}

/// Where the slope of `cost` crosses −weight (left) and +weight (right): the previous
/// position `q` minimizing `cost(q) + weight·|p − q|` is `p` clamped into this range.
fn slope_crossings(cost: &[Piece], weight: f64) -> (f64, f64) {
    let low = cost.first().map_or(0.0, |piece| piece.start);
    let high = cost.last().map_or(0.0, |piece| piece.end);
    let left = cost.iter().find(|piece| piece.slope >= -weight).map_or(high, |piece| piece.start);
    let right = cost.iter().rev().find(|piece| piece.slope <= weight).map_or(low, |piece| piece.end);
    (left, right.max(left))
}

/// The range of positions where `cost` is smallest.
fn minimizers(cost: &[Piece]) -> (f64, f64) {
    slope_crossings(cost, 0.0)
}

/// Append a piece, merging it into the last one when the slopes are equal and dropping it
/// when it is empty.
fn push_piece(pieces: &mut Vec<Piece>, piece: Piece) {
    if piece.end - piece.start <= POSITION_EPSILON {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.slope == piece.slope => last.end = piece.end,
        _ => pieces.push(piece),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STEP: f64 = 0.1;
    const LIMITS: AxisLimits =
        AxisLimits { dead_zone: 70.0, centring_tolerance: 20.0, max_speed: 400.0, bounds: (300.0, 1620.0) };

    fn nodes(seconds: f64) -> Vec<f64> {
        (0..=(seconds / STEP).round() as usize).map(|i| i as f64 * STEP).collect()
    }

    fn solve(seconds: f64, target: impl Fn(f64) -> f64) -> Vec<f64> {
        let times = nodes(seconds);
        let targets: Vec<Option<f64>> = times.iter().map(|t| Some(target(*t))).collect();
        optimal_axis_path(&times, &targets, &LIMITS)
    }

    #[test]
    fn a_still_subject_with_jitter_gives_one_exact_hold() {
        let path = solve(10.0, |t| 800.0 + 8.0 * (t * 17.0).sin());
        assert!(path.iter().all(|p| *p == path[0]), "{path:?}");
        assert!((path[0] - 800.0).abs() <= LIMITS.centring_tolerance, "{}", path[0]);
    }

    #[test]
    fn a_jump_gives_hold_move_hold_at_most_at_the_cap_and_ends_near_the_subject() {
        let path = solve(8.0, |t| if t < 2.0 { 500.0 } else { 1400.0 });
        assert!(path[..18].iter().all(|p| *p == path[0]), "moved long before the jump: {path:?}");
        assert!(path[19] <= 570.0 + 1e-6, "left the dead zone before the jump: {path:?}");
        let speeds: Vec<f64> = path.windows(2).map(|pair| (pair[1] - pair[0]) / STEP).collect();
        assert!(speeds.iter().all(|v| *v >= 0.0 && *v <= LIMITS.max_speed + 1e-6), "{speeds:?}");
        let last = path[path.len() - 1];
        assert!((last - 1400.0).abs() <= LIMITS.centring_tolerance + 1e-6, "{last}");
        let moving = speeds.iter().filter(|v| **v > 0.0).count();
        assert!(moving as f64 * STEP <= 900.0 / LIMITS.max_speed + 0.3, "moved slowly: {speeds:?}");
        assert_eq!(
            keepable_nodes(&[0.0, 0.1, 0.2], &[Some(500.0), Some(1400.0), None], 70.0, 400.0, (0.0, 2000.0)),
            [true, false, false]
        );
    }

    #[test]
    fn a_steady_drift_is_followed_at_its_own_speed() {
        let path = solve(10.0, |t| 400.0 + 60.0 * t);
        let speeds: Vec<f64> = path.windows(2).map(|pair| (pair[1] - pair[0]) / STEP).collect();
        assert!(speeds.iter().all(|v| *v >= -1e-9), "reversed: {speeds:?}");
        let middle = &speeds[20..80];
        assert!(middle.iter().all(|v| (*v - 60.0).abs() < 1e-6), "{middle:?}");
        for (t, p) in nodes(10.0).iter().zip(&path) {
            assert!((p - (400.0 + 60.0 * t)).abs() <= LIMITS.dead_zone + 1e-6);
        }
    }

    #[test]
    fn the_frame_edge_stops_the_camera() {
        let path = solve(4.0, |_| 100.0);
        assert!(path.iter().all(|p| *p == 300.0), "{path:?}");
        let pinned = AxisLimits { bounds: (500.0, 500.0), ..LIMITS };
        assert_eq!(optimal_axis_path(&[0.0, 1.0], &[Some(900.0), None], &pinned), [500.0, 500.0]);
        assert!(optimal_axis_path(&[], &[], &LIMITS).is_empty());
    }

    #[test]
    fn without_targets_the_camera_rests_at_the_middle() {
        let times = nodes(2.0);
        let path = optimal_axis_path(&times, &vec![None; times.len()], &LIMITS);
        assert!(path.iter().all(|p| *p == 960.0));
    }

    #[test]
    fn cost_functions_keep_their_shape() {
        let cost = vec![Piece { start: 0.0, end: 100.0, slope: -3.0 }, Piece { start: 100.0, end: 200.0, slope: 2.0 }];
        let convolved = inf_convolve(&cost, 1.0, 10.0);
        let expected = [
            Piece { start: -10.0, end: 90.0, slope: -3.0 },
            Piece { start: 90.0, end: 100.0, slope: -1.0 },
            Piece { start: 100.0, end: 110.0, slope: 1.0 },
            Piece { start: 110.0, end: 210.0, slope: 2.0 },
        ];
        assert_eq!(convolved, expected);
        assert_eq!(slope_crossings(&cost, 1.0), (100.0, 100.0));
        assert_eq!(minimizers(&convolved), (100.0, 100.0));
        let clipped = clip(&convolved, 0.0, 150.0);
        assert_eq!((clipped[0].start, clipped[clipped.len() - 1].end), (0.0, 150.0));
    }

    proptest! {
        #[test]
        fn paths_respect_bounds_and_speed(
            targets in prop::collection::vec(prop::option::of(-200.0..2200.0f64), 1..120),
            max_speed in 10.0..2000.0f64,
        ) {
            let times: Vec<f64> = (0..targets.len()).map(|i| i as f64 * STEP).collect();
            let limits = AxisLimits { max_speed, ..LIMITS };
            let path = optimal_axis_path(&times, &targets, &limits);
            prop_assert_eq!(path.len(), times.len());
            for p in &path {
                prop_assert!(*p >= limits.bounds.0 && *p <= limits.bounds.1, "{}", p);
            }
            for pair in path.windows(2) {
                prop_assert!((pair[1] - pair[0]).abs() <= max_speed * STEP + 1e-6, "{:?}", pair);
            }
            prop_assert_eq!(optimal_axis_path(&times, &targets, &limits), path);
        }
    }
}
