//! `opusclip analyze`: the full-rate, whole-source pass — shots (adaptive or content detector),
//! fades, EBU R128 loudness, levels, silences and energy peaks — written as `analysis.json` and
//! cached by the source's content hash and the analysis settings.

use crate::progress::Progress;
use opusclip_analyze::adaptive::AdaptiveParams;
use opusclip_analyze::audio::{silences, LevelMeter, SilenceParams};
use opusclip_analyze::detector::{ShotDetector, ShotDetectorKind};
use opusclip_analyze::fades::{
    cuts_out_of_black, mean_intensity, Emergence, FadeDetector, FadeEvent, FadeParams, LumaRange,
};
use opusclip_analyze::loudness::{energy_peaks, EnergyPeak, LoudnessMeter, LoudnessSummary};
use opusclip_analyze::shots::{shots_from_cuts, ContentParams, ContentWeights, Cut, FrameDiffer, PlaneDeltas};
use opusclip_analyze::YuvView;
use opusclip_core::{AudioLevels, Error, ProbeFacts, Result, Shot, Silence, SCHEMA_VERSION, TOOL_VERSION};
use opusclip_media::decode::{GrayFrame, AUDIO_RATE};
use opusclip_media::{analysis_decode, AnalysisFrame, AnalysisOptions, AnalysisSink, DecodedSegment, FrameWork};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which shot detector runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectorChoice {
    Adaptive,
    Content,
}

/// Everything that changes what the analysis finds (part of the cache key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSettings {
    pub detector: DetectorChoice,
    /// Content threshold (content detector) or ratio threshold (adaptive detector); `None`:
    /// the detector's default (27 or 3.0).
    pub threshold: Option<f32>,
    /// Shortest shot, seconds (PySceneDetect's CLI: 0.6 s).
    pub min_scene_seconds: f64,
    /// Width of the analysed picture.
    pub width: u32,
    pub silence_threshold_db: f32,
    pub silence_min_seconds: f64,
    /// z-score an energy peak must reach.
    pub peak_z: f32,
    /// Decoding workers: segments of the video decoded side by side (1: one frame-threaded
    /// decoder). Changes the speed, never the result, so it is not part of the cache key.
    #[serde(skip, default = "default_decode_workers")]
    pub decode_workers: usize,
}

fn default_decode_workers() -> usize {
    AnalysisOptions::default().workers
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        AnalysisSettings {
            detector: DetectorChoice::Adaptive,
            threshold: None,
            min_scene_seconds: 0.6,
            width: 256,
            decode_workers: default_decode_workers(),
            silence_threshold_db: SilenceParams::default().threshold_db,
            silence_min_seconds: SilenceParams::default().min_duration,
            peak_z: 2.0,
        }
    }
}

/// A cut as written in `analysis.json`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CutRecord {
    pub frame: u64,
    pub t: f64,
    /// The detector's score for a content cut; 0 for a cut out of black.
    pub score: f32,
    /// What found the cut.
    #[serde(default)]
    pub kind: CutKind,
}

/// What found a cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutKind {
    /// The shot detector: the picture's content changed at once.
    #[default]
    Content,
    /// A new picture came out of a hold on black at least as long as the shortest scene.
    FromBlack,
}

/// The analysed source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSource {
    pub path: String,
    pub hash: String,
    pub probe: ProbeFacts,
}

/// `analysis.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisDocument {
    pub schema_version: u32,
    pub tool_version: String,
    pub source: AnalysisSource,
    pub settings: AnalysisSettings,
    pub frames_decoded: u64,
    pub shots: Vec<Shot>,
    pub cuts: Vec<CutRecord>,
    pub fades: Vec<FadeEvent>,
    pub levels: AudioLevels,
    pub loudness: LoudnessSummary,
    pub silences: Vec<Silence>,
    pub energy_peaks: Vec<EnergyPeak>,
    /// Wall time of the pass that made this document.
    pub seconds: f64,
    /// True when this document came from the cache.
    #[serde(default)]
    pub cached: bool,
}

impl AnalysisSettings {
    fn detector_kind(&self, fps: f64) -> ShotDetectorKind {
        let min_scene_frames = (self.min_scene_seconds * fps).round().max(1.0) as u64;
        match self.detector {
            DetectorChoice::Adaptive => {
                let defaults = AdaptiveParams::default();
                ShotDetectorKind::Adaptive(
                    AdaptiveParams {
                        adaptive_threshold: self.threshold.unwrap_or(defaults.adaptive_threshold),
                        min_scene_frames,
                        ..defaults
                    },
                    ContentWeights::default(),
                )
            }
            DetectorChoice::Content => {
                let defaults = ContentParams::default();
                ShotDetectorKind::Content(ContentParams {
                    threshold: self.threshold.unwrap_or(defaults.threshold),
                    min_scene_frames,
                    ..defaults
                })
            }
        }
    }

