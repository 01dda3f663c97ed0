//! Turning the command line's INPUT arguments into a list of media files (videos, and audio
//! such as podcast episodes, which become audiogram clips), and finding a sidecar subtitle file
//! beside each.

use std::path::{Path, PathBuf};

/// Extensions treated as video when a directory is given.
pub const VIDEO_EXTENSIONS: [&str; 11] = ["mp4", "mov", "mkv", "webm", "avi", "m4v", "mpg", "mpeg", "ts", "flv", "wmv"];

/// Extensions treated as audio (clipped as audiograms) when a directory is given.
pub const AUDIO_EXTENSIONS: [&str; 7] = ["mp3", "m4a", "wav", "flac", "ogg", "opus", "aac"];

/// Files as given, and the videos and audio files inside given directories (sorted, not
/// recursive).
pub fn expand_inputs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| is_media_name(p)).collect())
                .unwrap_or_default();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    files
}

fn is_media_name(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    path.is_file()
        && extension.is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.as_str()) || AUDIO_EXTENSIONS.contains(&e.as_str()))
}

/// `talk.srt` or `talk.vtt` beside `talk.mp4`, if present.
pub fn sidecar_transcript(video: &Path) -> Option<PathBuf> {
    ["srt", "vtt"].iter().map(|ext| video.with_extension(ext)).find(|p| p.is_file())
}

/// A name for the per-input output folder: the file stem, made safe for a path.
pub fn output_folder_name(video: &Path) -> String {
    let stem = video.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "input".into());
    let safe: String = stem.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if safe.is_empty() || safe.starts_with('.') {
        format!("input{safe}")
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_their_videos() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.mp4", "a.MOV", "notes.txt", "episode-1.mp3", "cover.jpg"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let files = expand_inputs(&[dir.path().to_path_buf(), PathBuf::from("x.mkv")]);
        let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, vec!["a.MOV", "b.mp4", "episode-1.mp3", "x.mkv"]);
    }

    #[test]
    fn folder_names_are_safe() {
        assert_eq!(output_folder_name(Path::new("/x/My Talk #1.mp4")), "My_Talk__1");
        assert_eq!(output_folder_name(Path::new("/x/.hidden.mp4")), "input.hidden");
    }

    #[test]
    fn sidecar_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("talk.mp4");
        assert!(sidecar_transcript(&video).is_none());
        std::fs::write(dir.path().join("talk.vtt"), "WEBVTT\n").unwrap();
        assert_eq!(sidecar_transcript(&video), Some(dir.path().join("talk.vtt")));
    }
}
