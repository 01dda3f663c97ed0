//! Tests of the weight refit (`feedback.rs`).

use super::*;
use crate::evaluation::random_scores;

/// `count` clips whose six parts are uniform in 0..100, from `seed`.
fn random_parts(count: usize, seed: u64) -> Vec<BTreeMap<String, f64>> {
    let values = random_scores(count * PART_NAMES.len(), seed);
    (0..count)
        .map(|clip| {
            PART_NAMES
                .iter()
                .enumerate()
                .map(|(part, name)| (name.to_string(), 100.0 * values[clip * PART_NAMES.len() + part]))
                .collect()
        })
        .collect()
}

/// A results CSV for the clips with the given views; likes follow views loosely.
fn results_csv(views: &[f64], noise: &[f64]) -> String {
    let mut csv = String::from("clip_id,views,likes\n");
    for (index, (views, noise)) in views.iter().zip(noise).enumerate() {
        csv.push_str(&format!("clip-{:02},{:.0},{:.0}\n", index + 1, views, views * (0.04 + 0.02 * noise)));
    }
    csv
}

fn refit_from(parts: &[BTreeMap<String, f64>], csv: &str, prior: &ScoreWeights) -> Refit {
    let outcomes = parse_results_csv(csv, "results.csv").unwrap();
    let by_id: BTreeMap<String, BTreeMap<String, f64>> =
        parts.iter().enumerate().map(|(i, p)| (format!("clip-{:02}", i + 1), p.clone())).collect();
    let rows = parts_for_outcomes(&outcomes, &by_id).unwrap();
    refit_weights(&rows, &engagement_scores(&outcomes), prior).unwrap()
}

#[test]
fn the_part_that_explains_the_results_gains_weight() {
    let parts = random_parts(40, 11);
    let noise = random_scores(40, 12);
    let views: Vec<f64> =
        parts.iter().zip(&noise).map(|(p, n)| 1000.0 * (p["hook"] / 15.0 + 0.6 * (n - 0.5)).exp()).collect();
    let refit = refit_from(&parts, &results_csv(&views, &noise), &ScoreWeights::default());
    assert!(refit.new.hook > refit.old.hook + 0.2, "{refit:?}");
    let largest = PART_NAMES.iter().max_by(|a, b| refit.new.get(a).unwrap().total_cmp(&refit.new.get(b).unwrap()));
    assert_eq!(largest, Some(&"hook"));
    assert!(refit.correlations["hook"] > 0.8, "{refit:?}");
    assert!(refit.blend > 0.5 && refit.adjusted_r_squared > 0.8, "{refit:?}");
    assert!((PART_NAMES.iter().filter_map(|n| refit.new.get(n)).sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(refit.new.problems().is_empty());
}

#[test]
fn results_the_parts_do_not_explain_leave_the_weights_near_the_prior() {
    for seed in 0..10 {
        let parts = random_parts(30, 100 + seed);
        let noise = random_scores(30, 200 + seed);
        let views: Vec<f64> = random_scores(30, 300 + seed).iter().map(|r| 500.0 * (3.0 * r).exp()).collect();
        let refit = refit_from(&parts, &results_csv(&views, &noise), &ScoreWeights::default());
        // Noise earns the fit little trust, so each weight moves a small share of the way.
        assert!(refit.blend < 0.25, "seed {seed}: {refit:?}");
        for name in PART_NAMES {
            let moved = (refit.new.get(name).unwrap() - refit.old.get(name).unwrap()).abs();
            assert!(moved < 0.1, "seed {seed}: {name} moved {moved:.3}: {refit:?}");
        }
    }
}

#[test]
fn parts_missing_from_the_manifest_keep_their_share() {
    let parts: Vec<BTreeMap<String, f64>> = random_parts(20, 5)
        .into_iter()
        .map(|p| p.into_iter().filter(|(name, _)| name == "hook" || name == "length_fit").collect())
        .collect();
    let noise = random_scores(20, 6);
    let views: Vec<f64> = parts.iter().map(|p| 100.0 * (p["length_fit"] / 10.0).exp()).collect();
    let prior = ScoreWeights { visual: 0.2, ..ScoreWeights::default() };
    let refit = refit_from(&parts, &results_csv(&views, &noise), &prior);
    assert_eq!(refit.parts_fitted, ["hook", "length_fit"]);
    assert!(refit.new.length_fit > refit.old.length_fit);
    let ratio = |w: &ScoreWeights| w.coherence / w.visual;
    assert!((ratio(&refit.new) - ratio(&refit.old)).abs() < 1e-9);
    assert!(
        (refit.new.hook + refit.new.length_fit - refit.old.hook - refit.old.length_fit).abs() < 1e-9,
        "the fitted parts share only their own mass: {refit:?}"
    );
}

#[test]
fn constant_results_change_nothing() {
    let parts = random_parts(8, 1);
    let refit = refit_weights(&parts, &[1.0; 8], &ScoreWeights::default()).unwrap();
    assert_eq!(refit.new, ScoreWeights::default().normalized());
    assert_eq!(refit.blend, 0.0);
}

#[test]
fn csv_values_take_common_forms() {
    let csv = "\u{feff}Clip, Views ,Watch Time,Likes,notes\n\
               clip-01,\"1,200\",45%,30,great\n\
               clip-02,1.2k,1:23,,\n\
               \n\
               clip-03,3M,,\"7\",\"a, b\"\n";
    let outcomes = parse_results_csv(csv, "r.csv").unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0].views, Some(1200.0));
    assert_eq!(outcomes[0].watch_time, Some(45.0));
    assert_eq!(outcomes[1].views, Some(1200.0));
    assert_eq!(outcomes[1].watch_time, Some(83.0));
    assert_eq!(outcomes[1].likes, None);
    assert_eq!((outcomes[2].views, outcomes[2].likes, outcomes[2].line), (Some(3e6), Some(7.0), 5));
}

