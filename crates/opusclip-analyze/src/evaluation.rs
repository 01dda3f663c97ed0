//! Scoring detected cuts against golden ones, the way shot-boundary benchmarks do
//! (TRECVID-style): each predicted cut matches at most one golden cut within a tolerance,
//! greedily in frame order, and precision, recall and F1 follow from the counts.

use serde::{Deserialize, Serialize};

/// Counts and rates of a comparison of predicted cuts with golden cuts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CutMatch {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// `tp / (tp + fp)`; 1 when nothing was predicted.
    pub precision: f64,
    /// `tp / (tp + fn)`; 1 when there was nothing to find.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
}

/// Matches predicted cut frames to golden cut frames one to one: walking both lists in frame
/// order, a predicted and a golden cut at most `tolerance_frames` apart match; a predicted cut
/// before the next golden one (beyond the tolerance) is a false positive, a golden cut before
/// the next predicted one is a false negative. Inputs need not be sorted; duplicates count
/// separately (a repeated prediction of one golden cut is a false positive).
pub fn match_cuts(predicted: &[u64], golden: &[u64], tolerance_frames: u64) -> CutMatch {
    let mut predicted = predicted.to_vec();
    let mut golden = golden.to_vec();
    predicted.sort_unstable();
    golden.sort_unstable();
    let (mut p, mut g) = (0, 0);
    let (mut true_positives, mut false_positives, mut false_negatives) = (0, 0, 0);
    while p < predicted.len() && g < golden.len() {
        if predicted[p].abs_diff(golden[g]) <= tolerance_frames {
            true_positives += 1;
            p += 1;
            g += 1;
        } else if predicted[p] < golden[g] {
            false_positives += 1;
            p += 1;
        } else {
            false_negatives += 1;
            g += 1;
        }
    }
    false_positives += predicted.len() - p;
    false_negatives += golden.len() - g;
    rates(true_positives, false_positives, false_negatives)
}

fn rates(true_positives: usize, false_positives: usize, false_negatives: usize) -> CutMatch {
    let ratio = |part: usize, whole: usize| if whole == 0 { 1.0 } else { part as f64 / whole as f64 };
    let precision = ratio(true_positives, true_positives + false_positives);
    let recall = ratio(true_positives, true_positives + false_negatives);
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    CutMatch { true_positives, false_positives, false_negatives, precision, recall, f1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(found: CutMatch) -> (usize, usize, usize) {
        (found.true_positives, found.false_positives, found.false_negatives)
    }

    #[test]
    fn exact_matching_at_tolerance_zero() {
        let found = match_cuts(&[30, 181, 394, 500], &[30, 180, 394], 0);
        assert_eq!(counts(found), (2, 2, 1));
        assert!((found.precision - 0.5).abs() < 1e-12);
        assert!((found.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((found.f1 - 4.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn one_frame_off_matches_at_tolerance_one() {
        let found = match_cuts(&[500, 181, 30, 394], &[394, 30, 180], 1);
        assert_eq!(counts(found), (3, 1, 0));
        assert_eq!(found.recall, 1.0);
    }

    #[test]
    fn duplicates_match_once_each() {
        // Two predictions of one cut: one matches, the other is a false positive.
        assert_eq!(counts(match_cuts(&[30, 30], &[30], 0)), (1, 1, 0));
        // A duplicated golden cut needs two predictions.
        assert_eq!(counts(match_cuts(&[30], &[30, 30], 1)), (1, 0, 1));
        // Neighbouring golden cuts each take the nearest free prediction in order.
        assert_eq!(counts(match_cuts(&[10, 11], &[10, 11], 1)), (2, 0, 0));
    }

    #[test]
    fn empty_lists() {
        let nothing = match_cuts(&[], &[], 0);
        assert_eq!((nothing.precision, nothing.recall, nothing.f1), (1.0, 1.0, 1.0));
        let missed = match_cuts(&[], &[5, 9], 0);
        assert_eq!(counts(missed), (0, 0, 2));
        assert_eq!((missed.precision, missed.recall, missed.f1), (1.0, 0.0, 0.0));
        let spurious = match_cuts(&[5], &[], 0);
        assert_eq!((spurious.precision, spurious.recall, spurious.f1), (0.0, 1.0, 0.0));
    }
}
