//! `opusclip eval reframe`: the reframing stage measured against known truth. Scenes made of
//! real GRID faces overlaid on a 1920x1080 canvas along scripted paths (see
//! `eval_reframe_scenes`) go through the pipeline's own close look and reframing
//! (`opusclip_pipeline::look`, `opusclip_pipeline::reframe`), and each output is scored:
//! subject-in-frame share, camera reversals per second, mean speed and p95 jerk at output
//! scale, hard cuts, and for the turn-taking scene the share of frames that show the right
//! speaker. `../shared/media/talk/man-on-green-screen.mp4` (a body, no face) is run too and
//! described. `--render-bench` times rendering three aspect ratios from one decode or from
//! three separate renders instead.

use crate::clip_command::parse_aspects;
use crate::eval_reframe_scenes::{Scene, SceneKind, FPS};
use clap::{Args, ValueEnum};
use opusclip_analyze::faces::FaceDetector;
use opusclip_core::{Aspect, CloseLook, CropKeyframe, Error, LayoutKind, OutputSpec, ProbeFacts, Result};
use opusclip_media::render::{render, RenderJob, RenderOutput};
use opusclip_pipeline::look::{close_look_with_signals, LookSignals};
use opusclip_pipeline::reframe::{frame_clip, ClipFraming, FramedOutput};
use opusclip_pipeline::survey::run_survey;
use opusclip_pipeline::NoProgress;
use opusclip_reframe::{camera_motion, crop_at, CameraMotion};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The name of the no-face scene on the command line.
const GREEN_SCREEN: &str = "green-screen";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderBench {
    /// All three outputs from one ffmpeg process (one decode, `split`).
    One,
    /// Three ffmpeg processes, one output each (three decodes).
    Separate,
}

#[derive(Debug, Args)]
pub struct ReframeArgs {
    /// The shared media folder: GRID clips in speech/grid, the green-screen talk in talk/.
    #[arg(long, value_name = "DIR", default_value = "../shared/media")]
    pub media: PathBuf,
    /// Where the generated scenes are kept between runs.
    #[arg(long, value_name = "DIR", default_value = "bench-out/reframe")]
    pub work: PathBuf,
    /// Scenes to run (repeatable): still, drift, jump, turns, cut, trio, green-screen. All by default.
    #[arg(long = "scene", value_name = "NAME")]
    pub scenes: Vec<String>,
    /// Length of each generated scene in seconds (each has its own default).
    #[arg(long, value_name = "SECONDS")]
    pub seconds: Option<f64>,
    /// Aspect ratios to plan (repeatable). Default: 9:16, 1:1, 4:5, 16:9.
    #[arg(long = "aspect", value_name = "RATIO")]
    pub aspects: Vec<String>,
    /// Instead of evaluating, render the turn-taking scene's 9:16, 1:1 and 4:5 outputs (track
    /// layout, centred crops) from one decode or with three separate renders, and print the
    /// wall time.
    #[arg(long, value_enum, value_name = "MODE")]
    pub render_bench: Option<RenderBench>,
    /// The video `--render-bench` renders, instead of the turn-taking scene.
    #[arg(long, value_name = "VIDEO", requires = "render_bench")]
    pub render_source: Option<PathBuf>,
}

/// What one scene gave.
struct SceneReport {
    name: String,
    seconds: f64,
    look_seconds: f64,
    /// CPU time of the close look (all threads), where the system tells it.
    look_cpu_seconds: Option<f64>,
    plan_seconds: f64,
    face_share: f64,
    salient_frames: usize,
    rows: Vec<Value>,
}

