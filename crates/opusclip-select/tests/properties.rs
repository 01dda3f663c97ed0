//! Property tests of clip selection over random transcripts and random survey signals: chosen
//! clips fit a length range and the timeframe, sit on sentence boundaries (padded into silence
//! within the pad limits, never into a neighbouring word), never overlap, are ranked and
//! deterministic; `describe` keeps to its limits.

use opusclip_core::{AudioLevels, Candidate, Silence, Word};
use opusclip_select::dead_air::{dead_air, words_within};
use opusclip_select::{
    describe, select_clips, select_clips_without_words, sentences, ClipScorer, LengthRange, SelectOptions, Signals,
    TimeRange, LEAD_PAD_MAX, MAX_DESCRIPTION_CHARS, MAX_SENTENCE_SECONDS, MAX_TITLE_CHARS, TAIL_PAD_MAX,
};
use proptest::prelude::*;

const VOCABULARY: [&str; 12] =
    ["you", "why", "money", "here's", "the", "secret", "um", "3", "never", "works", "so", "people"];
const PUNCTUATION: [&str; 9] = ["", "", "", "", ".", "?", "!", ",", "…"];

/// One generated word: vocabulary index, punctuation index, gap before it, its length.
type WordSeed = (usize, usize, f64, f64);

fn word_seeds() -> impl Strategy<Value = Vec<WordSeed>> {
    prop::collection::vec((0..VOCABULARY.len(), 0..PUNCTUATION.len(), 0.0..1.5f64, 0.1..0.8f64), 0..300)
}

/// Words with increasing times; punctuation dropped everywhere when `unpunctuated`.
fn build_words(seeds: &[WordSeed], unpunctuated: bool) -> Vec<Word> {
    let mut t = 0.0;
    seeds
        .iter()
        .map(|&(vocabulary, punctuation, gap, length)| {
            let start = t + gap;
            t = start + length;
            let mark = if unpunctuated { "" } else { PUNCTUATION[punctuation] };
            Word { text: format!("{}{}", VOCABULARY[vocabulary], mark), start, end: t, confidence: 1.0, speaker: None }
        })
        .collect()
}

fn length_range() -> impl Strategy<Value = LengthRange> {
    (3.0..30.0f64, 0.0..40.0f64).prop_map(|(min, extra)| LengthRange::new(min, min + extra))
}

/// One or two length ranges, and sometimes a timeframe (`(start, length)` as shares of 300 s).
fn select_options() -> impl Strategy<Value = SelectOptions> {
    let timeframe = prop::option::of((0.0..0.5f64, 0.3..1.0f64));
    (1usize..7, prop::collection::vec(length_range(), 1..3), timeframe).prop_map(|(clips, lengths, timeframe)| {
        let longest = lengths.iter().map(|r| r.max_seconds).fold(0.0, f64::max);
        let timeframe = timeframe.map(|(start, length)| {
            let start = start * 300.0;
            TimeRange::new(start, start + (length * 300.0).max(longest))
        });
        SelectOptions { clips, lengths, timeframe, ..SelectOptions::default() }
    })
}

/// Whether `[start, end]` lies in the options' timeframe (always, without one).
fn in_timeframe(options: &SelectOptions, start: f64, end: f64) -> bool {
    options.timeframe.is_none_or(|t| start >= t.start - 1e-9 && end <= t.end + 1e-9)
}

/// Pseudo-random but deterministic levels for `duration` seconds at 10 hops per second.
fn levels_for(duration: f64, seed: u64) -> AudioLevels {
    let hops = (duration * 10.0).ceil() as u64 + 1;
    AudioLevels {
        hop_seconds: 0.1,
        db: (0..hops).map(|i| -70.0 + ((i.wrapping_mul(7919) ^ seed) % 55) as f32).collect(),
    }
}

/// The long gaps between words, as silences.
fn gaps_as_silences(words: &[Word]) -> Vec<Silence> {
    words
        .windows(2)
        .filter(|pair| pair[1].start - pair[0].end > 1.0)
        .map(|pair| Silence { start: pair[0].end, end: pair[1].start })
        .collect()
}

