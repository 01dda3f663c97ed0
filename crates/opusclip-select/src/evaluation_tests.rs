//! Tests of the reaction evaluation (`evaluation.rs`).

use super::*;

fn cue(start: f64, text: &str) -> Cue {
    Cue { start, text: text.into() }
}

/// A talk of `seconds` with a cue of plain words every 5 s and reactions at the given times.
fn talk(key: &str, seconds: f64, laughs: &[f64], applause: &[f64]) -> Talk {
    let mut cues: Vec<Cue> =
        (0..(seconds / 5.0) as usize).map(|i| cue(i as f64 * 5.0, "we talk about the work here.")).collect();
    cues.extend(laughs.iter().map(|&t| cue(t, "(Laughter)")));
    cues.extend(applause.iter().map(|&t| cue(t, "(Applause)")));
    cues.sort_by(|a, b| a.start.total_cmp(&b.start));
    Talk { key: key.into(), cues }
}

#[test]
fn markers_are_stripped_even_across_cues() {
    let cues = ["Thanks. (Applause) (Laughter)", "(Audience: why", "not?)", "Well (laughs) yes."];
    assert_eq!(strip_markers(&cues), ["Thanks.", "", "", "Well yes."]);
    let never_closed = ["Open ( forever", "more text", "and more", "still", "no close", "at all"];
    assert_eq!(strip_markers(&never_closed)[0], "Open forever");
    assert_eq!(strip_markers(&never_closed)[1], "more text");
    assert!(Reaction::Laughter.marks("Yes (LAUGHTER)") && !Reaction::Applause.marks("(Laughter)"));
}

#[test]
fn words_spread_evenly_up_to_the_next_cue_with_words() {
    let cues = [cue(10.0, "one two three four"), cue(14.0, "(Laughter)"), cue(20.0, "five six")];
    let words = words_from_cues(&cues);
    let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["one", "two", "three", "four", "five", "six"]);
    // The marker-only cue leaves no gap: "one … four" fill 10..20 s, up to the next cue with
    // words (2.5 s a word is this tiny talk's median, so nothing is cut).
    assert_eq!((words[0].start, words[1].start, words[3].end, words[4].start), (10.0, 12.5, 20.0, 20.0));
    assert!((words[5].end - (20.0 + 2.0 * LAST_CUE_SECONDS_PER_WORD)).abs() < 1e-9);
}

#[test]
fn whole_windows_slide_by_the_step() {
    assert_eq!(window_starts(100.0, 60.0, 15.0), [0.0, 15.0, 30.0]);
    assert_eq!(window_starts(105.0, 60.0, 15.0), [0.0, 15.0, 30.0, 45.0]);
    assert!(window_starts(59.0, 60.0, 15.0).is_empty());
    assert!(window_starts(100.0, 60.0, 0.0).is_empty());
}

#[test]
fn reaction_zones_follow_the_rule() {
    let talk = talk("t", 165.0, &[77.0], &[]);
    let options = EvaluationOptions::default();
    let windows = talk_windows(&talk, &options);
    let reacted: Vec<(f64, bool)> = windows.iter().map(|w| (w.start, w.laughter)).collect();
    let expected = [(0.0, false), (15.0, true), (30.0, true), (45.0, true), (60.0, true), (75.0, true), (90.0, false)];
    assert_eq!(reacted, expected);
    let only_after = EvaluationOptions { zone: ReactionZone::OnlyAfter, ..options };
    let reacted: Vec<bool> = talk_windows(&talk, &only_after).iter().map(|w| w.laughter).collect();
    assert_eq!(reacted, [false, true, false, false, false, false, false]);
    assert!(talk_windows(&talk, &only_after).iter().all(|w| !w.applause));
}

