//! What the tests on real media and the real Whisper model share: where `../shared/media` is,
//! where `make test` put Whisper base, and whether CI requires them (`OPUSCLIP_REQUIRE_SERVICES=1`
//! turns a skip into a failure).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether CI asked for every outside dependency (`OPUSCLIP_REQUIRE_SERVICES=1`).
pub fn required() -> bool {
    std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1")
}

/// `../shared/media/<relative>` beside the repository, or `None` (and a note) when it is absent.
pub fn shared_media(relative: &str) -> Option<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media").join(relative);
    if directory.is_dir() {
        return Some(directory);
    }
    eprintln!("skipped: ../shared/media/{relative} is not beside the repository");
    None
}

/// Whisper base in the model cache, where `make test` put it; without it the test skips, or
/// fails when [`required`].
pub fn base_model() -> Option<PathBuf> {
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["models", "path", "base"])
        .output()
        .expect("run opusclip models path");
    if output.status.success() {
        return Some(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    }
    assert!(!required(), "Whisper base is required (OPUSCLIP_REQUIRE_SERVICES=1): run `opusclip models fetch base`");
    eprintln!("skipped: Whisper base is not in the model cache (`opusclip models fetch base`)");
    None
}
