//! Active speaker: who is talking, as turns of face tracks. Mouth-motion energy of each face is
//! compared in short windows while there is speech; the turns are the best-scoring sequence
//! with a cost per switch (a Viterbi pass), and no turn is shorter than a minimum hold.
//! Speaker labels of the transcript, when present, set the turns instead.

use crate::tracker::TrackId;
use opusclip_core::Word;

/// Default for [`SpeakerParams::window`].
pub const DEFAULT_SPEAKER_WINDOW: f64 = 0.4;
/// Default for [`SpeakerParams::speech_floor`].
pub const DEFAULT_SPEECH_FLOOR: f64 = 0.18;
/// Default for [`SpeakerParams::margin`].
pub const DEFAULT_SPEAKER_MARGIN: f64 = 0.25;
/// Default for [`SpeakerParams::switch_cost`].
pub const DEFAULT_SWITCH_COST: f64 = 3.0;
/// Default for [`SpeakerParams::min_hold`].
pub const DEFAULT_MIN_HOLD: f64 = 1.0;

/// How the active speaker is decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeakerParams {
    /// Length of the windows in which mouth motion is compared, seconds. Default 0.4 s.
    pub window: f64,
    /// A window whose mean speech energy is below this fraction of the span's peak carries
    /// no evidence. Default 0.18.
    pub speech_floor: f64,
    /// A window counts only when the leading face's share of the mouth motion exceeds the
    /// next face's by this much (shares sum to 1). Default 0.25.
    pub margin: f64,
    /// Evidence a switch must outweigh, in windows won outright (a window won with shares 1
    /// and 0 is worth 1). Default 3.0: on synthetic turn-taking the right speaker is framed
    /// ≥ 96 % of the time, and two indistinct mouths switch about once a minute.
    pub switch_cost: f64,
    /// Shortest turn, seconds: a speaker is held at least this long. Default 1.0 s.
    pub min_hold: f64,
}

impl Default for SpeakerParams {
    fn default() -> Self {
        SpeakerParams {
            window: DEFAULT_SPEAKER_WINDOW,
            speech_floor: DEFAULT_SPEECH_FLOOR,
            margin: DEFAULT_SPEAKER_MARGIN,
            switch_cost: DEFAULT_SWITCH_COST,
            min_hold: DEFAULT_MIN_HOLD,
        }
    }
}

/// The mouth-motion energy of one face track at each sample time (`None` where the face was
/// not detected). Energies are per pixel of the mouth region, so faces of different sizes
/// compare.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackActivity {
    pub track: TrackId,
    pub mouth_motion: Vec<Option<f64>>,
}

/// One speaker turn on the source timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeakerTurn {
    pub start: f64,
    pub end: f64,
    pub track: TrackId,
}

/// Who speaks in `span` (source seconds): turns that cover the span, in order, or none when
/// there is no usable evidence (no track, no mouth motion, no speech).
///
/// `times` are the sample times (increasing); `speech_energy` and every track's
/// `mouth_motion` are sampled at them. Tracks earlier in `tracks` win ties.
pub fn active_speakers(
    times: &[f64],
    speech_energy: &[f64],
    tracks: &[TrackActivity],
    span: (f64, f64),
    params: &SpeakerParams,
) -> Vec<SpeakerTurn> {
    let windows = window_evidence(times, speech_energy, tracks, span, params);
    if tracks.is_empty() || windows.iter().all(|window| window.iter().all(|gain| *gain == 0.0)) {
        return Vec::new();
    }
    let mut states = best_state_sequence(&windows, params.switch_cost);
    centre_switches_in_silence(&mut states, &windows);
    let window_length = window_length(span, params);
    let mut turns = Vec::new();
    let boundary = |index: usize| if index >= states.len() { span.1 } else { span.0 + index as f64 * window_length };
    for (index, &state) in states.iter().enumerate() {
        push_turn(
            &mut turns,
            SpeakerTurn { start: boundary(index), end: boundary(index + 1), track: tracks[state].track },
        );
    }
    let evidence = |turn: &SpeakerTurn, track: TrackId| {
        let Some(state) = tracks.iter().position(|activity| activity.track == track) else { return 0.0 };
        windows
            .iter()
            .enumerate()
            .filter(|(index, _)| {
                let start = span.0 + *index as f64 * window_length;
                start >= turn.start && start < turn.end
            })
            .map(|(_, gains)| gains[state])
            .sum()
    };
    enforce_min_hold(turns, params.min_hold, evidence)
}