    /// A short stable key of the settings, for cache file names.
    fn key(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        // FNV-1a: stable across builds and platforms.
        let hash = text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
        format!("{hash:016x}")
    }
}

/// What a decoding worker keeps of each frame: its plane differences from the frame before
/// (within the worker's segment) and its mean intensity.
struct FrameRecord {
    index: u64,
    t: f64,
    deltas: Option<PlaneDeltas>,
    intensity: f32,
}

/// The per-frame work on a decoding worker: frame differences and mean intensity.
#[derive(Default)]
struct FrameMeasure {
    differ: FrameDiffer,
}

impl FrameWork for FrameMeasure {
    type Record = FrameRecord;

    fn start_segment(&mut self) {
        self.differ = FrameDiffer::default();
    }

    fn frame(&mut self, frame: &AnalysisFrame) -> FrameRecord {
        let view = yuv_view(frame.y, frame.u, frame.v);
        FrameRecord {
            index: frame.index,
            t: frame.t,
            deltas: self.differ.push_yuv(view),
            intensity: mean_intensity(&frame.y.data, LumaRange::Limited),
        }
    }
}

fn yuv_view<'a>(y: &'a GrayFrame, u: &'a GrayFrame, v: &'a GrayFrame) -> YuvView<'a> {
    YuvView { width: y.width, height: y.height, y: &y.data, u: &u.data, v: &v.data }
}

/// The plane differences across a segment edge: the previous segment's last picture against
/// this segment's first.
fn edge_deltas(before: &[GrayFrame; 3], after: &[GrayFrame; 3]) -> Option<PlaneDeltas> {
    let mut differ = FrameDiffer::default();
    differ.push_yuv(yuv_view(&before[0], &before[1], &before[2]));
    differ.push_yuv(yuv_view(&after[0], &after[1], &after[2]))
}

/// Runs the detectors over the frame records in timeline order, and the audio meters.
struct Analyzer<'a> {
    shots: ShotDetector,
    cuts: Vec<Cut>,
    fades: FadeDetector,
    meter: LevelMeter,
    loudness: Option<LoudnessMeter>,
    last_frame: (u64, f64),
    first_frame: Option<(u64, f64)>,
    /// The last picture of the previous segment.
    previous_last: Option<[GrayFrame; 3]>,
    progress: &'a dyn Progress,
}

impl AnalysisSink<FrameRecord> for Analyzer<'_> {
    fn segment(&mut self, segment: DecodedSegment<FrameRecord>) {
        let edge = match (&self.previous_last, &segment.first) {
            (Some(before), Some(after)) => edge_deltas(before, after),
            _ => None,
        };
        for (position, record) in segment.records.into_iter().enumerate() {
            let deltas = if position == 0 { edge } else { record.deltas };
            self.cuts.extend(self.shots.push_deltas(record.index, record.t, deltas));
            self.fades.push_intensity(record.index, record.t, record.intensity);
            self.first_frame.get_or_insert((record.index, record.t));
            self.last_frame = (record.index, record.t);
        }
        if segment.last.is_some() {
            self.previous_last = segment.last;
        }
    }
    fn audio(&mut self, samples: &[f32]) {
        self.meter.push(samples);
        if let Some(loudness) = self.loudness.as_mut() {
            if loudness.push(samples).is_err() {
                self.loudness = None;
            }
        }
    }
    fn progress(&mut self, fraction: f64) {
        self.progress.advance(fraction);
    }
}