#[test]
fn bad_csvs_name_the_line_and_column() {
    let message = |csv: &str| parse_results_csv(csv, "r.csv").unwrap_err().to_string();
    let bad_number = message("clip_id,views\nclip-01,100\nclip-02,lots\n");
    assert!(bad_number.contains("r.csv line 3, column views") && bad_number.contains("\"lots\""), "{bad_number}");
    assert!(message("clip_id,views\nclip-01,-5\n").contains("line 2, column views"));
    assert!(message("name,views\nx,1\n").contains("no clip_id (or clip) column"));
    assert!(message("clip_id,comments\nx,1\n").contains("no result column"));
    assert!(message("clip_id,views\nclip-01,1\nclip-01,2\n").contains("already given on line 2"));
    assert!(message("clip_id,views,likes\nclip-01,,\n").contains("line 2: clip clip-01 has no views"));
    assert!(message("").contains("empty"));
}

#[test]
fn unknown_clips_and_too_few_rows_are_refused() {
    let outcomes = parse_results_csv("clip,views\nclip-01,1\nclip-09,2\n", "r.csv").unwrap();
    let known: BTreeMap<String, BTreeMap<String, f64>> =
        BTreeMap::from([("clip-01".to_string(), BTreeMap::new()), ("clip-02".to_string(), BTreeMap::new())]);
    let unknown = parts_for_outcomes(&outcomes, &known).unwrap_err().to_string();
    assert!(unknown.contains("clip-09 (line 3)") && unknown.contains("clip-01, clip-02"), "{unknown}");
    let few = parts_for_outcomes(&outcomes[..1], &known).unwrap_err().to_string();
    assert!(few.contains("at least 5"), "{few}");
    assert!(refit_weights(&random_parts(4, 1), &[0.0; 4], &ScoreWeights::default()).is_err());
}

#[test]
fn non_negative_least_squares_drops_harmful_parts() {
    let a = vec![1.0, -1.0, 1.0, -1.0, 0.5, -0.5];
    let b = vec![1.0, 1.0, -1.0, -1.0, 0.2, -0.2];
    let target: Vec<f64> = a.iter().zip(&b).map(|(x, y)| 2.0 * x - 1.0 * y).collect();
    let (coefficients, _) = non_negative_least_squares(&[a.clone(), b], &target);
    assert_eq!(coefficients[1], 0.0);
    assert!(coefficients[0] > 1.5, "{coefficients:?}");
    let exact = least_squares(&[&a], &a.iter().map(|x| 3.0 * x).collect::<Vec<_>>()).unwrap();
    assert!((exact[0] - 3.0).abs() < 1e-12);
}
