//! `opusclip worker`: workers only, no HTTP — run several, on several machines, against one
//! PostgreSQL queue (`--database-url postgres://…`) and shared storage (`--storage s3://…`).

use crate::serve_command::{service_config, ServiceArgs};
use clap::Args;
use opusclip_core::Result;
use std::process::ExitCode;

/// Arguments of `opusclip worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Jobs run at once in this process (MAX_WORKERS).
    #[arg(long)]
    pub workers: Option<usize>,
}

/// Run workers until SIGINT/SIGTERM (a second signal exits at once; leases expire and other
/// workers take the unfinished jobs).
pub fn run(args: &WorkerArgs) -> Result<ExitCode> {
    let config = service_config(&args.service)?;
    let workers = args.workers.unwrap_or(config.settings.max_workers as usize).max(1);
    eprintln!(
        "opusclip worker: {workers} worker(s) on {} with storage {}",
        crate::serve_command::redact(&config.database_url),
        config.storage_url
    );
    opusclip_service::block_on(opusclip_service::run_worker_process(config, workers))?;
    Ok(ExitCode::SUCCESS)
}
