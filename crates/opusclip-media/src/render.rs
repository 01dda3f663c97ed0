//! Rendering clips with the `ffmpeg` command-line tool: one process per clip decodes the
//! clip's span of the source once and encodes every requested output (9:16, 1:1, ...) from it.
//!
//! The filter graph normalises the source to square display pixels once, splits it into one
//! branch per output, and composes each output by its [`Layout`]: *track* crops a window that
//! moves along the crop keyframes (a piecewise-linear expression of the clip-relative time
//! `t`) and scales it to the output; *split* crops two such windows, scales each to the
//! output's width and half its height and stacks them; *three* and *four* do the same with
//! three panels in a row (or column) and four in a 2×2 grid; *screen* stacks the screen's
//! still window in a 16:9 band over the face's window; *blur-fit* scales the picture to fit
//! the output over a blurred copy of itself scaled to fill, darkened to
//! [`BLUR_BRIGHTNESS`]. Then ASS captions are burned in with libass and each output is
//! encoded as H.264 (x264 `veryfast`, CRF 23, or a hardware encoder: [`encoder`]) with AAC audio. Outputs are written under temporary
//! names beside their destinations and renamed into place only when ffmpeg succeeds, so a
//! destination never holds a half-written file. Thumbnails are single JPEG frames made the same
//! way.

pub mod audiogram;
mod crop_expression;
mod cuts;
pub mod encoder;
mod ffmpeg;
mod graph;
pub mod loudness;
mod watermark;

pub use crop_expression::{crop_expression, Axis};
pub use encoder::{configured_encoder, VideoEncoder, ENCODER_THREADS};
pub use graph::BLUR_BRIGHTNESS;

use crop_expression::format_number;
use cuts::{cut_audio_label, cut_prefix, CutPlan, CutRange, CUT, UNCUT};
use ffmpeg::{partial_path, run_ffmpeg, TempFile};
use graph::filter_graph;
use opusclip_core::spec::{CropKeyframe, OutputSpec};
use opusclip_core::Layout;
use opusclip_core::{Error, KeptRange, Result};
use serde_json::json;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// Highest frame rate an output is encoded at; faster sources are resampled to it.
pub const MAX_OUTPUT_FPS: f64 = 60.0;

/// Frame rate used when the source does not report a usable one.
const FALLBACK_FPS: f64 = 30.0;

/// One clip to render: a span of the source and the outputs made from it.
#[derive(Debug, Clone)]
pub struct RenderJob<'a> {
    /// The source video.
    pub source: &'a Path,
    /// Clip start on the source timeline, in seconds.
    pub start: f64,
    /// Clip end on the source timeline, in seconds.
    pub end: f64,
    /// The source's average frame rate; outputs are constant-rate at it (capped at 60).
    pub fps: f64,
    /// Whether the source has an audio stream to carry over (the first one is used).
    pub has_audio: bool,
    /// Integrated loudness target of the audio in LUFS (true peak at most −1 dBTP), or `None`
    /// to keep the recorded level. See [`loudness`].
    pub loudness: Option<f64>,
    /// A logo laid over every output.
    pub watermark: Option<&'a opusclip_core::Watermark>,
    /// Every output encoded from this clip; at least one.
    pub outputs: Vec<RenderOutput<'a>>,
    /// The H.264 encoder: [`VideoEncoder::X264`] unless `OPUSCLIP_ENCODER` asks for hardware
    /// (see [`configured_encoder`]).
    pub encoder: VideoEncoder,
    /// The stretches of `start..end` (source seconds, in order) the outputs keep, joined by jump
    /// cuts; empty keeps the whole span. Crop keyframes and captions are then on the joined clock.
    pub kept: &'a [KeptRange],
    /// A folder libass searches for the captions' font before the system's (a brand template's
    /// font file), or `None`.
    pub fonts_dir: Option<&'a Path>,
    /// A file whose first picture (an image, an audio file's embedded cover art, a video's
    /// first frame: see [`crate::probe::has_picture`]) fills the audiogram outputs' background,
    /// blurred and darkened; `None` draws them on a plain colour.
    pub cover: Option<&'a Path>,
}

