//! Probe: the facts about a media file (duration, frame rate, size, pixel shape, rotation,
//! streams), and a clear, typed error for every way an input can be unusable — missing, not
//! media, no video, zero duration, truncated.

use ffmpeg_next as ffmpeg;
use ffmpeg_next::{codec, format, media};
use opusclip_core::{AudioFacts, Error, ProbeFacts, Result, SubtitleFacts, VideoFacts};
use serde_json::json;
use std::path::Path;

/// Read the facts of `path`, or explain why it cannot be used.
/// What a media file's container says, whatever streams it holds (for audio-only input, which
/// [`probe`] refuses): its format name(s) and how long it lasts.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// As FFmpeg names it, e.g. `mp3` or `mov,mp4,m4a,3gp,3g2,mj2`.
    pub format: String,
    /// Seconds from its start.
    pub seconds: f64,
}

/// Reads the container of `path`; a file that lasts no time is refused as [`probe`] does.
pub fn container(path: &Path) -> Result<Container> {
    crate::init();
    check_file(path)?;
    let input = open_input(path)?;
    let seconds = without_empty_lead(&input, container_duration(&input));
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(zero_duration(path));
    }
    Ok(Container { format: input.format().name().to_string(), seconds })
}

pub fn probe(path: &Path) -> Result<ProbeFacts> {
    crate::init();
    check_file(path)?;
    let mut input = open_input(path)?;
    let duration = container_duration(&input);
    if duration == 0.0 && input.duration() == 0 {
        return Err(zero_duration(path));
    }
    let video = video_facts(&input, path)?;
    let duration = if duration > 0.0 { duration } else { stream_duration(&input, video.index) };
    let duration = without_empty_lead(&input, duration);
    if duration.is_nan() || duration <= 0.0 || !duration.is_finite() {
        return Err(zero_duration(path));
    }
    let audio = audio_facts(&input);
    let subtitles = subtitle_facts(&input);
    let format = input.format().name().to_string();
    check_tail_readable(&mut input, path, video.index, duration)?;
    Ok(ProbeFacts { format, duration, video, audio, subtitles })
}

fn zero_duration(path: &Path) -> Error {
    Error::invalid_input(format!(
        "{} has zero duration: it holds no playable video; re-export it or pick another file",
        path.display()
    ))
    .with_details(details(path, "zero_duration"))
}

fn details(path: &Path, reason: &str) -> serde_json::Value {
    json!({"path": path.display().to_string(), "reason": reason})
}

fn check_file(path: &Path) -> Result<()> {
    let metadata = std::fs::metadata(path).map_err(|_| {
        Error::invalid_input(format!("input not found: {} — check the path", path.display()))
            .with_details(details(path, "missing"))
    })?;
    if metadata.is_dir() {
        return Err(Error::invalid_input(format!(
            "{} is a directory: give a video file (or several) instead",
            path.display()
        ))
        .with_details(details(path, "directory")));
    }
    if metadata.len() == 0 {
        return Err(
            Error::invalid_input(format!("{} is empty (0 bytes)", path.display())).with_details(details(path, "empty"))
        );
    }
    Ok(())
}

fn open_input(path: &Path) -> Result<format::context::Input> {
    format::input(path).map_err(|open_error| {
        if let Some(format_name) = recognised_format(path) {
            Error::invalid_input(format!(
                "{} looks like {format_name} but its header cannot be read ({open_error}): \
                 the file is truncated or corrupt — copy or download it again",
                path.display()
            ))
            .with_details(details(path, "truncated"))
        } else {
            Error::invalid_input(format!(
                "{} is not a media file FFmpeg can read: give a video such as .mp4, .mov, .mkv or .webm",
                path.display()
            ))
            .with_details(details(path, "not_media"))
        }
    })
}

