//! Writing files so that a reader never sees half of one: write a temporary sibling, then
//! rename it into place.

use opusclip_core::{Error, Result};
use std::path::{Path, PathBuf};

/// The temporary sibling used while `path` is being written (`.name.partial`).
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Write `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = partial_path(path);
    std::fs::write(&temporary, bytes).map_err(|e| Error::io("write", &temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::io("rename into place", path, e)
    })
}

/// Creates `dir` if needed and proves it writable by writing and removing a small file, so an
/// unwritable output folder is reported before any work rather than after it.
pub fn prepare_output_dir(dir: &Path) -> Result<()> {
    let unwritable = |source| {
        Error::io("write into the output folder (choose another with --output, or fix its permissions)", dir, source)
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    let probe = dir.join(format!(".opusclip-write-check-{}.partial", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(unwritable)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Write `value` as pretty JSON to `path` atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
    text.push('\n');
    write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_output_folder_under_a_file_is_refused_before_work() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let error = super::prepare_output_dir(&file.join("out")).expect_err("cannot create a folder in a file");
        assert_eq!(error.code(), opusclip_core::ErrorCode::Io);
        assert!(error.to_string().contains("--output"), "{error}");
        super::prepare_output_dir(&dir.path().join("new/out")).expect("a new folder is made");
        assert_eq!(std::fs::read_dir(dir.path().join("new/out")).unwrap().count(), 0);
    }

    #[test]
    fn write_replaces_and_leaves_no_partial() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        super::write(&path, b"one").unwrap();
        super::write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!super::partial_path(&path).exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
