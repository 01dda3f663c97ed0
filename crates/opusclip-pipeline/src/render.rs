//! Rendering one clip from its `ClipSpec`: captions laid out per output (ASS burned in, SRT and
//! VTT beside), every aspect ratio from one decode, and a thumbnail. `opusclip render` and
//! `opusclip clip` both come through here, so a re-render equals the first render.

use crate::atomic;
use crate::caption_place::{caption_block_rows, outro_top, placed_style};
use opusclip_captions::ass::{outro_seconds, title_event, OutroCard};
use opusclip_captions::{plan_pages, write_ass, write_srt, write_vtt, CaptionPage, CaptionPlacement, TextMeasure};
use opusclip_core::cuts::crop_at;
use opusclip_core::{
    check_kept_ranges, CaptionFiles, ClipSpec, CropKeyframe, CutTimeline, Error, KeptRange, Layout, OutputFile,
    OutputSpec, Result,
};
use opusclip_media::render::{configured_encoder, output_thumbnail, render, RenderJob, RenderOutput};
use std::path::{Path, PathBuf};

/// What rendering a spec wrote, relative to its directory.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedClip {
    pub outputs: Vec<OutputFile>,
    pub captions: CaptionFiles,
    pub thumbnail: Option<String>,
    /// Where each output's `auto` captions went, for those that have any.
    pub caption_placements: Vec<(opusclip_core::Aspect, CaptionPlacement)>,
}

/// Above this share of the clip with a face under the captions, the manifest warns.
pub const FACE_COVER_WARNING: f64 = 0.2;

impl RenderedClip {
    /// One warning per output whose `auto` captions could not stay off the faces.
    pub fn caption_warnings(&self, id: &str) -> Vec<String> {
        self.caption_placements
            .iter()
            .filter(|(_, placement)| placement.face_cover > FACE_COVER_WARNING)
            .map(|(aspect, placement)| format!("{id} {}: captions {}", aspect.label(), placement.reason))
            .collect()
    }
}

/// File name of output `index` of clip `id`: the first is `clip-01.mp4`, then `clip-01.1x1.mp4`…
pub fn output_file_name(id: &str, index: usize, spec: &ClipSpec) -> String {
    if index == 0 {
        format!("{id}.mp4")
    } else {
        format!("{id}.{}.mp4", spec.outputs[index].aspect.file_tag())
    }
}

/// Render every output of `spec` into `dir`, with captions and a thumbnail.
pub fn render_spec(
    spec: &ClipSpec,
    dir: &Path,
    measure: &dyn TextMeasure,
    progress: &mut dyn FnMut(f64),
) -> Result<RenderedClip> {
    if spec.outputs.is_empty() {
        return Err(Error::invalid_input(format!("{}: the spec has no outputs to render", spec.id)));
    }
    if spec.end.is_nan() || spec.start.is_nan() || spec.end <= spec.start {
        return Err(Error::invalid_input(format!(
            "{}: end ({:.2}) must be after start ({:.2})",
            spec.id, spec.end, spec.start
        )));
    }
    let source = Path::new(&spec.source.path);
    if !source.is_file() {
        return Err(Error::invalid_input(format!(
            "{}: its source {} is gone; put the video back at that path or edit `source.path` in the spec",
            spec.id, spec.source.path
        )));
    }
    let mut played = PlayedClip::of(spec)?;
    let own_font = crate::fonts::style_font(&spec.caption_style)?;
    let staging = Staging::create(dir, &spec.id)?;
    let measure: &dyn TextMeasure = match &own_font {
        Some(font) => {
            played.spec.caption_style.font.clone_from(&font.family);
            played.fonts_dir = Some(font.folder_of_its_own(&staging.path)?);
            &font.metrics
        }
        None => measure,
    };
    let burned = write_output_captions(&played.spec, &staging.path, measure)?;
    let video_names: Vec<String> =
        (0..spec.outputs.len()).map(|index| output_file_name(&spec.id, index, spec)).collect();
    let destinations: Vec<PathBuf> = video_names.iter().map(|name| staging.path.join(name)).collect();
    render(&render_job(&played, &burned, &destinations)?, progress)?;
    let OutputCaptions { first_pages, caption_placements, captions_wanted, .. } = burned;
    let captions = write_caption_files(spec, &staging.path, &first_pages, captions_wanted)?;
    let thumbnail_name = format!("{}.jpg", spec.id);
    let at = played.spec.duration() / 3.0;
    let first = &played.spec.outputs[0];
    let thumbnail = if first.layout == Layout::Audiogram {
        // The waveform, title and captions exist only in the rendered file: take the frame there.
        let whole = CropKeyframe { t: 0.0, x: 0.0, y: 0.0, w: f64::from(first.width), h: f64::from(first.height) };
        let still = OutputSpec { layout: Layout::Track, crop_keyframes: vec![whole], ..first.clone() };
        output_thumbnail(&destinations[0], at, &still, &staging.path.join(&thumbnail_name))?;
        Some(thumbnail_name)
    } else {
        match output_at(first, at) {
            Some(still) => {
                let source_at = played.timeline.source_time(at);
                output_thumbnail(source, source_at, &still, &staging.path.join(&thumbnail_name))?;
                Some(thumbnail_name)
            }
            None => None,
        }
    };
    let published = video_names.iter().chain(&captions.srt).chain(&captions.vtt).chain(&thumbnail);
    staging.publish(dir, published)?;
    Ok(RenderedClip {
        outputs: spec
            .outputs
            .iter()
            .zip(video_names)
            .map(|(output, path)| OutputFile {
                aspect: output.aspect,
                path,
                width: output.width,
                height: output.height,
            })
            .collect(),
        captions,
        thumbnail,
        caption_placements,
    })
}

