//! Frame rates as editing software writes them: an integer timebase, NTSC (×1000/1001) or
//! not, frame counts, SMPTE non-drop timecode and FCPXML rational times.

/// A video frame rate: `timebase` frames a second, slowed by 1000/1001 when `ntsc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub timebase: u32,
    pub ntsc: bool,
}

impl Rate {
    /// The rate an editor would give a source measured at `fps`: 29.97 becomes 30 NTSC, 25
    /// stays 25. Nonsense (0, NaN) becomes 30, the most common talk-recording rate.
    ///
    /// ```
    /// use opusclip_export::Rate;
    /// assert_eq!(Rate::from_fps(30000.0 / 1001.0), Rate { timebase: 30, ntsc: true });
    /// assert_eq!(Rate::from_fps(25.0), Rate { timebase: 25, ntsc: false });
    /// assert_eq!(Rate::from_fps(23.976), Rate { timebase: 24, ntsc: true });
    /// ```
    pub fn from_fps(fps: f64) -> Rate {
        if !fps.is_finite() || fps < 1.0 {
            return Rate { timebase: 30, ntsc: false };
        }
        let nominal = (fps * 1001.0 / 1000.0).round();
        let is_ntsc = (fps - fps.round()).abs() > 0.005 && (fps - nominal * 1000.0 / 1001.0).abs() < 0.005;
        if is_ntsc {
            Rate { timebase: nominal.min(1000.0) as u32, ntsc: true }
        } else {
            Rate { timebase: fps.round().min(1000.0) as u32, ntsc: false }
        }
    }

    /// Frames a second.
    pub fn fps(self) -> f64 {
        if self.ntsc {
            f64::from(self.timebase) * 1000.0 / 1001.0
        } else {
            f64::from(self.timebase)
        }
    }

    /// The frame nearest to `seconds` (never negative).
    pub fn frames(self, seconds: f64) -> i64 {
        if !seconds.is_finite() || seconds <= 0.0 {
            return 0;
        }
        (seconds * self.fps()).round() as i64
    }

    /// One frame's duration in seconds as (numerator, denominator): 1001/30000 for 29.97.
    pub fn frame_duration(self) -> (u64, u64) {
        if self.ntsc {
            (1001, u64::from(self.timebase) * 1000)
        } else {
            (1, u64::from(self.timebase))
        }
    }

    /// `frames` as an FCPXML time: `0s`, `3003/30000s`, `40/25s` (exact, never rounded).
    ///
    /// ```
    /// use opusclip_export::Rate;
    /// assert_eq!(Rate { timebase: 30, ntsc: true }.rational(3), "3003/30000s");
    /// assert_eq!(Rate { timebase: 25, ntsc: false }.rational(50), "50/25s");
    /// assert_eq!(Rate { timebase: 25, ntsc: false }.rational(0), "0s");
    /// ```
    pub fn rational(self, frames: i64) -> String {
        if frames == 0 {
            return "0s".to_string();
        }
        let (numerator, denominator) = self.frame_duration();
        format!("{}/{}s", frames * numerator as i64, denominator)
    }

    /// `frame` as non-drop SMPTE timecode `HH:MM:SS:FF` counted in the integer timebase (what
    /// CMX 3600 EDLs marked `FCM: NON-DROP FRAME` use for 29.97 as well).
    ///
    /// ```
    /// use opusclip_export::Rate;
    /// assert_eq!(Rate { timebase: 25, ntsc: false }.timecode(90_061), "01:00:02:11");
    /// ```
    pub fn timecode(self, frame: i64) -> String {
        let base = i64::from(self.timebase.max(1));
        let frame = frame.max(0);
        let (seconds, frames) = (frame / base, frame % base);
        format!("{:02}:{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60, frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_rates_are_recognised() {
        for (fps, timebase, ntsc) in [
            (23.976, 24, true),
            (24.0, 24, false),
            (29.97, 30, true),
            (30.0, 30, false),
            (59.94, 60, true),
            (50.0, 50, false),
        ] {
            assert_eq!(Rate::from_fps(fps), Rate { timebase, ntsc }, "{fps}");
        }
        assert_eq!(Rate::from_fps(f64::NAN), Rate { timebase: 30, ntsc: false });
        assert_eq!(Rate::from_fps(12.5), Rate { timebase: 13, ntsc: false });
    }

    #[test]
    fn frames_round_to_the_nearest_frame() {
        let ntsc = Rate { timebase: 30, ntsc: true };
        assert_eq!(ntsc.frames(1.0), 30);
        assert_eq!(ntsc.frames(100.1), 3000);
        assert_eq!(ntsc.frames(-1.0), 0);
    }
}
