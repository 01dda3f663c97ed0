//! Running the `ffmpeg` CLI without hanging (stdin closed, stderr drained on a thread),
//! turning its `-progress` output into fractions and its failures into
//! [`Error::VideoProcessing`], and writing outputs atomically through temporary files.

use opusclip_core::{Error, Result};
use serde_json::json;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How many lines of ffmpeg's stderr an error carries.
const STDERR_TAIL_LINES: usize = 20;

/// Runs ffmpeg quietly with `args`, reporting progress over `duration` seconds of output.
/// Fails with [`Error::VideoProcessing`] carrying the command and the tail of stderr.
pub(super) fn run_ffmpeg(args: &[OsString], duration: f64, progress: &mut dyn FnMut(f64)) -> Result<()> {
    let mut command = Command::new("ffmpeg");
    command
        .args(["-hide_banner", "-nostdin", "-nostats", "-v", "error"])
        .args(["-progress", "pipe:1", "-y"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let command_line = describe_command(&command);
    let mut child = command.spawn().map_err(|err| {
        Error::video("could not start ffmpeg: install it (e.g. `apt-get install ffmpeg`)")
            .with_details(json!({ "command": command_line, "reason": err.to_string() }))
    })?;

    let stderr_reader = child.stderr.take().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            bytes
        })
    });
    let mut canceled = false;
    if let Some(stdout) = child.stdout.take() {
        canceled = report_progress(BufReader::new(stdout), duration, progress);
    }
    if canceled {
        let _ = child.kill();
        let _ = child.wait();
        let _ = stderr_reader.map(|reader| reader.join());
        return Err(Error::Canceled);
    }
    let status = child.wait();
    let stderr_bytes = stderr_reader.and_then(|reader| reader.join().ok()).unwrap_or_default();

    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(storage_failure(args, &stderr_bytes)
            .unwrap_or_else(|| ffmpeg_failure(&command_line, &stderr_bytes, status.code()))),
        Err(err) => {
            Err(Error::video(format!("waiting for ffmpeg failed: {err}"))
                .with_details(json!({ "command": command_line })))
        }
    }
}

/// Reads `-progress` key=value lines and calls `progress` with rising fractions of `duration`;
/// `true` when the job was canceled meanwhile (ffmpeg is then to be stopped).
fn report_progress(stdout: impl BufRead, duration: f64, progress: &mut dyn FnMut(f64)) -> bool {
    let mut reported = 0.0;
    for line in stdout.lines().map_while(|line| line.ok()) {
        if opusclip_core::cancel::requested() {
            return true;
        }
        let Some(seconds) = parse_out_time(&line) else {
            continue;
        };
        if duration > 0.0 {
            let fraction = (seconds / duration).clamp(0.0, 1.0);
            if fraction > reported {
                reported = fraction;
                progress(fraction);
            }
        }
    }
    false
}

/// Seconds of output written, from an `out_time_us=` line (or `out_time_ms=`, which ffmpeg
/// also writes in microseconds).
fn parse_out_time(line: &str) -> Option<f64> {
    let value = line.strip_prefix("out_time_us=").or_else(|| line.strip_prefix("out_time_ms="))?;
    let microseconds: f64 = value.trim().parse().ok()?;
    (microseconds.is_finite() && microseconds >= 0.0).then_some(microseconds / 1e6)
}

fn ffmpeg_failure(command_line: &str, stderr: &[u8], exit_code: Option<i32>) -> Error {
    let tail = stderr_tail(&String::from_utf8_lossy(stderr), STDERR_TAIL_LINES);
    let last_line = tail.lines().last().unwrap_or("no error output").to_string();
    Error::video(format!("ffmpeg failed: {last_line}")).with_details(json!({
        "command": command_line,
        "exit_code": exit_code,
        "stderr": tail,
    }))
}

/// What ffmpeg says when the disk it writes to fails it, and the kind of I/O error each is.
const STORAGE_FAILURES: [(&str, std::io::ErrorKind); 4] = [
    ("No space left on device", std::io::ErrorKind::StorageFull),
    ("Disk quota exceeded", std::io::ErrorKind::QuotaExceeded),
    ("Read-only file system", std::io::ErrorKind::ReadOnlyFilesystem),
    ("Permission denied", std::io::ErrorKind::PermissionDenied),
];

