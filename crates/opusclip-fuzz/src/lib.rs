//! Fuzz targets for every parser of outside input (subtitles, transcripts, alignments, clip
//! specs, settings files, the API's JSON bodies and multipart forms), each with the invariants
//! its output must keep, and a seeded random-mutation runner that needs no nightly toolchain.
//! `scripts/fuzz.sh` drives the same targets with libFuzzer (coverage-guided); CI runs the
//! random runner briefly through `tests/short_runs.rs`.

pub mod mutate;
pub mod targets;

pub use mutate::{fuzz_for, RunStats};
pub use targets::{target, Target, TARGETS};
