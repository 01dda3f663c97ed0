//! Speech recognition evaluation: word error rate and word-timing error of a hypothesis
//! transcript against a human reference, the readers for the reference formats that ship with
//! speech corpora (TextGrid, GRID `.align`, `.lab`, plain text, subtitles, JSON), and the
//! pairing of recordings with references in a dataset directory.
//!
//! Pure computation except for [`read_evaluation_transcript`] and the dataset scan, which read
//! files; nothing here runs a model.
//!
//! ```
//! use opusclip_speech::evaluation::{score_words, plain_text_transcript};
//! let reference = plain_text_transcript("And so, my fellow Americans: ask not");
//! let hypothesis = plain_text_transcript("and so my fellow americans ask what");
//! let score = score_words(&reference.words, &hypothesis.words, false)?;
//! assert_eq!((score.counts.reference_words, score.counts.substitutions), (7, 1));
//! assert!((score.word_error_rate - 1.0 / 7.0).abs() < 1e-12);
//! # Ok::<(), opusclip_core::Error>(())
//! ```

mod alignment;
mod dataset;
mod metrics;
mod normalize;
mod references;
mod report;
#[cfg(test)]
mod tests;
mod textgrid;

pub use alignment::{align_tokens, AlignedPair, EditKind, MAX_ALIGNMENT_CELLS};
pub use dataset::{
    check_word_at_time, find_hypothesis, scan_dataset, DatasetScan, EvaluationItem, ReferenceSource, WordAtTime,
    WordCheckOutcome, MEDIA_EXTENSIONS, TRANSCRIPT_EXTENSIONS,
};
pub use metrics::{
    score_words, AsrScore, ErrorSummary, TimingError, WithinTolerance, WordErrorCounts, TIMING_TOLERANCES,
};
pub use normalize::{normalize_text, normalize_words, NormalizedToken};
pub use references::{
    grid_align_transcript, plain_text_transcript, read_evaluation_transcript, read_reference_transcript,
    EvaluationTranscript, TimingDetail,
};
pub use report::{render_table, ItemReport, ReportTotals};
pub use textgrid::{parse_textgrid, TextGridInterval, TextGridTier};
