//! The two decodes of the pipeline. The **survey** reads the whole source once cheaply: every
//! audio sample (as 16 kHz mono f32) and only the video's key frames (as tiny gray pictures).
//! The **close look** decodes one chosen window at full rate into small gray frames for shot
//! cuts and, a few times per second, larger ones for faces. Frames are in display orientation
//! with square pixels; times are seconds from the container's start (as the ffmpeg CLI's `-ss`).

use ffmpeg_next as ffmpeg;
use ffmpeg_next::{codec, format, frame, media, software, Discard};
use opusclip_core::{Error, ProbeFacts, Result};

/// Sample rate of the audio the survey delivers.
pub const AUDIO_RATE: u32 = 16_000;

/// An 8-bit gray picture at a point of the source's timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GrayFrame {
    pub t: f64,
    pub width: u32,
    pub height: u32,
    /// `width * height` bytes, row by row, no padding.
    pub data: Vec<u8>,
}

/// What the survey reads.
#[derive(Debug, Clone, Copy)]
pub struct SurveyOptions {
    /// Width of the key-frame pictures delivered (display orientation).
    pub keyframe_width: u32,
    pub audio: bool,
    pub keyframes: bool,
}

impl Default for SurveyOptions {
    fn default() -> Self {
        SurveyOptions { keyframe_width: 64, audio: true, keyframes: true }
    }
}

/// What the close look at one window reads.
#[derive(Debug, Clone, Copy)]
pub struct WindowOptions {
    pub start: f64,
    pub end: f64,
    /// Width of the every-frame picture (shot cuts).
    pub small_width: u32,
    /// Width of the detail picture (faces), at most `detail_fps` times per second.
    pub detail_width: u32,
    pub detail_fps: f64,
}

/// One frame of a window: the small picture always, the detail picture when due.
#[derive(Debug)]
pub struct WindowFrame<'a> {
    /// Frame number on the presentation timeline, counted from the video's first frame.
    pub index: u64,
    pub t: f64,
    pub small: &'a GrayFrame,
    pub detail: Option<&'a GrayFrame>,
}

/// Receives the survey's output, in timeline order per kind.
pub trait SurveySink {
    /// 16 kHz mono samples, contiguous from t = 0 (gaps before late audio are zero-filled).
    fn audio(&mut self, samples: &[f32]);
    /// A decoded key frame.
    fn keyframe(&mut self, frame: &GrayFrame);
    /// Fraction of the source read, 0..1.
    fn progress(&mut self, _fraction: f64) {}
}

/// The frame number of a frame at `t` on the presentation timeline, counted from the video's
/// first frame: a video that starts after the audio (encoder priming, a delayed start) still
/// numbers its first frame 0, and a variable-rate gap still advances the count.
pub(crate) fn frame_number(t: f64, first_frame_time: f64, fps: f64) -> u64 {
    ((t - first_frame_time) * fps).round().max(0.0) as u64
}

pub(crate) fn decode_error(what: &str, error: ffmpeg::Error) -> Error {
    Error::video(format!("{what}: {error}"))
}

pub(crate) fn open(path: &std::path::Path) -> Result<format::context::Input> {
    crate::init();
    format::input(path).map_err(|e| decode_error(&format!("cannot open {}", path.display()), e))
}

pub(crate) fn container_start(input: &format::context::Input) -> f64 {
    // SAFETY: reading a plain field of the live AVFormatContext.
    let start = unsafe { (*input.as_ptr()).start_time };
    if start == ffmpeg::ffi::AV_NOPTS_VALUE {
        0.0
    } else {
        start as f64 / f64::from(ffmpeg::ffi::AV_TIME_BASE)
    }
}

/// How much of the video a decoder decodes, and how carefully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VideoDecodeMode {
    /// Every frame, full quality (faces, rendering previews).
    Full,
    /// Every frame, loop filter skipped: for pictures that are only analysed.
    FastAnalysis,
    /// Key frames only, loop filter skipped.
    KeyframesOnly,
}

pub(crate) fn video_decoder(
    input: &format::context::Input,
    index: usize,
    mode: VideoDecodeMode,
) -> Result<ffmpeg::decoder::Video> {
    video_decoder_with_threads(input, index, mode, 2)
}

