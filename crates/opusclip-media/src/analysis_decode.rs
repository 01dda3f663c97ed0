//! The full-rate, whole-source pass of `opusclip analyze`: every video frame decoded once with
//! frame threading and the loop filter skipped (the picture is only analysed), scaled straight
//! to a small planar YUV picture; the audio decoded in the same pass to 16 kHz mono. Memory
//! does not grow with the length of the source.

use crate::decode::{
    container_start, decode_error, frame_number, open, video_decoder, AudioTo16k, GrayFrame, GrayScaler,
    VideoDecodeMode,
};
use ffmpeg_next as ffmpeg;
use ffmpeg_next::{frame, media};
use opusclip_core::{ProbeFacts, Result};
use std::path::Path;

/// What the analysis pass reads.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisOptions {
    /// Width of the analysed picture (display orientation); PySceneDetect works at ~256 px.
    pub width: u32,
    pub audio: bool,
    /// Skip the loop filter: faster, and invisible at analysis size.
    pub skip_loop_filter: bool,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions { width: 256, audio: true, skip_loop_filter: true }
    }
}

/// One decoded frame: its number on the PTS timeline, its time, and its Y, U, V planes.
#[derive(Debug)]
pub struct AnalysisFrame<'a> {
    /// The frame number on the presentation timeline, counted from the video's first frame
    /// (`round((t - first frame's t) * fps)`).
    pub index: u64,
    pub t: f64,
    pub y: &'a GrayFrame,
    pub u: &'a GrayFrame,
    pub v: &'a GrayFrame,
}

/// Receives the pass's output in timeline order per kind.
pub trait AnalysisSink {
    fn frame(&mut self, frame: &AnalysisFrame);
    /// 16 kHz mono samples, contiguous from t = 0.
    fn audio(&mut self, samples: &[f32]);
    /// Fraction of the source read, 0..1.
    fn progress(&mut self, _fraction: f64) {}
}

/// Counts of what the pass decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisCounts {
    pub frames: u64,
    pub audio_samples: u64,
}

struct VideoSide {
    decoder: ffmpeg::decoder::Video,
    scaler: GrayScaler,
    decoded: frame::Video,
    planes: [GrayFrame; 3],
    time_base: f64,
    origin: f64,
    fps: f64,
    /// Time of the video's first frame on the container timeline.
    first_frame_time: f64,
    frames: u64,
}

impl VideoSide {
    fn drain(&mut self, sink: &mut dyn AnalysisSink) -> Result<()> {
        while self.decoder.receive_frame(&mut self.decoded).is_ok() {
            let Some(pts) = self.decoded.timestamp().or(self.decoded.pts()) else { continue };
            let t = pts as f64 * self.time_base - self.origin;
            self.scaler.convert_planes(&self.decoded, t, &mut self.planes)?;
            let [y, u, v] = &self.planes;
            sink.frame(&AnalysisFrame { index: frame_number(t, self.first_frame_time, self.fps), t, y, u, v });
            self.frames += 1;
        }
        Ok(())
    }
}

/// Decode the whole of `path` once: every frame as small YUV, and the audio.
pub fn analysis_decode(
    path: &Path,
    facts: &ProbeFacts,
    options: AnalysisOptions,
    sink: &mut dyn AnalysisSink,
) -> Result<AnalysisCounts> {
    let mut input = open(path)?;
    let origin = container_start(&input);
    let video_index = facts.video.index;
    let mode = if options.skip_loop_filter { VideoDecodeMode::FastAnalysis } else { VideoDecodeMode::Full };
    let mut video = VideoSide {
        decoder: video_decoder(&input, video_index, mode)?,
        scaler: GrayScaler::new_yuv(facts, options.width),
        decoded: frame::Video::empty(),
        planes: Default::default(),
        time_base: input.stream(video_index).map(|s| f64::from(s.time_base())).unwrap_or(0.0),
        origin,
        fps: facts.video.fps.max(1.0),
        first_frame_time: facts.video.start_time - origin,
        frames: 0,
    };
    let audio_index = if options.audio { input.streams().best(media::Type::Audio).map(|s| s.index()) } else { None };
    let mut audio = match audio_index {
        Some(index) => Some(AudioTo16k::new(&input, index, origin)?),
        None => None,
    };
    let mut audio_samples = 0u64;
    let mut last_progress = -1.0;
    for (stream, packet) in input.packets() {
        let index = stream.index();
        if index == video_index {
            if let Err(error) = video.decoder.send_packet(&packet) {
                tracing::debug!(%error, "video packet rejected");
            }
            video.drain(sink)?;
            if let Some(pts) = packet.pts() {
                let fraction = (pts as f64 * video.time_base - origin) / facts.duration;
                if fraction - last_progress >= 0.005 {
                    last_progress = fraction;
                    sink.progress(fraction.clamp(0.0, 1.0));
                }
            }
        } else if Some(index) == audio_index {
            if let Some(audio) = audio.as_mut() {
                audio.push(Some(&packet), &mut |samples| {
                    audio_samples += samples.len() as u64;
                    sink.audio(samples)
                })?;
            }
        }
    }
    video.decoder.send_eof().map_err(|e| decode_error("flushing the video decoder", e)).ok();
    video.drain(sink)?;
    if let Some(audio) = audio.as_mut() {
        audio.push(None, &mut |samples| {
            audio_samples += samples.len() as u64;
            sink.audio(samples)
        })?;
    }
    sink.progress(1.0);
    Ok(AnalysisCounts { frames: video.frames, audio_samples })
}
