//! Export: clip specs (and the scores the manifest gives them) as an editing timeline of the
//! original source, through `opusclip-export`. The CLI (`opusclip export`) and the API
//! (`GET /api/jobs/{id}/export`) both build their timelines here.

use opusclip_captions::{plan_pages, write_srt, CaptionPage, TextMeasure};
use opusclip_core::{Aspect, ClipSpec, CutTimeline, Error, Result, Score};
pub use opusclip_export::Format;
use opusclip_export::{motion_path, tidy_captions, Caption, Marker, Project, Rate, SourceMedia, TimelineClip};

/// The viewer decides in the first seconds; the score's `hook` part judges them.
const HOOK_SECONDS: f64 = 3.0;

/// One clip to export: its spec, its score when a manifest gives one, where its source is on
/// this machine and how long the source is (when known).
#[derive(Debug, Clone)]
pub struct ExportClip {
    pub spec: ClipSpec,
    pub score: Option<Score>,
    pub source_path: String,
    pub source_duration: Option<f64>,
}

/// A written export: the timeline in its format, every caption as SRT on the timeline's
/// clock, and what the format could not carry.
#[derive(Debug, Clone)]
pub struct Export {
    pub format: Format,
    pub timeline: String,
    pub srt: String,
    pub notes: Vec<String>,
    pub clips: usize,
    pub seconds: f64,
}

/// The clips (in the order given) as one timeline named `name`, in the frame of each spec's
/// `aspect` output (the first output when `None`, or when a spec lacks that aspect).
pub fn export(
    name: &str,
    clips: &[ExportClip],
    aspect: Option<Aspect>,
    format: Format,
    measure: &dyn TextMeasure,
) -> Result<Export> {
    let first = clips.first().ok_or_else(|| Error::invalid_input("nothing to export: no clips"))?;
    let rate = Rate::from_fps(first.spec.source.fps);
    let frame_output = chosen_output(&first.spec, aspect)?;
    let (width, height) = (frame_output.width, frame_output.height);
    let mut notes = Vec::new();
    let mut timeline_clips = Vec::with_capacity(clips.len());
    let mut timeline_pages = Vec::new();
    let mut record = 0;
    for clip in clips {
        let timeline = CutTimeline::of(&clip.spec);
        let moments = clip.score.as_ref().map(|score| key_moments(&clip.spec, &timeline, score)).unwrap_or_default();
        for part in kept_parts(clip, &timeline) {
            let (timeline_clip, pages, note) = timeline_clip(&part, &moments, rate, aspect, measure)?;
            if let Some(note) = note.filter(|note| !notes.contains(note)) {
                notes.push(note);
            }
            timeline_pages.extend(on_timeline(pages, record as f64 / rate.fps()));
            record += timeline_clip.frames();
            timeline_clips.push(timeline_clip);
        }
    }
    if !format.has_transforms() {
        notes.push("an EDL holds cuts only: for the crop path export fcpxml, xmeml or otio".into());
    }
    if !format.has_captions() {
        notes.push("an EDL holds no captions: they are in the .srt beside it, on the timeline's clock".into());
    }
    let project = Project { name: name.to_string(), rate, width, height, clips: timeline_clips };
    Ok(Export {
        format,
        timeline: project.write(format),
        srt: write_srt(&timeline_pages),
        notes,
        clips: project.clips.len(),
        seconds: project.frames() as f64 / rate.fps(),
    })
}

/// A clip as edits: one per kept range of its `timeline` when it has jump cuts (its crop path,
/// words and captions each on its own range), else the clip itself.
fn kept_parts(clip: &ExportClip, timeline: &CutTimeline) -> Vec<ExportClip> {
    if clip.spec.kept_ranges.is_empty() {
        return vec![clip.clone()];
    }
    let count = timeline.kept.len();
    timeline
        .kept
        .iter()
        .enumerate()
        .map(|(index, range)| {
            let mut spec = clip.spec.clone();
            spec.kept_ranges.clear();
            (spec.start, spec.end) = (range.start, range.end);
            CutTimeline { kept: vec![*range] }.follow_crops(&mut spec.outputs, clip.spec.start);
            if count > 1 {
                spec.title = format!("{} (part {} of {count})", spec.title.trim(), index + 1).trim().to_string();
            }
            ExportClip { spec, ..clip.clone() }
        })
        .collect()
}

