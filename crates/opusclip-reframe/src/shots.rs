//! Splitting a clip into shots at its cuts. The camera is planned per shot; between shots it
//! cuts.

/// One shot of the clip, on the source timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ShotSpan {
    pub start: f64,
    pub end: f64,
}

impl ShotSpan {
    /// Whether `t` lies inside the shot. The end is excluded: a frame at a cut's time is the
    /// first frame of the next shot.
    pub fn contains(&self, t: f64) -> bool {
        self.start <= t && t < self.end
    }
}

/// The shots of `[clip_start, clip_end]`: cuts outside the open interval, non-finite ones and
/// duplicates are ignored, so the shots are in order, touch, and cover the clip exactly.
pub(crate) fn split_into_shots(clip_start: f64, clip_end: f64, cuts: &[f64]) -> Vec<ShotSpan> {
    let mut inner_cuts: Vec<f64> =
        cuts.iter().copied().filter(|cut| cut.is_finite() && clip_start < *cut && *cut < clip_end).collect();
    inner_cuts.sort_by(f64::total_cmp);
    inner_cuts.dedup();
    let mut boundaries = Vec::with_capacity(inner_cuts.len() + 2);
    boundaries.push(clip_start);
    boundaries.extend(inner_cuts);
    boundaries.push(clip_end.max(clip_start));
    boundaries.windows(2).map(|pair| ShotSpan { start: pair[0], end: pair[1] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(shots: &[ShotSpan]) -> Vec<(f64, f64)> {
        shots.iter().map(|shot| (shot.start, shot.end)).collect()
    }

    #[test]
    fn no_cuts_is_one_shot() {
        assert_eq!(spans(&split_into_shots(10.0, 20.0, &[])), [(10.0, 20.0)]);
    }

    #[test]
    fn cuts_are_sorted_deduplicated_and_limited_to_the_clip() {
        let cuts = [15.0, 12.0, 15.0, 5.0, 10.0, 20.0, 25.0, f64::NAN];
        assert_eq!(spans(&split_into_shots(10.0, 20.0, &cuts)), [(10.0, 12.0), (12.0, 15.0), (15.0, 20.0)]);
    }

    #[test]
    fn empty_clip_is_one_empty_shot() {
        assert_eq!(spans(&split_into_shots(5.0, 3.0, &[4.0])), [(5.0, 5.0)]);
    }
}