/// The captions burned into a clip's outputs: each output's ASS file (`None` for an output
/// without captions), the first output's caption pages (the SRT and VTT are written from
/// them) and where each output's `auto` captions were placed.
pub struct OutputCaptions {
    pub ass_files: Vec<Option<PathBuf>>,
    first_pages: Vec<CaptionPage>,
    caption_placements: Vec<(opusclip_core::Aspect, CaptionPlacement)>,
    captions_wanted: bool,
}

/// Lays out the captions of every output of `spec` and writes their ASS files into `dir`.
pub fn write_output_captions(spec: &ClipSpec, dir: &Path, measure: &dyn TextMeasure) -> Result<OutputCaptions> {
    let captions_wanted = spec.caption_style.enabled && !spec.words.is_empty();
    let mut ass_files: Vec<Option<PathBuf>> = Vec::new();
    let mut first_pages = Vec::new();
    let mut caption_placements = Vec::new();
    for (index, output) in spec.outputs.iter().enumerate() {
        let title_card = output.layout == Layout::Audiogram && !spec.title.trim().is_empty();
        let outro = spec.caption_style.outro.as_deref();
        if !captions_wanted && !title_card && outro.is_none() {
            ass_files.push(None);
            continue;
        }
        let frame = (output.width, output.height);
        let pages = if captions_wanted {
            plan_pages(&spec.words, spec.start, spec.end, &spec.caption_style, frame, measure)
        } else {
            Vec::new()
        };
        let ass_path = dir.join(format!("captions-{index}.ass"));
        let (style, placement) = placed_style(spec, output, &pages);
        caption_placements.extend(placement.filter(|_| captions_wanted).map(|placement| (output.aspect, placement)));
        let mut ass = write_ass(&pages, &style, &spec.keywords, frame);
        if title_card {
            ass.push_str(&title_event(&spec.title, &style, frame, spec.duration(), measure));
        }
        if let Some(outro) = outro {
            let card = OutroCard::new(outro, &style, frame, measure);
            let caption_rows = captions_wanted.then(|| {
                let block = opusclip_captions::block_height(&pages, &style, frame);
                caption_block_rows(style.position, block, frame.1)
            });
            let shown = outro_seconds(spec.duration());
            let (top, _) = outro_top(spec, output, card.height, shown, caption_rows);
            ass.push_str(&card.event(&style, frame, spec.duration(), top));
        }
        std::fs::write(&ass_path, ass).map_err(|e| Error::io("write", &ass_path, e))?;
        ass_files.push(Some(ass_path));
        if index == 0 {
            first_pages = pages;
        }
    }
    Ok(OutputCaptions { ass_files, first_pages, caption_placements, captions_wanted })
}

/// A spec as it plays: [`ClipSpec::as_cut`] (captions are laid out on it, its crop paths are on
/// the cut clock) and the kept ranges of the source the render reads.
pub struct PlayedClip {
    /// The clip with its cuts applied and none left.
    pub spec: ClipSpec,
    /// Where each kept stretch of the source lands.
    pub timeline: CutTimeline,
    /// Whether the spec has `kept_ranges` (the render then joins the timeline's ranges).
    cut: bool,
    /// Where libass looks first for the captions' font (the style's own font file's folder).
    pub fonts_dir: Option<PathBuf>,
}

impl PlayedClip {
    /// Checks `spec.kept_ranges` and applies them.
    pub fn of(spec: &ClipSpec) -> Result<PlayedClip> {
        check_kept_ranges(spec)?;
        let timeline = CutTimeline::of(spec);
        let cut = !spec.kept_ranges.is_empty();
        let played = if cut { timeline.applied_to(spec) } else { spec.clone() };
        Ok(PlayedClip { spec: played, timeline, cut, fonts_dir: None })
    }

    /// The kept ranges the render joins: none for a spec without cuts.
    fn joined_ranges(&self) -> &[KeptRange] {
        if self.cut {
            &self.timeline.kept
        } else {
            &[]
        }
    }
}