/// The container format FFmpeg recognises from the first bytes, if any.
fn recognised_format(path: &Path) -> Option<String> {
    use std::io::Read;
    const PROBE_BYTES: usize = 1 << 16;
    const PADDING: usize = 64; // AVPROBE_PADDING_SIZE
    let mut file = std::fs::File::open(path).ok()?;
    let mut buffer = vec![0u8; PROBE_BYTES + PADDING];
    let mut filled = 0;
    while filled < PROBE_BYTES {
        match file.read(&mut buffer[filled..PROBE_BYTES]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return None,
        }
    }
    let data = ffmpeg::ffi::AVProbeData {
        filename: c"".as_ptr(),
        buf: buffer.as_mut_ptr(),
        buf_size: filled as i32,
        mime_type: std::ptr::null(),
    };
    let mut score = 0;
    // SAFETY: `data` points at a buffer of `filled` bytes followed by zeroed padding, as
    // av_probe_input_format2 requires; the returned pointer is a static format descriptor.
    unsafe {
        let found = ffmpeg::ffi::av_probe_input_format2(&data, 1, &mut score);
        if found.is_null() || score < 25 {
            return None;
        }
        let name = std::ffi::CStr::from_ptr((*found).name);
        Some(name.to_string_lossy().into_owned())
    }
}

fn container_duration(input: &format::context::Input) -> f64 {
    let raw = input.duration();
    if raw <= 0 {
        return 0.0;
    }
    raw as f64 / f64::from(ffmpeg::ffi::AV_TIME_BASE)
}

/// The duration on our timeline (seconds from the container's start): a QuickTime header that
/// counts an empty lead-in (an edit list that starts the media 1.075 s in, say) reports the
/// lead plus the media, while the streams end `duration - start` after the container's start.
fn without_empty_lead(input: &format::context::Input, container: f64) -> f64 {
    let start = crate::decode::container_start(input);
    let streams_end = input
        .streams()
        .filter_map(|stream| {
            let tb = f64::from(stream.time_base());
            let (first, length) = (stream.start_time(), stream.duration());
            (first != ffmpeg::ffi::AV_NOPTS_VALUE && length > 0).then(|| (first + length) as f64 * tb)
        })
        .fold(None, |end: Option<f64>, stream_end| Some(end.map_or(stream_end, |e| e.max(stream_end))));
    match streams_end {
        Some(end) if start > 0.0 && container > end - start + 0.1 && (container - end).abs() < 0.1 => end - start,
        _ => container,
    }
}

fn stream_duration(input: &format::context::Input, index: usize) -> f64 {
    input
        .stream(index)
        .map(|stream| stream.duration() as f64 * f64::from(stream.time_base()))
        .filter(|d| *d > 0.0)
        .unwrap_or(0.0)
}

fn rational(value: ffmpeg::Rational) -> f64 {
    if value.denominator() == 0 {
        0.0
    } else {
        f64::from(value)
    }
}

/// Whether `path` carries a picture as cover art (an audio file's embedded album art: a video
/// stream marked as an attached picture); false when it cannot be opened.
pub fn has_cover_art(path: &Path) -> bool {
    video_streams(path).iter().any(|&attached| attached)
}

/// Whether `path` has any picture: a video stream, or cover art; false when it cannot be
/// opened.
pub fn has_picture(path: &Path) -> bool {
    !video_streams(path).is_empty()
}

/// For each video stream of `path`, whether it is an attached picture (cover art).
fn video_streams(path: &Path) -> Vec<bool> {
    let Ok(input) = open_input(path) else { return Vec::new() };
    let streams = input
        .streams()
        .filter(|stream| stream.parameters().medium() == media::Type::Video)
        .map(|stream| stream.disposition().contains(format::stream::Disposition::ATTACHED_PIC))
        .collect();
    streams
}