pub fn run(args: &ReframeArgs, json_output: bool) -> Result<ExitCode> {
    let grid = args.media.join("speech/grid");
    if !grid.is_dir() {
        return Err(Error::invalid_input(format!(
            "{} is missing: point --media at the shared media folder (it holds speech/grid/*.mpg)",
            grid.display()
        )));
    }
    std::fs::create_dir_all(&args.work).map_err(|e| Error::io("create", &args.work, e))?;
    if let Some(mode) = args.render_bench {
        return render_bench(args, &grid, mode, json_output);
    }
    let aspects = if args.aspects.is_empty() { Aspect::ALL.to_vec() } else { parse_aspects(&args.aspects)? };
    let names = if args.scenes.is_empty() {
        SceneKind::ALL.iter().map(|kind| kind.name().to_string()).chain([GREEN_SCREEN.to_string()]).collect()
    } else {
        args.scenes.clone()
    };
    let mut detector = FaceDetector::new()?;
    let mut reports = Vec::new();
    for name in &names {
        if name == GREEN_SCREEN {
            let video = args.media.join("talk/man-on-green-screen.mp4");
            if !video.is_file() {
                return Err(Error::invalid_input(format!("{} is missing", video.display())));
            }
            reports.push(evaluate(name, &video, None, &aspects, &mut detector)?);
            continue;
        }
        let kind = SceneKind::ALL.into_iter().find(|kind| kind.name() == name).ok_or_else(|| {
            Error::invalid_input(format!(
                "unknown scene '{name}': use still, drift, jump, turns, cut, trio or {GREEN_SCREEN}"
            ))
        })?;
        let scene = Scene::new(kind, args.seconds);
        let video = scene_video(&scene, &grid, &args.work)?;
        reports.push(evaluate(name, &video, Some(&scene), &aspects, &mut detector)?);
    }
    if json_output {
        println!("{}", report_json(&reports));
    } else {
        print!("{}", report_markdown(&reports));
    }
    Ok(ExitCode::SUCCESS)
}

/// The scene's video in the work folder, generated when missing.
fn scene_video(scene: &Scene, grid: &Path, work: &Path) -> Result<PathBuf> {
    let video = work.join(scene.file_name());
    if !video.is_file() {
        scene.generate(grid, &video)?;
    }
    Ok(video)
}

/// The close look and the plans of one video, scored against the scene's truth when known.
fn evaluate(
    name: &str,
    video: &Path,
    scene: Option<&Scene>,
    aspects: &[Aspect],
    detector: &mut FaceDetector,
) -> Result<SceneReport> {
    let facts = opusclip_media::probe(video)?;
    let survey = run_survey(video, &facts, false, &NoProgress)?;
    let duration = scene.map_or(facts.duration, |scene| scene.seconds.min(facts.duration));
    let (started, cpu_before) = (Instant::now(), process_cpu_seconds());
    let (look, signals) = close_look_with_signals(video, &facts, 0.0, duration, detector, &mut |_| {})?;
    let look_seconds = started.elapsed().as_secs_f64();
    let look_cpu_seconds = process_cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let framing = ClipFraming {
        display: facts.video.display_size(),
        start: 0.0,
        end: duration,
        look: &look,
        signals: Some(&signals),
        levels: Some(&survey.survey.levels),
        words: &[],
        layout: None,
    };
    let started = Instant::now();
    let outputs = frame_clip(&framing, aspects);
    let plan_seconds = started.elapsed().as_secs_f64();
    let mut rows: Vec<Value> = outputs.iter().map(|output| score(name, output, scene, false)).collect();
    if scene.is_some_and(|scene| matches!(scene.kind, SceneKind::Turns | SceneKind::Trio)) {
        let forced = ClipFraming { layout: Some(LayoutKind::Track), ..framing };
        rows.extend(frame_clip(&forced, aspects).iter().map(|output| score(name, output, scene, true)));
    }
    let sampled = look.faces.len().max(1) as f64;
    Ok(SceneReport {
        name: name.to_string(),
        seconds: duration,
        look_seconds,
        look_cpu_seconds,
        plan_seconds,
        face_share: look.faces.iter().filter(|frame| !frame.faces.is_empty()).count() as f64 / sampled,
        salient_frames: salient_frames(&look.faces, &signals),
        rows,
    })
}

/// CPU seconds (user + system, all threads) this process has used, from `/proc/self/stat`
/// (clock ticks of 1/100 s); `None` where that file is not there.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Frames without a face but with a saliency centre.
fn salient_frames(faces: &[opusclip_core::FaceFrame], signals: &LookSignals) -> usize {
    faces.iter().zip(&signals.salient).filter(|(frame, salient)| frame.faces.is_empty() && salient.is_some()).count()
}

