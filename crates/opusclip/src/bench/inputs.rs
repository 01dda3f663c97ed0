//! The benchmark's inputs: one pass of the sample talk encoded like a camera recording (1080p30,
//! film grain, x264 at 6 Mb/s, so it costs what a real talk costs to decode and encode), looped
//! by stream copy to each length measured, with an SRT of what it says. Made once and kept in
//! the benchmark folder.

use opusclip_core::{Error, Result};
use opusclip_pipeline::sample::{loop_talk, make_sample_talk, SampleOptions, SampleTalk};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A generated talk of a given length.
#[derive(Debug, Clone, Serialize)]
pub struct BenchTalk {
    pub video: PathBuf,
    pub srt: PathBuf,
    pub minutes: f64,
    pub seconds: f64,
    /// Average bit rate of the whole file, Mb/s.
    pub megabits_per_second: f64,
    pub width: u32,
    pub height: u32,
}

/// Makes the inputs in `dir` on demand and keeps them for later runs.
pub struct Inputs {
    dir: PathBuf,
    options: SampleOptions,
    pass: Option<SampleTalk>,
}

/// Frame rate of the generated talk.
pub const FPS: u32 = 30;

impl Inputs {
    /// Inputs in `dir`: 1080p30 talks of the whole script, or for a quick check a smaller
    /// `size` and only the first `paragraphs` (each combination has its own folder).
    pub fn new(dir: &Path, size: Option<(u32, u32)>, paragraphs: Option<usize>) -> Inputs {
        let defaults = SampleOptions { camera_like: true, fps: FPS, ..SampleOptions::default() };
        let (width, height) = size.unwrap_or((defaults.width, defaults.height));
        let mut name = format!("{width}x{height}");
        if let Some(count) = paragraphs {
            name.push_str(&format!("-{count}p"));
        }
        Inputs { dir: dir.join(name), options: SampleOptions { width, height, paragraphs, ..defaults }, pass: None }
    }

    /// The talk of at least `minutes` (whole passes), made now unless an earlier run made it.
    pub fn talk(&mut self, minutes: f64, announce: &mut dyn FnMut(&str)) -> Result<BenchTalk> {
        let pass = self.pass(announce)?;
        let pass_seconds = probe_seconds(&pass.video)?;
        let copies = ((minutes * 60.0) / pass_seconds).ceil().max(1.0) as usize;
        let dir = self.dir.join(format!("talk-{}min", format_minutes(minutes)));
        let video = dir.join("talk.mp4");
        let srt = dir.join("talk.srt");
        let talk = if video.is_file() && srt.is_file() {
            SampleTalk { video, srt, duration: probe_seconds(&dir.join("talk.mp4"))?, cues: Vec::new() }
        } else {
            announce(&format!("joining {copies} passes into a {}-minute talk", format_minutes(minutes)));
            loop_talk(&pass, copies, &dir)?
        };
        let seconds = probe_seconds(&talk.video)?;
        let bytes = std::fs::metadata(&talk.video).map_err(|e| Error::io("read", &talk.video, e))?.len();
        Ok(BenchTalk {
            megabits_per_second: bytes as f64 * 8.0 / seconds / 1e6,
            width: self.options.width,
            height: self.options.height,
            video: talk.video,
            srt: talk.srt,
            minutes: seconds / 60.0,
            seconds,
        })
    }

    /// The one encoded pass every length is made of.
    fn pass(&mut self, announce: &mut dyn FnMut(&str)) -> Result<SampleTalk> {
        if let Some(pass) = &self.pass {
            return Ok(pass.clone());
        }
        let dir = self.dir.join("pass");
        let video = dir.join("talk.mp4");
        let srt = dir.join("talk.srt");
        let pass = if video.is_file() && srt.is_file() {
            let cues =
                opusclip_speech::parse_subtitles(&srt)?.into_iter().map(|cue| (cue.start, cue.end, cue.text)).collect();
            SampleTalk { duration: probe_seconds(&video)?, video, srt, cues }
        } else {
            announce(&format!(
                "encoding the camera-like {}x{} talk once (film grain, 6 Mb/s)",
                self.options.width, self.options.height
            ));
            make_sample_talk(&dir, &self.options)?
        };
        self.pass = Some(pass.clone());
        Ok(pass)
    }
}

fn probe_seconds(video: &Path) -> Result<f64> {
    Ok(opusclip_media::probe(video)?.duration)
}

fn format_minutes(minutes: f64) -> String {
    if minutes.fract() == 0.0 {
        format!("{minutes:.0}")
    } else {
        format!("{minutes}")
    }
}
