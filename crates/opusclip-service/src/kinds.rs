//! The processing types of `POST /api/video/process` beyond clips: the whole video with burned-in
//! captions, the whole video reframed to 9:16 (following faces), or only the transcript. Each is
//! built from the engine's own stages (transcript plan, close look with its reframing signals,
//! the clip planner `frame_clip`, `render_spec`), so the whole-video outputs look exactly like
//! clips. Each writes its files and a small `manifest.json` into the output folder.

use opusclip_captions::{SafeArea, TextMeasure};
use opusclip_core::{Aspect, ClipSpec, ProbeFacts, Result, SourceRef, Transcript, SCHEMA_VERSION, TOOL_VERSION};
use opusclip_pipeline::caption_place::spec_faces;
use opusclip_pipeline::reframe::{frame_clip, unlooked_output, ClipFraming};
use opusclip_pipeline::transcript::{plan_transcript, TranscriptPlan};
use opusclip_pipeline::{atomic, ClipOptions, Progress};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

/// The id, and so the file names (`video.mp4`, `video.srt`, …), of whole-video outputs.
pub const WHOLE_VIDEO_ID: &str = "video";

fn timed<T>(progress: &dyn Progress, name: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    progress.stage(name);
    let started = Instant::now();
    let outcome = work();
    progress.stage_done(name, started.elapsed().as_secs_f64());
    outcome
}

/// Words of `input` from the transcript file or an embedded stream, or whisper when a model is
/// configured; a typed error when there is no source of words.
fn words_of(input: &Path, facts: &ProbeFacts, options: &ClipOptions, progress: &dyn Progress) -> Result<Transcript> {
    timed(progress, "transcript", || match plan_transcript(input, !facts.subtitles.is_empty(), options)? {
        TranscriptPlan::Ready(transcript) => Ok(transcript),
        TranscriptPlan::Whisper(_) => {
            Ok(opusclip_pipeline::transcript::transcribe_source(input, options, false, progress)?.transcript)
        }
        TranscriptPlan::None => Err(opusclip_core::Error::transcript(
            "no words for this video: send a transcript file (SRT/VTT) with it, use a video with a subtitle \
             stream, or configure a whisper model (MODEL_PATH)",
        )),
    })
}

/// Mean word confidence, 0–1 (`None` without words).
pub fn mean_confidence(transcript: &Transcript) -> Option<f64> {
    let words = &transcript.words;
    (!words.is_empty()).then(|| words.iter().map(|w| f64::from(w.confidence)).sum::<f64>() / words.len() as f64)
}