fn video_facts(input: &format::context::Input, path: &Path) -> Result<VideoFacts> {
    let stream = input
        .streams()
        .filter(|s| s.parameters().medium() == media::Type::Video)
        .find(|s| !s.disposition().contains(format::stream::Disposition::ATTACHED_PIC))
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "{} has no video stream (audio only?): Video-OpusClip makes video clips from video input",
                path.display()
            ))
            .with_details(details(path, "no_video"))
        })?;
    let context = codec::Context::from_parameters(stream.parameters())
        .map_err(|e| Error::video(format!("cannot read the video codec parameters: {e}")))?;
    let codec_name = context.id().name().to_string();
    let decoder = context.decoder().video().map_err(|e| {
        Error::invalid_input(format!(
            "{}: no decoder for its {codec_name} video ({e}); convert it to H.264 first",
            path.display()
        ))
        .with_details(details(path, "unsupported_codec"))
    })?;
    let (width, height) = (decoder.width(), decoder.height());
    if width == 0 || height == 0 {
        return Err(Error::invalid_input(format!("{}: the video stream has no picture size", path.display()))
            .with_details(details(path, "no_size")));
    }
    // SAFETY: reading a plain field of a live AVStream owned by `input`.
    let stream_sar = unsafe { (*stream.as_ptr()).sample_aspect_ratio };
    let sar = if stream_sar.num > 0 && stream_sar.den > 0 {
        (stream_sar.num as u32, stream_sar.den as u32)
    } else {
        let codec_sar = decoder.aspect_ratio();
        if codec_sar.numerator() > 0 && codec_sar.denominator() > 0 {
            (codec_sar.numerator() as u32, codec_sar.denominator() as u32)
        } else {
            (1, 1)
        }
    };
    let time_base = rational(stream.time_base());
    let start_pts = stream.start_time();
    let start_time = if start_pts == ffmpeg::ffi::AV_NOPTS_VALUE { 0.0 } else { start_pts as f64 * time_base };
    let avg_fps = rational(stream.avg_frame_rate());
    let nominal_fps = rational(stream.rate());
    let fps = if avg_fps > 0.0 { avg_fps } else { nominal_fps };
    let variable_frame_rate = avg_fps > 0.0 && nominal_fps > 0.0 && (avg_fps - nominal_fps).abs() / nominal_fps > 0.01;
    let frames = stream.frames();
    Ok(VideoFacts {
        index: stream.index(),
        codec: codec_name,
        width,
        height,
        sar_num: sar.0,
        sar_den: sar.1,
        rotation: rotation_of(&stream),
        fps,
        nominal_fps,
        variable_frame_rate,
        start_time,
        frame_count: (frames > 0).then_some(frames as u64),
    })
}

/// Clockwise display rotation (0, 90, 180, 270) from the stream's display matrix.
fn rotation_of(stream: &format::stream::Stream) -> u32 {
    for side_data in stream.side_data() {
        if side_data.kind() == codec::packet::side_data::Type::DisplayMatrix && side_data.data().len() >= 36 {
            // SAFETY: a display matrix is nine i32 values; the slice holds at least 36 bytes.
            let counter_clockwise =
                unsafe { ffmpeg::ffi::av_display_rotation_get(side_data.data().as_ptr() as *const i32) };
            if counter_clockwise.is_nan() {
                return 0;
            }
            let clockwise = (-counter_clockwise).rem_euclid(360.0);
            return ((clockwise / 90.0).round() as u32 % 4) * 90;
        }
    }
    0
}

fn audio_facts(input: &format::context::Input) -> Option<AudioFacts> {
    let stream = input.streams().best(media::Type::Audio)?;
    let context = codec::Context::from_parameters(stream.parameters()).ok()?;
    let codec_name = context.id().name().to_string();
    let decoder = context.decoder().audio().ok()?;
    Some(AudioFacts {
        index: stream.index(),
        codec: codec_name,
        sample_rate: decoder.rate(),
        channels: u32::from(decoder.channels()),
    })
}

fn subtitle_facts(input: &format::context::Input) -> Vec<SubtitleFacts> {
    input
        .streams()
        .filter(|s| s.parameters().medium() == media::Type::Subtitle)
        .map(|s| SubtitleFacts {
            index: s.index(),
            codec: s.parameters().id().name().to_string(),
            language: s.metadata().get("language").map(str::to_string),
        })
        .collect()
}

/// A file cut short after a readable header still opens; reading near its end shows it.
fn check_tail_readable(
    input: &mut format::context::Input,
    path: &Path,
    video_index: usize,
    duration: f64,
) -> Result<()> {
    let target = ((duration - 1.0).max(0.0) * f64::from(ffmpeg::ffi::AV_TIME_BASE)) as i64;
    if input.seek(target, ..target).is_err() {
        // Not seekable (e.g. raw streams): nothing more to learn cheaply.
        return Ok(());
    }
    let found_video = input.packets().take(400).any(|(stream, _)| stream.index() == video_index);
    // Rewind so callers holding the context would start at the beginning.
    let _ = input.seek(0, ..0);
    if found_video {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "{} is truncated: its header promises {duration:.1} s but the video data ends early — copy or download it again",
            path.display()
        ))
        .with_details(details(path, "truncated")))
    }
}
