//! `opusclip render clip-NN.json`: re-render an edited clip beside its spec, and keep the
//! manifest (when present) in step with the edit.

use crate::cli::RenderArgs;
use crate::progress_bar::StageBars;
use opusclip_core::{ClipSpec, Error, Manifest, Result};
use opusclip_pipeline::{atomic, fonts::caption_measure, render_spec, Progress};
use std::path::Path;
use std::process::ExitCode;

/// Read and check a spec file.
pub fn read_spec(path: &Path) -> Result<ClipSpec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let spec: ClipSpec = serde_json::from_str(&text).map_err(|e| {
        Error::invalid_input(format!(
            "{} is not a valid ClipSpec: {e} (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if spec.schema_version != opusclip_core::SCHEMA_VERSION {
        return Err(Error::invalid_input(format!(
            "{} has schema_version {}, this build reads {}",
            path.display(),
            spec.schema_version,
            opusclip_core::SCHEMA_VERSION
        )));
    }
    Ok(spec)
}

pub fn run(args: &RenderArgs, json_output: bool) -> Result<ExitCode> {
    let spec = read_spec(&args.spec)?;
    let dir = args.spec.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::interrupt::watch_output_folder(dir.to_path_buf());
    let bars = StageBars::new(spec.id.clone(), json_output);
    bars.stage("render");
    let measure = caption_measure(std::env::var_os("OPUSCLIP_FONT_DIR").as_deref().map(Path::new));
    let rendered = render_spec(&spec, dir, measure.as_ref(), &mut |f| bars.advance(f))?;
    bars.stage_done("render", 0.0);
    update_manifest(dir, &spec, &rendered)?;
    let warnings = rendered.caption_warnings(&spec.id);
    if json_output {
        let outputs: Vec<_> = rendered.outputs.iter().map(|o| &o.path).collect();
        println!(
            "{}",
            serde_json::json!({"id": spec.id, "outputs": outputs, "captions": rendered.captions,
                "thumbnail": rendered.thumbnail, "warnings": warnings})
        );
    } else {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
        for output in &rendered.outputs {
            println!("{}", dir.join(&output.path).display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Bring the manifest's entry for this clip in line with the edited spec.
fn update_manifest(dir: &Path, spec: &ClipSpec, rendered: &opusclip_pipeline::RenderedClip) -> Result<()> {
    let path = dir.join("manifest.json");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(()) };
    let Ok(mut manifest) = serde_json::from_str::<Manifest>(&text) else {
        tracing::warn!(path = %path.display(), "manifest unreadable; left as it is");
        return Ok(());
    };
    if let Some(clip) = manifest.clips.iter_mut().find(|c| c.id == spec.id) {
        clip.start = spec.start;
        clip.end = spec.end;
        clip.duration = spec.played_duration();
        clip.title = spec.title.clone();
        let played = spec.as_cut();
        let words: Vec<&str> = played
            .words
            .iter()
            .filter(|w| w.start >= played.start - 1e-6 && w.end <= played.end + 1e-6)
            .map(|w| w.text.as_str())
            .collect();
        clip.transcript = words.join(" ");
        clip.outputs = rendered.outputs.clone();
        clip.captions = rendered.captions.clone();
        clip.thumbnail = rendered.thumbnail.clone();
        atomic::write_json(&path, &manifest)?;
    }
    Ok(())
}