/// `transcript.json`, `transcript.srt` (one cue per word group as given) and the manifest.
pub fn run_transcript(input: &Path, out: &Path, options: &ClipOptions, progress: &dyn Progress) -> Result<Value> {
    let facts = timed(progress, "probe", || opusclip_media::probe(input))?;
    let transcript = words_of(input, &facts, options, progress)?;
    std::fs::create_dir_all(out).map_err(|e| opusclip_core::Error::io("create", out, e))?;
    atomic::write_json(&out.join("transcript.json"), &transcript)?;
    let pages = whole_pages(&transcript, &facts, &options.caption_style, None);
    atomic::write(&out.join("transcript.srt"), opusclip_captions::write_srt(&pages).as_bytes())?;
    atomic::write(&out.join("transcript.vtt"), opusclip_captions::write_vtt(&pages).as_bytes())?;
    let manifest = json!({
        "schema_version": SCHEMA_VERSION,
        "kind": "transcript",
        "source": { "probe": facts },
        "transcript": "transcript.json",
        "captions": { "srt": "transcript.srt", "vtt": "transcript.vtt" },
        "language": transcript.language,
        "word_count": transcript.words.len(),
        "confidence": mean_confidence(&transcript),
        "tool_version": TOOL_VERSION,
    });
    atomic::write_json(&out.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

/// Caption pages of the whole video for a 16:9 frame (for the transcript's SRT/VTT).
fn whole_pages(
    transcript: &Transcript,
    facts: &ProbeFacts,
    style: &opusclip_core::CaptionStyle,
    max_chars: Option<u32>,
) -> Vec<opusclip_captions::CaptionPage> {
    let frame = Aspect::Wide.size();
    let measure = opusclip_pipeline::fonts::caption_measure(None);
    let limited = CharLimit::new(measure.as_ref(), frame, max_chars);
    opusclip_captions::plan_pages(&transcript.words, 0.0, facts.duration, style, frame, &limited)
}

/// The whole video rendered once: with captions in its own shape (`captions`), or reframed to
/// 9:16 following faces (`reframe`, captions too when there are words).
pub fn run_whole_video(
    input: &Path,
    out: &Path,
    reframe: bool,
    options: &ClipOptions,
    max_chars: Option<u32>,
    progress: &dyn Progress,
) -> Result<Value> {
    let facts = timed(progress, "probe", || opusclip_media::probe(input))?;
    let hash = opusclip_media::content_hash(input)?;
    let transcript = match words_of(input, &facts, options, progress) {
        Ok(transcript) => Some(transcript),
        Err(error) if reframe => {
            progress.warn(&error.to_string());
            None
        }
        Err(error) => return Err(error),
    };
    let display = facts.video.display_size();
    let end = facts.duration;
    let aspect = if reframe { Aspect::Vertical } else { closest_aspect(display) };
    let look = if reframe {
        let mut detector = opusclip_pipeline::look::FaceDetector::new()?;
        let look = timed(progress, "look", || {
            opusclip_pipeline::look::close_look_with_signals(input, &facts, 0.0, end, &mut detector, &mut |f| {
                progress.advance(f)
            })
        })?;
        Some(look)
    } else {
        None
    };
    let words = transcript.as_ref().map(|t| t.words.as_slice()).unwrap_or_default();
    let output = timed(progress, "reframe", || {
        Ok(match &look {
            // The same planner a clip goes through: borders, saliency, mouth motion, speakers.
            Some((look, signals)) => {
                let framing = ClipFraming {
                    display,
                    start: 0.0,
                    end,
                    look,
                    signals: Some(signals),
                    levels: None,
                    words,
                    layout: options.layout,
                };
                frame_clip(&framing, &[aspect]).into_iter().map(|framed| framed.spec).next()
            }
            None => None,
        })
    })?;
    let output = output.unwrap_or_else(|| unlooked_output(display, aspect, 0.0, end));
    let (width, height) = aspect.size();
    let spec = ClipSpec {
        schema_version: SCHEMA_VERSION,
        id: WHOLE_VIDEO_ID.to_string(),
        source: SourceRef {
            path: input.display().to_string(),
            hash: hash.clone(),
            display_width: display.0,
            display_height: display.1,
            fps: facts.video.fps,
            has_audio: facts.audio.is_some(),
        },
        start: 0.0,
        end,
        words: transcript.as_ref().map(|t| t.words.clone()).unwrap_or_default(),
        outputs: vec![output],
        caption_style: options.caption_style.clone(),
        title: String::new(),
        faces: look.as_ref().map(|(look, _)| spec_faces(&look.faces, 0.0, end)).unwrap_or_default(),
        loudness: options.loudness,
        keywords: Vec::new(),
        watermark: options.watermark.clone(),
        kept_ranges: Vec::new(),
    };
    std::fs::create_dir_all(out).map_err(|e| opusclip_core::Error::io("create", out, e))?;
    let measure = opusclip_pipeline::fonts::caption_measure(options.font_dir.as_deref());
    let limited = CharLimit::new(measure.as_ref(), (width, height), max_chars);
    let rendered = timed(progress, "render", || {
        opusclip_pipeline::render_spec(&spec, out, &limited, &mut |f| progress.advance(f))
    })?;
    let manifest = json!({
        "schema_version": SCHEMA_VERSION,
        "kind": if reframe { "reframe" } else { "captions" },
        "source": { "hash": hash, "probe": facts },
        "video": rendered.outputs.first().map(|o| o.path.clone()),
        "outputs": rendered.outputs,
        "captions": rendered.captions,
        "thumbnail": rendered.thumbnail,
        "word_count": spec.words.len(),
        "confidence": transcript.as_ref().and_then(mean_confidence),
        "max_chars_per_line": max_chars,
        "tool_version": TOOL_VERSION,
    });
    atomic::write_json(&out.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

/// Render one edited spec of an earlier job (`POST /api/jobs/{id}/render`) from `input`, its
/// source on this machine: every output of the spec named after its clip (`clip-01.mp4`, then
/// `clip-01.1x1.mp4` …; `video.mp4` for a spec without a plain id), captions, thumbnail, the
/// spec as rendered, and the manifest.
pub fn run_render(
    input: &Path,
    out: &Path,
    mut spec: ClipSpec,
    options: &ClipOptions,
    progress: &dyn Progress,
) -> Result<Value> {
    spec.source.path = input.display().to_string();
    // Files are named after the clip (clip-01.mp4, clip-01.1x1.mp4, …) when its id makes a plain
    // file name, as `opusclip render` names them.
    if !crate::util::is_plain_file_name(&spec.id) {
        spec.id = WHOLE_VIDEO_ID.to_string();
    }
    std::fs::create_dir_all(out).map_err(|e| opusclip_core::Error::io("create", out, e))?;
    let measure = opusclip_pipeline::fonts::caption_measure(options.font_dir.as_deref());
    let rendered = timed(progress, "render", || {
        progress.workload(&opusclip_pipeline::Workload {
            source_seconds: 0.0,
            clip_seconds: spec.played_duration(),
            outputs: spec.outputs.len(),
            transcribes: false,
        });
        opusclip_pipeline::render_spec(&spec, out, measure.as_ref(), &mut |f| progress.advance(f))
    })?;
    let mut stored = spec.clone();
    stored.source.path = "source".into();
    atomic::write_json(&out.join("spec.json"), &stored)?;
    let manifest = json!({
        "schema_version": SCHEMA_VERSION,
        "kind": "render",
        "id": spec.id,
        "video": rendered.outputs.first().map(|o| o.path.clone()),
        "outputs": rendered.outputs,
        "captions": rendered.captions,
        "thumbnail": rendered.thumbnail,
        "spec": "spec.json",
        "start": spec.start,
        "end": spec.end,
        "duration": spec.played_duration(),
        "kept_ranges": spec.kept_ranges,
        "confidence": null,
        "tool_version": TOOL_VERSION,
    });
    atomic::write_json(&out.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

/// The output ratio nearest the source's shape.
fn closest_aspect(display: (u32, u32)) -> Aspect {
    let ratio = f64::from(display.0.max(1)) / f64::from(display.1.max(1));
    Aspect::ALL
        .into_iter()
        .min_by(|a, b| {
            let distance = |aspect: &Aspect| {
                let (w, h) = aspect.size();
                ((f64::from(w) / f64::from(h)).ln() - ratio.ln()).abs()
            };
            distance(a).total_cmp(&distance(b))
        })
        .unwrap_or(Aspect::Wide)
}

/// A measure that makes any line longer than `max_chars` characters too wide for the frame's
/// safe area, so the line breaker keeps lines to at most that many characters.
struct CharLimit<'a> {
    inner: &'a dyn TextMeasure,
    per_char_px: Option<f64>,
}

impl<'a> CharLimit<'a> {
    fn new(inner: &'a dyn TextMeasure, frame: (u32, u32), max_chars: Option<u32>) -> Self {
        let safe_width = f64::from(SafeArea::for_frame(frame.0, frame.1).width());
        CharLimit { inner, per_char_px: max_chars.map(|chars| safe_width / (f64::from(chars) + 0.5)) }
    }
}

impl TextMeasure for CharLimit<'_> {
    fn advance_width(&self, text: &str, font_size_px: f64) -> f64 {
        let measured = self.inner.advance_width(text, font_size_px);
        match self.per_char_px {
            Some(per_char) => measured.max(text.chars().count() as f64 * per_char),
            None => measured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_captions::ApproxMetrics;

    #[test]
    fn the_nearest_aspect_is_chosen() {
        assert_eq!(closest_aspect((1920, 1080)), Aspect::Wide);
        assert_eq!(closest_aspect((720, 1280)), Aspect::Vertical);
        assert_eq!(closest_aspect((1000, 1000)), Aspect::Square);
    }

    #[test]
    fn a_character_limit_makes_long_lines_too_wide() {
        let approx = ApproxMetrics;
        let limited = CharLimit::new(&approx, (1920, 1080), Some(10));
        let safe = f64::from(SafeArea::for_frame(1920, 1080).width());
        assert!(limited.advance_width("0123456789x", 10.0) > safe);
        assert!(limited.advance_width("short", 10.0) < safe);
        let unlimited = CharLimit::new(&approx, (1920, 1080), None);
        assert_eq!(unlimited.advance_width("abc", 10.0), approx.advance_width("abc", 10.0));
    }
}
