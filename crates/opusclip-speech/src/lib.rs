//! Speech for Video-OpusClip: where the words of a source and their times come from.
//!
//! Three sources, all ending in an [`opusclip_core::Transcript`]:
//!
//! - **Subtitle files** the user supplies: [`parse_subtitles`] (SRT or WebVTT, by extension or
//!   content), [`parse_srt`], [`parse_vtt`]. Malformed files give an
//!   [`opusclip_core::Error::Transcript`] naming the line and what is wrong.
//! - **Subtitle streams** inside the input: [`extract_embedded_subtitles`] (through the `ffmpeg`
//!   CLI; `Ok(None)` when there is none).
//! - **Speech recognition** with whisper.cpp: [`transcribe_whisper`] (cargo feature `whisper`,
//!   on by default). Model files are checked before loading, so a missing or broken model is an
//!   [`opusclip_core::Error::ModelLoading`] that says how to get one.
//!
//! Model files come from [`models`]: [`ModelStore::fetch`] downloads a pinned whisper.cpp model
//! (resumable, SHA-1 checked) into the user cache dir; [`ModelStore::installed_path`] finds it.
//!
//! Cues become words with [`cues_to_words`] / [`transcript_from_cues`]: each cue's time is
//! spread over its words by length, and sound tags such as `[music]` are dropped.
//!
//! ```
//! use opusclip_core::TranscriptSource;
//! let cues = opusclip_speech::parse_srt("1\n00:00:00,000 --> 00:00:01,000\n[music] Hi there\n")?;
//! let transcript = opusclip_speech::transcript_from_cues(&cues, TranscriptSource::File);
//! assert_eq!(transcript.words.len(), 2);
//! assert_eq!(transcript.words[1].end, 1.0);
//! # Ok::<(), opusclip_core::Error>(())
//! ```

mod embedded;
pub mod evaluation;
pub mod models;
mod subtitles;
pub mod synthetic_model;
mod whisper;
mod words;

pub use embedded::extract_embedded_subtitles;
pub use models::{FetchOptions, FetchOutcome, ModelCatalog, ModelEntry, ModelStatus, ModelStore, Verification};
pub use subtitles::{parse_ass, parse_srt, parse_subtitles, parse_transcript_json, parse_vtt, Cue};
pub use whisper::{
    alignment_heads_for, check_whisper_model_file, keep_words_in_speech, transcribe_whisper,
    transcribe_whisper_with_stats, words_look_doubtful, AlignmentHeads, DecodeLimits, VoiceActivity,
    WhisperAcceleration, WhisperModelHeader, WhisperOptions, WhisperRun, WhisperRunStats, WhisperSession, CUDA_BUILT,
    GGML_MAGIC, WHISPER_SAMPLE_RATE,
};
pub use words::{check_speaking_rate, cue_sound_events, cues_to_words, transcript_from_cues};