/// One row of the table: the output's layout and camera measures, and against the truth (if
/// any) the share of frames with the subject wholly inside a crop window, for the
/// turn-taking scenes the share with the right speaker shown, and where several people are on
/// screen the share with every one of them wholly inside some window.
fn score(name: &str, output: &FramedOutput, scene: Option<&Scene>, forced: bool) -> Value {
    let spec = &output.spec;
    let windows = windows_of(spec);
    let motion = windows.iter().map(|(keyframes, size)| camera_motion(keyframes, *size, FPS)).fold(
        CameraMotion { reversals_per_second: 0.0, mean_speed: 0.0, p95_jerk: 0.0 },
        |worst, m| CameraMotion {
            reversals_per_second: worst.reversals_per_second.max(m.reversals_per_second),
            mean_speed: worst.mean_speed.max(m.mean_speed),
            p95_jerk: worst.p95_jerk.max(m.p95_jerk),
        },
    );
    let cuts = windows.iter().map(|(keyframes, _)| keyframes.windows(2).filter(|p| p[0].t == p[1].t).count()).max();
    let (in_frame, right_speaker, everyone) = match scene {
        Some(scene) => {
            let times = scene.frame_times();
            let shown = |t: f64, face: &opusclip_core::BoxF| {
                windows.iter().any(|(keyframes, _)| crop_at(keyframes, t).is_some_and(|crop| contains(&crop, face)))
            };
            let inside = times.iter().filter(|&&t| shown(t, &scene.truth(t).faces[scene.truth(t).subject])).count();
            let share = inside as f64 / times.len().max(1) as f64;
            let all_shown = times.iter().filter(|&&t| scene.truth(t).faces.iter().all(|face| shown(t, face))).count();
            let several = scene.truth(0.0).faces.len() > 1;
            (
                Some(share),
                matches!(scene.kind, SceneKind::Turns | SceneKind::Trio).then_some(share),
                several.then_some(all_shown as f64 / times.len().max(1) as f64),
            )
        }
        None => (None, None, None),
    };
    let modes: Vec<String> =
        output.plan.spans.iter().map(|span| format!("{:?}/{:?}", span.horizontal, span.vertical)).collect();
    json!({
        "scene": if forced { format!("{name} (track forced)") } else { name.to_string() },
        "aspect": spec.aspect.label(),
        "layout": spec.layout.kind().label(),
        "reason": output.plan.reason,
        "subject_in_frame": in_frame,
        "right_speaker": right_speaker,
        "everyone_in_frame": everyone,
        "reversals_per_second": motion.reversals_per_second,
        "mean_speed": motion.mean_speed,
        "p95_jerk": motion.p95_jerk,
        "cuts": cuts.unwrap_or(0),
        "keyframes": spec.crop_keyframes.len(),
        "camera_modes": modes,
    })
}

/// The crop windows of an output with the output size each is shown at.
fn windows_of(spec: &OutputSpec) -> Vec<(&[CropKeyframe], (u32, u32))> {
    spec.panels().into_iter().map(|panel| (panel.crop_keyframes, (panel.width, panel.height))).collect()
}

fn contains(crop: &CropKeyframe, face: &opusclip_core::BoxF) -> bool {
    face.x >= crop.x && face.y >= crop.y && face.x + face.w <= crop.x + crop.w && face.y + face.h <= crop.y + crop.h
}

fn report_json(reports: &[SceneReport]) -> Value {
    let scenes: Vec<Value> = reports
        .iter()
        .map(|report| {
            json!({
                "scene": report.name,
                "seconds": report.seconds,
                "look_seconds": report.look_seconds,
                "look_cpu_seconds": report.look_cpu_seconds,
                "plan_seconds": report.plan_seconds,
                "face_share": report.face_share,
                "salient_frames": report.salient_frames,
                "outputs": report.rows,
            })
        })
        .collect();
    json!({ "scenes": scenes })
}

fn percent(value: &Value) -> String {
    value.as_f64().map_or("–".into(), |share| format!("{:.1} %", 100.0 * share))
}

