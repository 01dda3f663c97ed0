//! Audio-only input (a podcast's mp3, a wav, an m4a, an mp3 whose only picture is its cover
//! art) made into clips. A stand-in video — a tiny black picture at 5 frames a second with
//! the input's sound copied beside it — lets every analysis stage run as for a video (survey,
//! transcript, selection; the look finds no face), while each clip's spec points at the
//! original file and every output is an audiogram: the sound as a moving waveform with the
//! title above and the captions below.

use opusclip_core::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The frame rate of an audiogram clip.
pub const AUDIOGRAM_FPS: f64 = 25.0;

/// Whether `error` is the probe's refusal of a file that has no video stream.
pub fn is_audio_only(error: &Error) -> bool {
    error.to_body()["details"]["reason"] == "no_video"
}

/// A stand-in video for an audio-only input, deleted when dropped.
#[derive(Debug)]
pub struct StandIn {
    file: tempfile::NamedTempFile,
}

impl StandIn {
    /// Where the stand-in is.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Writes the stand-in for `input`: a 64x64 black picture at 5 fps for the `seconds` the
    /// sound lasts, and the first audio stream copied unchanged (no re-encode: quick even for
    /// hours).
    pub fn for_audio(input: &Path, seconds: f64) -> Result<StandIn> {
        let file = tempfile::Builder::new()
            .prefix("opusclip-audiogram-")
            .suffix(".mkv")
            .tempfile()
            .map_err(|error| Error::io("create", std::env::temp_dir(), error))?;
        let output = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-v", "error", "-y", "-f", "lavfi"])
            .args(["-t", &format!("{seconds:.3}"), "-i", "color=c=black:s=64x64:r=5", "-i"])
            .arg(input)
            .args(["-map", "0:v", "-map", "1:a:0", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage"])
            .args(["-c:a", "copy", "-t", &format!("{seconds:.3}")])
            .arg(file.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|error| Error::video(format!("could not run ffmpeg for an audiogram: {error}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(Error::invalid_input(format!(
                "{} has no video stream and its sound could not be read: {}",
                input.display(),
                stderr.lines().last().unwrap_or("ffmpeg failed")
            )));
        }
        Ok(StandIn { file })
    }
}

/// The input the analysis stages read: the file itself, or its audiogram stand-in.
#[derive(Debug)]
pub struct AnalysisInput {
    pub stand_in: Option<StandIn>,
    original: PathBuf,
}

impl AnalysisInput {
    /// The file to decode for analysis.
    pub fn path(&self) -> &Path {
        self.stand_in.as_ref().map_or(&self.original, StandIn::path)
    }

    /// Whether the input is audio only.
    pub fn is_audiogram(&self) -> bool {
        self.stand_in.is_some()
    }
}

/// Probes `input`; when it holds sound but no picture, probes its stand-in instead.
pub fn probe_for_analysis(input: &Path) -> Result<(opusclip_core::ProbeFacts, AnalysisInput)> {
    match opusclip_media::probe(input) {
        Ok(facts) => Ok((facts, AnalysisInput { stand_in: None, original: input.to_path_buf() })),
        Err(error) if is_audio_only(&error) => {
            let seconds = opusclip_media::container(input)?.seconds;
            let stand_in = StandIn::for_audio(input, seconds)?;
            let mut facts = opusclip_media::probe(stand_in.path())?;
            if facts.audio.is_none() {
                return Err(error);
            }
            // The muxer may round the stand-in up to its next frame: the sound's length rules.
            facts.duration = facts.duration.min(seconds);
            Ok((facts, AnalysisInput { stand_in: Some(stand_in), original: input.to_path_buf() }))
        }
        Err(error) => Err(error),
    }
}