/// Ranked: clips with too much dead air after the others, each group by total, best first.
fn assert_ranked_and_disjoint(chosen: &[Candidate], words: &[Word], signals: &Signals) {
    let too_silent = |clip: &Candidate| {
        dead_air(clip.start, clip.end, words_within(words, clip.start, clip.end), signals).too_much()
    };
    for pair in chosen.windows(2) {
        let (first, second) = (too_silent(&pair[0]), too_silent(&pair[1]));
        assert!(!first || second, "a clip with too much dead air ranks above one without");
        assert!(first != second || pair[0].score.total >= pair[1].score.total, "not ranked");
    }
    for (i, a) in chosen.iter().enumerate() {
        for b in &chosen[i + 1..] {
            assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
        }
    }
    for clip in chosen {
        assert!((0.0..=100.0).contains(&clip.score.total));
        assert!(clip.score.parts.values().all(|p| (0.0..=100.0).contains(&p.value)));
    }
}

proptest! {
    // Selection scores thousands of windows per case: fewer cases keep the debug build quick.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn transcript_clips_respect_bounds_sentences_and_each_other(
        seeds in word_seeds(),
        unpunctuated in any::<bool>(),
        options in select_options(),
        level_seed in any::<u64>(),
        with_audio in any::<bool>(),
        cut_seeds in prop::collection::vec(0.0..1.0f64, 0..30),
        fps in prop::option::of(20.0..60.0f64),
    ) {
        let words = build_words(&seeds, unpunctuated);
        let duration = words.last().map_or(1.0, |w| w.end + 1.0);
        let levels = levels_for(duration, level_seed);
        let silences = gaps_as_silences(&words);
        let cuts: Vec<f64> = cut_seeds.iter().map(|at| at * duration).collect();
        let signals = Signals {
            levels: with_audio.then_some(&levels),
            silences: &silences,
            shot_cuts: Some(&cuts),
            fps,
            ..Signals::empty(duration)
        };
        let scorer = ClipScorer::from_options(&options);
        let chosen = select_clips(&words, &signals, &options, &scorer).expect("valid options");
        let again = select_clips(&words, &signals, &options, &scorer).expect("valid options");
        prop_assert_eq!(&chosen, &again);
        prop_assert!(chosen.len() <= options.clips);
        assert_ranked_and_disjoint(&chosen, &words, &signals);

        let found = sentences(&words);
        for clip in &chosen {
            prop_assert!(options.fits(clip.played_duration()), "{:?}", clip);
            prop_assert!(in_timeframe(&options, clip.start, clip.end), "{:?}", clip);
            prop_assert!(clip.first_sentence < clip.end_sentence);
            let (first, last) = (&found[clip.first_sentence], &found[clip.end_sentence - 1]);
            // A clip joined to its setup plays the question, then the answer from its own opening.
            let opening = match clip.kept_ranges.as_slice() {
                [] => clip.start,
                [question, answer] => {
                    prop_assert!(question.start == clip.start && answer.end == clip.end, "{:?}", clip);
                    prop_assert!(question.end < answer.start, "{:?}", clip);
                    prop_assert!(words.iter().all(|w| w.end <= question.start + 1e-9
                        || w.start >= question.end - 1e-9
                        || (w.start >= question.start - 1e-9 && w.end <= question.end + 1e-9)),
                        "the question cuts a word: {:?}", clip);
                    answer.start
                }
                _ => return Err(TestCaseError::fail(format!("unexpected kept ranges: {clip:?}"))),
            };
            let (lead, tail) = (first.start - opening, clip.end - last.end);
            prop_assert!((-1e-9..=LEAD_PAD_MAX + 1e-9).contains(&lead), "lead {} of {:?}", lead, clip);
            prop_assert!((-1e-9..=TAIL_PAD_MAX + 1e-9).contains(&tail), "tail {} of {:?}", tail, clip);
            if let Some(before) = first.first_word.checked_sub(1).map(|i| &words[i]) {
                prop_assert!(opening >= before.end - 1e-9, "lead reaches into {:?}", before);
            }
            if let Some(after) = words.get(last.end_word) {
                prop_assert!(clip.end <= after.start + 1e-9, "tail reaches into {:?}", after);
            }
            prop_assert!(!clip.text.is_empty());
        }
        // Fewer than asked only when every other fitting run of sentences overlaps a chosen clip.
        if chosen.len() < options.clips {
            for first in 0..found.len() {
                for end in first + 1..=found.len() {
                    let (start, stop) = (found[first].start, found[end - 1].end);
                    if options.fits(stop - start) && in_timeframe(&options, start, stop) {
                        prop_assert!(
                            chosen.iter().any(|c| c.start < stop && start < c.end),
                            "window {}..{} was free", start, stop
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn clips_without_words_respect_bounds_and_each_other(
        duration in 1.0..900.0f64,
        silence_seeds in prop::collection::vec((0.0..1.0f64, 0.1..3.0f64), 0..60),
        cut_seeds in prop::collection::vec(0.0..1.0f64, 0..40),
        options in select_options(),
        level_seed in any::<u64>(),
        with_audio in any::<bool>(),
    ) {
        let silences: Vec<Silence> = silence_seeds
            .iter()
            .map(|&(at, length)| Silence { start: at * duration, end: at * duration + length })
            .collect();
        let cuts: Vec<f64> = cut_seeds.iter().map(|at| at * duration).collect();
        let levels = levels_for(duration, level_seed);
        let signals = Signals { levels: with_audio.then_some(&levels), silences: &silences, ..Signals::empty(duration) };
        let scorer = ClipScorer::from_options(&options);
        let (from, to) = options.bounds(duration);
        if to <= from {
            prop_assert!(select_clips_without_words(&signals, &cuts, &options, &scorer).is_err());
            return Ok(());
        }
        let chosen = select_clips_without_words(&signals, &cuts, &options, &scorer)
            .expect("valid input");
        let again = select_clips_without_words(&signals, &cuts, &options, &scorer)
            .expect("valid input");
        prop_assert_eq!(&chosen, &again);
        prop_assert!(chosen.len() <= options.clips);
        assert_ranked_and_disjoint(&chosen, &[], &signals);
        for clip in &chosen {
            prop_assert!(options.fits(clip.duration()), "{:?}", clip);
            prop_assert!(clip.start >= from && clip.end <= to);
            prop_assert!(clip.text.is_empty());
            prop_assert_eq!((clip.first_sentence, clip.end_sentence), (0, 0));
        }
        if to - from >= options.shortest() {
            prop_assert!(!chosen.is_empty(), "a source longer than min gave no clip");
        }
    }
}

proptest! {
    #[test]
    fn sentences_cover_every_word_in_order(seeds in word_seeds(), unpunctuated in any::<bool>()) {
        let words = build_words(&seeds, unpunctuated);
        let found = sentences(&words);
        let mut next = 0;
        for sentence in &found {
            prop_assert_eq!(sentence.first_word, next);
            prop_assert!(sentence.end_word > sentence.first_word);
            let single_word = sentence.end_word - sentence.first_word == 1;
            prop_assert!(sentence.end - sentence.start <= MAX_SENTENCE_SECONDS || single_word);
            next = sentence.end_word;
        }
        prop_assert_eq!(next, words.len());
    }

    #[test]
    fn describe_keeps_to_its_limits(
        words in prop::collection::vec("[A-Za-z]{1,14}[.?!,]?", 0..120),
        start in 0.0..10_000.0f64,
    ) {
        let text = words.join(" ");
        let described = describe(&text, &[], start);
        prop_assert!(described.title.chars().count() <= MAX_TITLE_CHARS);
        prop_assert!(described.description.chars().count() <= MAX_DESCRIPTION_CHARS);
        prop_assert!(described.hashtags.len() <= 5);
        for tag in &described.hashtags {
            prop_assert!(tag.starts_with('#'));
            prop_assert!(tag[1..].chars().all(char::is_alphanumeric), "{}", tag);
        }
        prop_assert!(!described.title.is_empty());
    }

    #[test]
    fn describe_gives_three_to_five_hashtags_with_enough_content_words(
        picks in prop::collection::vec(0usize..8, 3..60),
    ) {
        const CONTENT: [&str; 8] =
            ["rocket", "engine", "founder", "startup", "market", "podcast", "habit", "sleep"];
        let mut words: Vec<&str> = vec![CONTENT[0], CONTENT[1], CONTENT[2]];
        words.extend(picks.iter().map(|&i| CONTENT[i]));
        let text = format!("{}.", words.join(" the "));
        let tags = describe(&text, &[], 0.0).hashtags;
        prop_assert!((3..=5).contains(&tags.len()), "{:?}", tags);
    }
}
