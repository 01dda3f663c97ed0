//! Fitting the [`ReactionModel`]: L2-regularised logistic regression solved by Newton's method
//! ([`crate::logistic`]) on standardised features, and the Rust source of `reaction_model.rs`
//! that holds the result. Pure and deterministic: the same windows give the same coefficients,
//! so `opusclip eval highlights --fit` reproduces the shipped constants.

use crate::logistic::{newton_logistic, NewtonStop};
use crate::reaction::{ReactionFeatures, ReactionModel, FEATURES};

/// The L2 penalty (on the standardised coefficients, not the intercept) the shipped model uses.
pub const REACTION_L2: f64 = 0.01;
/// When the Newton fit stops: 20 parameters converge to steps below 1e-12.
const STOP: NewtonStop = NewtonStop { max_steps: 100, tolerance: 1e-12 };

/// Windows to learn from: their features and whether an audience reacted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingSet {
    pub features: Vec<ReactionFeatures>,
    pub reacted: Vec<bool>,
}

impl TrainingSet {
    /// Adds one window.
    pub fn push(&mut self, features: ReactionFeatures, reacted: bool) {
        self.features.push(features);
        self.reacted.push(reacted);
    }

    /// Number of windows.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether there are no windows.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

/// The model that minimises mean log-loss + `l2` / 2 × |coefficients|² on `set` (features
/// standardised by the set's mean and population standard deviation). `None` for an empty set
/// or one with a single outcome.
pub fn fit_reaction_model(set: &TrainingSet, l2: f64) -> Option<ReactionModel> {
    if set.is_empty() {
        return None;
    }
    let count = set.len() as f64;
    let means: ReactionFeatures = std::array::from_fn(|i| set.features.iter().map(|f| f[i]).sum::<f64>() / count);
    let scales: ReactionFeatures = std::array::from_fn(|i| {
        let variance = set.features.iter().map(|f| (f[i] - means[i]).powi(2)).sum::<f64>() / count;
        if variance > 1e-24 {
            variance.sqrt()
        } else {
            1.0
        }
    });
    let rows: Vec<ReactionFeatures> =
        set.features.iter().map(|f| std::array::from_fn(|i| (f[i] - means[i]) / scales[i])).collect();
    let row_refs: Vec<&[f64]> = rows.iter().map(|row| row.as_slice()).collect();
    let targets: Vec<f64> = set.reacted.iter().map(|&r| f64::from(u8::from(r))).collect();
    let parameters = newton_logistic(&row_refs, &targets, l2, STOP)?;
    Some(ReactionModel {
        means,
        scales,
        coefficients: std::array::from_fn(|i| parameters[i + 1]),
        intercept: parameters[0],
    })
}

/// The Rust source of `reaction_model.rs` holding `model`; `provenance` (one paragraph, no
/// line breaks needed) says how and on what it was fitted.
pub fn model_source(model: &ReactionModel, provenance: &str) -> String {
    let array = |values: &ReactionFeatures| {
        let lines: Vec<String> =
            values.iter().zip(FEATURES).map(|(value, (name, _, _))| format!("        {value:?}, // {name}")).collect();
        format!("[\n{}\n    ]", lines.join("\n"))
    };
    let provenance: Vec<String> = wrap(provenance, 96).into_iter().map(|line| format!("//! {line}")).collect();
    format!(
        "//! The shipped coefficients of the audience-reaction text model (`crate::reaction`), written by\n\
         //! `opusclip eval highlights --fit`: do not edit by hand, refit.\n//!\n{}\n\n\
         use crate::reaction::ReactionModel;\n\n\
         /// The fitted model; features in `crate::reaction::FEATURES` order.\n\
         #[rustfmt::skip]\n\
         pub const REACTION_MODEL: ReactionModel = ReactionModel {{\n    means: {},\n    scales: {},\n    \
         coefficients: {},\n    intercept: {:?},\n}};\n",
        provenance.join("\n"),
        array(&model.means),
        array(&model.scales),
        array(&model.coefficients),
        model.intercept
    )
}

/// `text` broken into lines of at most `width` characters at spaces.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reaction::FEATURE_COUNT;

    /// A set where feature 0 decides the outcome with noise and feature 1 is noise.
    fn planted_set() -> TrainingSet {
        let mut set = TrainingSet::default();
        let noise = crate::evaluation::random_scores(4000, 3);
        for (i, pair) in noise.chunks(2).enumerate() {
            let mut features = [0.0; FEATURE_COUNT];
            features[0] = (i % 10) as f64;
            features[1] = pair[0] * 10.0;
            let reacted = features[0] / 10.0 + 0.3 * (pair[1] - 0.5) > 0.5;
            set.push(features, reacted);
        }
        set
    }

    #[test]
    fn the_deciding_feature_gets_the_weight() {
        let model = fit_reaction_model(&planted_set(), REACTION_L2).expect("fits");
        assert!(model.coefficients[0] > 2.0, "{model:?}");
        assert!(model.coefficients[1].abs() < 0.3, "{model:?}");
        assert!(model.coefficients[2..].iter().all(|c| *c == 0.0), "constant features get nothing: {model:?}");
        assert!((model.means[0] - 4.5).abs() < 1e-9 && model.scales[2] == 1.0);
        let mut high = [0.0; FEATURE_COUNT];
        high[0] = 9.0;
        assert!(model.probability(&high) > 0.9 && model.probability(&[0.0; FEATURE_COUNT]) < 0.1);
    }

    #[test]
    fn fitting_is_deterministic_and_regularised() {
        let set = planted_set();
        assert_eq!(fit_reaction_model(&set, REACTION_L2), fit_reaction_model(&set, REACTION_L2));
        let loose = fit_reaction_model(&set, 1e-6).unwrap();
        let tight = fit_reaction_model(&set, 1.0).unwrap();
        assert!(tight.coefficients[0].abs() < loose.coefficients[0].abs());
        assert_eq!(fit_reaction_model(&TrainingSet::default(), REACTION_L2), None);
    }

    #[test]
    fn the_source_names_every_feature_and_round_trips_the_numbers() {
        let model = fit_reaction_model(&planted_set(), REACTION_L2).unwrap();
        let source = model_source(&model, "Fitted on a planted set for a test.");
        assert!(source.starts_with("//! The shipped coefficients"));
        assert!(source.contains("//! Fitted on a planted set for a test."));
        for (name, _, _) in FEATURES {
            assert_eq!(source.matches(&format!("// {name}\n")).count(), 3, "{name}");
        }
        assert!(source.contains(&format!("{:?}, // first_person", model.coefficients[0])));
        assert!(source.contains(&format!("intercept: {:?},", model.intercept)));
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
    }
}
