//! `opusclip clip` for one input: every stage in order, timed, with progress, ending in the
//! rendered clips and `manifest.json`.

use crate::atomic;
use crate::audiogram::{probe_for_analysis, AUDIOGRAM_FPS};
use crate::caption_place::spec_faces;
use crate::fonts::caption_measure;
use crate::look::{close_look_with_signals, LookSignals};
use crate::options::ClipOptions;
use crate::progress::{Progress, Workload};
use crate::reframe::{frame_clip, ClipFraming};
use crate::render::render_spec;
use crate::survey::{run_survey, run_survey_with_speech};
use crate::transcript::{plan_transcript, TranscriptPlan, NO_TRANSCRIPT_HINT};
use opusclip_analyze::faces::FaceDetector;
use opusclip_core::{
    Candidate, ClipSpec, CloseLook, KeptRange, LayoutKind, Manifest, ManifestClip, ManifestSource, OutputSpec,
    ProbeFacts, Result, SourceRef, StageTiming, Survey, Transcript, Word, SCHEMA_VERSION, TOOL_VERSION,
};
use opusclip_select::{select_clips, select_clips_without_words, ClipScorer, ClipText, Signals, Window};
use std::path::Path;
use std::time::Instant;

/// Seconds of transcript kept on each side of a clip in its spec, so extending a clip keeps
/// its captions.
pub const SPEC_WORD_MARGIN: f64 = 5.0;
/// A key-frame change this large (mean absolute luma difference) counts as a shot change when
/// choosing clips (boundaries without words, snapping and the `visual` part with words).
pub const KEYFRAME_CUT_SCORE: f32 = opusclip_select::KEYFRAME_CUT_SCORE;

struct Stages<'a> {
    timings: Vec<StageTiming>,
    progress: &'a dyn Progress,
}

impl Stages<'_> {
    fn run<T>(&mut self, name: &str, work: impl FnOnce(&dyn Progress) -> Result<T>) -> Result<T> {
        opusclip_core::cancel::check()?;
        self.progress.stage(name);
        let started = Instant::now();
        let _span = tracing::info_span!("stage", name).entered();
        let outcome = work(self.progress);
        let seconds = started.elapsed().as_secs_f64();
        self.add(name, seconds);
        // A stage that failed or was canceled did not finish: its time says nothing of its speed.
        if outcome.is_ok() {
            self.progress.stage_done(name, seconds);
        }
        tracing::info!(stage = name, seconds, ok = outcome.is_ok(), "stage finished");
        outcome
    }

    fn add(&mut self, name: &str, seconds: f64) {
        match self.timings.iter_mut().find(|timing| timing.name == name) {
            Some(timing) => timing.seconds += seconds,
            None => self.timings.push(StageTiming { name: name.to_string(), seconds }),
        }
    }
}

/// The job's size before the clips are chosen: as many clips as asked, each the middle of the
/// allowed lengths, never more than the source.
fn expected_workload(source_seconds: f64, options: &ClipOptions, transcribes: bool) -> Workload {
    let lengths = &options.lengths;
    let typical = if lengths.is_empty() {
        40.0
    } else {
        lengths.iter().map(|range| (range.min_seconds + range.max_seconds) / 2.0).sum::<f64>() / lengths.len() as f64
    };
    Workload {
        source_seconds,
        clip_seconds: (typical * options.clips as f64).min(source_seconds),
        outputs: options.aspects.len().max(1),
        transcribes,
    }
}

