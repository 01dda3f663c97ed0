//! Active-speaker tests on synthetic mouth-motion and speech-energy series.

use super::*;

const FPS: f64 = 5.0;

use crate::test_noise::Noise;

fn sample_times(seconds: f64) -> Vec<f64> {
    (0..(seconds * FPS) as usize).map(|i| i as f64 / FPS).collect()
}

/// Who truly speaks at `t` in a turn-taking pattern: turns of 2–6 s alternating between
/// track 0 and track 1, with a 0.3 s pause between turns (`None`).
fn turn_taking(seconds: f64, noise: &mut Noise) -> Vec<(f64, f64, TrackId)> {
    let mut turns = Vec::new();
    let (mut start, mut speaker) = (0.0, 0);
    while start < seconds {
        let end = (start + 2.0 + 4.0 * noise.next()).min(seconds);
        turns.push((start, end, speaker));
        start = end + 0.3;
        speaker = 1 - speaker;
    }
    turns
}

fn truth_at(turns: &[(f64, f64, TrackId)], t: f64) -> Option<TrackId> {
    turns.iter().find(|(start, end, _)| *start <= t && t < *end).map(|turn| turn.2)
}

/// Speech energy and two faces' mouth motion for a pattern of true speakers: the speaker's
/// mouth moves a lot, the listener's a little (with a nod now and then).
fn signals(times: &[f64], truth: impl Fn(f64) -> Option<TrackId>, noise: &mut Noise) -> (Vec<f64>, Vec<TrackActivity>) {
    let mut speech = Vec::new();
    let mut mouths = vec![Vec::new(), Vec::new()];
    for &t in times {
        let speaker = truth(t);
        speech.push(if speaker.is_some() { 0.5 + 0.5 * noise.next() } else { 0.03 * noise.next() });
        for (track, mouth) in mouths.iter_mut().enumerate() {
            let nod = if noise.next() < 0.1 { 0.8 * noise.next() } else { 0.0 };
            let speaking = speaker == Some(track as TrackId);
            let level = if speaking { 0.4 + 0.8 * noise.next() } else { 0.25 * noise.next() + nod };
            mouth.push(Some(level));
        }
    }
    let tracks = mouths
        .into_iter()
        .enumerate()
        .map(|(track, mouth_motion)| TrackActivity { track: track as TrackId, mouth_motion })
        .collect();
    (speech, tracks)
}

fn speaker_at(turns: &[SpeakerTurn], t: f64) -> Option<TrackId> {
    turns.iter().find(|turn| turn.start <= t && t < turn.end).map(|turn| turn.track)
}

fn check_cover(turns: &[SpeakerTurn], span: (f64, f64), min_hold: f64) {
    assert_eq!(turns.first().map(|turn| turn.start), Some(span.0));
    assert_eq!(turns.last().map(|turn| turn.end), Some(span.1));
    for pair in turns.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "{turns:?}");
        assert_ne!(pair[0].track, pair[1].track, "{turns:?}");
    }
    for turn in turns {
        assert!(turn.end - turn.start >= min_hold - 1e-9 || turns.len() == 1, "short turn {turn:?}");
    }
}

#[test]
fn turn_taking_frames_the_right_speaker_at_least_90_percent_of_the_time() {
    for seed in 1..=5u64 {
        let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ seed);
        let seconds = 90.0;
        let pattern = turn_taking(seconds, &mut noise);
        let times = sample_times(seconds);
        let (speech, tracks) = signals(&times, |t| truth_at(&pattern, t), &mut noise);
        let params = SpeakerParams::default();
        let turns = active_speakers(&times, &speech, &tracks, (0.0, seconds), &params);
        check_cover(&turns, (0.0, seconds), params.min_hold);
        let spoken: Vec<f64> = times.iter().copied().filter(|t| truth_at(&pattern, *t).is_some()).collect();
        let right = spoken.iter().filter(|t| speaker_at(&turns, **t) == truth_at(&pattern, **t)).count();
        let share = right as f64 / spoken.len() as f64;
        assert!(share >= 0.9, "seed {seed}: right speaker {share:.3} of the time; {turns:?}");
        assert!(turns.len() <= pattern.len() + 1, "seed {seed}: {} turns for {} true ones", turns.len(), pattern.len());
    }
}

#[test]
fn one_speaker_and_a_fidgeting_listener_never_switch() {
    let mut noise = Noise(42);
    let times = sample_times(60.0);
    let (speech, tracks) = signals(&times, |_| Some(1), &mut noise);
    let turns = active_speakers(&times, &speech, &tracks, (0.0, 60.0), &SpeakerParams::default());
    assert_eq!(turns, [SpeakerTurn { start: 0.0, end: 60.0, track: 1 }]);
}

#[test]
fn indistinct_mouths_do_not_flip_flop() {
    // Nobody's mouth goes with the voice: any switch is noise. Over ten minutes of such
    // clips the camera switches less than once per 30 s, and never holds a speaker under 1 s.
    let (seconds, seeds) = (60.0, 10u64);
    let mut switches = 0;
    for seed in 1..=seeds {
        let mut noise = Noise(seed * 7919);
        let times = sample_times(seconds);
        let speech: Vec<f64> = times.iter().map(|_| 0.5 + 0.5 * noise.next()).collect();
        let tracks: Vec<TrackActivity> = (0..2)
            .map(|track| TrackActivity { track, mouth_motion: times.iter().map(|_| Some(noise.next())).collect() })
            .collect();
        let params = SpeakerParams::default();
        let turns = active_speakers(&times, &speech, &tracks, (0.0, seconds), &params);
        check_cover(&turns, (0.0, seconds), params.min_hold);
        switches += turns.len() - 1;
    }
    let rate = switches as f64 / (seconds * seeds as f64);
    assert!(rate < 1.0 / 30.0, "{switches} switches in {} s", seconds * seeds as f64);
}

