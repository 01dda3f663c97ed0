//! The `opusclip` binary: the command line over the Video-OpusClip engine.

mod analyze_command;
mod bench;
mod cli;
mod clip_command;
mod demo_command;
mod eval_asr_command;
mod eval_command;
mod eval_embeddings;
mod eval_highlights_command;
mod eval_prompt_cutoffs;
mod eval_reframe_command;
mod eval_reframe_scenes;
mod export_command;
mod feedback_command;
mod inputs;
mod interrupt;
mod keys_command;
mod logging;
mod models_command;
mod probe_command;
mod progress_bar;
mod render_command;
mod serve_command;
mod summary;
mod transcribe_command;
mod worker_command;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(cli.log_format, cli.verbose);
    interrupt::install();
    let outcome = match &cli.command {
        cli::Command::Clip(args) => clip_command::run(args, cli.json),
        cli::Command::Render(args) => render_command::run(args, cli.json),
        cli::Command::Export(args) => export_command::run(args, cli.json),
        cli::Command::Demo(args) => demo_command::run(args, cli.json),
        cli::Command::Analyze(args) => analyze_command::run(args, cli.json),
        cli::Command::Transcribe(args) => transcribe_command::run(args, cli.json),
        cli::Command::Models(args) => models_command::run(args, cli.json),
        cli::Command::Probe(args) => probe_command::run(args, cli.json),
        cli::Command::Eval(args) => eval_command::run(args, cli.json),
        cli::Command::Bench(args) => bench::run(args, cli.json),
        cli::Command::Feedback(args) => feedback_command::run(args, cli.json),
        cli::Command::Serve(args) => serve_command::run(args),
        cli::Command::Worker(args) => worker_command::run(args),
        cli::Command::Keys(args) => keys_command::run(args, cli.json),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            report_error(&error, cli.json);
            ExitCode::from(exit_code(error.code()))
        }
    }
}

/// The exit status of a command that failed with `code` (docs/user-guide.md's table): 2 for what the
/// user gave (input, options, transcript, settings), 3 for a missing or broken model, 4 for the
/// disk (unwritable folder, full disk), 1 for processing failures and bugs. 130 and 143 are
/// Ctrl-C and SIGTERM (see `interrupt`).
pub fn exit_code(code: opusclip_core::ErrorCode) -> u8 {
    use opusclip_core::ErrorCode;
    match code {
        ErrorCode::InvalidInput | ErrorCode::Transcript | ErrorCode::Configuration => 2,
        ErrorCode::ModelLoading => 3,
        ErrorCode::Io => 4,
        ErrorCode::VideoProcessing | ErrorCode::Internal => 1,
        ErrorCode::Canceled => 130,
    }
}

/// One line for people, or the `{error, code, details}` body with `--json`.
fn report_error(error: &opusclip_core::Error, json: bool) {
    if json {
        println!("{}", error.to_body());
    } else {
        eprintln!("error: {error}");
    }
}