/// Clip `input` into `out_dir` (created if missing) and return the manifest written there.
pub fn run_clip(input: &Path, out_dir: &Path, options: &ClipOptions, progress: &dyn Progress) -> Result<Manifest> {
    options.validate()?;
    opusclip_media::render::check_ffmpeg()?;
    atomic::prepare_output_dir(out_dir)?;
    crate::render::remove_leftovers(out_dir);
    let mut stages = Stages { timings: Vec::new(), progress };
    let mut warnings = Vec::new();
    let input = std::fs::canonicalize(input).unwrap_or_else(|_| input.to_path_buf());
    let (facts, hash, analysis) = stages.run("probe", |_| {
        let (facts, analysis) = probe_for_analysis(&input)?;
        Ok((facts, opusclip_media::content_hash(&input)?, analysis))
    })?;
    let audiogram_options;
    let options = if analysis.is_audiogram() {
        let message =
            format!("{} has no picture: its clips are audiograms (waveform, title, captions)", input.display());
        progress.warn(&message);
        warnings.push(message);
        audiogram_options = ClipOptions { layout: Some(LayoutKind::Audiogram), ..options.clone() };
        &audiogram_options
    } else {
        options
    };
    check_timeframe(options, facts.duration)?;
    let plan = stages.run("transcript", |_| plan_transcript(&input, !facts.subtitles.is_empty(), options))?;
    let transcribes = matches!(plan, TranscriptPlan::Whisper(_));
    progress.workload(&expected_workload(facts.duration, options, transcribes));
    // With whisper, the survey's one decode also feeds recognition as it goes (no sample kept).
    let (surveyed, transcript) = match plan {
        TranscriptPlan::Whisper(model) => {
            let (surveyed, transcript) =
                stages.run("survey", |p| run_survey_with_speech(analysis.path(), &facts, &model, options, p))?;
            (surveyed, Some(transcript))
        }
        TranscriptPlan::Ready(transcript) => {
            (stages.run("survey", |p| run_survey(analysis.path(), &facts, false, p))?, Some(transcript))
        }
        TranscriptPlan::None => (stages.run("survey", |p| run_survey(analysis.path(), &facts, false, p))?, None),
    };
    let still_options;
    let still = options.layout.is_none()
        && crate::still::is_still_picture(&surveyed.survey, facts.duration)
        // A picture that cannot be decoded again is kept as video rather than lost to audiograms.
        && !crate::still::picture_moves(analysis.path(), &facts).unwrap_or(true);
    let options = if still {
        let message = format!(
            "{}'s picture never changes (a still image over sound): its clips are audiograms, the picture \
             blurred behind the waveform (--layout track keeps the picture)",
            input.display()
        );
        progress.warn(&message);
        warnings.push(message);
        still_options = ClipOptions { layout: Some(LayoutKind::Audiogram), ..options.clone() };
        &still_options
    } else {
        options
    };
    let mut transcript = transcript;
    if let Some(message) = transcript.as_mut().and_then(|t| crate::transcript::keep_within(t, facts.duration)) {
        progress.warn(&message);
        warnings.push(message);
    }
    if let (Some(list), Some(transcript)) = (&options.censor, transcript.as_mut()) {
        opusclip_captions::censor_words(&mut transcript.words, list);
    }
    if transcript.as_ref().is_none_or(|t| t.words.is_empty()) {
        progress.warn(NO_TRANSCRIPT_HINT);
        warnings.push(NO_TRANSCRIPT_HINT.to_string());
    }
    let words: &[Word] = transcript.as_ref().map(|t| t.words.as_slice()).unwrap_or(&[]);
    let mut scorer = ClipScorer::from_options(&options.select_options());
    // Topic segments (MiniLM embeddings, else TF-IDF) and the prompt's meaning feed the scorer.
    let topics = if words.is_empty() {
        None
    } else {
        stages.run("topics", |_| Ok(crate::topics::analyze_topics(words, options)))?
    };
    if let Some(topics) = &topics {
        topics.apply_to(&mut scorer);
        if let Some(message) = &topics.warning {
            progress.warn(message);
            warnings.push(message.clone());
        }
    }
    let candidates = stages.run("select", |_| choose(words, &surveyed.survey, &facts, options, &scorer))?;
    if candidates.len() < options.clips {
        let select = options.select_options();
        let message = format!(
            "asked for {} clips, {} fit: the source{} has too few non-overlapping stretches of {}{}",
            options.clips,
            candidates.len(),
            select.timeframe.map(|t| format!(" between {t}")).unwrap_or_default(),
            select.lengths_text(),
            if words.is_empty() { "" } else { " that start and end on sentences" }
        );
        progress.warn(&message);
        warnings.push(message);
    }
    progress.workload(&Workload {
        clip_seconds: candidates.iter().map(|c| c.played_duration()).sum(),
        ..expected_workload(facts.duration, options, transcribes)
    });
    let (looks, signals): (Vec<CloseLook>, Vec<LookSignals>) =
        stages.run("look", |p| look_at_all(analysis.path(), &facts, &candidates, p))?.into_iter().unzip();
    let (candidates, looks) = rescore_with_looks(candidates, looks, &surveyed.survey, &facts, &scorer);
    let texts = describe_candidates(&candidates, words);
    // With LLM_URL: a bounded rerank and rewritten titles; any failure keeps the above.
    let improved = match &options.llm {
        Some(llm) => stages.run("llm", |p| Ok(crate::llm::improve(llm, candidates, looks, texts, p)))?,
        None => crate::llm::Improved::extractive(candidates, looks, texts),
    };
    for message in &improved.warnings {
        progress.warn(message);
        warnings.push(message.clone());
    }
    let crate::llm::Improved { candidates, companions: looks, texts, titles_by, .. } = improved;
    let framing = FramingSignals { signals: &signals, levels: &surveyed.survey.levels };
    let mut specs = stages.run("reframe", |_| {
        Ok(build_specs(&input, &hash, &facts, &candidates, &looks, &framing, words, &texts, options))
    })?;
    let cuts = tighten_specs(&mut specs, words, &surveyed.survey, facts.duration, &options.tighten);
    if analysis.is_audiogram() || options.layout == Some(LayoutKind::Audiogram) {
        // An audiogram is drawn at its own rate, whatever the source's (a still upload is often
        // 1 frame a second).
        for spec in &mut specs {
            spec.source.fps = AUDIOGRAM_FPS;
        }
    }
    for message in enlargement_warnings(&specs) {
        progress.warn(&message);
        warnings.push(message);
    }
    let measure = caption_measure(options.font_dir.as_deref());
    let mut caption_warnings = Vec::new();
    let clips = stages.run("render", |p| {
        let mut clips = Vec::new();
        for (rank, (spec, candidate)) in specs.iter().zip(&candidates).enumerate() {
            let spec_name = format!("{}.json", spec.id);
            let base = rank as f64 / specs.len() as f64;
            let share = 1.0 / specs.len() as f64;
            opusclip_core::cancel::check()?;
            let rendered = render_spec(spec, out_dir, measure.as_ref(), &mut |f| p.advance(base + f * share))?;
            // The spec last: a clip's JSON is never there without its video.
            atomic::write_json(&out_dir.join(&spec_name), spec)?;
            caption_warnings.extend(rendered.caption_warnings(&spec.id));
            let mut clip = manifest_clip(rank, spec, candidate, &texts[rank], words, rendered, spec_name);
            clip.titles_by.clone_from(&titles_by[rank]);
            clip.cuts.clone_from(&cuts[rank]);
            clips.push(clip);
        }
        Ok(clips)
    })?;
    for message in caption_warnings {
        progress.warn(&message);
        warnings.push(message);
    }
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        source: ManifestSource { path: input.display().to_string(), hash, probe: facts },
        transcript_source: transcript.as_ref().filter(|t| !t.words.is_empty()).map(|t| t.source),
        clips,
        stages: stages.timings,
        peak_memory_bytes: crate::memory::peak_rss_bytes(),
        tool_version: TOOL_VERSION.to_string(),
        warnings,
        topics: topics.map(|topics| topics.summary),
    };
    atomic::write_json(&out_dir.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

/// Enlargement past this makes a clip visibly soft, even through the lanczos scaler: a 1080p
/// source's tracked 9:16 crop (1.8x) passes; a 720p one (2.7x) and a 480p one (4x) are named.
pub const MAX_SHARP_ENLARGEMENT: f64 = 2.0;

/// One warning per aspect whose clips enlarge the source more than [`MAX_SHARP_ENLARGEMENT`]
/// (a small source, or a tight crop of it), naming the worst factor and the clips.
pub fn enlargement_warnings(specs: &[ClipSpec]) -> Vec<String> {
    let mut by_aspect: Vec<(opusclip_core::Aspect, f64, Vec<&str>)> = Vec::new();
    for spec in specs {
        for output in &spec.outputs {
            let factor = output.enlargement();
            if factor <= MAX_SHARP_ENLARGEMENT {
                continue;
            }
            match by_aspect.iter_mut().find(|(aspect, _, _)| *aspect == output.aspect) {
                Some((_, worst, clips)) => {
                    *worst = worst.max(factor);
                    clips.push(&spec.id);
                }
                None => by_aspect.push((output.aspect, factor, vec![spec.id.as_str()])),
            }
        }
    }
    by_aspect
        .into_iter()
        .map(|(aspect, worst, clips)| {
            format!(
                "{} enlarges the source up to {worst:.1}x ({}): it will look soft; use a higher-resolution \
                 source, or --layout blur-fit for a close-up",
                aspect.label(),
                clips.join(", ")
            )
        })
        .collect()
}

/// A `--range` that starts after the source ends is refused before any work.
fn check_timeframe(options: &ClipOptions, duration: f64) -> Result<()> {
    match options.timeframe {
        Some(timeframe) if timeframe.start >= duration => Err(opusclip_core::Error::invalid_input(format!(
            "--range {timeframe} starts after the end of the source ({}): choose a range inside it",
            opusclip_select::clock(duration)
        ))
        .with_details(serde_json::json!({ "range": [timeframe.start, timeframe.end], "duration": duration }))),
        _ => Ok(()),
    }
}

/// The survey's signals for selection, with the video's frame rate for snapping to cuts.
fn survey_signals<'a>(survey: &'a Survey, facts: &ProbeFacts) -> Signals<'a> {
    let fps = Some(facts.video.fps).filter(|fps| fps.is_finite() && *fps > 0.0);
    Signals { fps, ..Signals::from_survey(survey, facts.duration) }
}