fn report_markdown(reports: &[SceneReport]) -> String {
    let mut text = String::from(
        "| scene | aspect | layout | subject in frame | right speaker | everyone in frame | reversals/s | mean speed px/s | p95 jerk px/s³ | cuts |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for row in reports.iter().flat_map(|report| &report.rows) {
        text.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:.3} | {:.1} | {:.0} | {} |\n",
            row["scene"].as_str().unwrap_or(""),
            row["aspect"].as_str().unwrap_or(""),
            row["layout"].as_str().unwrap_or(""),
            percent(&row["subject_in_frame"]),
            percent(&row["right_speaker"]),
            percent(&row["everyone_in_frame"]),
            row["reversals_per_second"].as_f64().unwrap_or(0.0),
            row["mean_speed"].as_f64().unwrap_or(0.0),
            row["p95_jerk"].as_f64().unwrap_or(0.0),
            row["cuts"],
        ));
    }
    text.push_str(
        "\n| scene | seconds | frames with a face | saliency frames | look s/min (wall) | look CPU s/min | \
         plan s/min | why these layouts |\n|---|---|---|---|---|---|---|---|\n",
    );
    for report in reports {
        let per_minute = |seconds: f64| 60.0 * seconds / report.seconds.max(1e-9);
        let mut reasons: Vec<&str> = Vec::new();
        for row in report.rows.iter().filter(|row| !row["scene"].as_str().unwrap_or("").contains("forced")) {
            let reason = row["reason"].as_str().unwrap_or("");
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        text.push_str(&format!(
            "| {} | {:.1} | {:.0} % | {} | {:.2} | {} | {:.4} | {} |\n",
            report.name,
            report.seconds,
            100.0 * report.face_share,
            report.salient_frames,
            per_minute(report.look_seconds),
            report.look_cpu_seconds.map_or("–".into(), |cpu| format!("{:.2}", per_minute(cpu))),
            per_minute(report.plan_seconds),
            reasons.join("; "),
        ));
    }
    text
}

/// Render the turn-taking scene's 9:16, 1:1 and 4:5 track outputs (centred crops) one way and
/// print the time.
fn render_bench(args: &ReframeArgs, grid: &Path, mode: RenderBench, json_output: bool) -> Result<ExitCode> {
    let video = match &args.render_source {
        Some(video) => video.clone(),
        None => scene_video(&Scene::new(SceneKind::Turns, args.seconds), grid, &args.work)?,
    };
    let facts: ProbeFacts = opusclip_media::probe(&video)?;
    let seconds = facts.duration;
    // Where the crop sits does not change the cost of rendering it: centred still crops.
    let look = CloseLook {
        start: 0.0,
        end: seconds,
        cuts: Vec::new(),
        faces: Vec::new(),
        width: facts.video.display_size().0,
        height: facts.video.display_size().1,
    };
    let framing = ClipFraming {
        display: facts.video.display_size(),
        start: 0.0,
        end: seconds,
        look: &look,
        signals: None,
        levels: None,
        words: &[],
        layout: Some(LayoutKind::Track),
    };
    let aspects = [Aspect::Vertical, Aspect::Square, Aspect::Portrait];
    let specs: Vec<OutputSpec> = frame_clip(&framing, &aspects).into_iter().map(|output| output.spec).collect();
    let folder = args.work.join("render-bench");
    std::fs::create_dir_all(&folder).map_err(|e| Error::io("create", &folder, e))?;
    let paths: Vec<PathBuf> = aspects.iter().map(|a| folder.join(format!("{}.mp4", a.file_tag()))).collect();
    let outputs: Vec<RenderOutput> = specs
        .iter()
        .zip(&paths)
        .map(|(spec, destination)| RenderOutput { spec, subtitles_ass: None, destination })
        .collect();
    let template = RenderJob {
        source: &video,
        start: 0.0,
        end: seconds,
        fps: facts.video.fps,
        has_audio: facts.audio.is_some(),
        loudness: None,
        watermark: None,
        outputs: Vec::new(),
        encoder: opusclip_media::render::configured_encoder()?,
        kept: &[],
        fonts_dir: None,
        cover: None,
    };
    let started = Instant::now();
    match mode {
        RenderBench::One => render(&RenderJob { outputs, ..template }, &mut |_| {})?,
        RenderBench::Separate => {
            for output in outputs {
                render(&RenderJob { outputs: vec![output], ..template.clone() }, &mut |_| {})?;
            }
        }
    }
    let render_seconds = started.elapsed().as_secs_f64();
    let mode_name = match mode {
        RenderBench::One => "one decode",
        RenderBench::Separate => "three renders",
    };
    if json_output {
        println!("{}", json!({ "mode": mode_name, "clip_seconds": seconds, "render_seconds": render_seconds }));
    } else {
        println!("render of 9:16 + 1:1 + 4:5 ({mode_name}), {seconds:.0} s clip: {render_seconds:.2} s wall");
    }
    Ok(ExitCode::SUCCESS)
}
