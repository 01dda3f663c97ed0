//! `opusclip export`: one clip, or every clip of a job, as a timeline for editing software,
//! with an SRT of its captions beside it.

use crate::cli::{ExportArgs, ExportOrder};
use crate::render_command::read_spec;
use opusclip_core::{Aspect, Error, Manifest, ManifestClip, Result};
use opusclip_pipeline::export::{export, timeline_order, ExportClip, Format};
use opusclip_pipeline::{atomic, fonts::caption_measure};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: &ExportArgs, json_output: bool) -> Result<ExitCode> {
    let format: Format = args.format.parse().map_err(Error::invalid_input)?;
    let aspect = args.aspect.as_deref().map(|text| text.parse::<Aspect>().map_err(Error::invalid_input)).transpose()?;
    if args.top == Some(0) {
        return Err(Error::invalid_input("--top must be at least 1"));
    }
    let input = ExportInput::read(&args.input, args.top, args.order)?;
    let measure = caption_measure(std::env::var_os("OPUSCLIP_FONT_DIR").as_deref().map(Path::new));
    let made = export(&input.name, &input.clips, aspect, format, measure.as_ref())?;
    let output =
        args.output.clone().unwrap_or_else(|| input.dir.join(format!("{}.{}", input.stem, format.extension())));
    let srt = captions_path(&output);
    atomic::write(&output, made.timeline.as_bytes())?;
    atomic::write(&srt, made.srt.as_bytes())?;
    let mut notes = input.notes;
    notes.extend(made.notes);
    if json_output {
        println!(
            "{}",
            serde_json::json!({"format": format.label(), "path": output, "captions": srt, "clips": made.clips,
                "seconds": made.seconds, "notes": notes})
        );
    } else {
        for note in &notes {
            eprintln!("note: {note}");
        }
        println!("{}", output.display());
        println!("{}", srt.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `reel.xml` → `reel.captions.srt` (never the clip's own `clip-01.srt`).
fn captions_path(timeline: &Path) -> PathBuf {
    let stem = timeline.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "timeline".into());
    timeline.with_file_name(format!("{stem}.captions.srt"))
}

/// What the command line points at, read: the clips in timeline order and where they live.
struct ExportInput {
    name: String,
    /// The default file name of the export, without extension.
    stem: String,
    dir: PathBuf,
    clips: Vec<ExportClip>,
    notes: Vec<String>,
}

impl ExportInput {
    fn read(path: &Path, top: Option<usize>, order: ExportOrder) -> Result<ExportInput> {
        if path.is_dir() {
            return Self::from_manifest(&path.join("manifest.json"), top, order);
        }
        if !path.exists() {
            return Err(Error::invalid_input(format!(
                "{} not found: give a clip's spec (clips/clip-01.json), a manifest.json or the clips folder",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let is_manifest = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|value| value["clips"].is_array());
        if is_manifest {
            Self::from_manifest(path, top, order)
        } else {
            if top.is_some() {
                return Err(Error::invalid_input(
                    "--top picks clips from a manifest; give a manifest.json or its folder",
                ));
            }
            Self::from_spec(path)
        }
    }

    fn from_manifest(path: &Path, top: Option<usize>, order: ExportOrder) -> Result<ExportInput> {
        let dir = folder_of(path);
        let manifest = read_manifest(path)?.ok_or_else(|| {
            Error::invalid_input(format!(
                "{} not found: give a clip's spec, a manifest.json or its folder",
                path.display()
            ))
        })?;
        let entries: Vec<&ManifestClip> = timeline_order(
            manifest.clips.iter().collect(),
            |clip| u64::from(clip.rank),
            |clip| clip.start,
            top,
            order == ExportOrder::Source,
        );
        if entries.is_empty() {
            return Err(Error::invalid_input(format!("{} lists no clips to export", path.display())));
        }
        let mut notes = Vec::new();
        let mut clips = Vec::with_capacity(entries.len());
        for entry in entries {
            let spec = read_spec(&dir.join(&entry.spec))?;
            let (source_path, note) = source_on_this_machine(&spec.source.path, &dir);
            notes.extend(note.filter(|note| !notes.contains(note)));
            clips.push(ExportClip {
                spec,
                score: Some(entry.score.clone()),
                source_path,
                source_duration: Some(manifest.source.probe.duration),
            });
        }
        let source_stem = Path::new(&manifest.source.path).file_stem().map(|s| s.to_string_lossy().into_owned());
        let name = format!("{} highlights", source_stem.unwrap_or_else(|| "clips".into()));
        Ok(ExportInput { name, stem: "timeline".into(), dir, clips, notes })
    }

    fn from_spec(path: &Path) -> Result<ExportInput> {
        let dir = folder_of(path);
        let spec = read_spec(path)?;
        let manifest = read_manifest(&dir.join("manifest.json")).ok().flatten();
        let entry = manifest.as_ref().and_then(|m| m.clips.iter().find(|clip| clip.id == spec.id));
        let (source_path, note) = source_on_this_machine(&spec.source.path, &dir);
        let source_duration = match &manifest {
            Some(manifest) => Some(manifest.source.probe.duration),
            None => opusclip_media::probe(Path::new(&source_path)).ok().map(|facts| facts.duration),
        };
        let name =
            if spec.title.trim().is_empty() { spec.id.clone() } else { format!("{} {}", spec.id, spec.title.trim()) };
        let stem = spec.id.clone();
        let clip = ExportClip { score: entry.map(|e| e.score.clone()), spec, source_path, source_duration };
        Ok(ExportInput { name, stem, dir, clips: vec![clip], notes: note.into_iter().collect() })
    }
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
}

/// The manifest at `path`; `None` when there is none.
fn read_manifest(path: &Path) -> Result<Option<Manifest>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(Error::io("read", path, error)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::invalid_input(format!("{} is not a valid manifest: {e}", path.display())))
}

/// The source as an absolute path on this machine: as recorded when absolute, else relative
/// to the working folder or to the clips' folder, whichever exists; with a note when it is
/// nowhere (the editor will ask to relink it).
fn source_on_this_machine(recorded: &str, clips_dir: &Path) -> (String, Option<String>) {
    let recorded_path = Path::new(recorded);
    let candidates: Vec<PathBuf> = if recorded_path.is_absolute() {
        vec![recorded_path.to_path_buf()]
    } else {
        vec![recorded_path.to_path_buf(), clips_dir.join(recorded_path)]
    };
    if let Some(found) = candidates.iter().find_map(|candidate| std::fs::canonicalize(candidate).ok()) {
        return (found.to_string_lossy().into_owned(), None);
    }
    let absolute = std::path::absolute(&candidates[0]).unwrap_or_else(|_| candidates[0].clone());
    let note = format!("the source {recorded} is not on this machine; the editor will ask you to relink it");
    (absolute.to_string_lossy().into_owned(), Some(note))
}