/// A video decoder with `threads` frame threads (1: no threading).
pub(crate) fn video_decoder_with_threads(
    input: &format::context::Input,
    index: usize,
    mode: VideoDecodeMode,
    threads: usize,
) -> Result<ffmpeg::decoder::Video> {
    let stream = input.stream(index).ok_or_else(|| Error::video("video stream disappeared"))?;
    let mut context =
        codec::Context::from_parameters(stream.parameters()).map_err(|e| decode_error("video codec parameters", e))?;
    context.set_threading(codec::threading::Config {
        kind: codec::threading::Type::Frame,
        count: threads.max(1),
        ..Default::default()
    });
    let mut decoder = context.decoder();
    if mode == VideoDecodeMode::KeyframesOnly {
        decoder.skip_frame(Discard::NonKey);
    }
    if mode != VideoDecodeMode::Full {
        decoder.skip_loop_filter(Discard::All);
    }
    decoder.video().map_err(|e| decode_error("cannot open the video decoder", e))
}

/// Scales decoded frames to gray at a display-oriented target width, applying SAR and rotation.
pub(crate) struct GrayScaler {
    scaler: Option<(software::scaling::Context, (ffmpeg::format::Pixel, u32, u32))>,
    unrotated: (u32, u32),
    rotation: u32,
    scaled: frame::Video,
    output_format: ffmpeg::format::Pixel,
    flags: software::scaling::Flags,
}

impl GrayScaler {
    pub(crate) fn new(facts: &ProbeFacts, target_width: u32) -> GrayScaler {
        let mut unrotated_facts = facts.video.clone();
        unrotated_facts.rotation = 0;
        let (uw, uh) = unrotated_facts.display_size();
        let rotation = facts.video.rotation;
        let display_width = if rotation == 90 || rotation == 270 { uh } else { uw };
        let width = target_width.min(display_width).max(16);
        let even = |v: f64| ((v / 2.0).round() as u32).max(4) * 2;
        let unrotated = if rotation == 90 || rotation == 270 {
            (even(width as f64 * uw as f64 / uh as f64), even(width as f64))
        } else {
            (even(width as f64), even(width as f64 * uh as f64 / uw as f64))
        };
        GrayScaler {
            scaler: None,
            unrotated,
            rotation,
            scaled: frame::Video::empty(),
            output_format: ffmpeg::format::Pixel::GRAY8,
            flags: software::scaling::Flags::BILINEAR,
        }
    }

    /// A scaler to planar YUV 4:2:0 (for colour-aware analysis), with the fastest filter.
    pub(crate) fn new_yuv(facts: &ProbeFacts, target_width: u32) -> GrayScaler {
        GrayScaler {
            output_format: ffmpeg::format::Pixel::YUV420P,
            flags: software::scaling::Flags::FAST_BILINEAR,
            ..GrayScaler::new(facts, target_width)
        }
    }

    /// Scale `decoded` into the scaler's own frame; returns it with its unrotated size.
    fn scale(&mut self, decoded: &frame::Video) -> Result<&frame::Video> {
        let key = (decoded.format(), decoded.width(), decoded.height());
        if self.scaler.as_ref().map(|(_, k)| *k) != Some(key) {
            let context = software::scaling::Context::get(
                key.0,
                key.1,
                key.2,
                self.output_format,
                self.unrotated.0,
                self.unrotated.1,
                self.flags,
            )
            .map_err(|e| decode_error("cannot create the scaler", e))?;
            self.scaler = Some((context, key));
        }
        if let Some((scaler, _)) = self.scaler.as_mut() {
            scaler.run(decoded, &mut self.scaled).map_err(|e| decode_error("scaling failed", e))?;
        }
        Ok(&self.scaled)
    }

    /// The luma (or gray) plane of `decoded`, scaled and rotated into `out`.
    pub(crate) fn convert(&mut self, decoded: &frame::Video, t: f64, out: &mut GrayFrame) -> Result<()> {
        let (w, h, rotation) = (self.unrotated.0, self.unrotated.1, self.rotation);
        let scaled = self.scale(decoded)?;
        out.t = t;
        rotate_into(scaled.data(0), scaled.stride(0), w, h, rotation, out);
        Ok(())
    }

    /// All three planes of `decoded` (the scaler must be a YUV one), scaled and rotated.
    pub(crate) fn convert_planes(&mut self, decoded: &frame::Video, t: f64, out: &mut [GrayFrame; 3]) -> Result<()> {
        let (w, h, rotation) = (self.unrotated.0, self.unrotated.1, self.rotation);
        let scaled = self.scale(decoded)?;
        for (plane, frame) in out.iter_mut().enumerate() {
            let (pw, ph) = if plane == 0 { (w, h) } else { (w / 2, h / 2) };
            frame.t = t;
            rotate_into(scaled.data(plane), scaled.stride(plane), pw, ph, rotation, frame);
        }
        Ok(())
    }
}

