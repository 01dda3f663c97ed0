//! `opusclip eval`: measure a stage against ground truth (speech against human transcripts,
//! the moment finder against audience reactions).

use clap::{Args, Subcommand};
use opusclip_core::Result;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: EvalCommand,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Word error rate and word-timing error of a transcript against a human reference.
    Asr(crate::eval_asr_command::AsrArgs),
    /// Precision@k of the text-only clip scorer against audience reactions in TED talks.
    Highlights(crate::eval_highlights_command::HighlightsArgs),
    /// Reframing against known face positions: subject in frame, camera calm, right speaker.
    Reframe(crate::eval_reframe_command::ReframeArgs),
}

pub fn run(args: &EvalArgs, json_output: bool) -> Result<ExitCode> {
    match &args.command {
        EvalCommand::Asr(args) => crate::eval_asr_command::run(args, json_output),
        EvalCommand::Highlights(args) => crate::eval_highlights_command::run(args, json_output),
        EvalCommand::Reframe(args) => crate::eval_reframe_command::run(args, json_output),
    }
}
