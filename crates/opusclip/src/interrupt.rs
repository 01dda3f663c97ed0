//! Ctrl-C and SIGTERM (a `timeout`, a stopped container): the output folders the command is
//! writing are cleared of their unfinished files (clip staging folders, `.partial` files) before
//! the process exits with 130 or 143, so no half-made clip is left beside the finished ones.

use std::path::PathBuf;
use std::sync::Mutex;

/// Output folders to clean if the process is interrupted.
static OUTPUT_FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Starts listening for SIGINT and SIGTERM; call once, first thing in `main`.
pub fn install() {
    let signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM]);
    let Ok(mut signals) = signals else {
        tracing::warn!("could not listen for Ctrl-C; an interrupted run may leave unfinished files");
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let removed = clean_output_folders();
            eprintln!("interrupted: {removed} unfinished file(s) removed; finished clips are kept");
            std::process::exit(128 + signal);
        }
    });
}

/// Marks `folder` as one this run writes clips into.
pub fn watch_output_folder(folder: PathBuf) {
    if let Ok(mut folders) = OUTPUT_FOLDERS.lock() {
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
}

fn clean_output_folders() -> usize {
    let folders = OUTPUT_FOLDERS.lock().map(|folders| folders.clone()).unwrap_or_default();
    folders.iter().map(|folder| opusclip_pipeline::remove_leftovers(folder)).sum()
}