/// Copy a strided gray plane into `out`, rotated clockwise by `rotation` degrees.
fn rotate_into(plane: &[u8], stride: usize, w: u32, h: u32, rotation: u32, out: &mut GrayFrame) {
    let (w, h) = (w as usize, h as usize);
    out.data.resize(w * h, 0);
    match rotation {
        90 => {
            out.width = h as u32;
            out.height = w as u32;
            for y in 0..h {
                for x in 0..w {
                    out.data[x * h + (h - 1 - y)] = plane[y * stride + x];
                }
            }
        }
        180 => {
            out.width = w as u32;
            out.height = h as u32;
            for y in 0..h {
                for x in 0..w {
                    out.data[(h - 1 - y) * w + (w - 1 - x)] = plane[y * stride + x];
                }
            }
        }
        270 => {
            out.width = h as u32;
            out.height = w as u32;
            for y in 0..h {
                for x in 0..w {
                    out.data[(w - 1 - x) * h + y] = plane[y * stride + x];
                }
            }
        }
        _ => {
            out.width = w as u32;
            out.height = h as u32;
            for y in 0..h {
                out.data[y * w..(y + 1) * w].copy_from_slice(&plane[y * stride..y * stride + w]);
            }
        }
    }
}

/// Decodes an audio stream to 16 kHz mono f32, zero-filling a late start.
pub(crate) struct AudioTo16k {
    decoder: ffmpeg::decoder::Audio,
    resampler: Option<(software::resampling::Context, (ffmpeg::format::Sample, u64, u32))>,
    time_base: f64,
    origin: f64,
    emitted: u64,
    decoded: frame::Audio,
    resampled: frame::Audio,
    resampled_capacity: usize,
}

impl AudioTo16k {
    pub(crate) fn new(input: &format::context::Input, index: usize, origin: f64) -> Result<AudioTo16k> {
        let stream = input.stream(index).ok_or_else(|| Error::video("audio stream disappeared"))?;
        let time_base = f64::from(stream.time_base());
        let context = codec::Context::from_parameters(stream.parameters())
            .map_err(|e| decode_error("audio codec parameters", e))?;
        let decoder = context.decoder().audio().map_err(|e| decode_error("cannot open the audio decoder", e))?;
        Ok(AudioTo16k {
            decoder,
            resampler: None,
            time_base,
            origin,
            emitted: 0,
            decoded: frame::Audio::empty(),
            resampled: frame::Audio::empty(),
            resampled_capacity: 0,
        })
    }

    pub(crate) fn push(&mut self, packet: Option<&ffmpeg::Packet>, emit: &mut dyn FnMut(&[f32])) -> Result<()> {
        let sent = match packet {
            Some(packet) => self.decoder.send_packet(packet),
            None => self.decoder.send_eof(),
        };
        if let Err(error) = sent {
            // A damaged packet loses a few milliseconds of audio, not the run.
            tracing::debug!(%error, "audio packet rejected");
        }
        while self.decoder.receive_frame(&mut self.decoded).is_ok() {
            self.emit_decoded(emit)?;
        }
        Ok(())
    }

    fn emit_decoded(&mut self, emit: &mut dyn FnMut(&[f32])) -> Result<()> {
        if let Some(pts) = self.decoded.pts() {
            let t = pts as f64 * self.time_base - self.origin;
            let expected = (t * f64::from(AUDIO_RATE)).round() as i64;
            let gap = expected - self.emitted as i64;
            if gap > (AUDIO_RATE / 50) as i64 {
                let silence = vec![0.0f32; gap as usize];
                emit(&silence);
                self.emitted += gap as u64;
            }
        }
        let layout = if self.decoded.channel_layout().bits() == 0 {
            ffmpeg::ChannelLayout::default(i32::from(self.decoded.channels()))
        } else {
            self.decoded.channel_layout()
        };
        let key = (self.decoded.format(), layout.bits(), self.decoded.rate());
        if self.resampler.as_ref().map(|(_, k)| *k) != Some(key) {
            let context = software::resampling::Context::get(
                key.0,
                layout,
                key.2,
                ffmpeg::format::Sample::F32(ffmpeg::format::sample::Type::Packed),
                ffmpeg::ChannelLayout::MONO,
                AUDIO_RATE,
            )
            .map_err(|e| decode_error("cannot create the audio resampler", e))?;
            self.resampler = Some((context, key));
        }
        self.decoded.set_channel_layout(layout);
        // Give the resampler room for everything it holds: an output frame sized by its last
        // output would make it keep the surplus, and the audio would drift later and later.
        let needed = self.decoded.samples() * AUDIO_RATE as usize / self.decoded.rate().max(1) as usize + 4096;
        if self.resampled_capacity < needed {
            self.resampled = frame::Audio::new(
                ffmpeg::format::Sample::F32(ffmpeg::format::sample::Type::Packed),
                needed,
                ffmpeg::ChannelLayout::MONO,
            );
            self.resampled_capacity = needed;
        }
        self.resampled.set_samples(self.resampled_capacity);
        if let Some((resampler, _)) = self.resampler.as_mut() {
            resampler
                .run(&self.decoded, &mut self.resampled)
                .map_err(|e| decode_error("audio resampling failed", e))?;
        }
        let count = self.resampled.samples();
        if count > 0 {
            let samples: &[f32] = self.resampled.plane(0);
            emit(&samples[..count.min(samples.len())]);
            self.emitted += count as u64;
        }
        Ok(())
    }
}