impl RenderJob<'_> {
    /// Length of the rendered files: the kept ranges' total, or the span.
    pub fn played_duration(&self) -> f64 {
        if self.kept.is_empty() {
            self.end - self.start
        } else {
            self.kept.iter().map(KeptRange::duration).sum()
        }
    }
}

/// One encoded file of a clip.
#[derive(Debug, Clone)]
pub struct RenderOutput<'a> {
    /// Size, aspect and crop keyframes (times relative to the clip start).
    pub spec: &'a OutputSpec,
    /// ASS captions to burn in; their times are relative to the clip start.
    pub subtitles_ass: Option<&'a Path>,
    /// Where the MP4 goes; replaced atomically once the render succeeded.
    pub destination: &'a Path,
}

/// Checks that `ffmpeg` is on the PATH with the `libx264` encoder and the `ass` filter.
pub fn check_ffmpeg() -> Result<()> {
    let encoders = ffmpeg_listing("-encoders")?;
    let filters = ffmpeg_listing("-filters")?;
    let mut missing = Vec::new();
    if !encoders.lines().any(|line| listing_names(line, "libx264")) {
        missing.push("the libx264 encoder");
    }
    if !filters.lines().any(|line| listing_names(line, "ass")) {
        missing.push("the ass filter (libass)");
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::video(format!(
        "ffmpeg lacks {}: install a full build (e.g. `apt-get install ffmpeg`)",
        missing.join(" and ")
    ))
    .with_details(json!({ "missing": missing })))
}

