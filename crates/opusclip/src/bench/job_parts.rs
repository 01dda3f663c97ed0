//! The whole-job figures: P3 `opusclip clip` on a long talk (10 clips of 30–60 s at 1080x1920)
//! as a fraction of the source's duration with each stage's share, with the SRT and with
//! Whisper; P5 re-rendering one clip against the ffmpeg CLI running the same command.

use super::analysis_parts::{decode_command, describe};
use super::inputs::BenchTalk;
use super::measure::{alternate, Best, Contender};
use super::report::{Headline, Part, Table};
use super::Bench;
use opusclip_core::{Error, Manifest, Result};
use opusclip_media::render::{ffmpeg_arguments, loudness_filter, render_filter_graph};
use opusclip_pipeline::fonts::caption_measure;
use opusclip_pipeline::render::{render_job, write_output_captions, PlayedClip};
use std::path::{Path, PathBuf};
use std::process::Command;

/// P3's goals, as fractions of the source's duration.
const P3_GOAL_TRANSCRIPT: f64 = 0.10;
const P3_GOAL_WHISPER: f64 = 0.20;
/// P5's goal: an edited clip re-renders in no more than its own duration.
const P5_GOAL: f64 = 1.0;

const WITH_SRT: &str = "opusclip clip, words from the SRT";
const WITH_WHISPER: &str = "opusclip clip, words from Whisper";
const DECODE: &str = "decode (ffprobe -threads 2 -count_frames)";

/// The job P3 measures: ten clips of 30–60 s at 9:16.
fn clip_command(bench: &Bench, video: &Path, output: &Path) -> Command {
    let mut command = bench.opusclip();
    command.arg("clip").arg(video).arg("-o").arg(output);
    command.args(["--clips", "10", "--min", "30", "--max", "60", "--aspect", "9:16"]);
    command
}

/// P3: the whole job once with the talk's SRT and once with Whisper (`whisper` = the model
/// file), beside a decode of the same file.
pub fn p3(bench: &Bench, talk: &BenchTalk, whisper: Option<(&str, &Path)>) -> Result<Part> {
    let mut part = Part::new(
        "P3",
        "the whole clip job",
        format!("{} 10 clips of 30–60 s at 1080x1920; each command runs once.", describe(talk)),
    );
    let with_srt = bench.dir.join("p3-srt");
    bench.say("P3: the decode yardstick");
    let mut bests: Vec<(String, Best)> = vec![(DECODE.into(), bench.measure(&mut decode_command(&talk.video))?.into())];
    bench.say(&format!("P3: {WITH_SRT}"));
    let mut command = clip_command(bench, &talk.video, &with_srt);
    command.arg("--transcript").arg(&talk.srt);
    bests.push((WITH_SRT.into(), bench.measure(&mut command)?.into()));
    let mut manifests = vec![("SRT", read_manifest(&with_srt)?)];
    match whisper {
        Some((name, model)) => {
            // The same file under a name with no SRT beside it, so the words must be heard.
            let bare = bench.dir.join("p3-whisper-input");
            std::fs::create_dir_all(&bare).map_err(|e| Error::io("create", &bare, e))?;
            let video = bare.join("talk.mp4");
            if !video.exists() {
                std::os::unix::fs::symlink(&talk.video, &video).map_err(|e| Error::io("link", &video, e))?;
            }
            let with_whisper = bench.dir.join("p3-whisper");
            bench.say(&format!("P3: {WITH_WHISPER} {name}"));
            let mut command = clip_command(bench, &video, &with_whisper);
            command.arg("--whisper-model").arg(model);
            bests.push((format!("{WITH_WHISPER} {name}"), bench.measure(&mut command)?.into()));
            manifests.push(("Whisper", read_manifest(&with_whisper)?));
        }
        None => part
            .notes
            .push("Whisper base is not downloaded (`opusclip models fetch base`): the Whisper run was left out".into()),
    }
    part = part.with_rows(bests, DECODE);
    for (row, goal) in part.rows.iter().skip(1).zip([P3_GOAL_TRANSCRIPT, P3_GOAL_WHISPER]) {
        let value = row.best.seconds / talk.seconds;
        part.headlines.push(Headline::at_most(format!("{} ÷ source duration", row.name), value, goal));
    }
    for (words, manifest) in &manifests {
        let lengths: Vec<f64> = manifest.clips.iter().map(|clip| clip.duration).collect();
        let shortest = lengths.iter().copied().fold(f64::INFINITY, f64::min);
        let longest = lengths.iter().copied().fold(0.0, f64::max);
        part.notes.push(format!(
            "with the {words}: {} clips of {shortest:.0}–{longest:.0} s, peak memory of the opusclip process {:.0} MiB",
            lengths.len(),
            manifest.peak_memory_bytes as f64 / f64::from(1 << 20)
        ));
    }
    part.tables.push(stage_table(&manifests));
    Ok(part)
}

