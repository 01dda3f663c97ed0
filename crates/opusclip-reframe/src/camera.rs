//! The virtual camera of the tracking mode: per axis it holds still while the target stays in
//! a dead zone around it; once the target leaves, it eases toward it like a critically damped
//! spring, never faster than a speed cap and never past the target, and comes to rest on it.

/// Simulation step of the camera, in seconds (one frame at 30 fps).
pub(crate) const SIMULATION_STEP: f64 = 1.0 / 30.0;

/// The camera comes to rest on its target once it is this close, as a fraction of the dead
/// zone (but at least [`MIN_SETTLE_DISTANCE`]); the last sub-pixel to pixel step is taken at
/// once instead of creeping along the exponential tail.
const SETTLE_FRACTION_OF_DEAD_ZONE: f64 = 0.01;

/// The smallest rest distance, in pixels.
const MIN_SETTLE_DISTANCE: f64 = 0.5;

/// The velocity follows its wish with this fraction of the smoothing time constant: a
/// quarter makes the position response critically damped (a double pole at `-2/smoothing`).
const VELOCITY_LAG_FRACTION: f64 = 0.25;

/// A shot a hair longer than a whole number of steps does not get an extra sliver of a step.
const STEP_COUNT_TOLERANCE: f64 = 1e-6;

/// How one axis of the camera moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AxisMotion {
    /// Half-width of the dead zone, pixels.
    pub dead_zone: f64,
    /// Speed cap, pixels per second.
    pub max_speed: f64,
    /// Time constant of the approach, seconds (> 0).
    pub smoothing: f64,
}

/// One axis of the camera: where it is, how fast it goes, and whether it is following.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AxisFollower {
    motion: AxisMotion,
    position: f64,
    velocity: f64,
    following: bool,
}

impl AxisFollower {
    /// A camera at rest at `position`.
    pub fn at_rest(position: f64, motion: AxisMotion) -> AxisFollower {
        AxisFollower { motion, position, velocity: 0.0, following: false }
    }

    /// Where the camera is.
    pub fn position(&self) -> f64 {
        self.position
    }

    /// Advance `dt` seconds toward `target`; the camera moves at most `max_speed * dt`.
    pub fn step(&mut self, target: f64, dt: f64) {
        if !target.is_finite() || dt <= 0.0 {
            return;
        }
        let error = target - self.position;
        if !self.following {
            if error.abs() <= self.motion.dead_zone {
                return;
            }
            self.following = true;
        }
        let max_step = self.motion.max_speed * dt;
        if error.abs() <= self.settle_distance().min(max_step) {
            self.position = target;
            self.come_to_rest();
            return;
        }
        let wished_velocity = (error / self.motion.smoothing).clamp(-self.motion.max_speed, self.motion.max_speed);
        let velocity_lag = self.motion.smoothing * VELOCITY_LAG_FRACTION;
        let blend = 1.0 - (-dt / velocity_lag).exp();
        self.velocity += (wished_velocity - self.velocity) * blend;
        let mut step = self.velocity * dt;
        let heads_toward_target = step * error > 0.0;
        if heads_toward_target && step.abs() >= error.abs() {
            step = error;
            self.velocity = 0.0;
        }
        self.position += step;
    }

    fn settle_distance(&self) -> f64 {
        (self.motion.dead_zone * SETTLE_FRACTION_OF_DEAD_ZONE).max(MIN_SETTLE_DISTANCE)
    }

    fn come_to_rest(&mut self) {
        self.velocity = 0.0;
        self.following = false;
    }
}

/// The camera centre at one moment, source time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PathPoint {
    pub t: f64,
    pub x: f64,
    pub y: f64,
}