/// Speaker turns from the transcript: consecutive words of one label form a turn, the gap
/// between two labels is split in the middle, and each label is mapped to a track by
/// `track_of`. Words without a label or with an unmapped label are skipped (the turn before
/// goes on). The turns cover `span`; turns shorter than `min_hold` are merged into the turn
/// before them.
pub fn turns_from_labels(
    words: &[Word],
    span: (f64, f64),
    min_hold: f64,
    mut track_of: impl FnMut(&str) -> Option<TrackId>,
) -> Vec<SpeakerTurn> {
    let mut turns: Vec<SpeakerTurn> = Vec::new();
    let mut previous_end = span.0;
    for word in words.iter().filter(|word| word.start.is_finite() && word.end > span.0 && word.start < span.1) {
        let Some(track) = word.speaker.as_deref().and_then(&mut track_of) else { continue };
        let (start, end) = (word.start.max(span.0), word.end.min(span.1).max(word.start));
        match turns.last_mut() {
            Some(last) if last.track == track => last.end = end,
            Some(last) => {
                let boundary = (previous_end + start) / 2.0;
                last.end = boundary;
                turns.push(SpeakerTurn { start: boundary, end, track });
            }
            None => turns.push(SpeakerTurn { start: span.0, end, track }),
        }
        previous_end = end;
    }
    if let Some(last) = turns.last_mut() {
        last.end = span.1;
    }
    enforce_min_hold(turns, min_hold, |_, _| 0.0)
}

/// The share of the mouth motion each track has, summed over the windows in which the label
/// `label` speaks (`label_turns` are that label's turns): how strongly each face's mouth goes
/// with that voice. Used to map transcript labels to faces.
pub fn label_affinity(
    times: &[f64],
    tracks: &[TrackActivity],
    label_turns: &[(f64, f64)],
    span: (f64, f64),
    params: &SpeakerParams,
) -> Vec<f64> {
    let always_speaking = vec![1.0; times.len()];
    let windows = window_evidence(times, &always_speaking, tracks, span, params);
    let window_length = window_length(span, params);
    let mut affinity = vec![0.0; tracks.len()];
    for (index, gains) in windows.iter().enumerate() {
        let middle = span.0 + (index as f64 + 0.5) * window_length;
        if label_turns.iter().any(|(start, end)| *start <= middle && middle < *end) {
            for (total, gain) in affinity.iter_mut().zip(gains) {
                *total += gain.max(0.0);
            }
        }
    }
    affinity
}

fn window_length(span: (f64, f64), params: &SpeakerParams) -> f64 {
    let length = (span.1 - span.0).max(0.0);
    params.window.clamp(1e-3, length.max(1e-3))
}

/// Per window of the span, the gain of each track: its share of the mouth motion minus the
/// best other track's share, or all zeros when the window has no speech, no motion, or no
/// clear leader (`margin`).
fn window_evidence(
    times: &[f64],
    speech_energy: &[f64],
    tracks: &[TrackActivity],
    span: (f64, f64),
    params: &SpeakerParams,
) -> Vec<Vec<f64>> {
    let window_length = window_length(span, params);
    let count = ((span.1 - span.0).max(0.0) / window_length - 1e-9).ceil().max(1.0) as usize;
    let in_span = |t: f64| t.is_finite() && span.0 <= t && t < span.1;
    let peak = times
        .iter()
        .zip(speech_energy)
        .filter(|(t, energy)| in_span(**t) && energy.is_finite())
        .map(|(_, energy)| *energy)
        .fold(0.0, f64::max);
    let mut speech = vec![(0.0, 0usize); count];
    let mut motion = vec![vec![0.0; tracks.len()]; count];
    for (sample, &t) in times.iter().enumerate() {
        if !in_span(t) {
            continue;
        }
        let window = (((t - span.0) / window_length) as usize).min(count - 1);
        let energy = speech_energy.get(sample).copied().filter(|e| e.is_finite()).unwrap_or(0.0);
        speech[window].0 += energy;
        speech[window].1 += 1;
        for (track, activity) in tracks.iter().enumerate() {
            let value = activity.mouth_motion.get(sample).copied().flatten().filter(|v| v.is_finite());
            motion[window][track] += value.unwrap_or(0.0).max(0.0);
        }
    }
    speech
        .iter()
        .zip(motion)
        .map(|(&(energy_sum, samples), motions)| {
            let speaking = samples > 0 && peak > 0.0 && energy_sum / samples as f64 >= params.speech_floor * peak;
            let total: f64 = motions.iter().sum();
            if !speaking || total <= 0.0 {
                return vec![0.0; tracks.len()];
            }
            let shares: Vec<f64> = motions.iter().map(|m| m / total).collect();
            let gains: Vec<f64> = (0..shares.len())
                .map(|k| {
                    let best_other = (0..shares.len()).filter(|&j| j != k).map(|j| shares[j]).fold(0.0, f64::max);
                    shares[k] - best_other
                })
                .collect();
            let lead = gains.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if lead < params.margin {
                vec![0.0; tracks.len()]
            } else {
                gains
            }
        })
        .collect()
}