/// Candidates from the words (refined onto sentences, padded into silence, snapped to the
/// survey's key-frame cuts), or without words from silences and cuts.
fn choose(
    words: &[Word],
    survey: &Survey,
    facts: &ProbeFacts,
    options: &ClipOptions,
    scorer: &ClipScorer,
) -> Result<Vec<Candidate>> {
    let select_options = options.select_options();
    let signals = survey_signals(survey, facts);
    if words.is_empty() {
        let cuts = signals.cut_times(KEYFRAME_CUT_SCORE);
        select_clips_without_words(&signals, &cuts, &select_options, scorer)
    } else {
        select_clips(words, &signals, &select_options, scorer)
    }
}

/// The `visual` part measured again from each close look (faces, exact cuts), then candidates
/// and looks re-ranked by the new totals (ties: earlier start).
fn rescore_with_looks(
    candidates: Vec<Candidate>,
    looks: Vec<CloseLook>,
    survey: &Survey,
    facts: &ProbeFacts,
    scorer: &ClipScorer,
) -> (Vec<Candidate>, Vec<CloseLook>) {
    let signals = survey_signals(survey, facts);
    let mut pairs: Vec<(Candidate, CloseLook)> = candidates
        .into_iter()
        .zip(looks)
        .map(|(mut candidate, look)| {
            let seen = Signals { faces: &look.faces, shot_cuts: Some(&look.cuts), ..signals };
            let window = Window {
                start: candidate.start,
                end: candidate.end,
                first_sentence: candidate.first_sentence,
                end_sentence: candidate.end_sentence,
                setup: None,
            };
            scorer.rescore_visual(&mut candidate.score, &window, &seen);
            (candidate, look)
        })
        .collect();
    pairs.sort_by(|(a, _), (b, _)| b.score.total.total_cmp(&a.score.total).then(a.start.total_cmp(&b.start)));
    pairs.into_iter().unzip()
}

