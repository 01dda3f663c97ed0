//! Fitting the audience-reaction text model ([`crate::reaction`]) on the TED reaction set, and
//! estimating how well it ranks talks it was not fitted on by talk-grouped cross-validation —
//! all inside one split (the dev split for the shipped model), so the holdout split stays unseen.
//!
//! The training label of a window is "laughter or applause in its reaction zone" (the same zone
//! the evaluation uses): one model of "a live audience reacted here", which the scorer's one total
//! ranks both reactions by.

use crate::engagement::window_reaction_features;
use crate::evaluation::{mean, precision_at_k, prepare, EvaluationOptions, Reaction, Split, Talk};
use crate::parts::WindowView;
use crate::reaction::{ReactionFeatures, ReactionModel};
use crate::reaction_fit::{fit_reaction_model, TrainingSet};
use crate::score::Window;
use crate::sentences::sentences;
use crate::signals::Signals;

/// One talk's windows as the model sees them: features (`None`: too few words) and labels.
#[derive(Debug, Clone)]
pub struct TalkWindows {
    pub features: Vec<Option<ReactionFeatures>>,
    pub laughter: Vec<bool>,
    pub applause: Vec<bool>,
    /// The reactions the talk has at all (precision is measured on talks with that reaction).
    pub marked: Vec<Reaction>,
}

impl TalkWindows {
    fn reacted(&self, reaction: Reaction) -> &[bool] {
        match reaction {
            Reaction::Laughter => &self.laughter,
            Reaction::Applause => &self.applause,
        }
    }
}

/// The windows of every talk of `split` (those with at least one whole window), measured the
/// way the text-only scorer measures them.
pub fn talk_windows_for_fit(talks: &[Talk], split: Split, options: &EvaluationOptions) -> Vec<TalkWindows> {
    prepare(talks, split, options)
        .into_iter()
        .map(|talk| {
            let sentences = sentences(&talk.words);
            let signals = Signals::empty(talk.words.last().map_or(0.0, |word| word.end));
            let features = talk
                .windows
                .iter()
                .map(|window| {
                    let span = Window::over(&sentences, window.start, window.end);
                    window_reaction_features(&WindowView::new(&span, &sentences, &talk.words, &signals))
                })
                .collect();
            TalkWindows {
                features,
                laughter: talk.windows.iter().map(|w| w.laughter).collect(),
                applause: talk.windows.iter().map(|w| w.applause).collect(),
                marked: talk.marked,
            }
        })
        .collect()
}

/// The training set of `talks`: every measurable window, reacted to when laughter or applause
/// falls in its zone.
pub fn training_set<'a>(talks: impl IntoIterator<Item = &'a TalkWindows>) -> TrainingSet {
    let mut set = TrainingSet::default();
    for talk in talks {
        for (index, features) in talk.features.iter().enumerate() {
            if let Some(features) = features {
                set.push(*features, talk.laughter[index] || talk.applause[index]);
            }
        }
    }
    set
}

/// Fits the model on all of `talks`.
pub fn fit_on(talks: &[TalkWindows], l2: f64) -> Option<ReactionModel> {
    fit_reaction_model(&training_set(talks), l2)
}

/// Precision@k of one reaction measured on held-out talks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOutPrecision {
    pub reaction: Reaction,
    pub k: usize,
    /// Mean precision@k of the model over held-out talks with that reaction.
    pub value: f64,
    /// The mean share of reacted-to windows in those talks.
    pub chance: f64,
}

/// Talk-grouped `folds`-fold cross-validation: talk `i` is held out in fold `i % folds`; each fold
/// fits on the others and ranks its talks' windows by the model alone (unmeasurable windows last).
pub fn cross_validate(talks: &[TalkWindows], folds: usize, l2: f64, ks: &[usize]) -> Vec<HeldOutPrecision> {
    let folds = folds.max(2);
    let mut scores: Vec<Vec<f64>> = talks.iter().map(|talk| vec![0.0; talk.features.len()]).collect();
    for fold in 0..folds {
        let training = talks.iter().enumerate().filter(|(i, _)| i % folds != fold).map(|(_, talk)| talk);
        let Some(model) = fit_reaction_model(&training_set(training), l2) else {
            continue;
        };
        for (index, talk) in talks.iter().enumerate().filter(|(i, _)| i % folds == fold) {
            scores[index] = talk.features.iter().map(|f| f.as_ref().map_or(-1.0, |f| model.probability(f))).collect();
        }
    }
    let mut results = Vec::new();
    for reaction in Reaction::ALL {
        let measured: Vec<usize> = (0..talks.len()).filter(|&i| talks[i].marked.contains(&reaction)).collect();
        let chance = mean(measured.iter().map(|&i| {
            let reacted = talks[i].reacted(reaction);
            reacted.iter().filter(|&&r| r).count() as f64 / reacted.len() as f64
        }));
        for &k in ks {
            let value = mean(measured.iter().map(|&i| precision_at_k(&scores[i], talks[i].reacted(reaction), k)));
            results.push(HeldOutPrecision { reaction, k, value, chance });
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::Cue;

    /// Talks whose funny stretches are first-person stories with quotes; the rest is a lecture.
    fn talks() -> Vec<Talk> {
        const STORY: &str = "I told my wife, \"I did it!\" She said, \"You did what?\" I didn't know. It's true.";
        const LECTURE: &str = "Global productivity across developing countries has increased substantially in recent \
                               years, and international organizations recommend comprehensive infrastructure.";
        (0..12)
            .map(|talk| {
                let mut cues = Vec::new();
                for block in 0..20 {
                    let start = block as f64 * 30.0;
                    let funny = (block + talk) % 5 == 0;
                    for line in 0..5 {
                        cues.push(Cue {
                            start: start + line as f64 * 6.0,
                            text: (if funny { STORY } else { LECTURE }).into(),
                        });
                    }
                    if funny {
                        cues.push(Cue { start: start + 29.0, text: "(Laughter)".into() });
                    }
                }
                Talk { key: format!("talk {talk}"), cues }
            })
            .collect()
    }

    #[test]
    fn a_planted_signal_is_learned_and_ranks_held_out_talks() {
        let windows = talk_windows_for_fit(&talks(), Split::All, &EvaluationOptions::default());
        assert_eq!(windows.len(), 12);
        assert!(windows.iter().all(|talk| talk.features.iter().all(Option::is_some)));
        let model = fit_on(&windows, 0.01).expect("fits");
        let mean_probability = |reacted: bool| {
            let probabilities: Vec<f64> = windows
                .iter()
                .flat_map(|talk| talk.features.iter().zip(&talk.laughter))
                .filter(|(_, laughter)| **laughter == reacted)
                .map(|(features, _)| model.probability(features.as_ref().unwrap()))
                .collect();
            probabilities.iter().sum::<f64>() / probabilities.len() as f64
        };
        assert!(mean_probability(true) > mean_probability(false) + 0.2, "{model:?}");
        let results = cross_validate(&windows, 4, 0.01, &[3]);
        let laughter = results.iter().find(|r| r.reaction == Reaction::Laughter).unwrap();
        assert!(laughter.value > 1.5 * laughter.chance, "{laughter:?}");
        assert!(results.iter().all(|r| r.reaction != Reaction::Applause || r.value == 0.0), "no applause planted");
    }
}
