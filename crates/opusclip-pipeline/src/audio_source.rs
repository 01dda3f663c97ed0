//! Where the samples of a streaming audio pass come from: the in-process survey decode (audio
//! only) for video files, or — for audio-only files such as `.flac`, `.wav` or `.mp3`, which the
//! video probe refuses — the `ffmpeg` CLI writing 16 kHz mono f32 to a pipe. Either way the
//! samples arrive a block at a time and nothing keeps them.

use crate::streaming_asr::{Decode, STREAM_SAMPLE_RATE};
use opusclip_core::{Error, ProbeFacts, Result};
use opusclip_media::decode::SurveySink;
use opusclip_media::{survey_decode, GrayFrame, SurveyOptions};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// Bytes read from the ffmpeg pipe at a time (16 384 samples, about 1 s).
const PIPE_BLOCK_BYTES: usize = 64 * 1024;

/// A decoder for the audio of `path`: the survey decode when `facts` (a video) are given, the
/// `ffmpeg` CLI otherwise.
pub fn audio_decoder<'a>(path: &'a Path, facts: Option<&'a ProbeFacts>) -> Box<Decode<'a>> {
    match facts {
        Some(facts) => Box::new(move |push: &mut dyn FnMut(&[f32]), report: &mut dyn FnMut(f64)| {
            let mut sink = PushSink { push, report };
            survey_decode(path, facts, SurveyOptions { keyframes: false, ..SurveyOptions::default() }, &mut sink)
        }),
        None => {
            let path = path.to_path_buf();
            Box::new(move |push: &mut dyn FnMut(&[f32]), _report: &mut dyn FnMut(f64)| {
                decode_with_ffmpeg_cli(&path, push)
            })
        }
    }
}

/// The probe facts of a video, or `None` for a readable file without a video stream (audio
/// only); other probe errors pass through.
pub fn probe_video_or_audio(path: &Path) -> Result<Option<ProbeFacts>> {
    match opusclip_media::probe(path) {
        Ok(facts) => Ok(Some(facts)),
        Err(Error::InvalidInput { details, .. })
            if details.get("reason").and_then(|r| r.as_str()) == Some("no_video") =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

struct PushSink<'a> {
    push: &'a mut dyn FnMut(&[f32]),
    report: &'a mut dyn FnMut(f64),
}

impl SurveySink for PushSink<'_> {
    fn audio(&mut self, samples: &[f32]) {
        (self.push)(samples);
    }
    fn keyframe(&mut self, _frame: &GrayFrame) {}
    fn progress(&mut self, fraction: f64) {
        (self.report)(fraction);
    }
}

/// Decodes the first audio stream of `path` to 16 kHz mono f32 through `ffmpeg`, pushing each
/// block as it arrives.
pub fn decode_with_ffmpeg_cli(path: &Path, push: &mut dyn FnMut(&[f32])) -> Result<()> {
    let mut child = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-vn", "-sn", "-dn", "-map", "0:a:0", "-ac", "1", "-ar"])
        .arg(STREAM_SAMPLE_RATE.to_string())
        .args(["-f", "f32le", "pipe:1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            Error::video(format!("cannot run ffmpeg to decode {} ({error}); install ffmpeg", path.display()))
        })?;
    let mut stdout = child.stdout.take().ok_or_else(|| Error::Internal("ffmpeg has no stdout pipe".to_string()))?;
    let mut bytes = vec![0u8; PIPE_BLOCK_BYTES];
    let mut filled = 0;
    let mut samples = Vec::with_capacity(PIPE_BLOCK_BYTES / 4);
    loop {
        let read =
            stdout.read(&mut bytes[filled..]).map_err(|error| Error::io("read ffmpeg output of", path, error))?;
        if read == 0 {
            break;
        }
        filled += read;
        let whole = filled - filled % 4;
        samples.clear();
        samples.extend(bytes[..whole].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        push(&samples);
        bytes.copy_within(whole..filled, 0);
        filled -= whole;
    }
    let output = child.wait_with_output().map_err(|error| Error::io("wait for ffmpeg decoding", path, error))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(Error::video(format!(
            "ffmpeg could not decode the audio of {}: {}",
            path.display(),
            message.lines().last().unwrap_or("no message")
        )));
    }
    Ok(())
}