fn look_at_all(
    input: &Path,
    facts: &ProbeFacts,
    candidates: &[Candidate],
    progress: &dyn Progress,
) -> Result<Vec<(CloseLook, LookSignals)>> {
    let mut detector = FaceDetector::new()?;
    let count = candidates.len().max(1) as f64;
    candidates
        .iter()
        .enumerate()
        .map(|(index, candidate)| {
            opusclip_core::cancel::check()?;
            close_look_with_signals(input, facts, candidate.start, candidate.end, &mut detector, &mut |f| {
                progress.advance((index as f64 + f) / count)
            })
        })
        .collect()
}

/// Title, description and hashtags of each candidate, from the sentences it plays (a joined
/// question first).
fn describe_candidates(candidates: &[Candidate], words: &[Word]) -> Vec<ClipText> {
    let sentences = opusclip_select::sentences(words);
    candidates
        .iter()
        .map(|candidate| {
            let spanned = sentences.get(candidate.first_sentence..candidate.end_sentence).unwrap_or(&[]);
            let setup = sentences
                .get(..candidate.first_sentence)
                .unwrap_or(&[])
                .iter()
                .filter(|s| !candidate.kept_ranges.is_empty() && candidate.plays(s.start, s.end));
            let clip_sentences: Vec<&str> = setup.chain(spanned).map(|s| s.text.as_str()).collect();
            opusclip_select::describe(&candidate.text, &clip_sentences, candidate.start)
        })
        .collect()
}

/// What reframing needs beside the looks: their signals and the survey's audio levels.
struct FramingSignals<'a> {
    signals: &'a [LookSignals],
    levels: &'a opusclip_core::AudioLevels,
}