/// The render job of a clip as it plays: the span of the source its kept ranges cover, output
/// `i` burned with `captions.ass_files[i]` and encoded to `destinations[i]` by the encoder
/// `OPUSCLIP_ENCODER` picks (x264 unless it asks for hardware).
pub fn render_job<'a>(
    played: &'a PlayedClip,
    captions: &'a OutputCaptions,
    destinations: &'a [PathBuf],
) -> Result<RenderJob<'a>> {
    let spec = &played.spec;
    let (start, end) = match (played.joined_ranges().first(), played.joined_ranges().last()) {
        (Some(first), Some(last)) => (first.start, last.end),
        _ => (spec.start, spec.end),
    };
    let outputs = spec
        .outputs
        .iter()
        .zip(&captions.ass_files)
        .zip(destinations)
        .map(|((output, ass), destination)| RenderOutput { spec: output, subtitles_ass: ass.as_deref(), destination })
        .collect();
    let source = Path::new(&spec.source.path);
    // An audiogram of an episode with cover art, or of a video (a still image over sound), shows
    // that picture behind the waveform.
    let audiogram = spec.outputs.iter().any(|output| output.layout == Layout::Audiogram);
    let cover = (audiogram && opusclip_media::probe::has_picture(source)).then_some(source);
    Ok(RenderJob {
        source,
        start,
        end,
        fps: spec.source.fps,
        has_audio: spec.source.has_audio,
        loudness: spec.loudness,
        watermark: spec.watermark.as_ref(),
        outputs,
        encoder: configured_encoder()?,
        kept: played.joined_ranges(),
        fonts_dir: played.fonts_dir.as_deref(),
        cover,
    })
}

/// A hidden folder beside the clip's destination (`.clip-01.rendering`) where every file of the
/// clip is made; only when all of them are made are they renamed into place, so a failed or
/// interrupted clip publishes nothing. Removed when dropped.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn create(dir: &Path, id: &str) -> Result<Self> {
        let path = dir.join(format!(".{id}{STAGING_SUFFIX}"));
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io("remove the leftover", &path, e))?;
        }
        std::fs::create_dir_all(&path).map_err(|e| Error::io("create", &path, e))?;
        Ok(Staging { path })
    }

    /// Renames the named files from the staging folder into `dir`.
    fn publish<'a>(&self, dir: &Path, names: impl Iterator<Item = &'a String>) -> Result<()> {
        for name in names {
            let destination = dir.join(name);
            std::fs::rename(self.path.join(name), &destination)
                .map_err(|e| Error::io("rename into place", &destination, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The end of the name of a clip's staging folder.
const STAGING_SUFFIX: &str = ".rendering";

/// Removes what an interrupted run left in an output folder: staging folders of clips
/// (`.clip-01.rendering`) and partially written files (`.name.partial…`). Returns how many
/// entries were removed; finished files are never touched.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let leftover = name.starts_with('.') && (name.ends_with(STAGING_SUFFIX) || name.contains(".partial"));
        if !leftover {
            continue;
        }
        let path = entry.path();
        let outcome = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        if outcome.is_ok() {
            removed += 1;
        }
    }
    removed
}

fn write_caption_files(
    spec: &ClipSpec,
    dir: &Path,
    pages: &[opusclip_captions::CaptionPage],
    wanted: bool,
) -> Result<CaptionFiles> {
    if !wanted {
        return Ok(CaptionFiles { srt: None, vtt: None });
    }
    let srt = format!("{}.srt", spec.id);
    let vtt = format!("{}.vtt", spec.id);
    atomic::write(&dir.join(&srt), write_srt(pages).as_bytes())?;
    atomic::write(&dir.join(&vtt), write_vtt(pages).as_bytes())?;
    Ok(CaptionFiles { srt: Some(srt), vtt: Some(vtt) })
}

/// `output` with its windows held where they are at clip time `t` (for a thumbnail); `None`
/// without keyframes.
fn output_at(output: &OutputSpec, t: f64) -> Option<OutputSpec> {
    let held: Option<Vec<CropKeyframe>> = output.layout.more_windows().iter().map(|path| crop_at(path, t)).collect();
    let mut held = held?.into_iter();
    let layout = output.layout.map_windows(|_| held.next().into_iter().collect());
    Some(OutputSpec { layout, crop_keyframes: vec![crop_at(&output.crop_keyframes, t)?], ..output.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_removed_and_finished_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["clip-01.mp4", "clip-01.json", ".clip-02.mp4.partial.mp4", ".manifest.json.partial", ".hidden"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join(".clip-02.rendering")).unwrap();
        std::fs::write(dir.path().join(".clip-02.rendering/clip-02.mp4"), b"x").unwrap();
        assert_eq!(remove_leftovers(dir.path()), 3);
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        left.sort();
        assert_eq!(left, [".hidden", "clip-01.json", "clip-01.mp4"]);
    }
}