#[test]
fn no_speech_or_no_motion_gives_no_turns() {
    let times = sample_times(10.0);
    let silent = vec![0.0; times.len()];
    let moving = vec![TrackActivity { track: 3, mouth_motion: vec![Some(1.0); times.len()] }];
    assert!(active_speakers(&times, &silent, &moving, (0.0, 10.0), &SpeakerParams::default()).is_empty());
    let speech = vec![1.0; times.len()];
    let still = vec![TrackActivity { track: 3, mouth_motion: vec![None; times.len()] }];
    assert!(active_speakers(&times, &speech, &still, (0.0, 10.0), &SpeakerParams::default()).is_empty());
    assert!(active_speakers(&times, &speech, &[], (0.0, 10.0), &SpeakerParams::default()).is_empty());
}

#[test]
fn a_single_face_that_speaks_is_the_speaker_of_the_whole_span() {
    let times = sample_times(10.0);
    let speech = vec![1.0; times.len()];
    let tracks = [TrackActivity { track: 7, mouth_motion: vec![Some(0.5); times.len()] }];
    let turns = active_speakers(&times, &speech, &tracks, (0.0, 10.0), &SpeakerParams::default());
    assert_eq!(turns, [SpeakerTurn { start: 0.0, end: 10.0, track: 7 }]);
}

fn word(text: &str, start: f64, speaker: Option<&str>) -> Word {
    Word { text: text.into(), start, end: start + 0.3, confidence: 1.0, speaker: speaker.map(str::to_string) }
}

#[test]
fn transcript_labels_set_the_turns() {
    let words = [
        word("hello", 0.5, Some("A")),
        word("there", 1.0, Some("A")),
        word("um", 2.0, None),
        word("yes", 3.0, Some("B")),
        word("indeed", 4.6, Some("B")),
        word("quick", 5.1, Some("A")), // a short interjection: merged into B's turn
        word("so", 5.6, Some("B")),
        word("right", 8.0, Some("C")), // C has no face: skipped
        word("ok", 9.0, Some("A")),
    ];
    let track_of = |label: &str| match label {
        "A" => Some(10),
        "B" => Some(11),
        _ => None,
    };
    let turns = turns_from_labels(&words, (0.0, 12.0), 1.0, track_of);
    let expected = [(0.0, 2.15, 10), (2.15, 7.45, 11), (7.45, 12.0, 10)];
    assert_eq!(turns.len(), expected.len(), "{turns:?}");
    for (turn, (start, end, track)) in turns.iter().zip(expected) {
        assert!((turn.start - start).abs() < 1e-9 && (turn.end - end).abs() < 1e-9 && turn.track == track, "{turns:?}");
    }
    assert!(turns_from_labels(&words, (0.0, 12.0), 1.0, |_| None).is_empty());
}

#[test]
fn label_affinity_finds_the_face_that_moves_with_the_voice() {
    let mut noise = Noise(5);
    let pattern = turn_taking(40.0, &mut noise);
    let times = sample_times(40.0);
    let (_, tracks) = signals(&times, |t| truth_at(&pattern, t), &mut noise);
    let turns_of = |speaker: TrackId| -> Vec<(f64, f64)> {
        pattern.iter().filter(|turn| turn.2 == speaker).map(|turn| (turn.0, turn.1)).collect()
    };
    let params = SpeakerParams::default();
    let first = label_affinity(&times, &tracks, &turns_of(0), (0.0, 40.0), &params);
    let second = label_affinity(&times, &tracks, &turns_of(1), (0.0, 40.0), &params);
    assert!(first[0] > 3.0 * first[1], "{first:?}");
    assert!(second[1] > 3.0 * second[0], "{second:?}");
}

#[test]
fn viterbi_pays_for_switches() {
    let windows = vec![vec![1.0, -1.0], vec![-1.0, 1.0], vec![1.5, -1.5], vec![-1.0, 1.0], vec![-1.0, 1.0]];
    assert_eq!(best_state_sequence(&windows, 1.5), [0, 0, 0, 1, 1]);
    assert_eq!(best_state_sequence(&windows, 0.5), [0, 1, 0, 1, 1]);
    assert_eq!(best_state_sequence(&windows, 10.0), [1, 1, 1, 1, 1]);
}

#[test]
fn a_switch_after_a_long_pause_lands_in_the_middle_of_the_pause() {
    // Track 0 speaks 0–4 s, nobody 4–6 s, track 1 speaks 6–10 s.
    let times = sample_times(10.0);
    let truth = |t: f64| {
        if t < 4.0 {
            Some(0)
        } else if t >= 6.0 {
            Some(1)
        } else {
            None
        }
    };
    let (speech, tracks) = signals(&times, truth, &mut Noise(11));
    let turns = active_speakers(&times, &speech, &tracks, (0.0, 10.0), &SpeakerParams::default());
    assert_eq!(turns.len(), 2, "{turns:?}");
    assert!((turns[1].start - 5.0).abs() <= 0.4, "the switch is mid-pause: {turns:?}");
}