/// The output whose frame and crop are exported.
fn chosen_output(spec: &ClipSpec, aspect: Option<Aspect>) -> Result<&opusclip_core::OutputSpec> {
    let wanted = aspect.and_then(|aspect| spec.outputs.iter().find(|o| o.aspect == aspect));
    wanted.or(spec.outputs.first()).ok_or_else(|| Error::invalid_input(format!("{} has no outputs to export", spec.id)))
}

/// The clips of a job in timeline order: best-ranked first, only the best `top` when asked,
/// then in the order they were said when `by_source`. The CLI (manifest entries) and the API
/// (the stored manifest's JSON) order theirs here.
pub fn timeline_order<T>(
    mut clips: Vec<T>,
    rank: impl Fn(&T) -> u64,
    start: impl Fn(&T) -> f64,
    top: Option<usize>,
    by_source: bool,
) -> Vec<T> {
    clips.sort_by_key(&rank);
    clips.truncate(top.unwrap_or(usize::MAX));
    if by_source {
        clips.sort_by(|a, b| start(a).total_cmp(&start(b)));
    }
    clips
}

/// A clip's caption pages moved `offset` seconds later, onto the timeline's clock.
fn on_timeline(pages: Vec<CaptionPage>, offset: f64) -> impl Iterator<Item = CaptionPage> {
    pages.into_iter().map(move |page| CaptionPage { start: page.start + offset, end: page.end + offset, ..page })
}

/// One clip as the timeline holds it, with the key moments that fall inside it as markers, its
/// caption pages (seconds from the clip's start) and what its layout could not carry.
fn timeline_clip(
    clip: &ExportClip,
    moments: &[KeyMoment],
    rate: Rate,
    aspect: Option<Aspect>,
    measure: &dyn TextMeasure,
) -> Result<(TimelineClip, Vec<CaptionPage>, Option<String>)> {
    let spec = &clip.spec;
    if spec.end <= spec.start || !spec.start.is_finite() || !spec.end.is_finite() {
        return Err(Error::invalid_input(format!(
            "{}: end ({}) must come after start ({})",
            spec.id, spec.end, spec.start
        )));
    }
    let output = chosen_output(spec, aspect)?;
    let (source_in, source_out) = (rate.frames(spec.start), rate.frames(spec.end).max(rate.frames(spec.start) + 1));
    let length = source_out - source_in;
    let duration_frames = clip.source_duration.map_or(source_out, |seconds| rate.frames(seconds).max(source_out));
    let source = SourceMedia {
        path: clip.source_path.clone(),
        width: spec.source.display_width,
        height: spec.source.display_height,
        has_audio: spec.source.has_audio,
        duration_frames,
    };
    let motion = motion_path(output, (source.width, source.height), rate, length);
    let note = motion.note.clone().map(|note| format!("{}: {note}", spec.id));
    let pages = if spec.caption_style.enabled {
        plan_pages(&spec.words, spec.start, spec.end, &spec.caption_style, (output.width, output.height), measure)
    } else {
        Vec::new()
    };
    let captions = pages
        .iter()
        .map(|page| Caption {
            start: rate.frames(page.start),
            end: rate.frames(page.end),
            text: page.text().replace('\n', " "),
        })
        .collect();
    let captions = tidy_captions(captions, length);
    let name =
        if spec.title.trim().is_empty() { spec.id.clone() } else { format!("{} {}", spec.id, spec.title.trim()) };
    let markers = moments
        .iter()
        .filter(|moment| moment.at >= spec.start - 1e-6 && moment.at < spec.end)
        .map(|moment| {
            let at = (rate.frames(moment.at) - source_in).clamp(0, length - 1);
            let duration = rate.frames(moment.seconds).min(length - at).max(1);
            Marker { at, duration, name: moment.name.clone(), note: moment.note.clone() }
        })
        .collect();
    Ok((TimelineClip { name, source, source_in, source_out, motion, captions, markers }, pages, note))
}