/// Run a camera that starts at rest at `start` from `shot_start` to `shot_end`, asking
/// `target_at(t)` where to go, in steps of [`SIMULATION_STEP`] (the last one shorter).
/// Returns the centre at every step, both ends included.
pub(crate) fn run_camera(
    shot_start: f64,
    shot_end: f64,
    start: (f64, f64),
    motion: (AxisMotion, AxisMotion),
    mut target_at: impl FnMut(f64) -> (f64, f64),
) -> Vec<PathPoint> {
    let mut horizontal = AxisFollower::at_rest(start.0, motion.0);
    let mut vertical = AxisFollower::at_rest(start.1, motion.1);
    let duration = (shot_end - shot_start).max(0.0);
    let steps = (duration / SIMULATION_STEP - STEP_COUNT_TOLERANCE).ceil().max(0.0) as usize;
    let mut path = Vec::with_capacity(steps + 1);
    path.push(PathPoint { t: shot_start, x: start.0, y: start.1 });
    let mut previous_t = shot_start;
    for step in 1..=steps {
        let t = if step == steps { shot_end } else { (shot_start + step as f64 * SIMULATION_STEP).min(shot_end) };
        let dt = t - previous_t;
        if dt <= 0.0 {
            continue;
        }
        let (target_x, target_y) = target_at(t);
        horizontal.step(target_x, dt);
        vertical.step(target_y, dt);
        path.push(PathPoint { t, x: horizontal.position(), y: vertical.position() });
        previous_t = t;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOTION: AxisMotion = AxisMotion { dead_zone: 70.0, max_speed: 360.0, smoothing: 0.5 };

    fn run(start: f64, target: f64, seconds: f64) -> Vec<f64> {
        let mut camera = AxisFollower::at_rest(start, MOTION);
        let steps = (seconds / SIMULATION_STEP) as usize;
        (0..steps)
            .map(|_| {
                camera.step(target, SIMULATION_STEP);
                camera.position()
            })
            .collect()
    }

    #[test]
    fn holds_still_inside_the_dead_zone() {
        assert!(run(500.0, 560.0, 3.0).iter().all(|x| *x == 500.0));
        assert!(run(500.0, 440.0, 3.0).iter().all(|x| *x == 500.0));
    }

    #[test]
    fn follows_with_capped_speed_without_overshoot_and_settles() {
        let positions = run(100.0, 1400.0, 8.0);
        let mut previous = 100.0;
        for x in &positions {
            let step = x - previous;
            assert!(step >= 0.0, "moved backwards: {step}");
            assert!(step <= MOTION.max_speed * SIMULATION_STEP + 1e-9, "too fast: {step}");
            assert!(*x <= 1400.0, "overshoot to {x}");
            previous = *x;
        }
        let last = positions[positions.len() - 1];
        assert_eq!(last, 1400.0);
        let max_step = positions.windows(2).map(|pair| pair[1] - pair[0]).fold(0.0, f64::max);
        assert!(max_step > 0.9 * MOTION.max_speed * SIMULATION_STEP, "never reached cruise speed: {max_step}");
    }

    #[test]
    fn starts_gently() {
        let positions = run(0.0, 1000.0, 0.2);
        assert!(positions[0] < 0.5 * MOTION.max_speed * SIMULATION_STEP);
    }

    #[test]
    fn at_rest_the_dead_zone_applies_again() {
        let mut camera = AxisFollower::at_rest(0.0, MOTION);
        for _ in 0..300 {
            camera.step(500.0, SIMULATION_STEP);
        }
        let rest = camera.position();
        for _ in 0..60 {
            camera.step(rest + 50.0, SIMULATION_STEP);
        }
        assert_eq!(camera.position(), rest);
    }

    #[test]
    fn run_camera_covers_the_shot_exactly() {
        let path = run_camera(2.0, 3.05, (10.0, 20.0), (MOTION, MOTION), |_| (10.0, 20.0));
        assert_eq!(path.first().map(|p| p.t), Some(2.0));
        assert_eq!(path.last().map(|p| p.t), Some(3.05));
        assert!(path.windows(2).all(|pair| pair[0].t < pair[1].t));
        assert!(path.iter().all(|p| (p.x, p.y) == (10.0, 20.0)));
        let empty = run_camera(2.0, 2.0, (10.0, 20.0), (MOTION, MOTION), |_| (0.0, 0.0));
        assert_eq!(empty.len(), 1);
    }
}
