//! Word-level Levenshtein alignment of a hypothesis to a reference: the fewest substitutions,
//! insertions and deletions that turn one token sequence into the other, with the pairing.

use opusclip_core::{Error, Result};
use serde::Serialize;

/// Largest reference × hypothesis table aligned (one byte a cell): about 16 000 words each.
pub const MAX_ALIGNMENT_CELLS: usize = 256 * 1024 * 1024;

/// What one step of the alignment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// Same token in both.
    Hit,
    /// A reference token recognised as another token.
    Substitution,
    /// A hypothesis token with no reference token.
    Insertion,
    /// A reference token missing from the hypothesis.
    Deletion,
}

/// One step of the alignment, with the token indices it pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlignedPair {
    pub kind: EditKind,
    /// Index into the reference tokens (`None` for an insertion).
    pub reference: Option<usize>,
    /// Index into the hypothesis tokens (`None` for a deletion).
    pub hypothesis: Option<usize>,
}

/// Backtrace moves stored per cell.
const FROM_DIAGONAL: u8 = 0;
const FROM_ABOVE: u8 = 1;
const FROM_LEFT: u8 = 2;

/// The minimum-edit alignment of `hypothesis` to `reference`, in order. Among alignments with
/// the fewest edits, one with the most hits is returned (then substitutions before deletions
/// before insertions, walking back from the end).
///
/// Inputs whose table would pass [`MAX_ALIGNMENT_CELLS`] are refused with an error that says
/// to evaluate shorter pieces.
pub fn align_tokens<T: PartialEq>(reference: &[T], hypothesis: &[T]) -> Result<Vec<AlignedPair>> {
    let (rows, columns) = (reference.len() + 1, hypothesis.len() + 1);
    if rows.saturating_mul(columns) > MAX_ALIGNMENT_CELLS {
        return Err(Error::invalid_input(format!(
            "the transcripts are too long to align in one piece ({} reference and {} hypothesis words); \
             evaluate them in shorter pieces (e.g. per chapter)",
            reference.len(),
            hypothesis.len()
        )));
    }
    let moves = fill_table(reference, hypothesis);
    Ok(backtrace(reference, hypothesis, &moves))
}

/// The table of best moves, row by row; costs kept for two rows only.
fn fill_table<T: PartialEq>(reference: &[T], hypothesis: &[T]) -> Vec<u8> {
    let columns = hypothesis.len() + 1;
    // Cost = edits × EDIT + substitutions: the fewest edits first and, among those, the fewest
    // substitutions (so the most hits, which the timing error is measured on).
    let edit = (reference.len() + hypothesis.len() + 1) as u64;
    let mut moves = vec![FROM_LEFT; (reference.len() + 1) * columns];
    let mut previous: Vec<u64> = (0..columns as u64).map(|column| column * edit).collect();
    let mut current = vec![0u64; columns];
    for row in 1..=reference.len() {
        current[0] = row as u64 * edit;
        moves[row * columns] = FROM_ABOVE;
        for column in 1..columns {
            let mismatch = if reference[row - 1] != hypothesis[column - 1] { edit + 1 } else { 0 };
            let diagonal = previous[column - 1] + mismatch;
            let above = previous[column] + edit;
            let left = current[column - 1] + edit;
            let (cost, step) = if diagonal <= above && diagonal <= left {
                (diagonal, FROM_DIAGONAL)
            } else if above <= left {
                (above, FROM_ABOVE)
            } else {
                (left, FROM_LEFT)
            };
            current[column] = cost;
            moves[row * columns + column] = step;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    moves
}

fn backtrace<T: PartialEq>(reference: &[T], hypothesis: &[T], moves: &[u8]) -> Vec<AlignedPair> {
    let columns = hypothesis.len() + 1;
    let (mut row, mut column) = (reference.len(), hypothesis.len());
    let mut pairs = Vec::with_capacity(row.max(column));
    while row > 0 || column > 0 {
        let step = if row == 0 {
            FROM_LEFT
        } else if column == 0 {
            FROM_ABOVE
        } else {
            moves[row * columns + column]
        };
        let pair = match step {
            FROM_DIAGONAL => {
                row -= 1;
                column -= 1;
                let kind = if reference[row] == hypothesis[column] { EditKind::Hit } else { EditKind::Substitution };
                AlignedPair { kind, reference: Some(row), hypothesis: Some(column) }
            }
            FROM_ABOVE => {
                row -= 1;
                AlignedPair { kind: EditKind::Deletion, reference: Some(row), hypothesis: None }
            }
            _ => {
                column -= 1;
                AlignedPair { kind: EditKind::Insertion, reference: None, hypothesis: Some(column) }
            }
        };
        pairs.push(pair);
    }
    pairs.reverse();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(reference: &str, hypothesis: &str) -> Vec<EditKind> {
        let reference: Vec<&str> = reference.split_whitespace().collect();
        let hypothesis: Vec<&str> = hypothesis.split_whitespace().collect();
        align_tokens(&reference, &hypothesis).expect("small").iter().map(|pair| pair.kind).collect()
    }

    #[test]
    fn identical_sequences_are_all_hits() {
        assert_eq!(kinds("a b c", "a b c"), [EditKind::Hit; 3]);
        assert!(kinds("", "").is_empty());
    }

    #[test]
    fn each_kind_of_edit_is_found() {
        use EditKind::*;
        assert_eq!(kinds("a b c d", "a x c d"), [Hit, Substitution, Hit, Hit]);
        assert_eq!(kinds("a b c d", "a b y c d"), [Hit, Hit, Insertion, Hit, Hit]);
        assert_eq!(kinds("a b c d", "a c d"), [Hit, Deletion, Hit, Hit]);
        assert_eq!(kinds("a b", ""), [Deletion, Deletion]);
        assert_eq!(kinds("", "a b"), [Insertion, Insertion]);
    }

    #[test]
    fn pairs_point_at_the_right_tokens() {
        let pairs = align_tokens(&["a", "b", "c"], &["z", "a", "c"]).expect("small");
        let hits: Vec<(Option<usize>, Option<usize>)> = pairs
            .iter()
            .filter(|pair| pair.kind == EditKind::Hit)
            .map(|pair| (pair.reference, pair.hypothesis))
            .collect();
        assert_eq!(hits, [(Some(0), Some(1)), (Some(2), Some(2))]);
        let edits = pairs.iter().filter(|pair| pair.kind != EditKind::Hit).count();
        assert_eq!(edits, 2, "{pairs:?}");
    }

    #[test]
    fn a_too_large_table_is_refused() {
        let long = vec![0u8; 20_000];
        let error = align_tokens(&long, &long).expect_err("too large");
        assert!(error.to_string().contains("shorter pieces"), "{error}");
    }
}