/// A moment the score judged, on the source clock, to mark on the timeline.
#[derive(Debug, Clone, PartialEq)]
struct KeyMoment {
    at: f64,
    seconds: f64,
    name: String,
    note: String,
}

/// The score's key moments: the hook (the first seconds, which the `hook` part judges; its note
/// carries the total and every part's reason) and the payoff (the clip's last sentence, on which
/// the `coherence` part judges the ending), when the last sentence starts after the hook. A
/// moment inside a jump cut moves to the next kept frame.
fn key_moments(spec: &ClipSpec, timeline: &CutTimeline, score: &Score) -> Vec<KeyMoment> {
    let first_kept = |t: f64| timeline.kept.iter().find(|range| range.end > t).map(|range| t.max(range.start));
    let mut note = format!("score {:.0}/100", score.total);
    for (part, value) in &score.parts {
        note.push_str(&format!("; {part} {:.0}: {}", value.value, value.reason));
    }
    let reason = |part: &str, otherwise: &str| {
        score.parts.get(part).map_or_else(|| otherwise.to_string(), |part| part.reason.clone())
    };
    let mut moments = Vec::new();
    if let Some(at) = first_kept(spec.start) {
        moments.push(KeyMoment {
            at,
            seconds: HOOK_SECONDS,
            name: format!("Hook: {}", reason("hook", "the opening")),
            note,
        });
    }
    let words: Vec<opusclip_core::Word> =
        spec.words.iter().filter(|w| w.start >= spec.start - 1e-6 && w.end <= spec.end + 1e-6).cloned().collect();
    let last = opusclip_select::sentences(&words).pop().filter(|sentence| sentence.start >= spec.start + HOOK_SECONDS);
    if let Some((sentence, at)) = last.and_then(|sentence| first_kept(sentence.start).map(|at| (sentence, at))) {
        let text: String = sentence.text.chars().take(MARKER_TEXT_CHARS).collect();
        moments.push(KeyMoment {
            at,
            seconds: spec.end - at,
            name: format!("Payoff: {text}"),
            note: format!("the clip's last sentence; coherence: {}", reason("coherence", "not scored")),
        });
    }
    moments
}

/// How much of the payoff sentence a marker's name quotes, characters.
const MARKER_TEXT_CHARS: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_captions::CaptionWord;

    #[test]
    fn a_later_clip_s_captions_move_onto_the_timeline_clock() {
        let page = |start: f64, end: f64, text: &str| CaptionPage {
            start,
            end,
            lines: vec![vec![CaptionWord { text: text.into(), start, end }]],
            font_size_px: 60.0,
        };
        let moved: Vec<CaptionPage> = on_timeline(vec![page(1.0, 2.0, "second clip")], 10.0).collect();
        let srt = write_srt(&moved);
        assert!(srt.contains("1\n00:00:11,000 --> 00:00:12,000\nsecond clip"), "{srt}");
    }

    #[test]
    fn clips_are_ordered_best_first_cut_to_the_top_then_by_time_if_asked() {
        let clips = vec![(3_u64, 5.0), (1, 40.0), (2, 20.0)];
        let order = |top, by_source| timeline_order(clips.clone(), |c| c.0, |c| c.1, top, by_source);
        assert_eq!(order(None, false), vec![(1, 40.0), (2, 20.0), (3, 5.0)]);
        assert_eq!(order(Some(2), true), vec![(2, 20.0), (1, 40.0)], "the best two, in the order said");
    }
}