/// Read the whole source once: every audio sample and the video's key frames.
pub fn survey_decode(
    path: &std::path::Path,
    facts: &ProbeFacts,
    options: SurveyOptions,
    sink: &mut dyn SurveySink,
) -> Result<()> {
    let mut input = open(path)?;
    let origin = container_start(&input);
    let video_index = facts.video.index;
    let video_time_base = input.stream(video_index).map(|s| f64::from(s.time_base())).unwrap_or(0.0);
    let mut video = if options.keyframes {
        Some(video_decoder(&input, video_index, VideoDecodeMode::KeyframesOnly)?)
    } else {
        None
    };
    let audio_index = if options.audio { input.streams().best(media::Type::Audio).map(|s| s.index()) } else { None };
    let mut audio = match audio_index {
        Some(index) => Some(AudioTo16k::new(&input, index, origin)?),
        None => None,
    };
    let mut scaler = GrayScaler::new(facts, options.keyframe_width);
    let mut decoded = frame::Video::empty();
    let mut gray = GrayFrame::default();
    let mut last_progress = -1.0;
    for (stream, packet) in input.packets() {
        let index = stream.index();
        if Some(index) == audio_index {
            if let Some(audio) = audio.as_mut() {
                audio.push(Some(&packet), &mut |samples| sink.audio(samples))?;
            }
        } else if index == video_index && packet.is_key() {
            if let Some(video) = video.as_mut() {
                let _ = video.send_packet(&packet);
                drain_video(video, &mut decoded, &mut scaler, &mut gray, video_time_base, origin, sink)?;
            }
        }
        if let Some(pts) = packet.pts() {
            let fraction = (pts as f64 * f64::from(stream.time_base()) - origin) / facts.duration;
            if fraction - last_progress >= 0.01 {
                last_progress = fraction;
                sink.progress(fraction.clamp(0.0, 1.0));
                opusclip_core::cancel::check()?;
            }
        }
    }
    if let Some(video) = video.as_mut() {
        let _ = video.send_eof();
        drain_video(video, &mut decoded, &mut scaler, &mut gray, video_time_base, origin, sink)?;
    }
    if let Some(audio) = audio.as_mut() {
        audio.push(None, &mut |samples| sink.audio(samples))?;
    }
    sink.progress(1.0);
    Ok(())
}

fn drain_video(
    video: &mut ffmpeg::decoder::Video,
    decoded: &mut frame::Video,
    scaler: &mut GrayScaler,
    gray: &mut GrayFrame,
    time_base: f64,
    origin: f64,
    sink: &mut dyn SurveySink,
) -> Result<()> {
    while video.receive_frame(decoded).is_ok() {
        let Some(pts) = decoded.timestamp().or(decoded.pts()) else {
            continue;
        };
        scaler.convert(decoded, pts as f64 * time_base - origin, gray)?;
        sink.keyframe(gray);
    }
    Ok(())
}

