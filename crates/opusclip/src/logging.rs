//! Logs on stderr through `tracing`: readable text by default, JSON lines for collectors.

use crate::cli::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Install the subscriber. `RUST_LOG` overrides the level chosen by `-v` / `DEBUG`.
pub fn init(format: LogFormat, verbose: u8) {
    let debug_env = std::env::var("DEBUG").map(|v| matches!(v.as_str(), "1" | "true" | "yes")).unwrap_or(false);
    let level = match (verbose, debug_env) {
        (0, false) => "warn",
        (1, false) => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
}