/// Runs `ffmpeg -hide_banner LISTING_FLAG` and returns its stdout.
fn ffmpeg_listing(listing_flag: &str) -> Result<String> {
    let output =
        Command::new("ffmpeg").args(["-hide_banner", listing_flag]).stdin(Stdio::null()).output().map_err(|err| {
            Error::video("ffmpeg was not found on the PATH: install it (e.g. `apt-get install ffmpeg`)")
                .with_details(json!({ "reason": err.to_string() }))
        })?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether a line of `ffmpeg -encoders` / `-filters` lists exactly `name` (second column).
fn listing_names(line: &str, name: &str) -> bool {
    line.split_whitespace().nth(1) == Some(name)
}

/// Renders every output of `job` with one ffmpeg process, calling `progress` with the done
/// fraction (0 to 1) as encoding advances. On failure no destination is created or changed.
pub fn render(job: &RenderJob, progress: &mut dyn FnMut(f64)) -> Result<()> {
    validate_job(job)?;
    let duration = job.played_duration();
    let audio_filter = loudness_filter(job)?;
    let graph_file = TempFile::new(std::env::temp_dir().join(unique_name("filtergraph", "txt")));
    write_file(&graph_file.path, &render_filter_graph(job, audio_filter.as_deref()))?;
    let partials: Vec<TempFile> =
        job.outputs.iter().map(|output| TempFile::new(partial_path(output.destination))).collect();
    let written: Vec<PathBuf> = partials.iter().map(|partial| partial.path.clone()).collect();
    let args = ffmpeg_arguments(job, audio_filter.as_deref(), &graph_file.path, &written);
    run_ffmpeg(&args, duration, progress)?;

    // Every output is checked before any is renamed into place: all of a clip, or none.
    for (output, partial) in job.outputs.iter().zip(&partials) {
        check_rendered(&partial.path, output.destination, duration, job.fps)?;
    }
    for (output, partial) in job.outputs.iter().zip(&partials) {
        partial.commit(output.destination)?;
    }
    progress(1.0);
    Ok(())
}

/// The filter graph [`render`] gives ffmpeg for `job` (from `-filter_complex_script`); a job
/// with kept ranges also runs each output's sound through `audio_filter` in it.
pub fn render_filter_graph(job: &RenderJob, audio_filter: Option<&str>) -> String {
    let graph = if job.kept.is_empty() {
        filter_graph(&job.outputs, job.watermark, UNCUT, job.fonts_dir, cover_input(job))
    } else {
        let ranges = cut_ranges(job);
        let plan = CutPlan {
            ranges: &ranges,
            shows_picture: job.outputs.iter().any(|output| output.spec.layout != Layout::Audiogram),
            has_audio: job.has_audio,
            outputs: job.outputs.len(),
            draws_sound: job.outputs.iter().any(|output| output.spec.layout == Layout::Audiogram),
            audio_filter,
        };
        format!(
            "{}{}",
            cut_prefix(&plan),
            filter_graph(&job.outputs, job.watermark, CUT, job.fonts_dir, cover_input(job))
        )
    };
    let Some(upload) = job.encoder.upload_filter() else { return graph };
    let uploads: String =
        (0..job.outputs.len()).map(|index| format!(";\n[out{index}]{upload}[{}]", encoded_label(job, index))).collect();
    format!("{}{uploads}\n", graph.trim_end())
}

/// Kept ranges further apart than this (seconds) are read from inputs of their own, seeking to
/// each, instead of decoding the source between them: two ranges of a multi-segment clip are
/// often tens of seconds apart, while a jump cut's pause is decoded faster than it is sought.
pub const SEEK_GAP_SECONDS: f64 = 5.0;

/// The most inputs of the source one render opens: further reads are joined across their
/// smallest gaps (each input is a demuxer and a decoder of its own).
pub const MAX_SOURCE_READS: usize = 4;

/// The stretches of the source a render decodes (source seconds): the whole span, or, when
/// kept ranges lie more than [`SEEK_GAP_SECONDS`] apart, one stretch per group of close ones
/// (at most [`MAX_SOURCE_READS`]).
pub fn source_reads(job: &RenderJob) -> Vec<(f64, f64)> {
    let mut reads: Vec<(f64, f64)> = Vec::new();
    for range in job.kept {
        match reads.last_mut() {
            Some(read) if range.start - read.1 <= SEEK_GAP_SECONDS => read.1 = range.end,
            _ => reads.push((range.start, range.end)),
        }
    }
    while reads.len() > MAX_SOURCE_READS {
        let smallest = (1..reads.len())
            .min_by(|&a, &b| (reads[a].0 - reads[a - 1].1).total_cmp(&(reads[b].0 - reads[b - 1].1)))
            .unwrap_or(1);
        reads[smallest - 1].1 = reads[smallest].1;
        reads.remove(smallest);
    }
    match reads.len() {
        0 | 1 => vec![(job.start, job.end)],
        _ => reads,
    }
}

/// The ffmpeg input index of read `read`: the first is input 0, then come the watermark image
/// and the cover art (when there are), then further reads.
fn read_input(read: usize, job: &RenderJob) -> usize {
    match read {
        0 => 0,
        _ => read + usize::from(job.watermark.is_some()) + usize::from(job.cover.is_some()),
    }
}

/// The ffmpeg input index of the cover art, when the job has one: after the watermark's.
fn cover_input(job: &RenderJob) -> Option<usize> {
    job.cover.map(|_| 1 + usize::from(job.watermark.is_some()))
}

/// Each kept range on the clock of the read holding it.
fn cut_ranges(job: &RenderJob) -> Vec<CutRange> {
    let reads = source_reads(job);
    job.kept
        .iter()
        .map(|range| {
            let read = reads.iter().rposition(|read| read.0 <= range.start + 1e-9).unwrap_or(0);
            CutRange { input: read_input(read, job), from: range.start - reads[read].0, to: range.end - reads[read].0 }
        })
        .collect()
}

/// The graph's label of output `index` as the encoder takes it: `out{index}`, or `enc{index}`
/// after an upload to the GPU.
fn encoded_label(job: &RenderJob, index: usize) -> String {
    match job.encoder.upload_filter() {
        Some(_) => format!("enc{index}"),
        None => format!("out{index}"),
    }
}

/// The audio filter that brings the clip to its loudness target (measured now over the sound
/// the clip plays, the first of the two passes), or `None` when the job keeps the recorded level
/// or that sound is silent.
pub fn loudness_filter(job: &RenderJob) -> Result<Option<String>> {
    match (job.has_audio, job.loudness) {
        (true, Some(target)) => {
            let kept: Vec<(f64, f64)> =
                job.kept.iter().map(|range| (range.start - job.start, range.end - job.start)).collect();
            Ok(loudness::measure(job.source, job.start, job.end - job.start, &kept, target)?
                .map(|measured| loudness::second_pass(target, &measured)))
        }
        _ => Ok(None),
    }
}

/// The ffmpeg arguments [`render`] runs for `job` after its quiet and progress flags: the span
/// of the source, the graph read from `graph_file`, and output `i` encoded into `written[i]`
/// with its audio through `audio_filter`. Public so that `opusclip bench` can time ffmpeg
/// running exactly the same command as a yardstick.
pub fn ffmpeg_arguments(
    job: &RenderJob,
    audio_filter: Option<&str>,
    graph_file: &Path,
    written: &[PathBuf],
) -> Vec<OsString> {
    let mut args = job.encoder.device_args();
    let read_args = |(start, end): (f64, f64)| -> [OsString; 6] {
        [
            "-ss".into(),
            format_number(start).into(),
            "-t".into(),
            format_number(end - start).into(),
            "-i".into(),
            job.source.as_os_str().to_owned(),
        ]
    };
    let reads = source_reads(job);
    args.extend(read_args(reads[0]));
    if let Some(watermark) = job.watermark {
        args.extend(["-loop".into(), "1".into(), "-i".into(), watermark.image.clone().into()]);
    }
    if let Some(cover) = job.cover {
        // Read from the start (a seek would skip an audio file's cover art, its one picture),
        // and only its first second: the picture needed is the first.
        args.extend(["-t".into(), "1".into(), "-i".into(), cover.as_os_str().to_owned()]);
    }
    for read in &reads[1..] {
        args.extend(read_args(*read));
    }
    args.extend(["-filter_complex_script".into(), graph_file.as_os_str().to_owned()]);
    for (index, partial) in written.iter().enumerate() {
        args.extend(output_args(job, index, audio_filter, partial));
    }
    args
}

/// Fails unless the file ffmpeg wrote for `destination` holds a readable video stream as long
/// as the clip, within two frames (and the audio encoder's few milliseconds of padding): a file
/// with no streams, or one cut short because the source ended early, is never published.
fn check_rendered(written: &Path, destination: &Path, expected_seconds: f64, fps: f64) -> Result<()> {
    let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let facts = crate::probe(written).map_err(|error| {
        Error::video(format!("ffmpeg wrote an unplayable {name}: {error}"))
            .with_details(json!({ "file": name, "expected_seconds": expected_seconds }))
    })?;
    let frame = 1.0 / if fps.is_finite() && fps > 0.0 { fps.min(MAX_OUTPUT_FPS) } else { FALLBACK_FPS };
    let tolerance = 2.0 * frame + 0.05;
    if (facts.duration - expected_seconds).abs() > tolerance {
        return Err(Error::video(format!(
            "{name} came out {:.2} s long but the clip is {:.2} s: the source ends or breaks off inside the clip; \
             shorten the clip to end before that point",
            facts.duration, expected_seconds
        ))
        .with_details(json!({ "file": name, "seconds": facts.duration, "expected_seconds": expected_seconds })));
    }
    Ok(())
}

/// Rejects jobs ffmpeg would fail on in confusing ways.
fn validate_job(job: &RenderJob) -> Result<()> {
    if !(job.start.is_finite() && job.end.is_finite() && job.start >= 0.0 && job.end > job.start) {
        return Err(Error::invalid_input(format!("clip span {}..{} s is empty or invalid", job.start, job.end)));
    }
    if job.outputs.is_empty() {
        return Err(Error::invalid_input("a render job needs at least one output"));
    }
    let mut previous_end = job.start;
    for range in job.kept {
        let inside = range.start >= previous_end - 1e-6 && range.end <= job.end + 1e-6;
        if !(range.start.is_finite() && range.end.is_finite() && range.end > range.start && inside) {
            return Err(Error::invalid_input(format!(
                "kept range {:.3}..{:.3} s must lie in order inside the clip span {:.3}..{:.3} s",
                range.start, range.end, job.start, job.end
            )));
        }
        previous_end = range.end;
    }
    for output in &job.outputs {
        validate_output(output.spec)?;
    }
    if let Some(watermark) = job.watermark {
        watermark.check()?;
        if !Path::new(&watermark.image).is_file() {
            return Err(Error::invalid_input(format!(
                "the watermark image {} is gone: put it back or edit `watermark.image` in the spec",
                watermark.image
            )));
        }
    }
    Ok(())
}

fn validate_output(spec: &OutputSpec) -> Result<()> {
    let label = spec.aspect.label();
    if spec.width < 2 || spec.height < 2 {
        return Err(Error::invalid_input(format!("output {label} has an invalid size {}x{}", spec.width, spec.height)));
    }
    if spec.layout == Layout::Audiogram {
        return Ok(());
    }
    validate_keyframes(&spec.crop_keyframes, label, "crop keyframes")?;
    let windows = spec.layout.more_windows();
    if windows.len() + 1 != spec.layout.kind().panel_count() {
        return Err(Error::invalid_input(format!(
            "output {label}: a {} layout carries {} crop paths, not {}",
            spec.layout.kind().label(),
            windows.len() + 1,
            spec.layout.kind().panel_count()
        )));
    }
    for (panel, keyframes) in windows.into_iter().enumerate() {
        let what = format!("crop keyframes of panel {} ({} layout)", panel + 2, spec.layout.kind().label());
        validate_keyframes(keyframes, label, &what)?;
    }
    Ok(())
}

fn validate_keyframes(keyframes: &[CropKeyframe], label: &str, what: &str) -> Result<()> {
    let Some(first) = keyframes.first() else {
        return Err(Error::invalid_input(format!("output {label} has no {what}")));
    };
    let all_finite = keyframes.iter().all(|k| [k.t, k.x, k.y, k.w, k.h].iter().all(|v| v.is_finite()));
    if !all_finite || first.w < 1.0 || first.h < 1.0 {
        return Err(Error::invalid_input(format!("output {label} has an invalid keyframe in its {what}")));
    }
    Ok(())
}

/// Encoder and muxer arguments for output `index`, written to `partial`; the audio goes
/// through `audio_filter` when one is given.
fn output_args(job: &RenderJob, index: usize, audio_filter: Option<&str>, partial: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["-map".into(), format!("[{}]", encoded_label(job, index)).into()];
    if job.has_audio {
        // A cut clip's sound comes out of the graph, already through the loudness filter.
        let sound = if job.kept.is_empty() { "0:a:0?".to_string() } else { cut_audio_label(index) };
        args.extend(["-map".into(), sound.into()]);
        for arg in ["-c:a", "aac", "-b:a", "128k"] {
            args.push(arg.into());
        }
        if let Some(filter) = audio_filter {
            if job.kept.is_empty() {
                args.extend(["-filter:a".into(), filter.into()]);
            }
            args.extend(["-ar".into(), loudness::SAMPLE_RATE.to_string().into()]);
        }
    }
    args.extend(job.encoder.codec_args());
    for arg in ["-r", &frame_rate_arg(job.fps), "-movflags", "+faststart"] {
        args.push(arg.into());
    }
    // The frame-rate conversion may repeat the last source frame past the span: cap the
    // output at the clip's length, so the file is as long as the manifest says.
    args.extend(["-t".into(), format_number(job.played_duration()).into()]);
    args.push(partial.as_os_str().to_owned());
    args
}

/// The output frame rate as ffmpeg reads it: NTSC rates as exact fractions, capped at 60.
fn frame_rate_arg(fps: f64) -> String {
    let fps = if fps.is_finite() && fps > 0.0 { fps.min(MAX_OUTPUT_FPS) } else { FALLBACK_FPS };
    let ntsc_base = (fps * 1.001).round();
    if ntsc_base >= 1.0 && (fps - ntsc_base * 1000.0 / 1001.0).abs() < 0.005 && fps != ntsc_base {
        return format!("{}/1001", ntsc_base * 1000.0);
    }
    format_number(fps)
}

/// Writes one JPEG frame of `source` at `at` seconds, cropped to `crop` (square display pixels)
/// and scaled to `out_size`; `destination` is replaced atomically.
pub fn thumbnail(source: &Path, at: f64, crop: &CropKeyframe, out_size: (u32, u32), destination: &Path) -> Result<()> {
    let still = OutputSpec {
        aspect: opusclip_core::Aspect::Vertical,
        width: out_size.0,
        height: out_size.1,
        layout: Layout::Track,
        crop_keyframes: vec![CropKeyframe { t: 0.0, ..*crop }],
    };
    output_thumbnail(source, at, &still, destination)
}

/// Writes one JPEG frame of `source` at `at` seconds composed as `output` is (its layout, its
/// size) with the crop windows of its first keyframes: pass an output whose keyframes are the
/// windows at that moment. `destination` is replaced atomically.
pub fn output_thumbnail(source: &Path, at: f64, output: &OutputSpec, destination: &Path) -> Result<()> {
    if !at.is_finite() || at < 0.0 || output.width < 2 || output.height < 2 {
        return Err(Error::invalid_input(format!(
            "invalid thumbnail request: at {at} s, size {}x{}",
            output.width, output.height
        )));
    }
    validate_output(output)?;
    let still = still_output(output);
    let graph =
        filter_graph(&[RenderOutput { spec: &still, subtitles_ass: None, destination }], None, UNCUT, None, None);
    let partial = TempFile::new(partial_path(destination));
    let args: Vec<OsString> = vec![
        "-ss".into(),
        format_number(at).into(),
        "-i".into(),
        source.as_os_str().to_owned(),
        "-filter_complex".into(),
        graph.into(),
        "-map".into(),
        "[out0]".into(),
        "-frames:v".into(),
        "1".into(),
        "-q:v".into(),
        "3".into(),
        "-update".into(),
        "1".into(),
        partial.path.as_os_str().to_owned(),
    ];
    run_ffmpeg(&args, 0.0, &mut |_| {})?;
    partial.commit(destination)
}

/// `output` with every window held at its first keyframe.
fn still_output(output: &OutputSpec) -> OutputSpec {
    let hold =
        |keyframes: &[CropKeyframe]| keyframes.first().map(|k| vec![CropKeyframe { t: 0.0, ..*k }]).unwrap_or_default();
    OutputSpec {
        layout: output.layout.map_windows(hold),
        crop_keyframes: hold(&output.crop_keyframes),
        ..output.clone()
    }
}

/// A process-unique file name in the form `opusclip-PREFIX-PID-N.EXT`.
fn unique_name(prefix: &str, extension: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let serial = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("opusclip-{prefix}-{}-{serial}.{extension}", std::process::id())
}

fn write_file(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents).map_err(|err| Error::io("writing", path, err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::spec::Aspect;

    fn spec(aspect: Aspect) -> OutputSpec {
        let (width, height) = aspect.size();
        OutputSpec {
            aspect,
            width,
            height,
            layout: Layout::Track,
            crop_keyframes: vec![CropKeyframe { t: 0.0, x: 10.0, y: 0.0, w: 404.6, h: 720.0 }],
        }
    }

    fn job<'a>(outputs: Vec<RenderOutput<'a>>) -> RenderJob<'a> {
        RenderJob {
            source: Path::new("in.mp4"),
            start: 1.0,
            end: 3.0,
            fps: 30.0,
            has_audio: true,
            loudness: None,
            watermark: None,
            outputs,
            encoder: VideoEncoder::X264,
            kept: &[],
            fonts_dir: None,
            cover: None,
        }
    }

    #[test]
    fn kept_ranges_far_apart_are_read_by_seeking_to_each_and_close_ones_from_one_read() {
        let vertical = spec(Aspect::Vertical);
        let output = RenderOutput { spec: &vertical, subtitles_ass: None, destination: Path::new("a.mp4") };
        let kept = [
            KeptRange { start: 1.0, end: 4.5 },
            KeptRange { start: 23.0, end: 30.0 },
            KeptRange { start: 31.0, end: 41.5 },
        ];
        let watermark = opusclip_core::Watermark {
            image: "logo.png".into(),
            corner: opusclip_core::Corner::TopRight,
            width: 0.2,
            opacity: 0.8,
        };
        let far = RenderJob { start: 1.0, end: 41.5, kept: &kept, watermark: Some(&watermark), ..job(vec![output]) };
        assert_eq!(source_reads(&far), [(1.0, 4.5), (23.0, 41.5)]);
        let args: Vec<String> = ffmpeg_arguments(&far, None, Path::new("g.txt"), &[PathBuf::from("p.mp4")])
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let text = args.join(" ");
        assert!(text.starts_with("-ss 1 -t 3.5 -i in.mp4 -loop 1 -i logo.png -ss 23 -t 18.5 -i in.mp4 "), "{text}");
        let graph = render_filter_graph(&far, None);
        assert!(graph.starts_with("[0:v]split=1[keepv0];\n[0:a:0]asplit=1[keepa0];\n"), "{graph}");
        assert!(graph.contains("[2:v]split=2[keepv1][keepv2];\n[2:a:0]asplit=2[keepa1][keepa2];\n"), "{graph}");
        assert!(graph.contains("[keepv1]trim=start=0:end=7,setpts=PTS-STARTPTS[partv1];"), "{graph}");
        assert!(graph.contains("[keepa2]atrim=start=8:end=18.5,asetpts=PTS-STARTPTS[parta2];"), "{graph}");
        assert!(graph.contains("[1:v]format=rgba"), "the logo stays input 1: {graph}");
        // Close ranges (a jump cut's pause) share one read of the whole span.
        let close = [KeptRange { start: 1.0, end: 2.0 }, KeptRange { start: 2.5, end: 3.0 }];
        let near = RenderJob { kept: &close, ..far.clone() };
        assert_eq!(source_reads(&near), [(1.0, 41.5)]);
        // Many ranges far apart (an edited spec): at most MAX_SOURCE_READS inputs, joined across
        // the smallest gaps.
        let many: Vec<KeptRange> = (0..8)
            .map(|i| KeptRange { start: f64::from(i) * 10.0 + f64::from(i % 2), end: f64::from(i) * 10.0 + 2.5 })
            .collect();
        let spread = RenderJob { start: 0.0, end: 80.0, kept: &many, ..far.clone() };
        let reads = source_reads(&spread);
        assert_eq!(reads.len(), MAX_SOURCE_READS, "{reads:?}");
        assert_eq!((reads[0].0, reads[MAX_SOURCE_READS - 1].1), (0.0, 72.5));
        let graph = render_filter_graph(&spread, None);
        assert_eq!(graph.matches("trim=start").count(), 16, "every range is still trimmed: {graph}");
        assert!(render_filter_graph(&near, None).starts_with("[0:v]split=2[keepv0][keepv1];"));
    }

    #[test]
    fn frame_rates_are_exact_and_capped() {
        assert_eq!(frame_rate_arg(30.0), "30");
        assert_eq!(frame_rate_arg(25.0), "25");
        assert_eq!(frame_rate_arg(30000.0 / 1001.0), "30000/1001");
        assert_eq!(frame_rate_arg(29.97), "30000/1001");
        assert_eq!(frame_rate_arg(23.976), "24000/1001");
        assert_eq!(frame_rate_arg(59.94), "60000/1001");
        assert_eq!(frame_rate_arg(120.0), "60");
        assert_eq!(frame_rate_arg(12.5), "12.5");
        assert_eq!(frame_rate_arg(0.0), "30");
        assert_eq!(frame_rate_arg(f64::NAN), "30");
    }

    #[test]
    fn encoder_arguments_map_video_and_optional_audio() {
        let vertical = spec(Aspect::Vertical);
        let output = RenderOutput { spec: &vertical, subtitles_ass: None, destination: Path::new("a.mp4") };
        let mut silent = job(vec![output]);
        let with_audio: Vec<String> = output_args(&silent, 0, None, Path::new("p.mp4"))
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let text = with_audio.join(" ");
        assert!(text.starts_with("-map [out0] -map 0:a:0? -c:a aac -b:a 128k -c:v libx264"));
        assert!(text.contains("-threads 2 -r 30 -movflags +faststart -t 2 p.mp4"), "{text}");
        assert_eq!(with_audio.last().map(String::as_str), Some("p.mp4"));
        let normalised = output_args(&silent, 0, Some("loudnorm=I=-14"), Path::new("p.mp4"));
        let normalised: Vec<String> = normalised.iter().map(|arg| arg.to_string_lossy().into_owned()).collect();
        assert!(normalised.join(" ").contains("-b:a 128k -filter:a loudnorm=I=-14 -ar 48000 -c:v"), "{normalised:?}");
        silent.has_audio = false;
        let without_audio = output_args(&silent, 0, Some("loudnorm=I=-14"), Path::new("p.mp4"));
        assert!(!without_audio.iter().any(|arg| arg == "-filter:a"));
        assert!(!without_audio.iter().any(|arg| arg == "0:a:0?"));
    }

    #[test]
    fn a_vaapi_render_opens_the_device_and_uploads_each_output() {
        let (vertical, square) = (spec(Aspect::Vertical), spec(Aspect::Square));
        let outputs = vec![
            RenderOutput { spec: &vertical, subtitles_ass: None, destination: Path::new("a.mp4") },
            RenderOutput { spec: &square, subtitles_ass: None, destination: Path::new("b.mp4") },
        ];
        let vaapi = RenderJob { encoder: VideoEncoder::Vaapi("/dev/dri/renderD128".into()), ..job(outputs) };
        let graph = render_filter_graph(&vaapi, None);
        assert!(graph.ends_with("[out0]format=nv12,hwupload[enc0];\n[out1]format=nv12,hwupload[enc1]\n"), "{graph}");
        let written = [PathBuf::from("a.part"), PathBuf::from("b.part")];
        let args: Vec<String> = ffmpeg_arguments(&vaapi, None, Path::new("g.txt"), &written)
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let text = args.join(" ");
        assert!(text.starts_with("-init_hw_device va:/dev/dri/renderD128 -filter_hw_device va -ss 1 "), "{text}");
        assert!(text.contains("-map [enc1]") && text.contains("-c:v h264_vaapi -qp 23") && !text.contains("[out0]"));
        assert!(!render_filter_graph(&job(Vec::new()), None).contains("hwupload"));
    }

    #[test]
    fn invalid_keyframes_are_rejected() {
        let mut bad = spec(Aspect::Vertical);
        bad.crop_keyframes[0].x = f64::NAN;
        let output = RenderOutput { spec: &bad, subtitles_ass: None, destination: Path::new("a.mp4") };
        assert!(matches!(validate_job(&job(vec![output])), Err(Error::InvalidInput { .. })));
    }
}