/// Decode `[start, end)` of the source at full rate; `on_frame` sees every frame in order.
pub fn decode_window(
    path: &std::path::Path,
    facts: &ProbeFacts,
    options: WindowOptions,
    on_frame: &mut dyn FnMut(&WindowFrame) -> Result<()>,
) -> Result<()> {
    let mut input = open(path)?;
    let origin = container_start(&input);
    let video_index = facts.video.index;
    let time_base = input.stream(video_index).map(|s| f64::from(s.time_base())).unwrap_or(0.0);
    let mut video = video_decoder(&input, video_index, VideoDecodeMode::Full)?;
    let seek_to = ((options.start + origin).max(0.0) * f64::from(ffmpeg::ffi::AV_TIME_BASE)) as i64;
    if options.start > 0.0 {
        input.seek(seek_to, ..seek_to).map_err(|e| decode_error("cannot seek", e))?;
    }
    let mut small_scaler = GrayScaler::new(facts, options.small_width);
    let mut detail_scaler = GrayScaler::new(facts, options.detail_width);
    let mut window = WindowState {
        decoded: frame::Video::empty(),
        small: GrayFrame::default(),
        detail: GrayFrame::default(),
        next_detail: options.start,
        detail_interval: if options.detail_fps > 0.0 { 1.0 / options.detail_fps } else { f64::INFINITY },
        fps: facts.video.fps.max(1.0),
        first_frame_time: facts.video.start_time - origin,
        finished: false,
    };
    for (stream, packet) in input.packets() {
        if stream.index() != video_index {
            continue;
        }
        let _ = video.send_packet(&packet);
        window.drain(&mut video, &mut small_scaler, &mut detail_scaler, time_base, origin, &options, on_frame)?;
        if window.finished {
            return Ok(());
        }
    }
    let _ = video.send_eof();
    window.drain(&mut video, &mut small_scaler, &mut detail_scaler, time_base, origin, &options, on_frame)
}

struct WindowState {
    decoded: frame::Video,
    small: GrayFrame,
    detail: GrayFrame,
    next_detail: f64,
    detail_interval: f64,
    fps: f64,
    first_frame_time: f64,
    finished: bool,
}

impl WindowState {
    #[allow(clippy::too_many_arguments)]
    fn drain(
        &mut self,
        video: &mut ffmpeg::decoder::Video,
        small_scaler: &mut GrayScaler,
        detail_scaler: &mut GrayScaler,
        time_base: f64,
        origin: f64,
        options: &WindowOptions,
        on_frame: &mut dyn FnMut(&WindowFrame) -> Result<()>,
    ) -> Result<()> {
        while video.receive_frame(&mut self.decoded).is_ok() {
            let Some(pts) = self.decoded.timestamp().or(self.decoded.pts()) else {
                continue;
            };
            let t = pts as f64 * time_base - origin;
            // Half a frame of tolerance so the frame at exactly `start` is kept.
            if t < options.start - 0.5 / self.fps {
                continue;
            }
            if t >= options.end {
                self.finished = true;
                return Ok(());
            }
            small_scaler.convert(&self.decoded, t, &mut self.small)?;
            let detail_due = t + 1e-6 >= self.next_detail;
            if detail_due {
                detail_scaler.convert(&self.decoded, t, &mut self.detail)?;
                self.next_detail = t + self.detail_interval;
            }
            let frame = WindowFrame {
                index: frame_number(t, self.first_frame_time, self.fps),
                t,
                small: &self.small,
                detail: detail_due.then_some(&self.detail),
            };
            on_frame(&frame)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane_2x3() -> Vec<u8> {
        // 2 wide, 3 high:  1 2 / 3 4 / 5 6
        vec![1, 2, 3, 4, 5, 6]
    }

    #[test]
    fn rotation_90_turns_clockwise() {
        let mut out = GrayFrame::default();
        rotate_into(&plane_2x3(), 2, 2, 3, 90, &mut out);
        assert_eq!((out.width, out.height), (3, 2));
        assert_eq!(out.data, vec![5, 3, 1, 6, 4, 2]);
    }

    #[test]
    fn rotation_180_and_270() {
        let mut out = GrayFrame::default();
        rotate_into(&plane_2x3(), 2, 2, 3, 180, &mut out);
        assert_eq!(out.data, vec![6, 5, 4, 3, 2, 1]);
        rotate_into(&plane_2x3(), 2, 2, 3, 270, &mut out);
        assert_eq!((out.width, out.height), (3, 2));
        assert_eq!(out.data, vec![2, 4, 6, 1, 3, 5]);
    }

    #[test]
    fn frames_count_from_the_first_video_frame() {
        // Video starting 21 ms after the audio (AAC priming): still frames 0, 1, 2…
        assert_eq!(frame_number(0.021, 0.021, 30.0), 0);
        assert_eq!(frame_number(0.021 + 660.0 / 30.0, 0.021, 30.0), 660);
        assert_eq!(frame_number(0.0, 0.5, 30.0), 0);
    }

    #[test]
    fn stride_padding_is_dropped() {
        let mut out = GrayFrame::default();
        rotate_into(&[1, 2, 99, 3, 4, 99], 3, 2, 2, 0, &mut out);
        assert_eq!(out.data, vec![1, 2, 3, 4]);
    }
}