/// An [`Error::Io`] for the folder of ffmpeg's last output when its stderr shows the disk failed
/// it (full, over quota, read-only, not permitted): the user's remedy is disk space or
/// permissions, not the video.
fn storage_failure(args: &[OsString], stderr: &[u8]) -> Option<Error> {
    let text = String::from_utf8_lossy(stderr);
    let (message, kind) = STORAGE_FAILURES.iter().find(|(message, _)| text.contains(message))?;
    let output = args.last().map(Path::new).unwrap_or(Path::new("."));
    // The first folder up that is not hidden: the user's output folder, not a staging folder.
    let folder = output
        .ancestors()
        .skip(1)
        .find(|folder| !folder.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.')))
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(Error::io("write the rendered clip in", folder, std::io::Error::new(*kind, format!("ffmpeg: {message}"))))
}

/// The last `count` non-empty lines of `text`.
fn stderr_tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|line| !line.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

/// The command as a shell-like line, for error details.
fn describe_command(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| {
            let text = part.to_string_lossy();
            if text.is_empty() || text.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", text.replace('\'', "'\\''"))
            } else {
                text.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `.NAME.partial.EXT` beside `destination`: same directory (so the rename is atomic) and the
/// same extension (so ffmpeg picks the same muxer).
pub(super) fn partial_path(destination: &Path) -> PathBuf {
    let name =
        destination.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let extension =
        destination.extension().map(|ext| ext.to_string_lossy().into_owned()).unwrap_or_else(|| "mp4".into());
    destination.with_file_name(format!(".{name}.partial.{extension}"))
}

/// A file removed when dropped unless it was renamed into place with [`TempFile::commit`].
pub(super) struct TempFile {
    pub(super) path: PathBuf,
}

impl TempFile {
    pub(super) fn new(path: PathBuf) -> Self {
        TempFile { path }
    }

    /// Renames the file to `destination`; the guard then has nothing left to remove.
    pub(super) fn commit(&self, destination: &Path) -> Result<()> {
        match std::fs::metadata(&self.path) {
            Ok(metadata) if metadata.len() > 0 => {}
            _ => return Err(Error::video(format!("ffmpeg wrote nothing for {}", destination.display()))),
        }
        std::fs::rename(&self.path, destination).map_err(|err| Error::io("renaming into place", destination, err))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn out_time_lines_give_seconds() {
        assert_eq!(parse_out_time("out_time_us=1500000"), Some(1.5));
        assert_eq!(parse_out_time("out_time_ms=250000"), Some(0.25));
        assert_eq!(parse_out_time("out_time_us=N/A"), None);
        assert_eq!(parse_out_time("out_time=00:00:01.500000"), None);
        assert_eq!(parse_out_time("frame=12"), None);
    }

    #[test]
    fn progress_rises_within_zero_and_one() {
        let stdout = "frame=1\nout_time_us=N/A\nout_time_us=500000\nprogress=continue\n\
                      out_time_us=400000\nout_time_us=1500000\nout_time_us=2600000\nprogress=end\n";
        let mut fractions = Vec::new();
        report_progress(Cursor::new(stdout), 2.0, &mut |f| fractions.push(f));
        assert_eq!(fractions, [0.25, 0.75, 1.0]);
    }

    #[test]
    fn a_full_disk_is_an_io_error_naming_the_output_folder() {
        let args: Vec<OsString> =
            vec!["-i".into(), "in.mp4".into(), "/out/.clip-01.rendering/.clip-01.mp4.partial.mp4".into()];
        let stderr =
            b"[out#0/mp4 @ 0x55] Error muxing a packet\nav_interleaved_write_frame(): No space left on device\n";
        let error = storage_failure(&args, stderr).expect("a full disk is recognised");
        assert_eq!(error.code(), opusclip_core::ErrorCode::Io);
        assert_eq!(error.to_body()["details"]["path"], "/out", "{error}");
        assert!(storage_failure(&args, b"Invalid data found when processing input\n").is_none());
    }

    #[test]
    fn stderr_tail_keeps_the_last_lines() {
        let text = "one\n\ntwo\nthree\n  \nfour\n";
        assert_eq!(stderr_tail(text, 2), "three\nfour");
        assert_eq!(stderr_tail(text, 10), "one\ntwo\nthree\nfour");
        assert_eq!(stderr_tail("", 3), "");
    }

    #[test]
    fn partial_files_sit_beside_the_destination_with_its_extension() {
        assert_eq!(partial_path(Path::new("/out/clip-01.mp4")), Path::new("/out/.clip-01.mp4.partial.mp4"));
        assert_eq!(partial_path(Path::new("thumb.jpg")), Path::new(".thumb.jpg.partial.jpg"));
    }

    #[test]
    fn temp_files_are_removed_unless_committed() {
        let dir = std::env::temp_dir().join(format!("opusclip-tempfile-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (kept, dropped) = (dir.join("kept"), dir.join("dropped"));
        let destination = dir.join("final");
        {
            let keep = TempFile::new(kept.clone());
            let drop_me = TempFile::new(dropped.clone());
            std::fs::write(&keep.path, b"data").unwrap();
            std::fs::write(&drop_me.path, b"data").unwrap();
            keep.commit(&destination).unwrap();
        }
        assert!(destination.exists() && !kept.exists() && !dropped.exists());
        let empty = TempFile::new(dir.join("empty"));
        std::fs::write(&empty.path, b"").unwrap();
        assert!(empty.commit(&dir.join("never")).is_err());
        drop(empty);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