/// Where analysis documents are cached: `OPUSCLIP_CACHE_DIR`, else `$XDG_CACHE_HOME/opusclip`,
/// else `~/.cache/opusclip`.
pub fn cache_dir(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = configured {
        return Some(dir.to_path_buf());
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(xdg).join("opusclip"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("opusclip"))
}

fn cache_file(dir: &Path, hash: &str, settings: &AnalysisSettings) -> PathBuf {
    dir.join("analysis").join(format!("{}-{}.json", &hash[..hash.len().min(32)], settings.key()))
}

/// Analyse `input`, from the cache when `cache` names a directory holding a matching document.
pub fn analyze(
    input: &Path,
    settings: &AnalysisSettings,
    cache: Option<&Path>,
    progress: &dyn Progress,
) -> Result<AnalysisDocument> {
    let facts = opusclip_media::probe(input)?;
    let hash = opusclip_media::content_hash(input)?;
    if let Some(dir) = cache {
        let file = cache_file(dir, &hash, settings);
        if let Some(mut cached) =
            std::fs::read(&file).ok().and_then(|b| serde_json::from_slice::<AnalysisDocument>(&b).ok())
        {
            if cached.schema_version == SCHEMA_VERSION && cached.settings == *settings {
                cached.cached = true;
                cached.source.path = input.display().to_string();
                return Ok(cached);
            }
        }
    }
    let document = analyze_uncached(input, &facts, hash, settings, progress)?;
    if let Some(dir) = cache {
        let file = cache_file(dir, &document.source.hash, settings);
        if let Some(parent) = file.parent() {
            if std::fs::create_dir_all(parent).is_ok() {
                if let Err(error) = crate::atomic::write_json(&file, &document) {
                    tracing::warn!(%error, "could not write the analysis cache");
                }
            }
        }
    }
    Ok(document)
}

fn analyze_uncached(
    input: &Path,
    facts: &ProbeFacts,
    hash: String,
    settings: &AnalysisSettings,
    progress: &dyn Progress,
) -> Result<AnalysisDocument> {
    let started = Instant::now();
    let fps = facts.video.fps.max(1.0);
    let mut analyzer = Analyzer {
        shots: ShotDetector::new(settings.detector_kind(fps)),
        cuts: Vec::new(),
        fades: FadeDetector::new(FadeParams::default()),
        meter: LevelMeter::new(AUDIO_RATE),
        loudness: LoudnessMeter::new(AUDIO_RATE).ok(),
        last_frame: (0, 0.0),
        first_frame: None,
        previous_last: None,
        progress,
    };
    let options = AnalysisOptions {
        width: settings.width,
        audio: facts.audio.is_some(),
        workers: settings.decode_workers.max(1),
        ..AnalysisOptions::default()
    };
    let counts = analysis_decode(input, facts, options, FrameMeasure::default, &mut analyzer)?;
    if counts.frames == 0 {
        return Err(Error::invalid_input(format!("{}: no video frame could be decoded", input.display())));
    }
    analyzer.cuts.extend(analyzer.shots.finish());
    let cuts = all_cuts(&analyzer.cuts, analyzer.fades.emergences(), settings.detector_kind(fps).min_scene_frames());
    let first = analyzer.first_frame.unwrap_or((0, 0.0));
    let end = (analyzer.last_frame.0, analyzer.last_frame.1 + 1.0 / fps);
    let shot_cuts: Vec<Cut> = cuts.iter().map(|c| Cut { frame: c.frame, t: c.t, score: c.score }).collect();
    let shots = shots_from_cuts(&shot_cuts, first, end);
    let levels = analyzer.meter.finish();
    let silence_params =
        SilenceParams { threshold_db: settings.silence_threshold_db, min_duration: settings.silence_min_seconds };
    let loudness = match analyzer.loudness {
        Some(meter) => meter.finish().unwrap_or(LoudnessSummary { readings: Vec::new(), integrated: None }),
        None => LoudnessSummary { readings: Vec::new(), integrated: None },
    };
    Ok(AnalysisDocument {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION.to_string(),
        source: AnalysisSource { path: input.display().to_string(), hash, probe: facts.clone() },
        settings: settings.clone(),
        frames_decoded: counts.frames,
        cuts,
        shots,
        fades: analyzer.fades.finish(),
        silences: silences(&levels, silence_params),
        energy_peaks: energy_peaks(&levels.db, levels.hop_seconds, settings.peak_z),
        levels,
        loudness,
        seconds: started.elapsed().as_secs_f64(),
        cached: false,
    })
}

/// The detector's cuts and the cuts out of black holds, in frame order.
fn all_cuts(detected: &[Cut], emergences: &[Emergence], min_scene_frames: u64) -> Vec<CutRecord> {
    let detected_frames: Vec<u64> = detected.iter().map(|c| c.frame).collect();
    let mut cuts: Vec<CutRecord> = detected
        .iter()
        .map(|c| CutRecord { frame: c.frame, t: c.t, score: c.score, kind: CutKind::Content })
        .chain(cuts_out_of_black(emergences, &detected_frames, min_scene_frames).into_iter().map(|e| CutRecord {
            frame: e.frame,
            t: e.t,
            score: 0.0,
            kind: CutKind::FromBlack,
        }))
        .collect();
    cuts.sort_by_key(|c| c.frame);
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_key_changes_with_any_setting() {
        let base = AnalysisSettings::default();
        let other = AnalysisSettings { detector: DetectorChoice::Content, ..base.clone() };
        assert_ne!(base.key(), other.key());
        assert_eq!(base.key(), AnalysisSettings::default().key());
    }

    #[test]
    fn cache_dir_prefers_the_configured_one() {
        assert_eq!(cache_dir(Some(Path::new("/x"))), Some(PathBuf::from("/x")));
    }
}