/// The state per window maximizing the summed gains minus `switch_cost` per change of state
/// (Viterbi). Ties keep the current state, then prefer the lower index.
fn best_state_sequence(windows: &[Vec<f64>], switch_cost: f64) -> Vec<usize> {
    let states = windows.first().map_or(0, Vec::len);
    if states == 0 {
        return Vec::new();
    }
    let mut score: Vec<f64> = windows[0].clone();
    let mut came_from: Vec<Vec<usize>> = Vec::with_capacity(windows.len());
    came_from.push((0..states).collect());
    for gains in &windows[1..] {
        let (best_state, best_score) = argmax(&score);
        let mut next = vec![0.0; states];
        let mut from = vec![0; states];
        for state in 0..states {
            let (origin, value) = if score[state] >= best_score - switch_cost {
                (state, score[state])
            } else {
                (best_state, best_score - switch_cost)
            };
            next[state] = value + gains[state];
            from[state] = origin;
        }
        score = next;
        came_from.push(from);
    }
    let mut sequence = vec![argmax(&score).0; windows.len()];
    for index in (1..windows.len()).rev() {
        sequence[index - 1] = came_from[index][sequence[index]];
    }
    sequence
}

/// Put every switch in the middle of the windows without evidence around it (a pause between
/// two speakers' words), as a transcript's turns are split in the middle of the gap. Those
/// windows have no gain for any track, so the sequence scores the same.
fn centre_switches_in_silence(states: &mut [usize], windows: &[Vec<f64>]) {
    let silent = |index: usize| windows[index].iter().all(|gain| *gain == 0.0);
    for index in 1..states.len() {
        let (old, new) = (states[index - 1], states[index]);
        if old == new {
            continue;
        }
        let mut first = index;
        while first > 0 && silent(first - 1) && states[first - 1] == old {
            first -= 1;
        }
        let mut end = index;
        while end < states.len() && silent(end) && states[end] == new {
            end += 1;
        }
        if first == 0 || end == states.len() {
            continue;
        }
        let middle = (first + end).div_ceil(2);
        states[first..middle].fill(old);
        states[middle..end].fill(new);
    }
}

/// The first index of the largest value, and the value.
fn argmax(values: &[f64]) -> (usize, f64) {
    values
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (index, &value)| if value > best.1 { (index, value) } else { best })
}

/// Append `turn`, extending the last turn instead when it has the same track.
fn push_turn(turns: &mut Vec<SpeakerTurn>, turn: SpeakerTurn) {
    match turns.last_mut() {
        Some(last) if last.track == turn.track => last.end = turn.end,
        _ => turns.push(turn),
    }
}

/// Merge every turn shorter than `min_hold` (shortest first) into the neighbour whose
/// track has more `evidence` over it, until all turns are long enough or one is left.
fn enforce_min_hold(
    mut turns: Vec<SpeakerTurn>,
    min_hold: f64,
    evidence: impl Fn(&SpeakerTurn, TrackId) -> f64,
) -> Vec<SpeakerTurn> {
    while turns.len() > 1 {
        let Some((index, _)) = turns
            .iter()
            .enumerate()
            .map(|(index, turn)| (index, turn.end - turn.start))
            .filter(|(_, length)| *length < min_hold)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        else {
            break;
        };
        let short = turns[index];
        let before = index.checked_sub(1).map(|i| turns[i].track);
        let after = turns.get(index + 1).map(|turn| turn.track);
        let into = match (before, after) {
            (Some(before), Some(after)) => {
                if evidence(&short, after) > evidence(&short, before) {
                    after
                } else {
                    before
                }
            }
            (Some(only), None) | (None, Some(only)) => only,
            (None, None) => break,
        };
        turns[index].track = into;
        turns = turns.into_iter().fold(Vec::new(), |mut merged, turn| {
            push_turn(&mut merged, turn);
            merged
        });
    }
    turns
}

#[cfg(test)]
#[path = "speaker_tests.rs"]
mod tests;