#[test]
fn precision_counts_the_best_k_and_breaks_ties_by_position() {
    let scores = [0.1, 0.9, 0.5, 0.9, 0.0];
    let reacted = [false, true, false, false, true];
    assert_eq!(precision_at_k(&scores, &reacted, 1), 1.0);
    assert_eq!(precision_at_k(&scores, &reacted, 2), 0.5);
    assert!((precision_at_k(&scores, &reacted, 3) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(precision_at_k(&scores[..2], &reacted[..2], 5), 0.5);
    assert_eq!(precision_at_k(&[], &[], 3), 0.0);
}

#[test]
fn random_scores_are_seeded_and_uniform() {
    let a = random_scores(10_000, 1);
    assert_eq!(a, random_scores(10_000, 1));
    assert_ne!(a, random_scores(10_000, 2));
    assert!(a.iter().all(|x| (0.0..=1.0).contains(x)));
    let mean = a.iter().sum::<f64>() / a.len() as f64;
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
}

#[test]
fn splits_partition_the_talks() {
    let keys: Vec<String> = (0..200).map(|i| format!("speaker {i} — talk")).collect();
    let dev = keys.iter().filter(|k| Split::Dev.contains(k)).count();
    let holdout = keys.iter().filter(|k| Split::Holdout.contains(k)).count();
    assert_eq!(dev + holdout, 200);
    assert!((70..=130).contains(&dev), "{dev}");
    assert!(keys.iter().all(|k| Split::All.contains(k)));
    assert!(keys.iter().all(|k| Split::Dev.contains(k) != Split::Dev.complement().contains(k)));
}

#[test]
fn opening_and_closing_applause_do_not_count_and_random_sits_near_chance() {
    let talks: Vec<Talk> = (0..40)
        .map(|i| {
            let laughs: Vec<f64> = random_scores(3, i).iter().map(|r| 10.0 + r * 560.0).collect();
            let moment = 100.0 + random_scores(1, 1000 + i)[0] * 400.0;
            talk(&format!("talk {i}"), 600.0, &laughs, &[0.0, moment, 600.0])
        })
        .collect();
    let options = EvaluationOptions { ks: vec![1, 3], random_draws: 50, ..EvaluationOptions::default() };
    let report = evaluate(&talks, &options);
    assert_eq!(report.talks, 40);
    assert_eq!(report.windows, 40 * 36, "the talk ends with its last words, not its closing applause");
    assert_eq!(report.talks_with, [(Reaction::Laughter, 40), (Reaction::Applause, 40)]);
    let later = report.precision(Method::PositionLater, Reaction::Applause, 1).unwrap();
    assert!(later < 0.2, "the closing applause would make later-first right every time: {later}");
    let chance = report.chance_of(Reaction::Applause).unwrap();
    assert!((0.1..0.2).contains(&chance), "one mid-talk applause reaches 4–5 of 36 windows: {chance}");
    let laughter_chance = report.chance_of(Reaction::Laughter).unwrap();
    let random = report.precision(Method::Random, Reaction::Laughter, 3).unwrap();
    assert!((random - laughter_chance).abs() < 0.05, "random {random} vs chance {laughter_chance}");
    for precision in &report.precisions {
        assert!((0.0..=1.0).contains(&precision.value), "{precision:?}");
    }
}

#[test]
fn a_laughs_time_is_cut_from_the_timeline() {
    // Ten cues of 4 words at 0.4 s/word; the fifth is followed by an 8 s laugh.
    let mut cues: Vec<Cue> = Vec::new();
    let mut t = 0.0;
    for i in 0..10 {
        cues.push(cue(t, "one two three four"));
        t += 1.6;
        if i == 4 {
            cues.push(cue(t, "(Laughter)"));
            t += 8.0;
        }
    }
    let words = words_from_cues(&cues);
    assert_eq!(words.len(), 40);
    let longest = words.iter().map(|w| w.end - w.start).fold(0.0, f64::max);
    assert!(longest <= 0.4 * MAX_WORD_SECONDS_OVER_MEDIAN + 1e-9, "a word stretched over the laugh: {longest}");
    let talk = Talk { key: "t".into(), cues };
    let windows =
        talk_windows(&talk, &EvaluationOptions { window_seconds: 4.0, step_seconds: 2.0, ..Default::default() });
    let laughed: Vec<f64> = windows.iter().filter(|w| w.laughter).map(|w| w.start).collect();
    assert!(!laughed.is_empty() && laughed.iter().all(|&start| start < 12.0), "{laughed:?}");
}

#[test]
fn the_text_scorer_sees_only_the_window_words() {
    let words = words_from_cues(&[cue(0.0, "Why do you never finish? (Laughter)"), cue(4.0, "Because you plan.")]);
    assert!(words.iter().all(|w| !w.text.contains('(')));
    let weights = ScoreWeights::default();
    let scores = text_only_scores(&words, &[(0.0, 60.0), (10.0, 70.0)], &weights);
    assert!(scores.iter().all(|score| (0.0..=100.0).contains(score)), "{scores:?}");
    assert!(scores[0] > scores[1], "words beat an empty window: {scores:?}");
    let hook_only =
        ScoreWeights { hook: 1.0, coherence: 0.0, engagement: 0.0, pacing: 0.0, visual: 0.0, length_fit: 0.0 };
    assert_ne!(text_only_scores(&words, &[(0.0, 60.0)], &hook_only)[0], scores[0], "the weights are used");
}

#[test]
fn top_k_windows_do_not_overlap_so_one_laugh_counts_once() {
    // Five overlapping windows around one laugh score best; two far windows without one follow.
    let spans = [(0.0, 60.0), (15.0, 75.0), (30.0, 90.0), (45.0, 105.0), (60.0, 120.0), (200.0, 260.0), (300.0, 360.0)];
    let reacted = [true, true, true, true, true, false, false];
    let scores = [0.9, 0.95, 1.0, 0.97, 0.92, 0.5, 0.4];
    assert_eq!(precision_at_k(&scores, &reacted, 3), 1.0, "overlapping windows all count");
    let disjoint = precision_at_k_disjoint(&scores, &reacted, &spans, 3);
    assert!((disjoint - 1.0 / 3.0).abs() < 1e-9, "{disjoint}");
    assert_eq!(precision_at_k_disjoint(&[], &[], &[], 3), 0.0);
}