#[allow(clippy::too_many_arguments)]
fn build_specs(
    input: &Path,
    hash: &str,
    facts: &ProbeFacts,
    candidates: &[Candidate],
    looks: &[CloseLook],
    framing: &FramingSignals,
    words: &[Word],
    texts: &[ClipText],
    options: &ClipOptions,
) -> Vec<ClipSpec> {
    let display = facts.video.display_size();
    candidates
        .iter()
        .zip(looks)
        .enumerate()
        .map(|(rank, (candidate, look))| {
            let clip_framing = ClipFraming {
                display,
                start: candidate.start,
                end: candidate.end,
                look,
                signals: LookSignals::for_look(framing.signals, look),
                levels: Some(framing.levels),
                words,
                layout: options.layout,
            };
            let outputs: Vec<OutputSpec> =
                frame_clip(&clip_framing, &options.aspects).into_iter().map(|framed| framed.spec).collect();
            ClipSpec {
                schema_version: SCHEMA_VERSION,
                id: format!("clip-{:02}", rank + 1),
                source: SourceRef {
                    path: input.display().to_string(),
                    hash: hash.to_string(),
                    display_width: display.0,
                    display_height: display.1,
                    fps: facts.video.fps,
                    has_audio: facts.audio.is_some(),
                },
                start: candidate.start,
                end: candidate.end,
                words: words
                    .iter()
                    .filter(|w| {
                        w.end > candidate.start - SPEC_WORD_MARGIN && w.start < candidate.end + SPEC_WORD_MARGIN
                    })
                    .cloned()
                    .collect(),
                outputs,
                caption_style: options.caption_style.clone(),
                title: texts[rank].title.clone(),
                faces: spec_faces(&look.faces, candidate.start, candidate.end),
                loudness: options.loudness,
                keywords: clip_keywords(&candidate.text),
                watermark: options.watermark.clone(),
                kept_ranges: candidate.kept_ranges.clone(),
            }
        })
        .collect()
}

/// The words of the clip's three best keyphrases (what `keyword_color` marks in its captions).
pub const CAPTION_KEYPHRASES: usize = 3;

fn clip_keywords(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for phrase in opusclip_select::keyphrases::distinct_keyphrases(text, CAPTION_KEYPHRASES, CAPTION_KEYPHRASES) {
        for word in phrase.words {
            if word.chars().count() >= 3 && !words.contains(&word) {
                words.push(word);
            }
        }
    }
    words
}

fn manifest_clip(
    rank: usize,
    spec: &ClipSpec,
    candidate: &Candidate,
    described: &ClipText,
    words: &[Word],
    rendered: crate::render::RenderedClip,
    spec_name: String,
) -> ManifestClip {
    let transcript: Vec<&str> =
        words.iter().filter(|w| candidate.plays(w.start, w.end)).map(|w| w.text.as_str()).collect();
    ManifestClip {
        id: spec.id.clone(),
        rank: rank as u32 + 1,
        start: candidate.start,
        end: candidate.end,
        duration: spec.played_duration(),
        score: candidate.score.clone(),
        title: spec.title.clone(),
        description: described.description.clone(),
        hashtags: described.hashtags.clone(),
        transcript: transcript.join(" "),
        outputs: rendered.outputs,
        captions: rendered.captions,
        thumbnail: rendered.thumbnail,
        spec: spec_name,
        titles_by: opusclip_core::TITLES_EXTRACTIVE.to_string(),
        cuts: Vec::new(),
    }
}

/// Takes the pauses and fillers `options` name out of every clip (its `kept_ranges`; each part
/// of a joined clip on its own), measured on the words and the survey's audio levels; returns
/// each clip's cuts.
fn tighten_specs(
    specs: &mut [ClipSpec],
    words: &[Word],
    survey: &opusclip_core::Survey,
    duration: f64,
    options: &opusclip_select::TightenOptions,
) -> Vec<Vec<opusclip_core::Cut>> {
    if !options.any() {
        return vec![Vec::new(); specs.len()];
    }
    let signals = Signals::from_survey(survey, duration);
    specs
        .iter_mut()
        .map(|spec| {
            let whole = KeptRange { start: spec.start, end: spec.end };
            let parts = if spec.kept_ranges.is_empty() { vec![whole] } else { spec.kept_ranges.clone() };
            let (mut kept, mut cuts) = (Vec::new(), Vec::new());
            for part in parts {
                let tightened = opusclip_select::tighten(part.start, part.end, words, &signals, options);
                if tightened.cuts.is_empty() {
                    kept.push(part);
                } else {
                    kept.extend(tightened.kept);
                }
                cuts.extend(tightened.cuts);
            }
            if !cuts.is_empty() {
                spec.kept_ranges = kept;
            }
            cuts
        })
        .collect()
}

/// The transcript as written next to a run for debugging (not part of the output layout).
pub fn transcript_json(transcript: &Transcript) -> Result<String> {
    serde_json::to_string_pretty(transcript).map_err(|e| opusclip_core::Error::Internal(e.to_string()))
}