/// Each stage's seconds and share of the job, one column pair per run.
fn stage_table(manifests: &[(&str, Manifest)]) -> Table {
    let mut names: Vec<String> = Vec::new();
    for (_, manifest) in manifests {
        for stage in &manifest.stages {
            if !names.contains(&stage.name) {
                names.push(stage.name.clone());
            }
        }
    }
    let totals: Vec<f64> = manifests.iter().map(|(_, m)| m.stages.iter().map(|s| s.seconds).sum()).collect();
    let mut rows: Vec<Vec<String>> = names
        .iter()
        .map(|name| {
            let mut row = vec![name.clone()];
            for ((_, manifest), total) in manifests.iter().zip(&totals) {
                let seconds = manifest.stages.iter().filter(|s| &s.name == name).map(|s| s.seconds).sum::<f64>();
                row.push(format!("{seconds:.1}"));
                row.push(format!("{:.0} %", if *total > 0.0 { 100.0 * seconds / total } else { 0.0 }));
            }
            row
        })
        .collect();
    let mut all = vec!["all stages".to_string()];
    for total in &totals {
        all.extend([format!("{total:.1}"), "100 %".into()]);
    }
    rows.push(all);
    let mut header = vec!["stage".to_string()];
    for (words, _) in manifests {
        header.extend([format!("s ({words})"), format!("share ({words})")]);
    }
    Table { title: "Stage timings from the job's manifest".into(), header, rows }
}

fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::invalid_input(format!("{} is not a manifest: {e}", path.display())))
}

/// P5: `opusclip render` of one clip against ffmpeg running the command it runs (the same
/// filter graph, captions, encoder settings and loudness filter, the loudness measured once
/// beforehand); the clip is P3's first, or one made now.
pub fn p5(bench: &Bench, talk: &BenchTalk) -> Result<Part> {
    let work = bench.dir.join("p5");
    std::fs::create_dir_all(&work).map_err(|e| Error::io("create", &work, e))?;
    let spec_path = work.join("clip-01.json");
    let made = bench.dir.join("p3-srt/clip-01.json");
    if !made.is_file() {
        bench.say("P5: making one clip to re-render");
        let mut command = bench.opusclip();
        command.arg("clip").arg(&talk.video).arg("--transcript").arg(&talk.srt).arg("-o").arg(bench.dir.join("p3-srt"));
        command.args(["--clips", "1", "--min", "30", "--max", "60", "--aspect", "9:16"]);
        bench.measure(&mut command)?;
    }
    std::fs::copy(&made, &spec_path).map_err(|e| Error::io("copy", &made, e))?;
    let spec = crate::render_command::read_spec(&spec_path)?;

    let yardstick = work.join("ffmpeg");
    std::fs::create_dir_all(&yardstick).map_err(|e| Error::io("create", &yardstick, e))?;
    let measure = caption_measure(std::env::var_os("OPUSCLIP_FONT_DIR").as_deref().map(Path::new));
    let played = PlayedClip::of(&spec)?;
    let captions = write_output_captions(&played.spec, &yardstick, measure.as_ref())?;
    let destinations: Vec<PathBuf> =
        (0..spec.outputs.len()).map(|index| yardstick.join(format!("output-{index}.mp4"))).collect();
    let job = render_job(&played, &captions, &destinations)?;
    let audio = loudness_filter(&job)?;
    let graph = yardstick.join("filtergraph.txt");
    std::fs::write(&graph, render_filter_graph(&job, audio.as_deref())).map_err(|e| Error::io("write", &graph, e))?;
    let arguments = ffmpeg_arguments(&job, audio.as_deref(), &graph, &destinations);
    let ffmpeg = "ffmpeg, the same command";
    let ours = "opusclip render";
    let mut contenders = [
        Contender::new(ffmpeg, || {
            let mut command = Command::new("ffmpeg");
            command.args(["-hide_banner", "-nostdin", "-v", "error", "-y"]).args(&arguments);
            bench.measure(&mut command)
        }),
        Contender::new(ours, || bench.measure(bench.opusclip().arg("render").arg(&spec_path))),
    ];
    let bests =
        alternate(bench.rounds, &mut contenders, &mut |name, round| bench.say(&format!("P5 round {round}: {name}")))?;
    let duration = spec.played_duration();
    let mut part = Part::new(
        "P5",
        "re-rendering one clip",
        format!(
            "{} of the talk, {} output(s) ({}), captions burned in.",
            format_span(spec.start, spec.end),
            spec.outputs.len(),
            spec.outputs.iter().map(|o| format!("{}x{}", o.width, o.height)).collect::<Vec<_>>().join(", ")
        ),
    )
    .with_rows(bests, ffmpeg);
    if let Some(seconds) = part.seconds_of(ours) {
        let value = seconds / duration;
        part.headlines.push(Headline::at_most("opusclip render ÷ clip duration", value, P5_GOAL));
    }
    part.notes.push(
        "opusclip render also measures the loudness (a first audio-only pass), checks the file it wrote, \
         and writes the thumbnail and caption files; the ffmpeg row is the encode alone"
            .into(),
    );
    Ok(part)
}

fn format_span(start: f64, end: f64) -> String {
    format!("{:.1} s ({start:.1}–{end:.1} s)", end - start)
}
